import t from 'tap'
import type { StoredAnswer } from '../../src/questionnaires/answers.js'
import { questionnaireFile, type Force, type QuestionnaireInput } from '../../src/questionnaires/schema.js'
import { rawScore, roundScore, score, tierOf, type QuestionResult } from '../../src/scoring/score.js'

type Test = Parameters<Parameters<typeof t.test>[0]>[0]

const text = (en: string) => ({ en })
const base = (id: string, force: Force = 'shall', weight?: number) => ({
  id,
  source: { document: 'treaty.md', section: '2', ref: '§2' },
  force,
  ...(weight === undefined ? {} : { weight }),
  text: text(`Question ${id}`),
  guidance: text('Guidance'),
})
const opt = (id: string, score: number, exclusive?: boolean) => ({ id, label: text(id), score, ...(exclusive ? { exclusive } : {}) })
const opts = [opt('p', 0.3), opt('q', 0.5), opt('r', 0.6), opt('s', 1), opt('none', 0, true)]
type QuestionInput = QuestionnaireInput['domains'][number]['questions'][number]
const domain = (id: string, weight: number | undefined, questions: QuestionInput[]) => ({
  id,
  title: text(id),
  description: text(id),
  ...(weight === undefined ? {} : { weight }),
  questions,
})

/**
 * Four domains, hand-computed in the tests below.
 * force weights: shall 1, may 0.5, encouraged 0 (questions of that force are left out of the score).
 */
function build(unknownScoresZero?: boolean) {
  const input: QuestionnaireInput = {
    id: 'score_test',
    version: 1,
    title: text('Score test'),
    description: text('Inline questionnaire for scoring'),
    source: { document: 'treaty.md', title: 'Treaty' },
    scoring: {
      force_weights: { encouraged: 0 }, // shall 1 and may 0.5 by default
      ...(unknownScoresZero === undefined ? {} : { unknown_scores_zero: unknownScoresZero }),
      tiers: [
        { id: 'basic', label: text('Basic'), min: 0 },
        { id: 'developing', label: text('Developing'), min: 40 },
        { id: 'advanced', label: text('Advanced'), min: 75 },
      ],
    },
    domains: [
      domain('legal', 2, [
        { ...base('a1', 'shall', 2), type: 'maturity' },
        { ...base('a2', 'may'), type: 'yes_no_partial' },
        { ...base('a3'), type: 'single_choice', options: [opt('lo', 0), opt('mid', 0.4), opt('hi', 1)] },
        { ...base('a4'), type: 'multi_choice', options: opts }, // combine: sum by default
        { ...base('a5'), type: 'multi_choice', combine: 'max', options: opts },
        {
          ...base('a6'),
          type: 'number',
          bands: [
            { min: 0, score: 0 },
            { min: 10, score: 0.5 },
            { min: 50, score: 1 },
          ],
        },
        { ...base('a7'), type: 'text' },
        { ...base('a8', 'encouraged'), type: 'maturity' },
        { ...base('a9'), type: 'yes_no_partial', allow_not_applicable: true },
        { ...base('a10'), type: 'maturity' },
      ]),
      domain('infra', undefined, [
        { ...base('b1'), type: 'yes_no_partial' },
        { ...base('b2'), type: 'maturity', applies_if: { question: 'b1', in: ['yes', 'partial'] } },
        { ...base('b3'), type: 'maturity' },
        {
          ...base('b4'),
          type: 'number',
          bands: [
            { min: 0, score: 0.2 },
            { min: 50, score: 1 },
          ],
        },
      ]),
      domain('skills', 1, [
        { ...base('c1'), type: 'text' },
        { ...base('c2', 'encouraged'), type: 'maturity' },
      ]),
      domain('void', 1, [{ ...base('d1'), type: 'maturity', allow_not_applicable: true }]),
    ],
  }
  return questionnaireFile.parse(input)
}

const v = (value: StoredAnswer['value']): StoredAnswer => ({ value, special: null })
const s = (special: StoredAnswer['special']): StoredAnswer => ({ value: null, special })

