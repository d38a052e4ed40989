// Runs a saved scenario over the stored figures of the assessments matching the filters: reads only,
// recomputes in memory (score.ts), compares with the stored baseline (compare.ts).
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema.js'
import type { LoadedVersion } from '../questionnaires/store.js'
import { compareScenario, type Comparison, type CountryFigures } from './compare.js'
import { scenarioDefinition, toScenario } from './definition.js'
import { scenarioInputs, type ScenarioFilters, type ScenarioInputRow, type ScenarioRow } from './repository.js'
import { scenarioReadiness, type StoredQuestion } from './score.js'

export type ScenarioItem = CountryFigures & Pick<ScenarioInputRow, 'name' | 'status' | 'cycle'>

/** Every matching assessment with its stored (baseline) figures and its figures under the scenario. */
export async function scenarioItems(db: Kysely<Database>, version: LoadedVersion, row: ScenarioRow, filters: ScenarioFilters): Promise<ScenarioItem[]> {
  const scenario = toScenario(scenarioDefinition.parse(row.definition))
  const inputs = await scenarioInputs(db, filters)
  return inputs.map((a) => {
    const stored = new Map<string, StoredQuestion>(a.answers.map((x) => [x.question_id, { value: x.value, special: x.special, score: x.score }]))
    const result = scenarioReadiness(version.content, stored, scenario)
    return {
      assessment: a.id,
      country: a.country,
      name: a.name,
      region: a.region,
      status: a.status,
      cycle: a.cycle,
      baseline: { overall: { score: a.overall_score, tier: a.tier }, domains: new Map(a.domains.map((d) => [d.domain, d])) },
      scenario: { overall: result.overall, domains: new Map(result.domains.map((d) => [d.domain, d])) },
    }
  })
}

export async function runScenario(db: Kysely<Database>, version: LoadedVersion, row: ScenarioRow, filters: ScenarioFilters): Promise<Comparison> {
  const items = await scenarioItems(db, version, row, filters)
  const domains = version.content.domains.map((d) => d.id)
  const tiers = version.content.scoring.tiers.map((t) => t.id)
  return compareScenario(items, domains, tiers, filters.region ?? null)
}
