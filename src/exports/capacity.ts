// How many exports run at once: per principal, counted by PostgreSQL advisory locks taken on the
// export's own connection, so several server processes count together and a connection that dies
// gives its slot back by itself.
import type pg from 'pg'
import { AppError } from '../errors.js'

/** Namespace of the export slots among advisory locks ("EXPT"). */
const LOCK_CLASS = 0x45585054 | 0

/**
 * Takes one of `limit` export slots of `who` on `client`, or throws 429. The slot is held until
 * releaseSlots on the same connection (or until the connection ends).
 */
export async function takeSlot(client: pg.ClientBase, who: string, limit: number): Promise<void> {
  // A finished export gives its slot back just after its last bytes leave, so a client that starts
  // the next one at once may arrive first: a short wait, not a 429, for that.
  for (let attempt = 0; attempt < SLOT_ATTEMPTS; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 200))
    const { rows } = await client.query<{ slot: number }>(
      `select s as slot from generate_series(0, $2::int - 1) as s
        where pg_try_advisory_lock($3::int, hashtext($1 || ':' || s)) limit 1`,
      [who, limit, LOCK_CLASS],
    )
    if (rows.length > 0) return
  }
  throw new AppError(429, 'too_many_exports', `at most ${limit} exports may run at once for one person; wait for one to finish`)
}

const SLOT_ATTEMPTS = 5

export async function releaseSlots(client: pg.ClientBase): Promise<void> {
  await client.query('select pg_advisory_unlock_all()')
}