const answers: [string, StoredAnswer][] = [
  ['a1', v(3)], // 0.75 × 2
  ['a2', v('partial')], // 0.5 × 0.5 (may)
  ['a3', v('mid')], // 0.4 × 1
  ['a4', v(['q', 'r'])], // min(1, 0.5 + 0.6) = 1
  ['a5', v(['p', 'q'])], // max(0.3, 0.5) = 0.5
  ['a6', v(49.9)], // band 10 → 0.5
  ['a7', v('A national strategy exists.')], // unscored, answered
  ['a8', v(4)], // encouraged → weight 0, not counted, answered
  ['a9', s('not_applicable')], // leaves both denominators
  // a10 missing → 0 × 1
  ['b1', v('no')], // 0
  ['b2', v(4)], // stale: b2 does not apply since b1 is "no"
  ['b3', s('unknown')],
  ['b4', v(60)], // 1
  ['c1', v('Training programme')],
  ['c2', v(2)],
  ['d1', s('not_applicable')],
]

function close(t: Test, actual: number | null, expected: number, msg: string) {
  t.ok(actual !== null && Math.abs(actual - expected) < 1e-9, `${msg}: ${actual} ≈ ${expected}`)
}
const byId = (qs: QuestionResult[], id: string) => qs.find((q) => q.questionId === id)

t.test('a domain with known figures', async (t) => {
  const r = score(build(), answers)
  const legal = r.domains[0]!
  t.equal(legal.domain, 'legal')
  // Σ weight = 2 + 0.5 + 1 + 1 + 1 + 1 + 1 (a10, missing) = 7.5
  // Σ weight × raw = 1.5 + 0.25 + 0.4 + 1 + 0.5 + 0.5 + 0 = 4.15
  close(t, legal.score, (100 * 4.15) / 7.5, 'legal score 55.33…')
  t.equal(roundScore(legal.score), 55.3)
  t.equal(legal.tier, 'developing')
  t.same(legal.counts, { applicable: 9, answered: 8, notApplicable: 1, unknown: 0, missing: 1, total: 10 })
  t.equal(legal.coverage, 8 / 9)

  const q = r.questions
  t.same(byId(q, 'a1'), {
    questionId: 'a1',
    domain: 'legal',
    applies: true,
    status: 'answered',
    raw: 0.75,
    weight: 2,
    contribution: 1.5,
    counted: true,
    route: null,
  })
  t.same(byId(q, 'a2'), {
    questionId: 'a2',
    domain: 'legal',
    applies: true,
    status: 'answered',
    raw: 0.5,
    weight: 0.5,
    contribution: 0.25,
    counted: true,
    route: null,
  })
  t.equal(byId(q, 'a3')?.raw, 0.4)
  t.equal(byId(q, 'a4')?.raw, 1, 'sum capped at 1')
  t.equal(byId(q, 'a5')?.raw, 0.5, 'max of selected')
  t.equal(byId(q, 'a6')?.raw, 0.5, 'band with the highest min not above 49.9')
  t.same(byId(q, 'a10'), {
    questionId: 'a10',
    domain: 'legal',
    applies: true,
    status: 'missing',
    raw: 0,
    weight: 1,
    contribution: 0,
    counted: true,
    route: null,
  })
})

t.test('not_applicable leaves the denominator', async (t) => {
  const q = score(build(), answers).questions
  t.same(byId(q, 'a9'), {
    questionId: 'a9',
    domain: 'legal',
    applies: true,
    status: 'not_applicable',
    raw: null,
    weight: 1,
    contribution: 0,
    counted: false,
    route: null,
  })
  // answering a9 "no" instead puts it back in the denominator: 4.15 / 8.5
  const r = score(
    build(),
    answers.map(([id, a]) => [id, id === 'a9' ? v('no') : a] as [string, StoredAnswer]),
  )
  close(t, r.domains[0]!.score, (100 * 4.15) / 8.5, 'a9 answered "no"')
  t.same(r.domains[0]!.counts, { applicable: 10, answered: 9, notApplicable: 0, unknown: 0, missing: 1, total: 10 })
})

