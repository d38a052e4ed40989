// Generators of random valid questionnaires and answer sets, shared by the property tests of the
// scoring rules and of the what-if scenarios.
import fc from 'fast-check'
import { checkAnswer, type StoredAnswer } from '../../src/questionnaires/answers.js'
import {
  ANSWER_TYPES,
  FORCES,
  questionnaireFile,
  questionsOf,
  type Question,
  type QuestionnaireFile,
  type QuestionnaireInput,
} from '../../src/questionnaires/schema.js'

type QuestionInput = QuestionnaireInput['domains'][number]['questions'][number]
const text = (en: string) => ({ en })

// ── Questionnaires ───────────────────────────────────────────────────────────────────────────────

const unit = fc.double({ min: 0, max: 1, noNaN: true })
const weight = fc.oneof(fc.constantFrom(0.5, 1, 2, 3), fc.double({ min: 0.01, max: 10, noNaN: true }))
const forceWeight = fc.oneof(fc.constantFrom(0, 0.5, 1, 2), fc.double({ min: 0, max: 10, noNaN: true }))

const questionSpec = fc.record({
  type: fc.constantFrom(...ANSWER_TYPES),
  force: fc.constantFrom(...FORCES),
  weight,
  allowNotApplicable: fc.boolean(),
  allowUnknown: fc.boolean(),
  /** Refers to an earlier question (index modulo the candidates) with values picked modulo its answers. */
  condition: fc.option(fc.record({ ref: fc.nat(), pick: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }) }), {
    nil: undefined,
    freq: 2,
  }),
  optionScores: fc.array(unit, { minLength: 2, maxLength: 4 }),
  exclusiveLast: fc.boolean(),
  combine: fc.constantFrom('sum' as const, 'max' as const),
  bandMins: fc.uniqueArray(fc.integer({ min: -20, max: 120 }), { minLength: 1, maxLength: 4 }),
  bandScores: fc.array(unit, { minLength: 4, maxLength: 4 }),
  min: fc.option(fc.integer({ min: -50, max: 50 }), { nil: undefined }),
  max: fc.option(fc.integer({ min: 0, max: 150 }), { nil: undefined }),
  integer: fc.boolean(),
  maxLength: fc.integer({ min: 1, max: 12 }),
  /** An unscored fact (scored: false); ignored for text, which is never scored. */
  unscored: fc.boolean(),
})
type QuestionSpec = typeof questionSpec extends fc.Arbitrary<infer T> ? T : never

export const fileArb: fc.Arbitrary<QuestionnaireFile> = fc
  .record({
    forceWeights: fc.record({ shall: forceWeight, endeavour: forceWeight, may: forceWeight, encouraged: forceWeight }),
    unknownScoresZero: fc.boolean(),
    tierMins: fc.uniqueArray(fc.integer({ min: 1, max: 100 }), { maxLength: 3 }),
    domains: fc.array(
      fc.record({
        weight,
        questions: fc.array(questionSpec, { minLength: 1, maxLength: 5 }),
        group: fc.option(fc.record({ weight, split: fc.nat() }), { nil: undefined }),
      }),
      {
        minLength: 1,
        maxLength: 4,
      },
    ),
  })
  .map((spec) => {
    const built: QuestionInput[] = []
    const domains = spec.domains.map((d, di) => {
      const questions = d.questions.map((q) => {
        const question = buildQuestion(`q${built.length}`, q, built)
        built.push(question)
        return question
      })
      return {
        id: `d${di}`,
        title: text(`Domain ${di}`),
        description: text('Generated'),
        weight: d.weight,
        questions,
        ...(d.group ? alternativesOf(questions, d.group) : {}),
      }
    })
    const input: QuestionnaireInput = {
      id: 'generated',
      version: 1,
      title: text('Generated'),
      description: text('Generated'),
      source: { document: 'treaty.md', title: 'Treaty' },
      scoring: {
        force_weights: spec.forceWeights,
        unknown_scores_zero: spec.unknownScoresZero,
        tiers: [0, ...spec.tierMins.sort((a, b) => a - b)].map((min, i) => ({ id: `t${i}`, label: text(`Tier ${i}`), min })),
      },
      domains,
    }
    return questionnaireFile.parse(input) // throws if the generator ever makes an invalid file
  })

/**
 * An alternatives group over the domain's scored questions that share the first one's force, split
 * into two routes at a generated point; none when fewer than two such questions exist.
 */
function alternativesOf(questions: QuestionInput[], g: { weight: number; split: number }) {
  const scored = questions.filter((q) => q.type !== 'text' && q.scored !== false)
  const members = scored.filter((q) => q.force === scored[0]?.force).map((q) => q.id)
  if (members.length < 2) return {}
  const cut = 1 + (g.split % (members.length - 1))
  return {
    alternatives: [
      {
        id: 'g',
        title: text('Group'),
        weight: g.weight,
        routes: [
          { id: 'r0', label: text('Route 0'), questions: members.slice(0, cut) },
          { id: 'r1', label: text('Route 1'), questions: members.slice(cut) },
        ],
      },
    ],
  }
}

