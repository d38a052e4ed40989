import type { Kysely } from 'kysely'
import { sql } from 'kysely'

/*
 * Password resets (OWASP Forgot Password cheat sheet): a one-time link holding a random secret,
 * only its SHA-256 stored, valid one hour. Frozen in time: no application imports.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('password_resets')
    .addColumn('secret_hash', 'bytea', (c) => c.primaryKey().check(sql`octet_length(secret_hash) = 32`))
    .addColumn('person_id', 'uuid', (c) => c.notNull().references('persons.id').onDelete('cascade'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz')
    .execute()
  await db.schema.createIndex('password_resets_person_idx').on('password_resets').column('person_id').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('password_resets').execute()
}
