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
 * The rules are the scoring module's (src/scoring/score.ts), counted through its one per-domain
 * tally, applied to stored raw scores instead of answer values:
 * - an answered question (a value or `unknown`) counts its stored raw score; null (text, unscored
 *   facts, unknown that does not score zero) leaves the score's denominator;
 * - an applicable question without an answer scores 0;
 * - a question whose applies_if is not met, or answered not_applicable, counts in neither
 *   denominator. Applicability is decided on the stored answers of the whole file, so excluding a
 *   question that others depend on does not switch them off;
 * - alternatives groups score their best route. The questions of a group share one force: a force
 *   change on any of them changes the group's force (the first changed question in file order
 *   decides), a weight change weighs the question inside its route;
 * - domain and overall scores, coverage and tiers as score.ts computes them, through the same
 *   tally, so the empty scenario gives exactly the stored figures.
 */
import { applicability, type StoredAnswer } from '../questionnaires/answers.js'
import type { Force, QuestionnaireFile } from '../questionnaires/schema.js'
import {
  closeDomain,
  domainTally,
  emptyTally,
  overallFigures,
  tallyGroup,
  tallyQuestion,
  type Figures,
  type Reweighing,
  type TallyRules,
} from '../scoring/score.js'

/** `weight` (0 < w ≤ 10) and `force` replace the question's. */
export interface QuestionChange extends Reweighing {
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
  const change = (id: string): QuestionChange => scenario.questions?.[id] ?? {}
  const rules: TallyRules = {
    forceWeights: { ...file.scoring.force_weights, ...definedOnly(scenario.forceWeights ?? {}) },
    unknownScoresZero: file.scoring.unknown_scores_zero,
    reweigh: change,
  }
  const applies = applicability(file, stored)

  const domains: ScenarioReadiness['domains'] = []
  const overall = emptyTally()
  for (const domain of file.domains) {
    const tally = domainTally(domain, rules)
    for (const q of domain.questions) if (!change(q.id).exclude) tallyQuestion(tally, q, applies.get(q.id) ?? false, stored.get(q.id), (a) => a.score)
    for (const g of domain.alternatives ?? []) tallyGroup(tally, g)
    domains.push({ domain: domain.id, ...closeDomain(overall, domain.weight, tally, file.scoring.tiers) })
  }
  return { overall: overallFigures(overall, file.scoring.tiers), domains }
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>
}
