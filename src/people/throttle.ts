// Failed sign-ins, counted in PostgreSQL over a sliding window so that every server process counts
// together; checked and counted under a transaction-scoped advisory lock per key, so that many
// concurrent wrong guesses cannot slip past the limit between the check and the count.
import { sql, type Kysely } from 'kysely'
import type { Database } from '../db/schema.js'

export interface Limit {
  key: string
  max: number
  windowSeconds: number
}

/** Seconds until the oldest failure in the window leaves it, when the key is at its limit; else 0. */
export async function blockedFor(db: Kysely<Database>, limit: Limit): Promise<number> {
  const row = await db
    .selectFrom('auth_failures')
    .select([
      sql<number>`count(*)::int`.as('n'),
      sql<number>`ceil(extract(epoch from (min(at) + make_interval(secs => ${limit.windowSeconds}) - now())))::int`.as('wait'),
    ])
    .where('key', '=', limit.key)
    .where('at', '>', sql<Date>`now() - make_interval(secs => ${limit.windowSeconds})`)
    .executeTakeFirstOrThrow()
  return row.n >= limit.max ? Math.max(1, row.wait) : 0
}

/**
 * Runs `attempt` with the keys locked: refused (the seconds to wait) when any key is at its limit;
 * otherwise the attempt runs, and a failure is counted against every key before the locks go.
 */
export async function throttled<T>(
  db: Kysely<Database>,
  limits: Limit[],
  attempt: (trx: Kysely<Database>) => Promise<{ ok: boolean; value: T }>,
): Promise<{ blocked: number } | { blocked: 0; ok: boolean; value: T }> {
  return db.transaction().execute(async (trx) => {
    // Keys in a fixed order, so that two attempts on the same pair of keys cannot deadlock.
    for (const { key } of [...limits].sort((a, b) => (a.key < b.key ? -1 : 1))) {
      await sql`select pg_advisory_xact_lock(hashtext(${`auth:${key}`}))`.execute(trx)
    }
    for (const limit of limits) {
      const wait = await blockedFor(trx, limit)
      if (wait > 0) return { blocked: wait }
    }
    const result = await attempt(trx)
    if (!result.ok) {
      await trx
        .insertInto('auth_failures')
        .values(limits.map((l) => ({ key: l.key })))
        .execute()
      // Old rows go as new ones come: the table holds about one window's worth.
      const longest = Math.max(...limits.map((l) => l.windowSeconds))
      await trx
        .deleteFrom('auth_failures')
        .where(
          'key',
          'in',
          limits.map((l) => l.key),
        )
        .where('at', '<', sql<Date>`now() - make_interval(secs => ${longest})`)
        .execute()
    }
    return { blocked: 0, ...result }
  })
}
