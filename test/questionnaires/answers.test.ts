import t from 'tap'
import {
  applicability,
  applies,
  checkAnswer,
  commentProblem,
  describeAllowed,
  indexQuestions,
  type AnswerInput,
  type StoredAnswer,
} from '../../src/questionnaires/answers.js'
import { questionnaireFile, type Question } from '../../src/questionnaires/schema.js'

const text = (en: string) => ({ en })
const base = (id: string) => ({
  id,
  source: { document: 'treaty.md', section: '1', ref: '§1' },
  force: 'shall' as const,
  text: text(`Question ${id}`),
  guidance: text('Guidance'),
})
const opt = (id: string, score: number, extra: { exclusive?: boolean } = {}) => ({ id, label: text(`Label ${id}`), score, ...extra })

const file = questionnaireFile.parse({
  id: 'answers_test',
  version: 1,
  title: text('Answers test'),
  description: text('Inline questionnaire for answer checks'),
  source: { document: 'treaty.md', title: 'Treaty' },
  scoring: { force_weights: {}, tiers: [{ id: 'low', label: text('Low'), min: 0 }] },
  domains: [
    {
      id: 'd',
      title: text('Domain'),
      description: text('Domain'),
      questions: [
        { ...base('mat'), type: 'maturity' },
        {
          ...base('mat_labels'),
          type: 'maturity',
          allow_unknown: false,
          labels: { '0': text('Absent'), '1': text('Early'), '2': text('Middle'), '3': text('Late'), '4': text('Complete') },
        },
        { ...base('ynp'), type: 'yes_no_partial', allow_not_applicable: true },
        { ...base('single'), type: 'single_choice', options: [opt('a', 0), opt('b', 0.5), opt('c', 1)] },
        {
          ...base('multi'),
          type: 'multi_choice',
          options: [opt('x', 0.5), opt('y', 0.5), opt('none', 0, { exclusive: true })],
        },
        { ...base('num'), type: 'number', min: 0, max: 100, integer: true, unit: text('%'), bands: [{ min: 0, score: 0 }] },
        { ...base('num_free'), type: 'number', bands: [{ min: 0, score: 0 }] },
        { ...base('num_min'), type: 'number', min: 1, bands: [{ min: 0, score: 0 }] },
        { ...base('num_max'), type: 'number', max: 9, bands: [{ min: 0, score: 0 }] },
        { ...base('txt'), type: 'text', max_length: 10, allow_unknown: false, allow_not_applicable: true },
        // conditions: dep1 when ynp is yes/partial; dep2 when dep1 (maturity) ≥ 3; dep3 when multi has x
        { ...base('dep1'), type: 'maturity', applies_if: { question: 'ynp', in: ['yes', 'partial'] } },
        { ...base('dep2'), type: 'single_choice', options: [opt('a', 0), opt('b', 1)], applies_if: { question: 'dep1', in: [3, 4] } },
        { ...base('dep3'), type: 'text', applies_if: { question: 'multi', in: ['x'] } },
        { ...base('dep4'), type: 'text', applies_if: { question: 'dep2', in: ['b'] } },
      ],
    },
  ],
})
/** A subtest's `t` (the last overload of t.test takes only the callback). */
type Test = Parameters<Parameters<typeof t.test>[0]>[0]

const byId = indexQuestions(file)
const Q = (id: string): Question => {
  const q = byId.get(id)
  if (!q) throw new Error(`no question ${id}`)
  return q
}

function ok(t: Test, id: string, input: AnswerInput, expected: StoredAnswer) {
  const r = checkAnswer(Q(id), input)
  t.same(r, { ok: true, answer: expected }, `${id} accepts ${JSON.stringify(input)}`)
}
function bad(t: Test, id: string, input: unknown, problem: RegExp) {
  const r = checkAnswer(Q(id), input as AnswerInput)
  if (r.ok) {
    t.fail(`${id} should reject ${JSON.stringify(input)}`)
    return
  }
  t.match(r.problem, problem, `${id} rejects ${JSON.stringify(input)}: ${r.problem}`)
  t.equal(r.allowed, describeAllowed(Q(id)), 'allowed describes the question')
}

const v = (value: StoredAnswer['value']): StoredAnswer => ({ value, special: null })
const s = (special: StoredAnswer['special']): StoredAnswer => ({ value: null, special })

