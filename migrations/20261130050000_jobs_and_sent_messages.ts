import type { Kysely } from 'kysely'
import { sql } from 'kysely'

/*
 * Background work run by the service itself from the database: a job is a row, claimed by one
 * server process at a time with SELECT … FOR UPDATE SKIP LOCKED and marked done in the same
 * transaction as its work, so several processes never do the same job twice. `key`, when set,
 * makes a job unique (a campaign's reminder for one person is queued once however often it is
 * asked for). Every mail the service sends is recorded in sent_messages. Frozen in time.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('jobs')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    // Order of queuing, private: ties between jobs due at the same moment go first come, first served.
    .addColumn('seq', 'bigserial', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('payload', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('key', 'text', (c) => c.unique())
    .addColumn('run_at', 'timestamptz', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('done_at', 'timestamptz')
    .addColumn('failed_at', 'timestamptz')
    .execute()
  // The poll reads only what is still to do, in order of when it is due.
  await sql`create index jobs_due_idx on jobs (run_at) where done_at is null and failed_at is null`.execute(db)

  await db.schema
    .createTable('sent_messages')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('to_address', 'text', (c) => c.notNull())
    .addColumn('person_id', 'uuid', (c) => c.references('persons.id'))
    .addColumn('campaign_id', 'uuid', (c) => c.references('campaigns.id').onDelete('set null'))
    .addColumn('country', 'char(3)', (c) => c.references('countries.code'))
    .addColumn('assessment_id', 'uuid', (c) => c.references('assessments.id').onDelete('set null'))
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('job_id', 'uuid')
    .addColumn('sent_at', 'timestamptz', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('sent_messages_campaign_idx').on('sent_messages').columns(['campaign_id', 'country', 'sent_at']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('sent_messages').execute()
  await db.schema.dropTable('jobs').execute()
}
