/**
 * What-if readiness: an assessment's readiness recomputed under a scenario from its STORED
 * per-question raw scores (answers.score) and the questionnaire. Pure: no I/O, and nothing here can
 * write a stored figure.
 *
 * A scenario changes how obligations weigh, never what a country answered:
 * - `forceWeights`: the multiplier of a force ("may counts 0.25"), replacing the file's;
 * - per question: `weight` (its own weight), `force` ("if §3.4 bullet 1 became shall"), or
 *   `exclude` ("if §3.11 bullet 5 were dropped": the question leaves its domain's score AND its
 *   coverage, exactly as if the file did not have it).
 *
 * The rules are the scoring module's (src/scoring/score.ts), applied to stored raw scores instead
 * of answer values:
 * - an answered question (a value or `unknown`) counts its stored raw score; null (text, unscored
 *   facts, unknown that does not score zero) leaves the score's denominator;
 * - an applicable question without an answer scores 0;
 * - a question whose applies_if is not met, or answered not_applicable, counts in neither
 *   denominator. Applicability is decided on the stored answers of the whole file, so excluding a
 *   question that others depend on does not switch them off;
 * - alternatives groups score their best route. The questions of a group share one force: a force
 *   change on any of them changes the group's force (the first changed question in file order
 *   decides), a weight change weighs the question inside its route;
 * - domain and overall scores, coverage and tiers as score.ts computes them, in the same order of
 *   operations, so the empty scenario gives exactly the stored figures.
 */
import { applicability, type StoredAnswer } from '../questionnaires/answers.js'
import { isScored, type Force, type Question, type QuestionnaireFile } from '../questionnaires/schema.js'
import { addCounts, emptyCounts, figures, type Figures } from '../scoring/score.js'

export interface QuestionChange {
  /** Replaces the question's weight (0 < w ≤ 10). */
  weight?: number | undefined
  /** Replaces the force of the obligation. */
  force?: Force | undefined
  /** Leaves the question out of score and coverage. */
  exclude?: boolean | undefined
}

export interface Scenario {
  forceWeights?: Partial<Record<Force, number>> | undefined
  /** question id → change; ids the file does not have are ignored. */
  questions?: Readonly<Record<string, QuestionChange>> | undefined
}

/** One stored answer row: the checked answer and its raw score as the scoring module stored it. */
export interface StoredQuestion extends StoredAnswer {
  score: number | null
}

export type ScenarioReadiness = {
  overall: Figures
  /** In file order. */
  domains: (Figures & { domain: string })[]
}

export const EMPTY_SCENARIO: Scenario = {}

export function scenarioReadiness(
  file: QuestionnaireFile,
  stored: ReadonlyMap<string, StoredQuestion>,
  scenario: Scenario = EMPTY_SCENARIO,
): ScenarioReadiness {
  const { unknown_scores_zero: unknownScoresZero, tiers } = file.scoring
  const forceWeights: Partial<Record<Force, number>> = { ...file.scoring.force_weights, ...definedOnly(scenario.forceWeights ?? {}) }
  const change = (id: string): QuestionChange => scenario.questions?.[id] ?? {}
  const applies = applicability(file, stored)

  const domains: ScenarioReadiness['domains'] = []
  let overallNumerator = 0
  let overallDenominator = 0
  const overallCounts = emptyCounts()

  for (const domain of file.domains) {
    const counts = emptyCounts()
    let numerator = 0
    let denominator = 0
    const routeOf = new Map<string, string>()
    for (const g of domain.alternatives ?? []) for (const r of g.routes) for (const id of r.questions) routeOf.set(id, `${g.id} ${r.id}`)
    const routeSums = new Map<string, { numerator: number; denominator: number }>()

    for (const q of domain.questions) {
      const c = change(q.id)
      if (c.exclude) continue
      const doesApply = applies.get(q.id) ?? false
      const answer = stored.get(q.id)
      const notApplicable = !doesApply || answer?.special === 'not_applicable'

      const weight = isScored(q) ? (c.weight ?? q.weight) * (forceWeights[c.force ?? q.force] ?? 0) : 0
      let raw: number | null = null
      if (!notApplicable && isScored(q)) {
        if (answer === undefined) raw = 0
        else if (answer.special === 'unknown') raw = unknownScoresZero ? 0 : null
        else raw = answer.score
      }
      const counted = raw !== null && weight > 0
      const contribution = counted ? weight * (raw as number) : 0
      const route = routeOf.get(q.id)
      if (counted && route) {
        const sums = routeSums.get(route) ?? { numerator: 0, denominator: 0 }
        sums.numerator += contribution
        sums.denominator += weight
        routeSums.set(route, sums)
      } else if (counted) {
        numerator += contribution
        denominator += weight
      }

      counts.total++
      if (notApplicable) counts.notApplicable++
      else {
        counts.applicable++
        if (answer === undefined) counts.missing++
        else counts.answered++
        if (answer?.special === 'unknown') counts.unknown++
      }
    }

    const byId = new Map(domain.questions.map((q) => [q.id, q]))
    for (const g of domain.alternatives ?? []) {
      let best: number | null = null
      for (const r of g.routes) {
        const sums = routeSums.get(`${g.id} ${r.id}`)
        const ratio = sums && sums.denominator > 0 ? sums.numerator / sums.denominator : null
        if (ratio !== null && (best === null || ratio > best)) best = ratio
      }
      const weight =
        g.weight *
        (forceWeights[
          groupForce(
            g.routes.flatMap((r) => r.questions).map((id) => byId.get(id)!),
            change,
          )
        ] ?? 0)
      if (best !== null && weight > 0) {
        numerator += weight * best
        denominator += weight
      }
    }

    const ratio = denominator > 0 ? numerator / denominator : null
    if (ratio !== null) {
      overallNumerator += domain.weight * ratio
      overallDenominator += domain.weight
    }
    addCounts(overallCounts, counts)
    domains.push({ domain: domain.id, ...figures(ratio, counts, tiers) })
  }

  const overallRatio = overallDenominator > 0 ? overallNumerator / overallDenominator : null
  return { overall: figures(overallRatio, overallCounts, tiers), domains }
}

/** The force of an alternatives group under the scenario: the first changed force of its questions, else theirs. */
function groupForce(questions: readonly Question[], change: (id: string) => QuestionChange): Force {
  for (const q of questions) {
    const forced = change(q.id).force
    if (forced) return forced
  }
  return questions[0]!.force
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>
}
