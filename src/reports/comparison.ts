// The region's and the world's figures a country report sets each domain against.
//
// THE PLACE FOR PUBLISHED FIGURES: until publication snapshots exist, these are the live medians of
// submitted and validated assessments (as GET /assessments/{id}/readiness gives them), with the
// disclosure rule applied for administrations (a median over fewer than MIN_GROUP_SIZE countries
// is withheld, its count shown). When snapshots land, this function reads the snapshot of the
// assessment's questionnaire, version and cycle instead, and says so in `source`.
import type { Kysely } from 'kysely'
import type { Database, Region } from '../db/schema.js'
import { medians } from '../readiness/repository.js'
import { MIN_GROUP_SIZE } from '../readiness/routes.js'

export interface Benchmark {
  regionMedian: number | null
  regionCount: number
  worldMedian: number | null
  worldCount: number
}

export interface ReportComparison {
  /** 'live': current figures of submitted and validated assessments (not yet a publication). */
  source: 'live'
  overall: Benchmark
  domains: Map<string, Benchmark>
}

const none: Benchmark = { regionMedian: null, regionCount: 0, worldMedian: null, worldCount: 0 }

export async function reportComparison(
  db: Kysely<Database>,
  a: { questionnaire: string; version: number; cycle: number },
  region: Region,
  withhold: boolean,
): Promise<ReportComparison> {
  const rows = await medians(db, a.questionnaire, region, [{ version: a.version, cycle: a.cycle }])
  const shown = (m: Benchmark): Benchmark => ({
    regionMedian: withhold && m.regionCount < MIN_GROUP_SIZE ? null : m.regionMedian,
    regionCount: m.regionCount,
    worldMedian: withhold && m.worldCount < MIN_GROUP_SIZE ? null : m.worldMedian,
    worldCount: m.worldCount,
  })
  const overall = rows.find((r) => r.domain === null)
  return {
    source: 'live',
    overall: shown(overall ?? none),
    domains: new Map(rows.flatMap((r) => (r.domain === null ? [] : [[r.domain, shown(r)] as const]))),
  }
}
