// Property tests of what-if scoring: a scenario recomputed from stored raw scores must agree with the
// scoring module run on the questionnaire edited the same way.
import fc from 'fast-check'
import t from 'tap'
import type { StoredAnswer } from '../../src/questionnaires/answers.js'
import { FORCES, type Force, type Question, type QuestionnaireFile } from '../../src/questionnaires/schema.js'
import { scenarioReadiness, type Scenario, type ScenarioReadiness, type StoredQuestion } from '../../src/scenarios/score.js'
import { score, type Readiness } from '../../src/scoring/score.js'
import { answersArb, fileArb } from '../helpers/questionnaire-arbitraries.js'

const RUNS = 150

const cases = fileArb.chain((file) =>
  fc.record({ file: fc.constant(file), answers: answersArb(file), pick: fc.nat(), factor: fc.double({ min: 0, max: 10, noNaN: true }) }),
)

/** The answer rows as the database holds them: each answer with the raw score the scoring module stored. */
function storedRows(file: QuestionnaireFile, answers: [string, StoredAnswer][]): Map<string, StoredQuestion> {
  const raw = new Map(score(file, answers).questions.map((q) => [q.questionId, q.raw]))
  return new Map(answers.map(([id, a]) => [id, { ...a, score: raw.get(id) ?? null }]))
}

/** The figures both modules produce, exactly (no tolerance: the same operations in the same order). */
function figures(r: Readiness | ScenarioReadiness) {
  const pick = (f: Readiness['overall']) => ({ score: f.score, tier: f.tier, coverage: f.coverage, counts: f.counts })
  return { overall: pick(r.overall), domains: r.domains.map((d) => ({ domain: d.domain, ...pick(d) })) }
}

const allQuestions = (file: QuestionnaireFile): { domain: number; question: Question }[] =>
  file.domains.flatMap((d, di) => d.questions.map((question) => ({ domain: di, question })))
const referenced = (file: QuestionnaireFile) => new Set(allQuestions(file).flatMap(({ question: q }) => (q.applies_if ? [q.applies_if.question] : [])))
const routed = (file: QuestionnaireFile) => new Set(file.domains.flatMap((d) => (d.alternatives ?? []).flatMap((g) => g.routes.flatMap((r) => r.questions))))

t.test('the empty scenario gives exactly the stored figures', async () => {
  fc.assert(
    fc.property(cases, ({ file, answers }) => {
      const stored = storedRows(file, answers)
      t.strictSame(figures(scenarioReadiness(file, stored, {})), figures(score(file, answers)))
    }),
    { numRuns: RUNS },
  )
})

t.test('excluding a question equals removing it from the questionnaire', async () => {
  fc.assert(
    fc.property(cases, ({ file, answers, pick }) => {
      // A question no condition refers to, outside alternatives, in a domain that keeps another question.
      const candidates = allQuestions(file).filter(
        ({ domain, question }) => !referenced(file).has(question.id) && !routed(file).has(question.id) && file.domains[domain]!.questions.length > 1,
      )
      fc.pre(candidates.length > 0)
      const { domain, question } = candidates[pick % candidates.length]!
      const removed: QuestionnaireFile = structuredClone(file)
      removed.domains[domain]!.questions = removed.domains[domain]!.questions.filter((q) => q.id !== question.id)
      const rest = answers.filter(([id]) => id !== question.id)
      const scenario: Scenario = { questions: { [question.id]: { exclude: true } } }
      t.strictSame(figures(scenarioReadiness(file, storedRows(file, answers), scenario)), figures(score(removed, rest)))
    }),
    { numRuns: RUNS },
  )
})

t.test('a force weight equals the questionnaire with that force weight', async () => {
  fc.assert(
    fc.property(cases, fc.constantFrom(...FORCES), ({ file, answers, factor }, force) => {
      const edited: QuestionnaireFile = structuredClone(file)
      edited.scoring.force_weights[force] = factor
      const scenario: Scenario = { forceWeights: { [force]: factor } }
      t.strictSame(figures(scenarioReadiness(file, storedRows(file, answers), scenario)), figures(score(edited, answers)))
    }),
    { numRuns: RUNS },
  )
})

t.test("a question's weight or force equals the questionnaire so edited", async () => {
  fc.assert(
    fc.property(cases, fc.constantFrom<Force>(...FORCES), fc.double({ min: 0.01, max: 10, noNaN: true }), ({ file, answers, pick }, force, weight) => {
      // Routed questions share their group's force, so the edited file keeps them out of force changes.
      const candidates = allQuestions(file).filter(({ question }) => !routed(file).has(question.id))
      fc.pre(candidates.length > 0)
      const { domain, question } = candidates[pick % candidates.length]!
      const edited: QuestionnaireFile = structuredClone(file)
      const target = edited.domains[domain]!.questions.find((q) => q.id === question.id)!
      target.weight = weight
      target.force = force
      if (edited.scoring.force_weights[force] === undefined) edited.scoring.force_weights[force] = 0
      const scenario: Scenario = { questions: { [question.id]: { weight, force } } }
      t.strictSame(figures(scenarioReadiness(file, storedRows(file, answers), scenario)), figures(score(edited, answers)))
    }),
    { numRuns: RUNS },
  )
})
