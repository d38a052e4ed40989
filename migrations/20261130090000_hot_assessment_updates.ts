import { sql, type Kysely } from 'kysely'

// Every answer write updates its assessment's overall figures (overall_score, tier) and bumps its
// revision. With those figures in an index, PostgreSQL cannot update the row in place (a HOT
// update: no new index entries, the old version pruned on the page), so a third of the campaign's
// writes also wrote index entries and left more to vacuum. The same holds for domain_scores (score
// and tier in domain_scores_readiness_idx, whose key the primary key already leads with). The
// readiness query still finds an assessment group through the index and reads the figures from the
// rows; it is cached (src/readiness/cache.ts), so it runs once per change of the group, not per request.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`drop index assessments_readiness_idx`.execute(db)
  await sql`create index assessments_readiness_idx on assessments (questionnaire, version, cycle, status) include (country)`.execute(db)
  await sql`drop index domain_scores_readiness_idx`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`create index domain_scores_readiness_idx on domain_scores (assessment_id) include (domain, score, tier)`.execute(db)
  await sql`drop index assessments_readiness_idx`.execute(db)
  await sql`create index assessments_readiness_idx on assessments (questionnaire, version, cycle, status)
    include (country, overall_score, tier)`.execute(db)
}