t.test('text is unscored; a weight-0 force is left out of the score but counts in coverage', async (t) => {
  const q = score(build(), answers).questions
  t.same(byId(q, 'a7'), {
    questionId: 'a7',
    domain: 'legal',
    applies: true,
    status: 'answered',
    raw: null,
    weight: 0,
    contribution: 0,
    counted: false,
    route: null,
  })
  t.same(byId(q, 'a8'), {
    questionId: 'a8',
    domain: 'legal',
    applies: true,
    status: 'answered',
    raw: 1,
    weight: 0,
    contribution: 0,
    counted: false,
    route: null,
  })
  // removing the text and encouraged answers lowers coverage but not the score
  const r = score(
    build(),
    answers.filter(([id]) => id !== 'a7' && id !== 'a8'),
  )
  close(t, r.domains[0]!.score, (100 * 4.15) / 7.5, 'same score')
  t.equal(r.domains[0]!.coverage, 6 / 9)
  t.equal(r.domains[0]!.counts.missing, 3)
})

t.test('unknown scores zero when unknown_scores_zero (the default)', async (t) => {
  const r = score(build(), answers)
  const infra = r.domains[1]!
  // b1 0, b3 unknown 0, b4 1, each weight 1 → 1/3; b2 does not apply
  close(t, infra.score, 100 / 3, 'infra 33.3')
  t.equal(infra.tier, 'basic')
  t.same(infra.counts, { applicable: 3, answered: 3, notApplicable: 1, unknown: 1, missing: 0, total: 4 })
  t.equal(infra.coverage, 1)
  t.same(byId(r.questions, 'b3'), {
    questionId: 'b3',
    domain: 'infra',
    applies: true,
    status: 'unknown',
    raw: 0,
    weight: 1,
    contribution: 0,
    counted: true,
    route: null,
  })
})

t.test('unknown leaves the denominator when unknown_scores_zero is false', async (t) => {
  const r = score(build(false), answers)
  const infra = r.domains[1]!
  close(t, infra.score, 50, 'infra 50: b1 0 and b4 1')
  t.equal(infra.tier, 'developing')
  t.same(infra.counts, { applicable: 3, answered: 3, notApplicable: 1, unknown: 1, missing: 0, total: 4 }, 'still unknown, still answered')
  t.equal(infra.coverage, 1)
  t.same(byId(r.questions, 'b3'), {
    questionId: 'b3',
    domain: 'infra',
    applies: true,
    status: 'unknown',
    raw: null,
    weight: 1,
    contribution: 0,
    counted: false,
    route: null,
  })
  // overall (2 × 55.33… + 1 × 50) / 3
  close(t, r.overall.score, (2 * ((100 * 4.15) / 7.5) + 50) / 3, 'overall')
})

t.test('a question whose condition is not met does not apply, even with a stale answer', async (t) => {
  const q = score(build(), answers).questions
  t.same(byId(q, 'b2'), {
    questionId: 'b2',
    domain: 'infra',
    applies: false,
    status: 'not_applicable_by_condition',
    raw: null,
    weight: 1,
    contribution: 0,
    counted: false,
    route: null,
  })
  // b1 "partial" → b2 applies and its answer 4 counts: b1 0.5, b2 1, b3 0, b4 1 → 2.5 / 4
  const r = score(
    build(),
    answers.map(([id, a]) => [id, id === 'b1' ? v('partial') : a] as [string, StoredAnswer]),
  )
  close(t, r.domains[1]!.score, 62.5, 'infra with b2 applying')
  t.same(r.domains[1]!.counts, { applicable: 4, answered: 4, notApplicable: 0, unknown: 1, missing: 0, total: 4 })
  // b1 unknown → b2 does not apply
  const u = score(
    build(),
    answers.map(([id, a]) => [id, id === 'b1' ? s('unknown') : a] as [string, StoredAnswer]),
  )
  t.equal(byId(u.questions, 'b2')?.status, 'not_applicable_by_condition')
  // b1 missing → b2 does not apply, b1 is missing
  const m = score(
    build(),
    answers.filter(([id]) => id !== 'b1'),
  )
  t.equal(byId(m.questions, 'b2')?.applies, false)
  t.equal(byId(m.questions, 'b1')?.status, 'missing')
})

