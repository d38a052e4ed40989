import type { Kysely } from 'kysely'
import { sql } from 'kysely'

/*
 * Campaigns: a cycle of one questionnaire version run by staff for a set of countries, with an
 * opening date, a deadline and a state (draft → open → closed → published). One campaign per
 * questionnaire and cycle, so "cycle 2027 of cdc" means one thing. Assessments made by a campaign
 * point to it, and a submission after the deadline is marked late. Frozen in time: no app imports.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('campaigns')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('questionnaire', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('cycle', 'integer', (c) => c.notNull().check(sql`cycle between 2000 and 2100`))
    .addColumn('title', 'text', (c) => c.notNull().check(sql`length(trim(title)) between 1 and 200`))
    .addColumn('opens_at', 'timestamptz', (c) => c.notNull())
    .addColumn('deadline', 'timestamptz', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('draft').check(sql`state in ('draft', 'open', 'closed', 'published')`))
    .addColumn('allow_late', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('reminder_days', sql`integer[]`, (c) => c.notNull().defaultTo(sql`'{14,3}'`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('created_by', 'uuid', (c) => c.references('persons.id'))
    .addColumn('opened_at', 'timestamptz')
    .addColumn('closed_at', 'timestamptz')
    .addForeignKeyConstraint('campaigns_version_fk', ['questionnaire', 'version'], 'questionnaire_versions', ['questionnaire', 'version'])
    .addUniqueConstraint('campaigns_one_per_cycle', ['questionnaire', 'cycle'])
    .addCheckConstraint('campaigns_deadline_after_opening', sql`deadline > opens_at`)
    .execute()

  await db.schema
    .createTable('campaign_countries')
    .addColumn('campaign_id', 'uuid', (c) => c.notNull().references('campaigns.id').onDelete('cascade'))
    .addColumn('country', 'char(3)', (c) => c.notNull().references('countries.code'))
    .addPrimaryKeyConstraint('campaign_countries_pk', ['campaign_id', 'country'])
    .execute()

  await db.schema
    .alterTable('assessments')
    .addColumn('campaign_id', 'uuid', (c) => c.references('campaigns.id'))
    .addColumn('late', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute()
  await db.schema.createIndex('assessments_campaign_idx').on('assessments').columns(['campaign_id', 'country']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('assessments_campaign_idx').execute()
  await db.schema.alterTable('assessments').dropColumn('campaign_id').dropColumn('late').execute()
  await db.schema.dropTable('campaign_countries').execute()
  await db.schema.dropTable('campaigns').execute()
}