t.test('shape of the input', async (t) => {
  bad(t, 'mat', { value: 2, special: 'unknown' }, /either a value or a special answer, not both/)
  bad(t, 'mat', {}, /needs either a value or a special answer/)
  bad(t, 'mat', { value: null, special: null }, /needs either a value or a special answer/)
  bad(t, 'mat', null, /must be an object/)
  bad(t, 'mat', 'yes', /must be an object/)
  bad(t, 'mat', [2], /must be an object/)
  // a StoredAnswer round-trips: null is absent
  ok(t, 'mat', { value: 2, special: null }, v(2))
  ok(t, 'mat', { value: null, special: 'unknown' }, s('unknown'))
})

t.test('special answers', async (t) => {
  ok(t, 'mat', { special: 'unknown' }, s('unknown'))
  bad(t, 'mat', { special: 'not_applicable' }, /^"not_applicable" is not allowed for this question$/)
  bad(t, 'mat_labels', { special: 'unknown' }, /^"unknown" is not allowed for this question$/)
  ok(t, 'ynp', { special: 'not_applicable' }, s('not_applicable'))
  ok(t, 'txt', { special: 'not_applicable' }, s('not_applicable'))
  bad(t, 'txt', { special: 'unknown' }, /"unknown" is not allowed/)
  bad(t, 'ynp', { special: 'n/a' }, /special must be "not_applicable" or "unknown", got the text "n\/a"/)
  bad(t, 'ynp', { special: 1 }, /special must be .* got 1/)
})

t.test('maturity', async (t) => {
  for (const level of [0, 1, 2, 3, 4]) ok(t, 'mat', { value: level }, v(level))
  bad(t, 'mat', { value: '3' }, /must be a maturity level .*got the text "3"/)
  bad(t, 'mat', { value: true }, /got the boolean true/)
  bad(t, 'mat', { value: [1] }, /got a list/)
  bad(t, 'mat', { value: { level: 1 } }, /got an object/)
  bad(
    t,
    'mat',
    { value: 5 },
    /^value must be one of: None \(0\), Planned \(1\), Drafted \(2\), Adopted \(3\), Implemented and enforced \(4\); got 5, which is out of range$/,
  )
  bad(t, 'mat', { value: -1 }, /got -1, which is out of range/)
  bad(t, 'mat', { value: 2.5 }, /whole maturity level.*got 2\.5/)
  bad(t, 'mat', { value: Number.NaN }, /got NaN/)
  bad(t, 'mat_labels', { value: 7 }, /Absent \(0\), Early \(1\), Middle \(2\), Late \(3\), Complete \(4\)/)
  t.equal(
    describeAllowed(Q('mat')),
    'a maturity level, one of: None (0), Planned (1), Drafted (2), Adopted (3), Implemented and enforced (4); or the special answer "unknown"',
  )
  t.equal(describeAllowed(Q('mat_labels')), 'a maturity level, one of: Absent (0), Early (1), Middle (2), Late (3), Complete (4)')
})

t.test('yes_no_partial', async (t) => {
  for (const x of ['yes', 'no', 'partial']) ok(t, 'ynp', { value: x }, v(x))
  bad(t, 'ynp', { value: 'Yes' }, /must be "yes", "no" or "partial", got the text "Yes"/)
  bad(t, 'ynp', { value: 'maybe' }, /got the text "maybe"/)
  bad(t, 'ynp', { value: 1 }, /got 1/)
  bad(t, 'ynp', { value: true }, /got the boolean true/)
  t.equal(describeAllowed(Q('ynp')), '"yes", "no" or "partial"; or the special answer "not_applicable" or "unknown"')
})

t.test('single_choice', async (t) => {
  ok(t, 'single', { value: 'a' }, v('a'))
  ok(t, 'single', { value: 'c' }, v('c'))
  bad(t, 'single', { value: 'd' }, /^"d" is not an option of this question; value must be one of: "a" \(Label a\), "b" \(Label b\), "c" \(Label c\)$/)
  bad(t, 'single', { value: ['a'] }, /must be one option id, got a list/)
  bad(t, 'single', { value: 0 }, /must be one option id, got 0/)
  bad(t, 'single', { value: 'unknown' }, /"unknown" is not an option/)
  t.match(describeAllowed(Q('single')), /^one option id, one of: "a" \(Label a\)/)
})

