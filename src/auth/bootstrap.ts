// First start: with no admin token in the database, make one and print it once, so that somebody can
// create the others. Later starts find it (revoked or not: revoking the last admin token is a decision,
// not a reason to mint a new one; `npm run token -- create --role admin` makes another).
import type { Kysely } from 'kysely'
import { sql } from 'kysely'
import type { Database } from '../db/schema.js'
import { createToken, type CreatedToken } from './tokens.js'

/** Key of the transaction-scoped advisory lock that lets one starting instance at a time decide. */
export const BOOTSTRAP_LOCK_KEY = 7_242_025_004n

export const CREATE_HINT =
  'create the tokens for administrations and staff with e.g. ' +
  '`npm run token -- create --role administration --country KEN --label "Ministry of ICT"` ' +
  '(or POST /tokens with this admin token)'

/** Creates the first admin token unless an admin token exists; returns it, or null when none was made. */
export async function ensureFirstAdminToken(db: Kysely<Database>): Promise<CreatedToken | null> {
  return db.transaction().execute(async (trx) => {
    // Instances starting together queue here; the second one sees the first one's token.
    await sql`select pg_advisory_xact_lock(${sql.lit(BOOTSTRAP_LOCK_KEY.toString())}::bigint)`.execute(trx)
    const existing = await trx.selectFrom('tokens').select('id').where('role', '=', 'admin').limit(1).executeTakeFirst()
    if (existing) return null
    return createToken(trx, { role: 'admin', label: 'first admin (created at first start)' })
  })
}

/**
 * ensureFirstAdminToken, then the one intended print of a token: in the message text, where the log
 * redaction of `token` fields does not reach.
 */
export async function bootstrapAdminToken(db: Kysely<Database>, log: { info(msg: string): void; warn(msg: string): void }): Promise<CreatedToken | null> {
  const created = await ensureFirstAdminToken(db)
  if (created) {
    log.warn(`first start: created an admin API token; it is shown only this once, store it now: ${created.token}`)
    log.info(CREATE_HINT)
  }
  return created
}
