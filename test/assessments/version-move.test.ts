// Moving an assessment from cdc v1 to v2: the plan (pure, on the real files) and the API end to
// end on a fully answered v1 draft; and v2's rule that "not_applicable" needs a justification.
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { planMove, type MovingAnswer } from '../../src/assessments/version-move.js'
import { applicability } from '../../src/questionnaires/answers.js'
import { parseQuestionnaire } from '../../src/questionnaires/catalog.js'
import { questionsOf, type Question, type QuestionnaireFile } from '../../src/questionnaires/schema.js'
import { answerAll, createAssessment, dbSnapshot, getAssessment } from '../helpers/assessments.js'
import { build } from '../helpers/build.js'
import { tokenFor } from '../helpers/tokens.js'

const dir = fileURLToPath(new URL('../../questionnaires/', import.meta.url))
async function load(name: string): Promise<QuestionnaireFile> {
  const result = parseQuestionnaire(await readFile(path.join(dir, name), 'utf8'), name)
  if (!result.ok) throw new Error(`${name} is invalid`)
  return result.questionnaire.content
}
const v1 = await load('cdc.v1.yaml')
const v2 = await load('cdc.v2.yaml')

const C108 = [
  'legitimate_processing',
  'data_quality',
  'special_categories',
  'data_security',
  'transparency',
  'data_subject_rights',
  'accountability',
  'supervisory_authority',
].map((e) => `cdc.data.c108_${e}`)
/** What v2 adds, in file order. */
const NEW_IN_V2 = [
  ...C108,
  'cdc.competition.global_rules_contribution',
  'cdc.taxation.local_presence_capacity',
  'cdc.taxation.customs_duties_capacity',
  'cdc.taxation.customs_duties_use',
  'cdc.msmes.payments_receiving',
  'cdc.msmes.payments_paying',
  'cdc.access_to_technology.source_code_capacity',
  'cdc.consumer_protection.number_misuse_prohibition',
  'cdc.consumer_protection.e156_reports',
]
/** v1 questions split in v2, with the questions that replace them. */
const SPLIT = {
  'cdc.data.law_conformity': C108,
  'cdc.taxation.customs_duties_data_flows': ['cdc.taxation.customs_duties_capacity', 'cdc.taxation.customs_duties_use'],
  'cdc.msmes.international_payments': ['cdc.msmes.payments_receiving', 'cdc.msmes.payments_paying'],
  'cdc.consumer_protection.number_misuse_law': ['cdc.consumer_protection.number_misuse_prohibition', 'cdc.consumer_protection.e156_reports'],
}

/** The fullest answer to every question of v1: top levels, every option, all conditions met. */
function fullAnswer(q: Question): MovingAnswer {
  const value = (() => {
    switch (q.type) {
      case 'maturity':
        return 4
      case 'yes_no_partial':
        return 'yes'
      case 'single_choice':
        return q.options.at(-1)!.id
      case 'multi_choice':
        return q.options.filter((o) => !o.exclusive).map((o) => o.id)
      case 'number':
        return 3
      case 'text':
        return 'Act No. 12 of 2024, s. 4'
    }
  })()
  return { value, special: null, comment: null }
}

function fullyAnsweredV1(): Map<string, MovingAnswer> {
  const answers = new Map(questionsOf(v1).map(({ question: q }) => [q.id, fullAnswer(q)]))
  // Two declared not applicable: one with the reason in a comment, one without.
  answers.set('cdc.security.cyber_capability_custody', {
    value: null,
    special: 'not_applicable',
    comment: 'No cyber capabilities are held: Defence White Paper 2023, s. 7.',
  })
  answers.set('cdc.security.offensive_operations_limits', { value: null, special: 'not_applicable', comment: null })
  const applies = applicability(v1, answers)
  t.ok([...applies.values()].every(Boolean), 'every v1 question applies')
  return answers
}

