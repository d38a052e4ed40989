// The published figures in the shapes the readiness routes answer with: what administrations read
// instead of live aggregates (GET /readiness and the medians beside an assessment). Nothing before
// a publication; then always the latest publication (correction) of the campaign.
import type { Kysely } from 'kysely'
import type { Database, Region } from '../db/schema.js'
import type { MedianRow } from '../readiness/repository.js'
import { type CellFigures, OVERALL, WORLD } from './disclosure.js'
import { latestPublication } from './repository.js'

/** Median rows (as readiness/repository.ts medians) from the latest publication of each (version, cycle). */
export async function publishedMedians(
  db: Kysely<Database>,
  questionnaire: string,
  region: Region,
  keys: readonly { version: number; cycle: number }[],
): Promise<MedianRow[]> {
  const rows: MedianRow[] = []
  for (const key of keys) {
    const latest = await latestPublication(db, questionnaire, key.version, key.cycle)
    if (!latest) continue
    const cells = latest.publication.cells
    const cell = (group: string, table: string) => cells.find((c) => c.group === group && c.table === table)
    for (const table of new Set(cells.map((c) => c.table))) {
      const inRegion = cell(region, table)
      const world = cell(WORLD, table)
      rows.push({
        version: key.version,
        cycle: key.cycle,
        domain: table === OVERALL ? null : table,
        regionMedian: inRegion?.median ?? null,
        regionCount: countOf(inRegion),
        worldMedian: world?.median ?? null,
        worldCount: countOf(world),
      })
    }
  }
  return rows
}

/** Countries behind a shown median; the group's size when withheld. */
const countOf = (cell: CellFigures | undefined) => (cell ? (cell.scored ?? cell.count) : 0)

/** A cell as GET /readiness shows a group's statistics (never a minimum or maximum). */
export function cellStats(cell: CellFigures | undefined) {
  if (!cell) return { count: 0, scored: null, mean: null, median: null, min: null, max: null, q1: null, q3: null, tiers: {}, suppressed: true }
  return {
    count: cell.count,
    scored: cell.scored,
    mean: cell.mean,
    median: cell.median,
    min: null,
    max: null,
    q1: cell.q1,
    q3: cell.q3,
    tiers: cell.tiers,
    suppressed: cell.suppressed,
  }
}

export interface PublishedFilters {
  questionnaire: string
  version?: number | undefined
  cycle?: number | undefined
  region?: Region | undefined
  groupBy?: 'region' | undefined
}

/** The groups of GET /readiness from the latest matching publication, or null when nothing is published. */
export async function publishedAggregates(db: Kysely<Database>, f: PublishedFilters) {
  const latest = await latestPublication(db, f.questionnaire, f.version, f.cycle)
  if (!latest) return null
  const { publication, campaign } = latest
  const cells = publication.cells
  const regions = [...new Set(cells.map((c) => c.group).filter((g) => g !== WORLD))].sort()
  const groups = f.groupBy === 'region' ? regions.filter((r) => !f.region || r === f.region) : [f.region ?? WORLD]
  return {
    publication,
    campaign,
    groups: groups.map((group) => ({
      region: group === WORLD ? null : group,
      cells: new Map(cells.filter((c) => c.group === group).map((c) => [c.table, c])),
    })),
  }
}
