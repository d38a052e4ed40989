import type { Kysely } from 'kysely'
import { sql } from 'kysely'

/*
 * Single sign-on with OpenID Connect: a person's subject at the organisation's identity provider
 * (bound on their first sign-in, which must match an invited e-mail), and the short-lived state of
 * sign-ins under way (PKCE verifier and nonce), kept in the database so that the callback may land
 * on any server process. Frozen in time: no application imports.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('persons').addColumn('oidc_issuer', 'text').addColumn('oidc_subject', 'text').execute()
  await sql`create unique index persons_oidc_idx on persons (oidc_issuer, oidc_subject) where oidc_subject is not null`.execute(db)
  await db.schema
    .createTable('oidc_logins')
    .addColumn('state_hash', 'bytea', (c) => c.primaryKey().check(sql`octet_length(state_hash) = 32`))
    .addColumn('code_verifier', 'text', (c) => c.notNull())
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('oidc_logins').execute()
  await db.schema.alterTable('persons').dropColumn('oidc_issuer').dropColumn('oidc_subject').execute()
}
