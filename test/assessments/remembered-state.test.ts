// The answer write (and staff aggregates) take the caller's token, and the answer write the assessment, from the process's memory when it
// has them (one statement per write). These tests change the database behind a process's back,
// through a second app on the same database as another server process would, and check that the
// next write through the first process sees the change: a revoked token, a disabled person or
// narrowed memberships are refused and nothing is written; an answer changed elsewhere makes a
// stale If-Match fail and a fresh one succeed with scores equal to a fresh score().
import type { FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import type { StoredAnswer } from '../../src/questionnaires/answers.js'
import { score } from '../../src/scoring/score.js'
import { createAssessment, questionnaireVersion } from '../helpers/assessments.js'
import { build } from '../helpers/build.js'
import { testToken } from '../helpers/tokens.js'

async function setUp(t: Test, country: string) {
  const one = await build(t)
  const two = await build(t)
  const version = (await one.questionnaires.get('cdc', 1))!
  const plain = [...(await questionnaireVersion(one, 'cdc', 1)).questions.values()].filter((q) => q.type === 'maturity' && !q.appliesIf)
  const token = await testToken(one, 'administration', country)
  const a = await createAssessment(one, token.authorization, { questionnaire: 'cdc', version: 1, country, cycle: 2026 })
  const put = (app: FastifyInstance, question: string, value: number, ifMatch = '*', auth = token.authorization) =>
    app.inject({ method: 'PUT', url: `/assessments/${a.id}/answers/${question}`, headers: { authorization: auth, 'if-match': ifMatch }, payload: { value } })
  return { one, two, version, plain, token, id: a.id as string, put }
}

async function stored(app: FastifyInstance, id: string) {
  const assessment = await app.db.selectFrom('assessments').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
  const answers = await app.db.selectFrom('answers').selectAll().where('assessment_id', '=', id).orderBy('question_id').execute()
  const history = await app.db
    .selectFrom('answer_history')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('assessment_id', '=', id)
    .executeTakeFirstOrThrow()
  return { revision: assessment.revision, overall: assessment.overall_score, answers: answers.map((r) => [r.question_id, r.value]), history: Number(history.n) }
}

t.test('a token revoked, or a person disabled, in another process is refused on the next write; nothing is written', async (t) => {
  for (const [change, country] of [
    ['revoke', 'KEN'],
    ['disable', 'GHA'],
  ] as const) {
    const { one, two, plain, token, id, put } = await setUp(t, country)
    t.equal((await put(one, plain[0]!.id, 2)).statusCode, 200, 'the token is checked and remembered')
    t.equal((await put(one, plain[0]!.id, 3)).statusCode, 200, 'a write from memory')
    if (change === 'revoke') await two.db.updateTable('tokens').set({ revoked_at: new Date() }).where('id', '=', token.principal.tokenId!).execute()
    else await two.db.updateTable('persons').set({ status: 'disabled' }).where('id', '=', token.principal.personId).execute()
    const before = await stored(two, id)
    const res = await put(one, plain[0]!.id, 4)
    t.equal(res.statusCode, 401, `${change}: refused by the process that remembered the token`)
    t.match(res.headers['www-authenticate'], /invalid_token/)
    t.same(await stored(two, id), before, `${change}: nothing written`)
    t.equal((await put(one, plain[1]!.id, 1)).statusCode, 401, `${change}: and on every write after it`)
  }
})

t.test('memberships narrowed in another process apply to the next write', async (t) => {
  const { one, two, version, plain, token, id, put } = await setUp(t, 'PER')
  t.equal((await put(one, plain[0]!.id, 2)).statusCode, 200)
  const own = version.domainOf.get(plain[0]!.id)!
  const other = plain.find((q) => version.domainOf.get(q.id) !== own)!
  // The focal point becomes a contributor for one domain only.
  await two.db.deleteFrom('memberships').where('person_id', '=', token.principal.personId).execute()
  await two.db
    .insertInto('memberships')
    .values({ person_id: token.principal.personId, role: 'contributor', country: 'PER', questionnaire: 'cdc', domains: [own] })
    .execute()
  const before = await stored(two, id)
  const res = await put(one, other.id, 1)
  t.equal(res.statusCode, 403, res.body)
  t.match(res.json().detail, new RegExp(`${other.id} is in the domain`))
  t.same(await stored(two, id), before, 'nothing written')
  t.equal((await put(one, plain[0]!.id, 4)).statusCode, 200, 'its own domain still')
})

t.test('an answer changed by another process: a stale If-Match fails, a fresh one succeeds, scores stay exact', async (t) => {
  const { one, two, version, plain, id, put } = await setUp(t, 'NGA')
  const first = await put(one, plain[0]!.id, 1)
  t.equal(first.statusCode, 200)
  t.equal((await put(one, plain[1]!.id, 1)).statusCode, 200, 'the assessment is now remembered by one')
  const elsewhere = await put(two, plain[0]!.id, 4, first.headers.etag as string)
  t.equal(elsewhere.statusCode, 200, 'changed through the other process')
  const stale = await put(one, plain[0]!.id, 2, first.headers.etag as string)
  t.equal(stale.statusCode, 412, 'the remembered revision does not hide the change')
  t.equal(stale.json().current.value, 4)
  const fresh = await put(one, plain[0]!.id, 3, elsewhere.headers.etag as string)
  t.equal(fresh.statusCode, 200, fresh.body)
  // Another answer through two, then one writes again: its figures include two's answer.
  t.equal((await put(two, plain[2]!.id, 4)).statusCode, 200)
  const last = await put(one, plain[3]!.id, 0)
  t.equal(last.statusCode, 200)
  const rows = await one.db.selectFrom('answers').selectAll().where('assessment_id', '=', id).execute()
  const expected = score(version.content, new Map(rows.map((r) => [r.question_id, { value: r.value, special: r.special } as StoredAnswer])))
  const assessment = await one.db.selectFrom('assessments').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
  t.equal(assessment.overall_score, expected.overall.score, 'overall score equals a fresh score()')
  t.equal(assessment.answered, expected.overall.counts.answered)
  t.same(new Map(rows.map((r) => [r.question_id, r.value])).get(plain[0]!.id), 3)
  t.equal(last.json().assessment.revision, assessment.revision)
})

t.test('staff aggregates: a remembered token revoked or narrowed in another process is refused on the next read', async (t) => {
  const one = await build(t)
  const two = await build(t)
  const staff = await testToken(one, 'staff')
  const read = () => one.inject({ method: 'GET', url: '/readiness?questionnaire=cdc', headers: { authorization: staff.authorization } })
  t.equal((await read()).statusCode, 200, 'checked and remembered')
  t.equal((await read()).statusCode, 200, 'from memory')
  // Staff no more: the person now administers Kenya's answers only.
  await two.db.deleteFrom('memberships').where('person_id', '=', staff.principal.personId).execute()
  await two.db
    .insertInto('memberships')
    .values({ person_id: staff.principal.personId, role: 'focal_point', country: 'KEN', questionnaire: null, domains: null })
    .execute()
  t.equal((await read()).statusCode, 401, 'a staff token whose person lost staff rights')
  const other = await testToken(one, 'staff')
  const again = () => one.inject({ method: 'GET', url: '/readiness?questionnaire=cdc', headers: { authorization: other.authorization } })
  t.equal((await again()).statusCode, 200)
  await two.db.updateTable('tokens').set({ revoked_at: new Date() }).where('id', '=', other.principal.tokenId!).execute()
  const res = await again()
  t.equal(res.statusCode, 401, 'revoked elsewhere')
  t.match(res.headers['www-authenticate'], /invalid_token/)
})

t.test("another country's administration cannot write through an assessment this process remembers", async (t) => {
  const { one, two, plain, id, put } = await setUp(t, 'SEN')
  t.equal((await put(one, plain[0]!.id, 2)).statusCode, 200, 'Senegal writes: the process remembers its assessment')
  const other = await testToken(one, 'administration', 'MLI')
  t.equal((await put(one, plain[1]!.id, 1, '*', other.authorization)).statusCode, 404, 'Mali gets a 404')
  t.equal((await put(one, plain[1]!.id, 1, '*', other.authorization)).statusCode, 404, 'also with its own token remembered')
  const before = await stored(two, id)
  t.equal(before.answers.length, 1, "only Senegal's answer is stored")
})
