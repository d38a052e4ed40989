import type { Kysely } from 'kysely'
import { sql } from 'kysely'

/*
 * The audit trail of persons: one row per event that is not already an answer, transition or
 * comment (those keep their own history): sign-ins and failed sign-ins, invitations, memberships,
 * status changes, tokens. Frozen in time: no application imports.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('audit_events')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('actor_person', 'uuid', (c) => c.references('persons.id'))
    .addColumn('actor_token', 'uuid', (c) => c.references('tokens.id'))
    .addColumn('subject_person', 'uuid', (c) => c.references('persons.id'))
    .addColumn('address', 'text')
    .addColumn('details', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .execute()
  await db.schema.createIndex('audit_events_at_idx').on('audit_events').column('at').execute()
  await db.schema.createIndex('audit_events_subject_idx').on('audit_events').columns(['subject_person', 'at']).execute()
  await db.schema.createIndex('audit_events_actor_idx').on('audit_events').columns(['actor_person', 'at']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('audit_events').execute()
}
