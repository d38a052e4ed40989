import { sql, type Kysely } from 'kysely'

// Every answer write updates its assessment's overall figures (overall_score, tier) and bumps its
// revision. With those figures in an index, PostgreSQL cannot update the row in place (a HOT
// update: no new index entries, the old version pruned on the page), so a third of the campaign's
// writes also wrote index entries and left more to vacuum. The readiness query still finds an
// assessment group through the index and reads the figures from the row.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`drop index assessments_readiness_idx`.execute(db)
  await sql`create index assessments_readiness_idx on assessments (questionnaire, version, cycle, status) include (country)`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index assessments_readiness_idx`.execute(db)
  await sql`create index assessments_readiness_idx on assessments (questionnaire, version, cycle, status)
    include (country, overall_score, tier)`.execute(db)
}
