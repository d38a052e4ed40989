// The region's and the world's figures a country report sets each domain against.
//
// Staff get the live medians of submitted and validated assessments; administrations only the
// figures of the latest publication of the assessment's campaign (publications/readiness.ts), with
// the disclosure rules applied at publication: nothing before publication, so a report can never be
// used to difference live figures over time. Either way as GET /assessments/{id}/readiness gives them.
import type { Kysely } from 'kysely'
import type { Database, Region } from '../db/schema.js'
import { publishedMedians } from '../publications/readiness.js'
import { medians } from '../readiness/repository.js'

export interface Benchmark {
  regionMedian: number | null
  regionCount: number
  worldMedian: number | null
  worldCount: number
}

export interface ReportComparison {
  /** 'live' (staff): current figures of submitted and validated assessments; 'published' (administrations): the latest publication's. */
  source: 'live' | 'published'
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
  const rows = await (withhold ? publishedMedians : medians)(db, a.questionnaire, region, [{ version: a.version, cycle: a.cycle }])
  const shown = (m: Benchmark): Benchmark => ({
    regionMedian: m.regionMedian,
    regionCount: m.regionCount,
    worldMedian: m.worldMedian,
    worldCount: m.worldCount,
  })
  const overall = rows.find((r) => r.domain === null)
  return {
    source: withhold ? 'published' : 'live',
    overall: shown(overall ?? none),
    domains: new Map(rows.flatMap((r) => (r.domain === null ? [] : [[r.domain, shown(r)] as const]))),
  }
}