t.test('the v1 → v2 plan of a fully answered v1 assessment lists exactly what to redo', async (t) => {
  const answers = fullyAnsweredV1()
  const plan = planMove(v1, v2, answers)

  const redo = new Map(plan.redo.map((r) => [r.questionId, r]))
  t.same([...redo.keys()].sort(), [...Object.keys(SPLIT), 'cdc.competition.global_rules_development', 'cdc.security.offensive_operations_limits'].sort())
  for (const [id, by] of Object.entries(SPLIT)) {
    t.equal(redo.get(id)?.kind, 'replaced', `${id} was split`)
    t.same(redo.get(id)?.replacedBy, by, `${id} is replaced by ${by.length} questions`)
    t.match(redo.get(id)?.reason, by[0]!, 'the reason names the replacements')
  }
  // Membership of ICN/OECD is kept as context, but "tabled proposals" moved to a scored question.
  t.equal(redo.get('cdc.competition.global_rules_development')?.kind, 'invalid')
  t.match(redo.get('cdc.competition.global_rules_development')?.reason, /"proposals" is not an option/)
  t.same(redo.get('cdc.competition.global_rules_development')?.replacedBy, ['cdc.competition.global_rules_contribution'])
  // Not applicable now needs a justification: the one without a comment is to be redone.
  t.equal(redo.get('cdc.security.offensive_operations_limits')?.kind, 'invalid')
  t.match(redo.get('cdc.security.offensive_operations_limits')?.reason, /needs a comment/)

  t.equal(plan.kept.length + plan.redo.length, answers.size, 'every answer is either kept or listed')
  for (const id of [
    'cdc.taxation.local_presence',
    'cdc.internet_access.ixp_count',
    'cdc.access_to_technology.source_code_access',
    'cdc.security.cyber_capability_custody',
    'cdc.artificial_intelligence.treaty',
    'cdc.security.vulnerability_policy',
  ]) {
    t.ok(plan.kept.includes(id), `${id} carries over (now unscored, endeavour or justified)`)
  }
  t.same(
    plan.newQuestions.map((q) => q.questionId),
    NEW_IN_V2,
    'the new questions, in file order',
  )
  t.same(plan.newQuestions.find((q) => q.questionId === 'cdc.taxation.local_presence_capacity')?.replaces, ['cdc.taxation.local_presence'])
  t.equal(plan.newQuestions.find((q) => q.questionId === 'cdc.taxation.customs_duties_use')?.required, false, 'unscored facts are optional')
})

t.test('a reworded question or a relabelled option is not carried silently', async (t) => {
  const reworded = structuredClone(v2)
  const q = reworded.domains[0]!.questions[0]!
  q.text = { en: `${q.text.en} (reworded)` }
  const option = reworded.domains.flatMap((d) => d.questions).find((x) => x.id === 'cdc.security.national_cirt')!
  if (option.type !== 'single_choice') throw new Error('national_cirt is a single choice')
  option.options[0]!.label = { en: 'Not yet' }
  const answers = new Map<string, MovingAnswer>([
    [q.id, { value: 2, special: null, comment: null }],
    ['cdc.security.national_cirt', { value: 'none', special: null, comment: null }],
    ['cdc.security.national_strategy', { value: 1, special: null, comment: null }],
  ])
  const plan = planMove(v2, reworded, answers)
  t.same(plan.kept, ['cdc.security.national_strategy'])
  t.same(
    plan.redo.map((r) => [r.questionId, r.kind]),
    [
      [q.id, 'meaning_changed'],
      ['cdc.security.national_cirt', 'meaning_changed'],
    ],
  )
  t.same(plan.newQuestions, [], 'same questions: nothing new')
})