t.test('a domain with nothing counted has score null, not 0', async (t) => {
  const r = score(build(), answers)
  const [, , skills, none] = r.domains
  t.same(skills, {
    domain: 'skills',
    score: null,
    coverage: 1,
    tier: null,
    counts: { applicable: 2, answered: 2, notApplicable: 0, unknown: 0, missing: 0, total: 2 },
  })
  t.same(
    none,
    {
      domain: 'void',
      score: null,
      coverage: 1,
      tier: null,
      counts: { applicable: 0, answered: 0, notApplicable: 1, unknown: 0, missing: 0, total: 1 },
    },
    'coverage 1 when nothing is applicable',
  )
  // a missing answer to a scored question does count (as 0)
  const missing = score(
    build(),
    answers.filter(([id]) => id !== 'd1'),
  )
  t.equal(missing.domains[3]!.score, 0)
  t.equal(missing.domains[3]!.coverage, 0)
})

t.test('overall is the domain-weighted mean of the non-null domain scores', async (t) => {
  const r = score(build(), answers)
  // legal (weight 2) 55.33…, infra (weight 1) 33.33…, skills and void null → (110.67 + 33.33) / 3 = 48
  close(t, r.overall.score, 48, 'overall 48')
  t.not(Math.abs(r.overall.score! - (100 * (4.15 + 1)) / (7.5 + 3)) < 1e-6, true, 'not the pooled mean of all questions (49.05)')
  t.equal(r.overall.tier, 'developing')
  t.same(r.overall.counts, { applicable: 14, answered: 13, notApplicable: 3, unknown: 1, missing: 1, total: 17 }, 'sums of the domains')
  t.equal(r.overall.coverage, 13 / 14)
  t.same(
    r.domains.map((d) => d.domain),
    ['legal', 'infra', 'skills', 'void'],
    'file order',
  )
  t.same(
    r.questions.map((q) => q.questionId),
    ['a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 'a8', 'a9', 'a10', 'b1', 'b2', 'b3', 'b4', 'c1', 'c2', 'd1'],
  )
})

t.test('no answers at all', async (t) => {
  const r = score(build(), new Map())
  t.equal(r.overall.score, 0, 'missing answers score 0')
  t.equal(r.overall.tier, 'basic')
  t.equal(r.domains[2]!.score, null, 'skills still null: text and weight 0 only')
  // b2 does not apply without b1; everything else is applicable and missing
  t.same(r.overall.counts, { applicable: 16, answered: 0, notApplicable: 1, unknown: 0, missing: 16, total: 17 })
  t.equal(r.overall.coverage, 0)
})

t.test('all domains null → overall null', async (t) => {
  const unknowns = ['a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a10', 'b1', 'b3', 'b4'].map((id) => [id, s('unknown')] as [string, StoredAnswer])
  const set: [string, StoredAnswer][] = [['a9', s('not_applicable')], ['d1', s('not_applicable')], ['c1', v('x')], ...unknowns]
  t.equal(score(build(), set).overall.score, 0, 'unknown scores zero by default')
  const n = score(build(false), set)
  t.same(
    n.domains.map((d) => d.score),
    [null, null, null, null],
  )
  t.equal(n.overall.score, null)
  t.equal(n.overall.tier, null)
  // unknown counts as answered; a7, a8 (weight 0) and c2 (weight 0) are missing; b2 does not apply
  t.same(n.overall.counts, { applicable: 14, answered: 11, notApplicable: 3, unknown: 10, missing: 3, total: 17 })
  t.equal(n.overall.coverage, 11 / 14)
})

t.test('tiers', async (t) => {
  const tiers = build().scoring.tiers
  t.equal(tierOf(tiers, null), null)
  t.equal(tierOf(tiers, 0), 'basic')
  t.equal(tierOf(tiers, 39.999), 'basic')
  t.equal(tierOf(tiers, 40), 'developing', 'a tier starts at its min')
  t.equal(tierOf(tiers, 74.96), 'developing', 'exact score, not the rounded 75.0')
  t.equal(tierOf(tiers, 75), 'advanced')
  t.equal(tierOf(tiers, 100), 'advanced')
  const best: [string, StoredAnswer][] = [
    ['a1', v(4)],
    ['a2', v('yes')],
    ['a3', v('hi')],
    ['a4', v(['r', 'q'])],
    ['a5', v(['p', 's'])],
    ['a6', v(50)],
    ['a9', s('not_applicable')],
    ['a10', v(4)],
  ]
  const all = score(build(), [...answers.filter(([id]) => !id.startsWith('a')), ...best])
  t.equal(all.domains[0]!.score, 100)
  t.equal(all.domains[0]!.tier, 'advanced')
})

t.test('raw scores per type, edge cases', async (t) => {
  const f = build()
  const q = (id: string) => f.domains.flatMap((d) => d.questions).find((x) => x.id === id)!
  t.equal(rawScore(q('a1'), 0), 0)
  t.equal(rawScore(q('a1'), 4), 1)
  t.equal(rawScore(q('a2'), 'yes'), 1)
  t.equal(rawScore(q('a2'), 'no'), 0)
  t.equal(rawScore(q('a4'), ['none']), 0)
  t.equal(rawScore(q('a4'), ['p']), 0.3)
  t.equal(rawScore(q('a4'), ['p', 'q']), 0.8)
  t.equal(rawScore(q('a5'), ['r', 'p']), 0.6)
  t.equal(rawScore(q('a6'), -5), 0, 'below all bands')
  t.equal(rawScore(q('a6'), 10), 0.5, 'on a band boundary')
  t.equal(rawScore(q('a6'), 1e9), 1)
  t.equal(rawScore(q('b4'), -1), 0, 'below the lowest band → 0, not the lowest band score')
  t.equal(rawScore(q('b4'), 0), 0.2)
  t.equal(rawScore(q('a7'), 'text'), null)
})

t.test('roundScore is for presentation', async (t) => {
  t.equal(roundScore(55.333333), 55.3)
  t.equal(roundScore(48), 48)
  t.equal(roundScore(1.45), 1.5)
  t.equal(roundScore(74.96), 75)
  t.equal(roundScore(100), 100)
  t.equal(roundScore(0), 0)
  t.equal(roundScore(null), null)
})

t.test('input forms, order, unknown ids, invalid stored answers', async (t) => {
  const f = build()
  const expected = score(f, answers)
  t.same(score(f, new Map(answers)), expected, 'a Map')
  t.same(score(f, [...answers].reverse()), expected, 'reversed order')
  t.same(score(f, new Map([...answers].reverse())), expected, 'reversed Map')
  t.same(score(f, [...answers, ['zz_not_a_question', v(4)]]), expected, 'unknown question ids are ignored')
  t.throws(() => score(f, [...answers, ['a1', v(0)]]), /more than one answer for question "a1"/)

  // a stored answer that is not valid for its question is treated as missing
  const bad = score(
    f,
    answers.map(([id, a]) => [id, id === 'a3' ? v('gone') : id === 'a1' ? v(9) : a] as [string, StoredAnswer]),
  )
  t.equal(byId(bad.questions, 'a3')?.status, 'missing')
  t.equal(byId(bad.questions, 'a1')?.status, 'missing')
  t.equal(bad.domains[0]!.counts.missing, 3)
  // and a condition question with an invalid answer does not make its dependants apply
  const badCond = score(
    f,
    answers.map(([id, a]) => [id, id === 'b1' ? v('YES') : a] as [string, StoredAnswer]),
  )
  t.equal(byId(badCond.questions, 'b2')?.applies, false)

  // inputs are not mutated
  const frozen = answers.map(([id, a]) => [id, Object.freeze({ ...a })] as [string, StoredAnswer])
  t.doesNotThrow(() => score(f, frozen))
})

/**
 * One domain with a "model law or treaty" group (routes law: l1 weight 2 + l2 weight 1; treaty: t1),
 * weight 2, beside a plain question p1 (weight 1); an endeavour question e1 in a domain of its own
 * (endeavour weight 0.75) with an unscored fact f1 beside it.
 */
function withAlternatives() {
  const input: QuestionnaireInput = {
    id: 'alt_test',
    version: 1,
    title: text('Alternatives'),
    description: text('Inline'),
    source: { document: 'treaty.md', title: 'Treaty' },
    scoring: { force_weights: { endeavour: 0.75 }, tiers: [{ id: 'basic', label: text('Basic'), min: 0 }] },
    domains: [
      {
        ...domain('ai', undefined, [
          { ...base('l1', 'shall', 2), type: 'maturity' },
          { ...base('l2'), type: 'yes_no_partial' },
          { ...base('t1'), type: 'maturity' },
          { ...base('p1'), type: 'yes_no_partial' },
        ]),
        alternatives: [
          {
            id: 'instrument',
            title: text('A model law or a treaty'),
            weight: 2,
            routes: [
              { id: 'law', label: text('Law'), questions: ['l1', 'l2'] },
              { id: 'treaty', label: text('Treaty'), questions: ['t1'] },
            ],
          },
        ],
      },
      domain('security', undefined, [
        { ...base('e1', 'endeavour', 2), type: 'maturity' },
        { ...base('s1'), type: 'maturity' },
        { ...base('f1'), type: 'number', scored: false, min: 0 },
      ]),
    ],
  }
  return questionnaireFile.parse(input)
}

t.test('alternatives: either route alone reaches full marks; the group counts once, as its best route', async (t) => {
  const f = withAlternatives()
  const only = (answers: [string, StoredAnswer][]) => score(f, answers)
  const law = only([
    ['l1', v(4)],
    ['l2', v('yes')],
    ['p1', v('yes')],
  ])
  close(t, law.domains[0]!.score, 100, 'the law route alone, with p1: 100')
  t.same(law.alternatives[0], {
    domain: 'ai',
    group: 'instrument',
    weight: 2,
    routes: [
      { route: 'law', ratio: 1 },
      { route: 'treaty', ratio: 0 },
    ],
    best: 'law',
    raw: 1,
    counted: true,
  })
  const treaty = only([
    ['t1', v(4)],
    ['p1', v('yes')],
  ])
  close(t, treaty.domains[0]!.score, 100, 'the treaty route alone, with p1: 100')
  t.equal(treaty.alternatives[0]!.best, 'treaty')
  // law half-way (l1 2/4 → 2×0.5 + l2 partial 0.5 = 1.5 of 3 = 0.5), treaty 3/4: the group is 0.75;
  // (2 × 0.75 + p1 0) / 3 = 50
  const mixed = only([
    ['l1', v(2)],
    ['l2', v('partial')],
    ['t1', v(3)],
    ['p1', v('no')],
  ])
  close(t, mixed.domains[0]!.score, 50, 'best route 0.75 at weight 2, p1 0 at weight 1')
  t.same(byId(mixed.questions, 'l1'), {
    questionId: 'l1',
    domain: 'ai',
    applies: true,
    status: 'answered',
    raw: 0.5,
    weight: 2,
    contribution: 1,
    counted: true,
    route: { group: 'instrument', route: 'law' },
  })
  // nothing answered: both routes count their missing answers as 0, the group as 0
  t.equal(only([]).domains[0]!.score, 0)
})

t.test('endeavour weighs what the file says; an unscored fact counts in coverage only', async (t) => {
  const f = withAlternatives()
  const r = score(f, [
    ['e1', v(4)],
    ['s1', v(0)],
    ['f1', v(7)],
  ])
  const e1 = byId(r.questions, 'e1')!
  t.equal(e1.weight, 1.5, 'weight 2 × endeavour 0.75')
  // (1.5 × 1 + 1 × 0) / 2.5 = 60
  close(t, r.domains[1]!.score, 60, 'endeavour at 0.75')
  t.same(byId(r.questions, 'f1'), {
    questionId: 'f1',
    domain: 'security',
    applies: true,
    status: 'answered',
    raw: null,
    weight: 0,
    contribution: 0,
    counted: false,
    route: null,
  })
  t.equal(r.domains[1]!.counts.answered, 3, 'the fact counts as answered')
  const without = score(f, [
    ['e1', v(4)],
    ['s1', v(0)],
  ])
  t.equal(without.domains[1]!.score, r.domains[1]!.score, 'the fact changes no score')
  t.equal(without.domains[1]!.coverage, 2 / 3, 'but a missing fact shows in coverage')
})
