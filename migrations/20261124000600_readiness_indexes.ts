import { sql, type Kysely } from 'kysely'

// Readiness aggregates and exports: the published figures select assessments by questionnaire,
// version, cycle and status, then read their domain scores. Covering indexes let both steps be
// index-only scans at tens of thousands of assessments.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index assessments_readiness_idx on assessments (questionnaire, version, cycle, status)
    include (country, overall_score, tier)`.execute(db)
  await sql`create index domain_scores_readiness_idx on domain_scores (assessment_id) include (domain, score, tier)`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('domain_scores_readiness_idx').execute()
  await db.schema.dropIndex('assessments_readiness_idx').execute()
}