t.test('API: a fully answered v1 draft moves to v2 with the redo list; v2 refuses an unjustified not_applicable', async (t) => {
  const app = await build(t)
  const admin = await tokenFor(app, 'administration', 'KEN')
  const a = await createAssessment(app, admin, { questionnaire: 'cdc', version: 1, country: 'KEN', cycle: 2026 })
  const extra = await app.inject({
    method: 'PATCH',
    url: `/assessments/${a.id}/answers`,
    headers: { authorization: admin },
    payload: {
      answers: [
        { questionId: 'cdc.competition.global_rules_development', value: ['icn_oecd', 'proposals'] },
        { questionId: 'cdc.security.offensive_operations_limits', special: 'not_applicable' },
        { questionId: 'cdc.security.cyber_capability_custody', special: 'not_applicable', comment: 'No capabilities held (Defence White Paper 2023, s. 7).' },
      ],
    },
  })
  t.equal(extra.statusCode, 200, `v1 accepts not_applicable without a comment: ${extra.body}`)
  await answerAll(app, admin, a.id)
  const before = await getAssessment(app, admin, a.id)
  t.same(before.missingRequired, [], 'v1 fully answered')

  const moved = await app.inject({ method: 'POST', url: `/assessments/${a.id}/version`, headers: { authorization: admin }, payload: { version: 2 } })
  t.equal(moved.statusCode, 200, moved.body)
  const body = moved.json()
  t.equal(body.assessment.version, 2)
  const redo = new Map<string, { kind: string; replacedBy: string[]; previous: { value: unknown; special: string | null } }>(
    body.redo.map((r: { questionId: string }) => [r.questionId, r]),
  )
  t.same([...redo.keys()].sort(), [...Object.keys(SPLIT), 'cdc.competition.global_rules_development', 'cdc.security.offensive_operations_limits'].sort())
  t.same(redo.get('cdc.data.law_conformity')?.replacedBy, C108)
  t.same(redo.get('cdc.data.law_conformity')?.previous.value, 3, 'the previous answer comes back to copy from')
  t.same(redo.get('cdc.security.offensive_operations_limits')?.previous.special, 'not_applicable')
  t.equal(body.kept.length, before.answers.length - redo.size, 'every other answer is kept')
  t.same(
    body.newQuestions.map((q: { questionId: string }) => q.questionId),
    NEW_IN_V2,
  )

  const after = await getAssessment(app, admin, a.id)
  t.equal(after.version, 2)
  const ids = new Set(after.answers.map((x) => x.questionId))
  for (const id of redo.keys()) t.notOk(ids.has(id), `${id} was removed`)
  t.ok(ids.has('cdc.security.cyber_capability_custody'), 'the justified not_applicable carried over')
  const required = NEW_IN_V2.filter((id) => v2.domains.flatMap((d) => d.questions).find((q) => q.id === id)!.required)
  t.same(after.missingRequired.filter((id) => NEW_IN_V2.includes(id)).sort(), required.sort(), 'submission asks for the new required questions')
  const history = await app.inject({ url: `/assessments/${a.id}/answers/cdc.data.law_conformity/history`, headers: { authorization: admin } })
  t.equal(history.statusCode, 200)
  t.match(JSON.stringify(history.json()), /moved to version 2: the question was replaced by cdc\.data\.c108_legitimate_processing/)

  // The justification rule on v2: refused without a comment, naming the field; nothing changes.
  const Q = 'cdc.security.offensive_operations_limits'
  const question = await app.inject({ url: `/questionnaires/cdc/versions/2/questions/${Q}` })
  t.equal(question.json().notApplicableRequiresComment, true, 'the question shows the rule')
  const snapshot = await dbSnapshot(app)
  for (const comment of [undefined, '   ']) {
    const refused = await app.inject({
      method: 'PUT',
      url: `/assessments/${a.id}/answers/${Q}`,
      headers: { authorization: admin },
      payload: { special: 'not_applicable', ...(comment === undefined ? {} : { comment }) },
    })
    t.equal(refused.statusCode, 422, refused.body)
    t.equal(refused.headers['content-type'], 'application/problem+json; charset=utf-8')
    t.same(
      refused.json().errors.map((e: { path: string }) => e.path),
      ['/body/comment'],
    )
    t.match(refused.json().errors[0].message, /needs a comment/)
  }
  t.equal(await dbSnapshot(app), snapshot, 'nothing changed')
  const justified = await app.inject({
    method: 'PUT',
    url: `/assessments/${a.id}/answers/${Q}`,
    headers: { authorization: admin },
    payload: { special: 'not_applicable', comment: 'No offensive cyber operations: National Defence Act 2019, s. 12.' },
  })
  t.equal(justified.statusCode, 200, justified.body)
  // Re-saving without sending a comment keeps the stored one, which still justifies it.
  const again = await app.inject({
    method: 'PUT',
    url: `/assessments/${a.id}/answers/${Q}`,
    headers: { authorization: admin, 'if-match': justified.headers.etag as string },
    payload: { special: 'not_applicable' },
  })
  t.equal(again.statusCode, 200, again.body)
  // Another v2 question that allows not_applicable without the rule is unaffected.
  const plain = await app.inject({
    method: 'PUT',
    url: `/assessments/${a.id}/answers/cdc.msmes.platform_own_supply`,
    headers: { authorization: admin, 'if-match': `"${after.answers.find((x) => x.questionId === 'cdc.msmes.platform_own_supply')?.revision}"` },
    payload: { special: 'not_applicable' },
  })
  t.equal(plain.statusCode, 200, plain.body)
})
