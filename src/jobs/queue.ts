// SQL of the job table. Functions take db or trx first; the runner owns the transactions.
import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../db/schema.js'

type Db = Kysely<Database> | Transaction<Database>

export interface NewJob {
  kind: string
  payload: Record<string, unknown>
  runAt: Date
  /** When set, the job is queued only if no job with this key was ever queued. */
  key?: string | null
}

/** Queues jobs (in the caller's transaction, so work is queued only if the change that asks for it commits). */
export async function enqueue(db: Db, jobs: readonly NewJob[]): Promise<number> {
  if (jobs.length === 0) return 0
  const rows = await db
    .insertInto('jobs')
    .values(jobs.map((j) => ({ kind: j.kind, payload: JSON.stringify(j.payload), run_at: j.runAt, key: j.key ?? null })))
    .onConflict((oc) => oc.column('key').doNothing())
    .returning('id')
    .execute()
  return rows.length
}

/**
 * The next job due at `now`, locked for this transaction. SKIP LOCKED: a job another process holds
 * is passed over, never waited for and never taken twice.
 */
export async function claimDue(trx: Transaction<Database>, now: Date) {
  return trx
    .selectFrom('jobs')
    .select(['id', 'kind', 'payload', 'attempts', 'key'])
    .where('done_at', 'is', null)
    .where('failed_at', 'is', null)
    .where('run_at', '<=', now)
    .orderBy('run_at')
    .orderBy('seq')
    .limit(1)
    .forUpdate()
    .skipLocked()
    .executeTakeFirst()
}

export type ClaimedJob = NonNullable<Awaited<ReturnType<typeof claimDue>>>

export async function markDone(trx: Transaction<Database>, id: string, now: Date): Promise<void> {
  await trx
    .updateTable('jobs')
    .set({ done_at: now, attempts: (eb) => eb('attempts', '+', 1) })
    .where('id', '=', id)
    .execute()
}

/** A failed attempt: retried at `retryAt`, or given up (failed_at) when there is none. */
export async function markFailed(trx: Transaction<Database>, id: string, error: string, now: Date, retryAt: Date | null): Promise<void> {
  await trx
    .updateTable('jobs')
    .set({
      attempts: (eb) => eb('attempts', '+', 1),
      last_error: error.slice(0, 2000),
      ...(retryAt ? { run_at: retryAt } : { failed_at: now }),
    })
    .where('id', '=', id)
    .execute()
}
