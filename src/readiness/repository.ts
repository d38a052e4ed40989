// SQL for readiness figures: stored scores of one assessment, a country's cycles, and the published
// aggregates across countries. Functions take db or trx first.
//
// Statistics use PostgreSQL's percentile_cont (linear interpolation), the method aggregate.ts
// documents; percentile_cont and avg ignore null scores, count(*) counts every assessment.
import { PUBLISHED_STATUSES } from '../assessments/filters.js'
import { type Kysely, type QueryCreator, sql, type Transaction } from 'kysely'
import { jsonObjectFrom } from 'kysely/helpers/postgres'
import { credentialHolds, type StatementCredential } from '../auth/statement-credential.js'
import type pg from 'pg'
import { preparedFirst } from '../db/prepared.js'
import { fingerprintSql } from './cache.js'
import type { AssessmentStatus, Database, Region } from '../db/schema.js'

type Db = Kysely<Database> | Transaction<Database>

/** The statuses that count in published figures and medians unless staff ask otherwise. */

export interface AggregateFilters {
  questionnaire: string
  version: number
  cycle: number
  region?: Region | undefined
  statuses: readonly AssessmentStatus[]
}

export interface AggregateRow {
  region: Region | null
  /** null for the overall score */
  domain: string | null
  count: number
  scored: number
  mean: number | null
  median: number | null
  min: number | null
  max: number | null
  q1: number | null
  q3: number | null
  /** tier id → count, plus `none` for assessments without a score */
  tiers: Record<string, number>
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v))

/**
 * Every domain and the overall score, across the assessments matching the filters, in ONE
 * aggregate query; per region as well when `byRegion`. `tiers` are the questionnaire's tier ids
 * (bound parameters, one filtered count each).
 */
export async function aggregates(db: Db, f: AggregateFilters, tiers: readonly string[], byRegion: boolean): Promise<AggregateRow[]> {
  const region = f.region ? sql`and c.region = ${f.region}` : sql``
  const groupRegion = byRegion ? sql`region` : sql`null::text`
  const tierColumns = tiers.map((t, i) => sql`, count(*) filter (where tier = ${t})::int as ${sql.ref(`tier_${i}`)}`)
  const query = sql<Record<string, unknown>>`
    with base as (
      select a.id, c.region, a.overall_score, a.tier
      from assessments a join countries c on c.code = a.country
      where a.questionnaire = ${f.questionnaire} and a.version = ${f.version} and a.cycle = ${f.cycle}
        and a.status = any(${[...f.statuses]}::text[]) ${region}
    ), items as (
      select b.region, s.domain, s.score, s.tier from base b join domain_scores s on s.assessment_id = b.id
      union all
      select b.region, null::text, b.overall_score, b.tier from base b
    )
    select ${groupRegion} as region, domain,
      count(*)::int as count, count(score)::int as scored,
      avg(score) as mean,
      percentile_cont(0.5) within group (order by score) as median,
      min(score) as min, max(score) as max,
      percentile_cont(0.25) within group (order by score) as q1,
      percentile_cont(0.75) within group (order by score) as q3,
      count(*) filter (where tier is null)::int as tier_none
      ${sql.join(tierColumns, sql``)}
    from items
    group by 1, 2`
  const { rows } = await query.execute(db)
  return rows.map((r) => {
    const counts: Record<string, number> = {}
    tiers.forEach((t, i) => {
      counts[t] = Number(r[`tier_${i}`])
    })
    counts.none = Number(r.tier_none)
    return {
      region: (r.region as Region | null) ?? null,
      domain: (r.domain as string | null) ?? null,
      count: Number(r.count),
      scored: Number(r.scored),
      mean: num(r.mean),
      median: num(r.median),
      min: num(r.min),
      max: num(r.max),
      q1: num(r.q1),
      q3: num(r.q3),
      tiers: counts,
    }
  })
}

/** The latest cycle with an assessment counted under these statuses, for a default. */
export async function latestCycle(db: Db, questionnaire: string, version: number, statuses: readonly AssessmentStatus[]) {
  const row = await db
    .selectFrom('assessments')
    .select((eb) => eb.fn.max('cycle').as('cycle'))
    .where('questionnaire', '=', questionnaire)
    .where('version', '=', version)
    .where('status', 'in', [...statuses])
    .executeTakeFirst()
  return row?.cycle ?? undefined
}

export interface MedianRow {
  version: number
  cycle: number
  /** null for the overall score */
  domain: string | null
  regionMedian: number | null
  regionCount: number
  worldMedian: number | null
  worldCount: number
}

/**
 * Region's and world's median per domain (and overall) of published (submitted + validated)
 * assessments of a questionnaire, for the given (version, cycle) pairs, in one query.
 * Counts are the numbers of scored assessments behind each median.
 */