t.test('multi_choice', async (t) => {
  ok(t, 'multi', { value: ['x'] }, v(['x']))
  ok(t, 'multi', { value: ['y', 'x'] }, v(['y', 'x'])) // order kept as given
  ok(t, 'multi', { value: ['none'] }, v(['none']))
  bad(t, 'multi', { value: 'x' }, /must be a list of option ids, got the text "x"/)
  bad(t, 'multi', { value: [] }, /at least one option/)
  bad(t, 'multi', { value: ['x', 'z'] }, /^"z" is not an option of this question/)
  bad(t, 'multi', { value: ['x', 3] }, /item 2 of value must be an option id, got 3/)
  bad(t, 'multi', { value: ['x', 'y', 'x'] }, /option "x" is selected more than once/)
  bad(t, 'multi', { value: ['x', 'none'] }, /option "none" \(Label none\) cannot be combined with other options/)
  bad(t, 'multi', { value: ['none', 'y'] }, /"none" .* cannot be combined/)
  t.match(
    describeAllowed(Q('multi')),
    /non-empty list of distinct option ids.*; "none" cannot be combined with other options; or the special answer "unknown"$/,
  )

  // the stored array is a copy: later changes to the input do not reach it
  const input = ['x']
  const r = checkAnswer(Q('multi'), { value: input })
  input.push('y')
  t.same(r.ok && r.answer.value, ['x'])
})

t.test('number', async (t) => {
  ok(t, 'num', { value: 0 }, v(0))
  ok(t, 'num', { value: 100 }, v(100))
  ok(t, 'num_free', { value: -3.25 }, v(-3.25))
  ok(t, 'num_free', { value: 1e12 }, v(1e12))
  ok(t, 'num_min', { value: 1 }, v(1))
  ok(t, 'num_max', { value: 9 }, v(9))
  bad(t, 'num', { value: '5' }, /must be a whole number, got the text "5"/)
  bad(t, 'num_free', { value: '5' }, /must be a number, got the text "5"/)
  bad(t, 'num', { value: 50.5 }, /must be a whole number, got 50\.5/)
  bad(t, 'num', { value: -1 }, /-1 is below the minimum of 0/)
  bad(t, 'num', { value: 101 }, /101 is above the maximum of 100/)
  bad(t, 'num_min', { value: 0.5 }, /below the minimum of 1/)
  bad(t, 'num_max', { value: 9.5 }, /above the maximum of 9/)
  bad(t, 'num_free', { value: Number.POSITIVE_INFINITY }, /finite number, got Infinity/)
  bad(t, 'num_free', { value: Number.NaN }, /finite number, got NaN/)
  t.equal(describeAllowed(Q('num')), 'a whole number from 0 to 100 (%); or the special answer "unknown"')
  t.match(describeAllowed(Q('num_free')), /^a number; or/)
  t.match(describeAllowed(Q('num_min')), /^a number of at least 1;/)
  t.match(describeAllowed(Q('num_max')), /^a number of at most 9;/)
})

t.test('text', async (t) => {
  ok(t, 'txt', { value: '  hello \n' }, v('hello'))
  ok(t, 'txt', { value: '0123456789' }, v('0123456789'))
  ok(t, 'txt', { value: '  0123456789  ' }, v('0123456789')) // length counted after trimming
  ok(t, 'txt', { value: '😀😀😀😀😀😀😀😀😀😀' }, v('😀😀😀😀😀😀😀😀😀😀')) // characters, not UTF-16 units
  bad(t, 'txt', { value: '01234567890' }, /value is 11 characters long; the maximum is 10/)
  bad(t, 'txt', { value: '   ' }, /must not be empty/)
  bad(t, 'txt', { value: '' }, /must not be empty/)
  bad(t, 'txt', { value: 42 }, /must be text, got 42/)
  bad(t, 'txt', { value: ` ${'x'.repeat(100)} ` }, /value is 100 characters long/)
  t.equal(describeAllowed(Q('txt')), 'text of 1 to 10 characters; or the special answer "not_applicable"')
})

t.test('applies: questions without a condition always apply', async (t) => {
  t.equal(applies(Q('mat'), new Map(), byId), true)
})

