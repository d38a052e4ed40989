// The scenario beside the baseline across countries: per domain and overall, for the world (or the
// filtered region) and per region, the summary statistics and tier counts of both, and which
// countries change tier. Pure: no I/O. The baseline is the stored figures.
import { aggregate } from '../readiness/aggregate.js'

export interface Figure {
  score: number | null
  tier: string | null
}

export interface CountryFigures {
  assessment: string
  country: string
  region: string
  baseline: { overall: Figure; domains: ReadonlyMap<string, Figure> }
  scenario: { overall: Figure; domains: ReadonlyMap<string, Figure> }
}

export type Stats = ReturnType<typeof aggregate>

export interface Side {
  baseline: Stats
  scenario: Stats
}

export interface ComparisonGroup {
  /** null: every country matching the filter. */
  region: string | null
  overall: Side
  domains: (Side & { domain: string })[]
}

export interface TierChange {
  assessment: string
  country: string
  region: string
  from: string | null
  to: string | null
  baselineScore: number | null
  scenarioScore: number | null
}

export interface Comparison {
  groups: ComparisonGroup[]
  /** Countries whose overall tier differs, by country code. */
  tierChanges: TierChange[]
}

export function compareScenario(
  items: readonly CountryFigures[],
  domains: readonly string[],
  questionnaireTiers: readonly string[],
  filterRegion: string | null,
): Comparison {
  // As in the readiness aggregates: every tier listed, and `none` for nothing measured.
  const tiers = [...questionnaireTiers, 'none']
  const side = (list: readonly CountryFigures[], pick: (c: CountryFigures, which: 'baseline' | 'scenario') => Figure | undefined): Side => ({
    baseline: aggregate(
      list.map((c) => pick(c, 'baseline') ?? { score: null, tier: null }),
      tiers,
    ),
    scenario: aggregate(
      list.map((c) => pick(c, 'scenario') ?? { score: null, tier: null }),
      tiers,
    ),
  })
  const group = (region: string | null, list: readonly CountryFigures[]): ComparisonGroup => ({
    region,
    overall: side(list, (c, w) => c[w].overall),
    domains: domains.map((domain) => ({ domain, ...side(list, (c, w) => c[w].domains.get(domain)) })),
  })
  const regions = [...new Set(items.map((c) => c.region))].sort()
  const tierChanges = items
    .filter((c) => c.baseline.overall.tier !== c.scenario.overall.tier)
    .map((c) => ({
      assessment: c.assessment,
      country: c.country,
      region: c.region,
      from: c.baseline.overall.tier,
      to: c.scenario.overall.tier,
      baselineScore: c.baseline.overall.score,
      scenarioScore: c.scenario.overall.score,
    }))
    .sort((a, b) => a.country.localeCompare(b.country))
  return {
    groups: [
      group(filterRegion, items),
      ...regions.map((r) =>
        group(
          r,
          items.filter((c) => c.region === r),
        ),
      ),
    ],
    tierChanges,
  }
}
