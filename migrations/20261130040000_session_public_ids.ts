import type { Kysely } from 'kysely'
import { sql } from 'kysely'

/*
 * A public id for each session: the primary key is the SHA-256 of the cookie's secret and must never
 * leave the server, yet a person (or an admin) needs to name one session to end it. A random UUID,
 * unrelated to the secret, does that. Frozen in time: no application imports.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table sessions add column public_id uuid not null default gen_random_uuid()`.execute(db)
  await db.schema.createIndex('sessions_public_id_idx').on('sessions').column('public_id').unique().execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('sessions_public_id_idx').execute()
  await sql`alter table sessions drop column public_id`.execute(db)
}
