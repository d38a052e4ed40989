// Answer writes go to PostgreSQL together, as one statement (group commit), when they arrive while
// the process already runs its `maxStatements` write statements (config WRITE_STATEMENTS) or waits
// for a connection. Each write keeps its own guard (its assessment's revision, its credential): one
// whose guard fails is simply not written, the others are. Nothing waits on purpose: a write goes
// out with the next statement, together with whatever else queued meanwhile; under light load
// every write goes alone.
//
// Why a bound on statements rather than one per pool connection: a write statement is CPU work
// for PostgreSQL, so more of them at once than its cores only adds switching and lock waits, and
// the writes that queue instead share a round trip and a commit (on this 2-core machine: +14–16 %
// writes/s and lower p99 with 2 than with up to 10). The pool's other connections stay free for
// reads.
//
// Two writes to one assessment never share a statement (one UPDATE cannot change a row twice), nor
// run in two statements at once (the second would only fail its guard): a write waits while its
// assessment is being written. A statement's writes go in assessment id order, and its plan (a
// nested loop over them, probing the primary key) locks the rows in that order, as every process's
// statements do, so two batches cannot deadlock each other. Were PostgreSQL ever to choose another
// plan and a deadlock to occur, it aborts one statement, whose writes then run again alone.
import type pg from 'pg'
import { isDatabaseUnavailable } from '../plugins/errors.js'
import { batchWrite, singleWrite, type GuardedPlan, type Statement, type WriteRunner } from './answer-store.js'

/** Writes per statement at most: past this, parameters grow without saving a round trip worth having. */
const MAX_BATCH = 64

interface Queued extends GuardedPlan {
  resolve(revision: number | null): void
  reject(error: unknown): void
}

export class WriteCoalescer {
  private queue: Queued[] = []
  /** A connection has been asked for and not yet given. */
  private connecting = false
  /** Write statements running now: at most maxStatements. */
  private statements = 0
  /** Ids of the assessments a statement is writing now. */
  private readonly writing = new Set<string>()

  constructor(
    private readonly pool: pg.Pool,
    private readonly maxStatements: number,
  ) {}

  readonly write: WriteRunner = (guarded) =>
    new Promise((resolve, reject) => {
      this.queue.push({ ...guarded, resolve, reject })
      this.next()
    })

  /** Asks for a connection when a queued write could go, none is being asked for and fewer than maxStatements run. */
  private next(): void {
    if (this.connecting || this.statements >= this.maxStatements || !this.queue.some((q) => !this.writing.has(q.plan.assessment.id))) return
    this.connecting = true
    this.pool.connect().then(
      (client) => {
        this.connecting = false
        void this.send(client)
      },
      (error: unknown) => {
        this.connecting = false
        // As pool.query would have failed each of them.
        const failed = this.queue
        this.queue = []
        for (const q of failed) q.reject(error)
      },
    )
  }

  /** The queued writes that can go now (one per assessment, none being written), in assessment id order. */
  private take(): Queued[] {
    const taken = new Map<string, Queued>()
    const rest: Queued[] = []
    for (const q of this.queue) {
      const id = q.plan.assessment.id
      if (taken.size < MAX_BATCH && !taken.has(id) && !this.writing.has(id)) taken.set(id, q)
      else rest.push(q)
    }
    this.queue = rest
    return [...taken.values()].sort((x, y) => (x.plan.assessment.id < y.plan.assessment.id ? -1 : 1))
  }

  private async send(client: pg.PoolClient): Promise<void> {
    const batch = this.take()
    this.statements++
    for (const q of batch) this.writing.add(q.plan.assessment.id)
    // Whatever still waits gets the next free connection, while this statement runs.
    this.next()
    let broken: Error | undefined
    if (batch.length === 1) broken = await alone(client, batch[0]!)
    else if (batch.length > 1) {
      try {
        const rows = await query<{ id: string; revision: number }>(client, batchWrite(batch))
        const revisions = new Map(rows.map((r) => [r.id, r.revision]))
        for (const q of batch) q.resolve(revisions.get(q.plan.assessment.id) ?? null)
      } catch (error) {
        // Nothing of the batch was written: each write alone, so that one write's error is its own.
        broken = connectionFailure(error)
        for (const q of batch) broken = (await alone(client, q)) ?? broken
      }
    }
    // A connection that failed (rather than one statement on it: a refused statement outside a
    // transaction leaves the session as it was) is not reused; pg-pool drops an ended one anyway.
    client.release(broken)
    this.statements--
    for (const q of batch) this.writing.delete(q.plan.assessment.id)
    this.next()
  }
}

/** Runs one write alone and settles it; gives its error if the connection failed with it. */
async function alone(client: pg.PoolClient, q: Queued): Promise<Error | undefined> {
  try {
    const [row] = await query<{ revision: number }>(client, singleWrite(q))
    q.resolve(row?.revision ?? null)
    return undefined
  } catch (error) {
    q.reject(error)
    return connectionFailure(error)
  }
}

/** The error, when it means the connection failed (src/plugins/errors.ts), not one statement on it. */
function connectionFailure(error: unknown): Error | undefined {
  if (!isDatabaseUnavailable(error)) return undefined
  return error instanceof Error ? error : new Error(String(error))
}

async function query<R>(client: pg.PoolClient, { name, text, values }: Statement): Promise<R[]> {
  return (await client.query({ name, text, values })).rows as R[]
}