function conditionValuesOf(q: QuestionInput): (string | number)[] | null {
  if (q.type === 'maturity') return [0, 1, 2, 3, 4]
  if (q.type === 'yes_no_partial') return ['yes', 'no', 'partial']
  if (q.type === 'single_choice' || q.type === 'multi_choice') return q.options.map((o) => o.id)
  return null
}

function buildQuestion(id: string, s: QuestionSpec, earlier: QuestionInput[]): QuestionInput {
  const common = {
    id,
    source: { document: 'treaty.md', section: '1', ref: '§1' },
    force: s.force,
    text: text(`Question ${id}`),
    guidance: text('Generated'),
    weight: s.weight,
    allow_not_applicable: s.allowNotApplicable,
    allow_unknown: s.allowUnknown,
  }
  const targets = earlier.filter((q) => conditionValuesOf(q) !== null)
  const target = s.condition && targets.length > 0 ? targets[s.condition.ref % targets.length] : undefined
  const values = target ? conditionValuesOf(target)! : []
  const applies_if = target && s.condition ? { question: target.id, in: [...new Set(s.condition.pick.map((p) => values[p % values.length]!))] } : undefined
  const unscored = s.unscored && s.type !== 'text'
  const withCondition = { ...common, ...(applies_if ? { applies_if } : {}), ...(unscored ? { scored: false } : {}) }
  const options = s.optionScores.map((score, i) => ({
    id: `o${i}`,
    label: text(`Option ${i}`),
    ...(unscored ? {} : { score }),
    ...(s.exclusiveLast && i === s.optionScores.length - 1 ? { exclusive: true } : {}),
  }))
  switch (s.type) {
    case 'maturity':
      return { ...withCondition, type: 'maturity' }
    case 'yes_no_partial':
      return { ...withCondition, type: 'yes_no_partial' }
    case 'single_choice':
      return { ...withCondition, type: 'single_choice', options }
    case 'multi_choice':
      return { ...withCondition, type: 'multi_choice', options, combine: s.combine }
    case 'number': {
      const [min, max] = s.min !== undefined && s.max !== undefined && s.min > s.max ? [s.max, s.min] : [s.min, s.max]
      const bands = [...s.bandMins].sort((a, b) => a - b).map((m, i) => ({ min: m, score: s.bandScores[i]! }))
      return {
        ...withCondition,
        type: 'number',
        integer: s.integer,
        ...(unscored ? {} : { bands }),
        ...(min === undefined ? {} : { min }),
        ...(max === undefined ? {} : { max }),
      }
    }
    case 'text':
      return { ...withCondition, type: 'text', max_length: s.maxLength }
  }
}

// ── Answers ──────────────────────────────────────────────────────────────────────────────────────

function valueArb(q: Question): fc.Arbitrary<unknown> {
  switch (q.type) {
    case 'maturity':
      return fc.integer({ min: 0, max: 4 })
    case 'yes_no_partial':
      return fc.constantFrom('yes', 'no', 'partial')
    case 'single_choice':
      return fc.constantFrom(...q.options.map((o) => o.id))
    case 'multi_choice': {
      const plain = q.options.filter((o) => !o.exclusive).map((o) => o.id)
      const exclusive = q.options.filter((o) => o.exclusive).map((o) => [o.id])
      const subsets = fc.shuffledSubarray(plain, { minLength: 1 })
      return exclusive.length ? fc.oneof(subsets, fc.constantFrom(...exclusive)) : subsets
    }
    case 'number': {
      const [lo, hi] = [q.min ?? -40, q.max ?? 160]
      return q.integer ? fc.integer({ min: lo, max: hi }) : fc.double({ min: lo, max: hi, noNaN: true })
    }
    case 'text':
      return fc.string({ maxLength: q.max_length - 1 }).map((s) => `a${s}`)
  }
}

/** A random valid answer (or none) per question, normalised through checkAnswer as the route would. */
export function answersArb(file: QuestionnaireFile): fc.Arbitrary<[string, StoredAnswer][]> {
  const perQuestion = questionsOf(file).map(({ question: q }) => {
    const specials = [...(q.allow_not_applicable ? ['not_applicable' as const] : []), ...(q.allow_unknown ? ['unknown' as const] : [])]
    const choices: fc.WeightedArbitrary<{ value?: unknown; special?: 'not_applicable' | 'unknown' } | undefined>[] = [
      { arbitrary: fc.constant(undefined), weight: 1 },
      { arbitrary: valueArb(q).map((value) => ({ value })), weight: 4 },
    ]
    if (specials.length) choices.push({ arbitrary: fc.constantFrom(...specials).map((special) => ({ special })), weight: 1 })
    return fc.oneof(...choices).map((input): [string, StoredAnswer] | undefined => {
      if (input === undefined) return undefined
      const checked = checkAnswer(q, input)
      if (!checked.ok) throw new Error(`generator made an invalid answer for ${q.id}: ${checked.problem}`)
      return [q.id, checked.answer]
    })
  })
  return fc.tuple(...perQuestion).map((list) => list.filter((x): x is [string, StoredAnswer] => x !== undefined))
}
