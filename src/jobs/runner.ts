// Runs due jobs inside the service. Each job is claimed, done and marked done in ONE transaction
// holding its row lock (FOR UPDATE SKIP LOCKED), so any number of server processes can poll the
// same table and each job is done by exactly one of them. A handler that throws leaves its work
// undone (the transaction is rolled back) and the job is retried later with a back-off, up to
// MAX_ATTEMPTS. Work outside the database (sending a mail) happens before the commit: if the
// process dies between the two, that one mail can be sent again — at least once, never twice
// while the service runs.
//
// Why a table of our own rather than graphile-worker or pg-boss: the work is a few hundred mails
// per campaign, the whole queue is three statements (above) on a table we already migrate and
// back up with the rest, and the jobs must be queued in the same transaction as the change that
// asks for them (a returned assessment notifies only if the return commits), which both libraries
// support only through their own schema and connection handling.
import { sql, type Kysely, type Transaction } from 'kysely'
import type { Logger } from 'pino'
import type { Database } from '../db/schema.js'
import type { Clock } from './clock.js'
import { claimDue, markDone, markFailed, type ClaimedJob } from './queue.js'

export type JobHandler = (trx: Transaction<Database>, job: ClaimedJob, now: Date) => Promise<void>

export const MAX_ATTEMPTS = 5

/** Back-off after the n-th failed attempt: 1, 4, 16, 64 minutes. */
export function retryDelayMs(attempt: number): number {
  return 60_000 * 4 ** (attempt - 1)
}

export interface JobRunner {
  /** Runs every job due now, one transaction each, and says how many were done. */
  runDue(): Promise<number>
  /** Polls every `intervalMs` until stop(). */
  start(intervalMs: number): void
  /** Stops polling and waits for the run in progress. */
  stop(): Promise<void>
}

export function createJobRunner(options: {
  db: Kysely<Database>
  clock: Clock
  handlers: Readonly<Record<string, JobHandler>>
  log: Pick<Logger, 'error' | 'warn'>
}): JobRunner {
  const { db, clock, handlers, log } = options
  let timer: NodeJS.Timeout | undefined
  let running: Promise<number> | undefined
  let stopped = false

  /** One job: true when one was due (done or failed), false when none was. */
  async function runOne(): Promise<boolean> {
    let failure: { job: ClaimedJob; error: unknown } | undefined
    const found = await db.transaction().execute(async (trx) => {
      const now = clock.now()
      const job = await claimDue(trx, now)
      if (!job) return false
      const handler = handlers[job.kind]
      // A savepoint: a failing handler's writes are undone, the job row stays locked for markFailed.
      await sql`savepoint job`.execute(trx)
      try {
        if (!handler) throw new Error(`no handler for jobs of kind ${job.kind}`)
        await handler(trx, job, now)
        await markDone(trx, job.id, now)
      } catch (error) {
        failure = { job, error }
        await sql`rollback to savepoint job`.execute(trx)
        const attempt = job.attempts + 1
        const retryAt = attempt < MAX_ATTEMPTS ? new Date(now.getTime() + retryDelayMs(attempt)) : null
        await markFailed(trx, job.id, error instanceof Error ? error.message : String(error), now, retryAt)
      }
      return true
    })
    if (failure) log.warn({ err: failure.error, job: { id: failure.job.id, kind: failure.job.kind } }, 'job failed')
    return found
  }

  async function runAll(): Promise<number> {
    let done = 0
    while (!stopped && (await runOne())) done++
    return done
  }

  return {
    async runDue() {
      return runAll()
    },
    start(intervalMs) {
      const tick = () => {
        running = runAll()
          .catch((error: unknown) => {
            log.error({ err: error }, 'job poll failed')
            return 0
          })
          .finally(() => {
            running = undefined
            if (!stopped) timer = setTimeout(tick, intervalMs)
          })
      }
      timer = setTimeout(tick, intervalMs)
    },
    async stop() {
      stopped = true
      if (timer) clearTimeout(timer)
      await running
    },
  }
}
