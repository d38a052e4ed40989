// The readiness export with a scenario beside the baseline (GET /exports/readiness.csv?scenario=):
// a row per assessment, each figure twice, stored then under the scenario. Built in memory: it is
// one row per country of one cycle (at most 194), unlike the streamed exports.
import type { FastifyInstance } from 'fastify'
import { csvRow, UTF8_BOM } from '../exports/columns.js'
import type { ExportFilters } from '../exports/stream.js'
import { PUBLISHED_STATUSES } from '../assessments/filters.js'
import { badRequest, notFound } from '../errors.js'
import { latestCycle } from '../readiness/repository.js'
import { findScenario } from './repository.js'
import { scenarioItems } from './run.js'

/** Column names: stable, new ones only at the end. */
export function scenarioColumns(domains: readonly string[]): string[] {
  return [
    'country code',
    'country name',
    'region',
    'questionnaire',
    'version',
    'cycle',
    'status',
    'scenario',
    ...domains.flatMap((d) => [`${d} baseline`, `${d} scenario`]),
    'overall baseline',
    'overall scenario',
    'tier baseline',
    'tier scenario',
    'tier changes',
  ]
}

export async function scenarioCsv(app: FastifyInstance, scenarioId: string, filters: ExportFilters, bom: boolean): Promise<{ name: string; body: string }> {
  const row = await findScenario(app.db, scenarioId)
  if (!row) throw notFound(`scenario ${scenarioId}`)
  const wrong = (filters.questionnaire && filters.questionnaire !== row.questionnaire) || (filters.version && filters.version !== row.version)
  if (wrong) {
    throw badRequest(`scenario ${scenarioId} is for ${row.questionnaire} v${row.version}`, [
      { path: '/querystring/scenario', message: `is for ${row.questionnaire} v${row.version}` },
    ])
  }
  const version = await app.questionnaires.get(row.questionnaire, row.version)
  if (!version) throw notFound(`questionnaire ${row.questionnaire} v${row.version}`)
  const statuses = filters.status ?? [...PUBLISHED_STATUSES]
  const cycle = filters.cycle ?? (await latestCycle(app.db, row.questionnaire, row.version, statuses))
  const domains = version.content.domains.map((d) => d.id)
  const items =
    cycle === undefined
      ? []
      : await scenarioItems(app.db, version, row, {
          questionnaire: row.questionnaire,
          version: row.version,
          cycle,
          region: filters.region,
          country: filters.country,
          statuses,
        })
  let body = (bom ? UTF8_BOM : '') + csvRow(scenarioColumns(domains))
  for (const i of items) {
    body += csvRow([
      i.country,
      i.name,
      i.region,
      row.questionnaire,
      row.version,
      i.cycle,
      i.status,
      row.name,
      ...domains.flatMap((d) => [i.baseline.domains.get(d)?.score ?? null, i.scenario.domains.get(d)?.score ?? null]),
      i.baseline.overall.score,
      i.scenario.overall.score,
      i.baseline.overall.tier,
      i.scenario.overall.tier,
      i.baseline.overall.tier !== i.scenario.overall.tier,
    ])
  }
  return { name: `readiness-${row.questionnaire}-v${row.version}-${cycle ?? 'none'}-scenario.csv`, body }
}
