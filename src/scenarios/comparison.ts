// A saved scenario beside the stored baseline, as the API shows it: used by
// GET /scenarios/{id}/comparison and GET /readiness?scenario= (both staff only; the caller checks).
import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { ASSESSMENT_STATUSES, type AssessmentStatus, type Region } from '../db/schema.js'
import { badRequest, notFound } from '../errors.js'
import { latestCycle } from '../readiness/repository.js'
import type { Comparison } from './compare.js'
import { findScenario } from './repository.js'
import { runScenario } from './run.js'

const stats = z.object({
  count: z.number(),
  scored: z.number(),
  mean: z.number().nullable(),
  median: z.number().nullable(),
  min: z.number().nullable(),
  max: z.number().nullable(),
  q1: z.number().nullable(),
  q3: z.number().nullable(),
  tiers: z.record(z.string(), z.number()),
})
const side = z.object({ baseline: stats, scenario: stats })

/** The scenario beside the baseline: also what GET /readiness?scenario= adds. */
export const comparisonSchema = z
  .object({
    scenario: z.object({ id: z.string(), name: z.string() }),
    questionnaire: z.string(),
    version: z.number(),
    cycle: z.number().nullable(),
    statuses: z.array(z.enum(ASSESSMENT_STATUSES)),
    tiers: z.array(z.string()),
    groups: z.array(
      z.object({
        region: z.string().nullable().describe('null: every country matching the filter'),
        overall: side,
        domains: z.array(side.extend({ domain: z.string(), title: z.string() })),
      }),
    ),
    tierChanges: z.array(
      z.object({
        assessment: z.string(),
        country: z.string(),
        region: z.string(),
        from: z.string().nullable(),
        to: z.string().nullable(),
        baselineScore: z.number().nullable(),
        scenarioScore: z.number().nullable(),
      }),
    ),
  })
  .meta({ id: 'ScenarioComparison' })
export type ComparisonBody = z.infer<typeof comparisonSchema>

export interface ComparisonQuery {
  cycle?: number | undefined
  region?: Region | undefined
  statuses: readonly AssessmentStatus[]
}

/**
 * A saved scenario run over the stored figures of its questionnaire version (cycle: the given one,
 * else the latest with assessments of these statuses). Shared by GET /scenarios/{id}/comparison
 * and GET /readiness?scenario=; the caller has checked the principal is staff.
 */
export async function scenarioComparison(
  app: FastifyInstance,
  scenarioId: string,
  q: ComparisonQuery,
  expect?: { questionnaire: string; version: number },
): Promise<ComparisonBody> {
  const row = await findScenario(app.db, scenarioId)
  if (!row) throw notFound(`scenario ${scenarioId}`)
  if (expect && (expect.questionnaire !== row.questionnaire || expect.version !== row.version)) {
    throw badRequest(`scenario ${scenarioId} is for ${row.questionnaire} v${row.version}, not ${expect.questionnaire} v${expect.version}`, [
      { path: '/querystring/scenario', message: `is for ${row.questionnaire} v${row.version}` },
    ])
  }
  const version = await app.questionnaires.get(row.questionnaire, row.version)
  if (!version) throw notFound(`questionnaire ${row.questionnaire} v${row.version}`)
  const cycle = q.cycle ?? (await latestCycle(app.db, row.questionnaire, row.version, q.statuses))
  const result: Comparison =
    cycle === undefined
      ? { groups: [], tierChanges: [] }
      : await runScenario(app.db, version, row, { questionnaire: row.questionnaire, version: row.version, cycle, region: q.region, statuses: q.statuses })
  const titles = new Map(version.content.domains.map((d) => [d.id, d.title.en]))
  return {
    scenario: { id: row.id, name: row.name },
    questionnaire: row.questionnaire,
    version: row.version,
    cycle: cycle ?? null,
    statuses: [...q.statuses],
    tiers: version.content.scoring.tiers.map((t) => t.id),
    groups: result.groups.map((g) => ({ ...g, domains: g.domains.map((d) => ({ ...d, title: titles.get(d.domain) ?? d.domain })) })),
    tierChanges: result.tierChanges,
  }
}
