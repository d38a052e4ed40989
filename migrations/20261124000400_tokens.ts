import type { Kysely } from 'kysely'
import { sql } from 'kysely'

/*
 * Bearer API tokens. Frozen in time: no application imports.
 *
 * Only the SHA-256 of a token is stored (hash); the plaintext is shown once when the token is made.
 * prefix keeps the first characters (e.g. "tr_ab12") so that people can tell tokens apart.
 * An administration token belongs to exactly one country; staff and admin tokens to none.
 * Tokens are never deleted: revoking sets revoked_at, so created_by and the audit columns of other
 * tables keep pointing at a row.
 *
 * Plain SQL accepted by PostgreSQL 15 and PGlite (PostgreSQL 18).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('tokens')
    .addColumn('id', 'uuid', (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('hash', 'bytea', (col) => col.notNull().unique().check(sql`octet_length(hash) = 32`))
    .addColumn('prefix', 'text', (col) => col.notNull())
    .addColumn('role', 'text', (col) => col.notNull().check(sql`role in ('administration', 'staff', 'admin')`))
    .addColumn('country', 'char(3)', (col) => col.references('countries.code'))
    .addColumn('label', 'text', (col) => col.notNull().check(sql`length(trim(label)) > 0`))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('created_by', 'uuid', (col) => col.references('tokens.id'))
    .addColumn('expires_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('last_used_at', 'timestamptz')
    // An administration token has a country; a staff or admin token has none.
    .addCheckConstraint('tokens_country_matches_role', sql`(role = 'administration') = (country is not null)`)
    .execute()

  await db.schema.createIndex('tokens_country_idx').on('tokens').column('country').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('tokens').execute()
}
