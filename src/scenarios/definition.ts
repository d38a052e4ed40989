// A scenario's definition as the API takes and stores it, and its check against the questionnaire
// version it is for. Pure: no I/O.
import { z } from 'zod'
import type { FieldProblem } from '../errors.js'
import { FORCES, type QuestionnaireFile } from '../questionnaires/schema.js'
import type { Scenario } from './score.js'

const factor = z.number().min(0, 'must be between 0 and 10').max(10, 'must be between 0 and 10')

export const scenarioDefinition = z
  .strictObject({
    forceWeights: z
      .strictObject({ shall: factor.optional(), endeavour: factor.optional(), may: factor.optional(), encouraged: factor.optional() })
      .default({})
      .describe('replaces the multiplier of a force, e.g. {"may": 0.25}'),
    questions: z
      .array(
        z.strictObject({
          id: z.string().min(1).max(60),
          weight: z.number().gt(0, 'must be above 0').max(10, 'must be at most 10').optional().describe("replaces the question's weight"),
          force: z.enum(FORCES).optional().describe('replaces the force of the obligation'),
          exclude: z.boolean().optional().describe('leaves the question out of score and coverage'),
        }),
      )
      .max(500)
      .default([]),
  })
  .meta({ id: 'ScenarioDefinition' })
export type ScenarioDefinition = z.infer<typeof scenarioDefinition>

/** Problems of a definition against its questionnaire version: unknown or repeated questions, changes that change nothing. */
export function definitionProblems(file: QuestionnaireFile, definition: ScenarioDefinition, at = '/body/definition'): FieldProblem[] {
  const known = new Set(file.domains.flatMap((d) => d.questions.map((q) => q.id)))
  const seen = new Set<string>()
  const problems: FieldProblem[] = []
  definition.questions.forEach((q, i) => {
    const path = `${at}/questions/${i}`
    if (!known.has(q.id)) problems.push({ path: `${path}/id`, message: `"${q.id}" is not a question of ${file.id} v${file.version}` })
    else if (seen.has(q.id)) problems.push({ path: `${path}/id`, message: `"${q.id}" is listed more than once` })
    seen.add(q.id)
    if (q.weight === undefined && q.force === undefined && !q.exclude) problems.push({ path, message: 'give a weight, a force or exclude: true' })
  })
  return problems
}

export function toScenario(definition: ScenarioDefinition): Scenario {
  return {
    forceWeights: definition.forceWeights,
    questions: Object.fromEntries(definition.questions.map(({ id, ...change }) => [id, change])),
  }
}