export async function medians(db: Db, questionnaire: string, region: Region, keys: readonly { version: number; cycle: number }[]): Promise<MedianRow[]> {
  if (keys.length === 0) return []
  const pairs = sql.join(keys.map((k) => sql`(${k.version}::int, ${k.cycle}::int)`))
  const inRegion = sql`c.region = ${region}`
  const query = sql<Record<string, unknown>>`
    with base as (
      select a.id, a.version, a.cycle, c.region, a.overall_score
      from assessments a join countries c on c.code = a.country
      where a.questionnaire = ${questionnaire} and a.status = any(${[...PUBLISHED_STATUSES]}::text[])
        and (a.version, a.cycle) in (${pairs})
    ), items as (
      select b.version, b.cycle, b.region, s.domain, s.score from base b join domain_scores s on s.assessment_id = b.id
      union all
      select b.version, b.cycle, b.region, null::text, b.overall_score from base b
    )
    select version, cycle, domain,
      percentile_cont(0.5) within group (order by score) filter (where ${inRegion}) as region_median,
      count(score) filter (where ${inRegion})::int as region_count,
      percentile_cont(0.5) within group (order by score) as world_median,
      count(score)::int as world_count
    from items c
    group by version, cycle, domain`
  const { rows } = await query.execute(db)
  return rows.map((r) => ({
    version: Number(r.version),
    cycle: Number(r.cycle),
    domain: (r.domain as string | null) ?? null,
    regionMedian: num(r.region_median),
    regionCount: Number(r.region_count),
    worldMedian: num(r.world_median),
    worldCount: Number(r.world_count),
  }))
}

/** A country's assessments of a questionnaire, oldest cycle first, with their stored domain scores. */
export async function countryCycles(db: Db, country: string, questionnaire: string) {
  const assessments = await db
    .selectFrom('assessments')
    .select(['id', 'version', 'cycle', 'status', 'overall_score', 'coverage', 'tier', 'answered', 'applicable', 'updated_at'])
    .where('country', '=', country)
    .where('questionnaire', '=', questionnaire)
    .orderBy('cycle')
    .execute()
  const ids = assessments.map((a) => a.id)
  const domains = ids.length
    ? await db
        .selectFrom('domain_scores as s')
        .innerJoin('assessments as a', 'a.id', 's.assessment_id')
        .innerJoin('questionnaire_domains as d', (j) =>
          j.onRef('d.questionnaire', '=', 'a.questionnaire').onRef('d.version', '=', 'a.version').onRef('d.domain', '=', 's.domain'),
        )
        .select([
          's.assessment_id',
          's.domain',
          'd.title',
          's.score',
          's.coverage',
          's.tier',
          's.applicable',
          's.answered',
          's.not_applicable',
          's.unknown',
          's.missing',
        ])
        .where('s.assessment_id', 'in', ids)
        .orderBy('s.assessment_id')
        .orderBy('d.position')
        .execute()
    : []
  return { assessments, domains }
}

/**
 * The questionnaire's current campaign: the latest-opening one that is no longer a draft. Staff
 * dashboards open on its version and cycle rather than on whatever cycle someone last started.
 */
function currentCampaignQuery(db: QueryCreator<Database>, questionnaire: string) {
  return db
    .selectFrom('campaigns')
    .select(['id', 'title', 'version', 'cycle', 'state'])
    .where('questionnaire', '=', questionnaire)
    .where('state', '!=', 'draft')
    .orderBy('opens_at', 'desc')
    .orderBy('cycle', 'desc')
    .limit(1)
}

export async function currentCampaign(db: Db, questionnaire: string) {
  return currentCampaignQuery(db, questionnaire).executeTakeFirst()
}

/**
 * The current campaign, and in the same statement whether a remembered credential still holds
 * (auth/statement-credential.ts), the version the request reads, and the fingerprint of the group
 * it reads when the cycle follows from the request and the campaign (readiness/cache.ts): a staff
 * dashboard's read is then this statement alone while its group is unchanged.
 */
export async function currentCampaignConfirming(
  db: Db,
  /** The statement runs prepared on it: it is every dashboard request's. */
  pool: pg.Pool,
  questionnaire: string,
  credential: StatementCredential | null,
  group: { version: number | undefined; cycle: number | undefined; region: Region | undefined; statuses: readonly AssessmentStatus[] },
) {
  const version = sql<number | null>`coalesce(${group.version ?? null}::int, (select version from c),
    (select max(version) from questionnaire_versions where questionnaire = ${questionnaire}))`
  const cycle = sql<number | null>`coalesce(${group.cycle ?? null}::int, (select cycle from c where c.version = ${version}))`
  const query = db
    .with('c', (db) => currentCampaignQuery(db, questionnaire))
    .selectNoFrom((eb) => [
      jsonObjectFrom(eb.selectFrom('c').selectAll()).as('campaign'),
      (credential ? credentialHolds(credential) : sql<boolean>`true`).as('holds'),
      version.as('version'),
      cycle.as('cycle'),
      fingerprintSql({ questionnaire, version, cycle, region: group.region, statuses: group.statuses }).as('fingerprint'),
    ])
  const row = await preparedFirst(pool, query)
  if (!row) throw new Error('the campaign statement returned no row')
  return {
    campaign: row.campaign ?? undefined,
    holds: row.holds,
    /** The version the request reads (its own, the campaign's, else the latest; null: no such questionnaire). */
    version: row.version,
    /** The group's fingerprint, for this version and cycle (absent when the statement could not tell the cycle). */
    group: row.version !== null && row.cycle !== null ? { version: row.version, cycle: row.cycle, fingerprint: row.fingerprint } : undefined,
  }
}