t.test('applies: direct, transitive, multi_choice, special and missing', async (t) => {
  const answers = (entries: [string, StoredAnswer][]) => new Map(entries)

  // missing condition answer → does not apply, nor anything downstream
  let a = answers([])
  t.equal(applies(Q('dep1'), a, byId), false)
  t.equal(applies(Q('dep2'), a, byId), false)

  a = answers([['ynp', v('yes')]])
  t.equal(applies(Q('dep1'), a, byId), true)
  t.equal(applies(Q('dep2'), a, byId), false, 'dep1 unanswered')

  a = answers([
    ['ynp', v('partial')],
    ['dep1', v(3)],
  ])
  t.equal(applies(Q('dep2'), a, byId), true, 'dep1 applies and is 3')
  a = answers([
    ['ynp', v('partial')],
    ['dep1', v(2)],
  ])
  t.equal(applies(Q('dep2'), a, byId), false, 'dep1 is 2')

  // transitive: dep1 answered 4 but dep1 no longer applies because ynp is "no"
  a = answers([
    ['ynp', v('no')],
    ['dep1', v(4)],
    ['dep2', v('b')],
  ])
  t.equal(applies(Q('dep1'), a, byId), false)
  t.equal(applies(Q('dep2'), a, byId), false, 'a stale answer to a non-applying question does not make others apply')
  t.equal(applies(Q('dep4'), a, byId), false, 'two levels up')
  a = answers([
    ['ynp', v('yes')],
    ['dep1', v(4)],
    ['dep2', v('b')],
  ])
  t.equal(applies(Q('dep4'), a, byId), true, 'whole chain met')

  // special answers to the condition question → does not apply
  t.equal(applies(Q('dep1'), answers([['ynp', s('unknown')]]), byId), false)
  t.equal(applies(Q('dep1'), answers([['ynp', s('not_applicable')]]), byId), false)

  // multi_choice: any selected option listed
  t.equal(applies(Q('dep3'), answers([['multi', v(['y', 'x'])]]), byId), true)
  t.equal(applies(Q('dep3'), answers([['multi', v(['y'])]]), byId), false)
  t.equal(applies(Q('dep3'), answers([['multi', v(['none'])]]), byId), false)
})

t.test('applicability computes every question at once and agrees with applies', async (t) => {
  const sets: [string, StoredAnswer][][] = [
    [],
    [
      ['ynp', v('yes')],
      ['dep1', v(3)],
      ['dep2', v('b')],
      ['multi', v(['x'])],
    ],
    [
      ['ynp', v('no')],
      ['dep1', v(3)],
      ['dep2', v('b')],
    ],
    [
      ['ynp', v('yes')],
      ['dep1', s('unknown')],
    ],
  ]
  for (const entries of sets) {
    const a = new Map(entries)
    const all = applicability(file, a)
    t.equal(all.size, byId.size, 'one entry per question')
    for (const q of byId.values()) t.equal(all.get(q.id), applies(q, a, byId), `${q.id} with ${JSON.stringify(entries)}`)
  }
  const full = applicability(file, new Map(sets[1]))
  t.same(
    [...full].filter(([, x]) => !x).map(([id]) => id),
    [],
    'everything applies when every condition is met',
  )
})

t.test('applies guards against a cycle in unvalidated input', async (t) => {
  const a = { ...Q('dep1'), id: 'c1', applies_if: { question: 'c2', in: [1] } } as Question
  const b = { ...Q('dep1'), id: 'c2', applies_if: { question: 'c1', in: [1] } } as Question
  const ids = new Map([
    ['c1', a],
    ['c2', b],
  ])
  t.equal(
    applies(
      a,
      new Map([
        ['c1', v(1)],
        ['c2', v(1)],
      ]),
      ids,
    ),
    false,
  )
  t.equal(applies(a, new Map(), new Map()), false, 'unknown referenced question')
})

t.test('the justification rule: not_applicable needs a non-blank comment where the question says so', async (t) => {
  const q = { ...base('justified'), type: 'yes_no_partial', allow_not_applicable: true, not_applicable_requires_comment: true } as const
  const flagged = questionnaireFile.parse({
    id: 'justify',
    version: 1,
    title: text('Justify'),
    description: text('Inline'),
    source: { document: 'treaty.md', title: 'Treaty' },
    scoring: { force_weights: {}, tiers: [{ id: 'low', label: text('Low'), min: 0 }] },
    domains: [{ id: 'd', title: text('D'), description: text('D'), questions: [q, { ...base('plain'), type: 'yes_no_partial', allow_not_applicable: true }] }],
  })
  const [justified, plain] = flagged.domains[0]!.questions as [Question, Question]
  const na: StoredAnswer = { value: null, special: 'not_applicable' }
  t.match(commentProblem(justified, na, undefined), /needs a comment/)
  t.match(commentProblem(justified, na, '  '), /needs a comment/)
  t.equal(commentProblem(justified, na, 'No offensive programme (Defence Act, s. 3).'), null)
  t.equal(commentProblem(justified, { value: 'yes', special: null }, null), null, 'only not_applicable needs it')
  t.equal(commentProblem(justified, { value: null, special: 'unknown' }, null), null, 'unknown does not')
  t.equal(commentProblem(plain, na, null), null, 'questions without the flag do not')
  t.match(describeAllowed(justified), /"not_applicable" only with a comment saying why/)
  t.notMatch(describeAllowed(plain), /comment/)
})
