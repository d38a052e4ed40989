import type { Kysely } from 'kysely'
import { sql } from 'kysely'

/*
 * A second factor (TOTP, RFC 6238) per person, with single-use recovery codes stored as SHA-256.
 * totp_last_step keeps the last accepted time step, so a code cannot be used twice.
 * Frozen in time: no application imports.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('persons')
    .addColumn('totp_secret', 'text')
    .addColumn('totp_pending_secret', 'text')
    .addColumn('totp_enabled_at', 'timestamptz')
    .addColumn('totp_last_step', 'bigint')
    .execute()
  await db.schema
    .createTable('recovery_codes')
    .addColumn('person_id', 'uuid', (c) => c.notNull().references('persons.id').onDelete('cascade'))
    .addColumn('code_hash', 'bytea', (c) => c.notNull().check(sql`octet_length(code_hash) = 32`))
    .addColumn('used_at', 'timestamptz')
    .addPrimaryKeyConstraint('recovery_codes_pk', ['person_id', 'code_hash'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('recovery_codes').execute()
  await db.schema
    .alterTable('persons')
    .dropColumn('totp_secret')
    .dropColumn('totp_pending_secret')
    .dropColumn('totp_enabled_at')
    .dropColumn('totp_last_step')
    .execute()
}
