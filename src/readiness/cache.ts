// Staff's live cross-country aggregates, cached in each server process with exact invalidation.
//
// Why a cache and not aggregates maintained in the write transaction: medians and quartiles
// (percentile_cont) need every score of the group, so they cannot be updated by adding and removing
// one assessment's figures; and a per-group counter row bumped by every answer write would make
// all of a cycle's writers queue on that one row lock until their commit.
//
// Why it is exact: every change to an assessment's figures or status bumps its revision (its ETag)
// in the same statement or transaction, and a group's figures are a function of its assessments'
// rows. So a group's fingerprint, a digest of the list of (id, revision) of the assessments in it,
// changes whenever its figures may have. It is read from PostgreSQL on every request (one small
// indexed query over the group's assessments, far cheaper than the aggregate), so every process
// behind a load balancer agrees and a change is visible on the very next request. The aggregate and the
// fingerprint it is stored under are read in one repeatable-read snapshot.
import { type Kysely, type RawBuilder, sql } from 'kysely'
import type { Database } from '../db/schema.js'
import { aggregates, type AggregateFilters, type AggregateRow } from './repository.js'

/** Groups kept per process; the least recently used goes first. */
const MAX_ENTRIES = 500

interface Entry {
  fingerprint: string
  rows: Promise<AggregateRow[]>
}

/** A group whose version and cycle may be SQL expressions (worked out by the statement that reads it). */
type GroupOf = Omit<AggregateFilters, 'version' | 'cycle'> & { version: number | RawBuilder<number | null>; cycle: number | RawBuilder<number | null> }

/**
 * The group's fingerprint, as a scalar subquery: the number of its assessments and the XOR of a
 * 64-bit hash of each one's (id, revision). Order does not matter, so nothing is sorted or
 * concatenated (a sorted, md5'd list cost twice as much on every dashboard request); any change of
 * the set changes it unless 64-bit hashes collide. Its WHERE applies the same filters as the
 * aggregate (repository.ts aggregates).
 */
export function fingerprintSql(f: GroupOf): RawBuilder<string> {
  const region = f.region ? sql`and exists (select from countries c where c.code = a.country and c.region = ${f.region})` : sql``
  return sql<string>`(select count(*) || ':' || coalesce(bit_xor(hashtextextended(a.id::text, a.revision)), 0)
    from assessments a where a.questionnaire = ${f.questionnaire} and a.version = ${f.version} and a.cycle = ${f.cycle}
    and a.status = any(${[...f.statuses]}::text[]) ${region})`
}

export async function fingerprint(db: Kysely<Database>, f: AggregateFilters): Promise<string> {
  const row = await db.selectNoFrom(fingerprintSql(f).as('fingerprint')).executeTakeFirstOrThrow()
  return row.fingerprint
}

export class AggregateCache {
  readonly #entries = new Map<string, Entry>()

  /**
   * The group's aggregate rows: from the cache when the group has not changed since they were
   * computed. `known`: the group's fingerprint, when the caller's statement has just read it.
   */
  async get(db: Kysely<Database>, f: AggregateFilters, tiers: readonly string[], byRegion: boolean, known?: string): Promise<AggregateRow[]> {
    const key = JSON.stringify([f.questionnaire, f.version, f.cycle, f.region ?? null, [...f.statuses].sort(), tiers, byRegion])
    const current = known ?? (await fingerprint(db, f))
    const hit = this.#entries.get(key)
    if (hit && hit.fingerprint === current) {
      this.#entries.delete(key)
      this.#entries.set(key, hit)
      return hit.rows
    }
    // Concurrent requests for the same changed group share one computation.
    const rows = db
      .transaction()
      .setIsolationLevel('repeatable read')
      .setAccessMode('read only')
      .execute(async (trx) => {
        const stored = await fingerprint(trx, f)
        const computed = await aggregates(trx, f, tiers, byRegion)
        entry.fingerprint = stored
        return computed
      })
    const entry: Entry = { fingerprint: current, rows }
    this.#entries.delete(key)
    this.#entries.set(key, entry)
    if (this.#entries.size > MAX_ENTRIES) this.#entries.delete(this.#entries.keys().next().value!)
    rows.catch(() => {
      if (this.#entries.get(key) === entry) this.#entries.delete(key)
    })
    return rows
  }
}
