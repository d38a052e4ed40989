// Answer values: every bad value is refused (422 naming the question and what is allowed) and
// changes nothing; request-shape problems are 400; applies_if; bulk all-or-nothing; ETags.
import t from 'tap'
import { createAssessment, dbSnapshot, getAssessment, questionnaireVersion } from '../helpers/assessments.js'
import { build } from '../helpers/build.js'
import { tokenFor } from '../helpers/tokens.js'

const MATURITY = 'cdc.data.law_conformity'
const YNP = 'cdc.msmes.international_payments'
const SINGLE = 'cdc.data.cross_border_transfers'
const MULTI = 'cdc.competition.global_rules_development'
const NUMBER = 'cdc.internet_access.ixp_count' // integer, min 0
const TEXT = 'cdc.data.law_citation' // max_length 1000
const CONDITION = 'cdc.human_rights.restriction_instrument'
const CONDITIONAL = 'cdc.human_rights.restriction_safeguards' // applies_if restriction_instrument in [2, 3, 4]

t.test('answer values', async (t) => {
  const app = await build(t)
  const auth = await tokenFor(app, 'administration', 'KEN')
  const a = await createAssessment(app, auth, { questionnaire: 'cdc', version: 1, country: 'KEN', cycle: 2026 })
  const version = await questionnaireVersion(app, 'cdc', 1)
  const multi = version.questions.get(MULTI)!
  const plain = multi.options!.find((o) => !o.exclusive)!.id
  const exclusive = multi.options!.find((o) => o.exclusive)!.id
  t.ok(version.questions.get(CONDITIONAL)!.appliesIf, `${CONDITIONAL} has applies_if`)
  t.equal(version.questions.get(MATURITY)!.allowNotApplicable, false)

  const put = (questionId: string, payload: unknown, headers: Record<string, string> = {}) =>
    app.inject({ method: 'PUT', url: `/assessments/${a.id}/answers/${questionId}`, headers: { authorization: auth, ...headers }, payload: payload as object })

  // [question, value or special, what the message must say, what "allowed" must say]
  const bad: [string, Record<string, unknown>, RegExp, RegExp][] = [
    [MATURITY, { value: 5 }, /out of range/, /maturity level, one of: .*\(0\).*\(4\)/],
    [MATURITY, { value: 2.5 }, /whole maturity level/, /maturity level/],
    [MATURITY, { value: '3' }, /a whole number from 0 to 4.*the text "3"/, /maturity level/],
    [MATURITY, { value: -1 }, /out of range/, /maturity level/],
    [YNP, { value: 'maybe' }, /"yes", "no" or "partial", got the text "maybe"/, /"yes", "no" or "partial"/],
    [YNP, { value: true }, /the boolean true/, /"yes", "no" or "partial"/],
    [SINGLE, { value: 'nonsense' }, /"nonsense" is not an option/, /one option id, one of: "no_rules"/],
    [SINGLE, { value: ['no_rules'] }, /one option id, got a list/, /one option id/],
    [MULTI, { value: [plain, plain] }, new RegExp(`"${plain}" is selected more than once`), /distinct option ids/],
    [MULTI, { value: [plain, exclusive] }, new RegExp(`"${exclusive}" .* cannot be combined`), new RegExp(`"${exclusive}" cannot be combined`)],
    [MULTI, { value: [] }, /at least one option/, /non-empty list/],
    [MULTI, { value: ['nope'] }, /"nope" is not an option/, /distinct option ids/],
    [NUMBER, { value: -1 }, /below the minimum of 0/, /whole number of at least 0/],
    [NUMBER, { value: 2.5 }, /whole number, got 2.5/, /whole number/],
    [NUMBER, { value: '3' }, /whole number, got the text "3"/, /whole number/],
    [TEXT, { value: 'é'.repeat(1001) }, /1001 characters long; the maximum is 1000/, /text of 1 to 1000 characters/],
    [TEXT, { value: '   ' }, /empty/, /text of 1 to 1000/],
    [MATURITY, { special: 'not_applicable' }, /"not_applicable" is not allowed for this question/, /^(?!.*not_applicable).*"unknown"/],
    [MATURITY, { value: 2, special: 'unknown' }, /either a value or a special answer, not both/, /maturity level/],
    [MATURITY, {}, /needs either a value or a special answer/, /maturity level/],
  ]
  for (const [questionId, payload, problem, allowed] of bad) {
    const label = `${questionId} ${JSON.stringify(payload).slice(0, 60)}`
    const before = await dbSnapshot(app)
    const res = await put(questionId, payload)
    t.equal(res.statusCode, 422, `${label}: ${res.body.slice(0, 300)}`)
    const body = res.json()
    t.equal(body.status, 422)
    t.match(res.headers['content-type'], /application\/problem\+json/)
    t.equal(body.errors.length, 1, label)
    t.equal(body.errors[0].path, '/body', label)
    const message: string = body.errors[0].message
    t.ok(message.startsWith(`${questionId}: `), `${label}: names the question`)
    const [said, allows] = message.split('; allowed: ')
    t.match(said, problem, `${label}: says what is wrong`)
    t.match(allows, allowed, `${label}: says what is allowed`)
    t.equal(await dbSnapshot(app), before, `${label}: nothing changed`)
  }

  // Request-shape problems are 400 and also change nothing.
  const shape: [string, Record<string, unknown>, string][] = [
    [MATURITY, { value: 2, evidence: [{ title: 'x', url: 'javascript:alert(1)' }] }, '/body/evidence/0/url'],
    [MATURITY, { value: 2, evidence: [{ title: 'x', url: 'data:text/html,hi' }] }, '/body/evidence/0/url'],
    [MATURITY, { value: 2, comment: 'c'.repeat(4001) }, '/body/comment'],
    [MATURITY, { value: 2, special: 'maybe' }, '/body/special'],
    [MATURITY, { value: 2, extra: true }, '/body'],
  ]
  for (const [questionId, payload, path] of shape) {
    const before = await dbSnapshot(app)
    const res = await put(questionId, payload)
    t.equal(res.statusCode, 400, `${path}: ${res.body.slice(0, 300)}`)
    t.ok(
      res.json().errors.some((e: { path: string }) => e.path.startsWith(path)),
      `${path} is named: ${JSON.stringify(res.json().errors)}`,
    )
    t.equal(await dbSnapshot(app), before)
  }
  // Exactly 4000 characters of comment is fine.
  const okComment = await put(TEXT, { value: 'Law 1', comment: 'c'.repeat(4000), evidence: [{ title: 'Gazette', url: 'https://example.org/g' }] })
  t.equal(okComment.statusCode, 200, okComment.body.slice(0, 300))

  // An unknown question is a 422 naming it.
  const unknown = await put('cdc.nope', { value: 1 })
  t.equal(unknown.statusCode, 422)
  t.match(unknown.json().errors, [{ path: '/body/questionId', message: /cdc.nope is not a question of cdc v1/ }])

  // Valid values of every type are accepted and normalised.
  t.equal((await put(YNP, { value: 'partial' })).statusCode, 200)
  t.equal((await put(SINGLE, { value: 'no_rules' })).statusCode, 200)
  t.equal((await put(MULTI, { value: [exclusive] })).statusCode, 200)
  t.equal((await put(NUMBER, { value: 0 })).statusCode, 200)
  const special = await put(MATURITY, { special: 'unknown' })
  t.equal(special.statusCode, 200, special.body)
  t.match(special.json().answer, { value: null, special: 'unknown' })
  t.equal((await put('cdc.internet_access.d50_transposition', { value: 0 })).statusCode, 200)
})

t.test('applies_if: a conditional question is refused while its condition is not met', async (t) => {
  const app = await build(t)
  const auth = await tokenFor(app, 'administration', 'KEN')
  const a = await createAssessment(app, auth, { questionnaire: 'cdc', version: 1, country: 'KEN', cycle: 2027 })
  const put = (questionId: string, payload: object, headers: Record<string, string> = {}) =>
    app.inject({ method: 'PUT', url: `/assessments/${a.id}/answers/${questionId}`, headers: { authorization: auth, ...headers }, payload })

  // Condition not answered at all.
  let before = await dbSnapshot(app)
  let res = await put(CONDITIONAL, { value: ['necessity'] })
  t.equal(res.statusCode, 422, res.body)
  t.match(res.json().errors, [{ path: '/body', message: `${CONDITIONAL} does not apply: it applies only when ${CONDITION} is 2 or 3 or 4` }])
  t.equal(await dbSnapshot(app), before)

  // Condition answered with a level that does not meet it.
  t.equal((await put(CONDITION, { value: 1 })).statusCode, 200)
  before = await dbSnapshot(app)
  res = await put(CONDITIONAL, { value: ['necessity'] })
  t.equal(res.statusCode, 422, res.body)
  t.equal(await dbSnapshot(app), before)
  t.notOk((await getAssessment(app, auth, a.id)).missingRequired.includes(CONDITIONAL), 'not required while it does not apply')

  // Condition answered "unknown": still does not apply.
  t.equal((await put(CONDITION, { special: 'unknown' }, { 'if-match': '"1"' })).statusCode, 200)
  t.equal((await put(CONDITIONAL, { value: ['necessity'] })).statusCode, 422)

  // In one PATCH, the condition and the conditional question together: accepted.
  const both = await app.inject({
    method: 'PATCH',
    url: `/assessments/${a.id}/answers`,
    headers: { authorization: auth },
    payload: {
      answers: [
        { questionId: CONDITIONAL, value: ['necessity'] },
        { questionId: CONDITION, value: 3, ifMatch: '"2"' },
      ],
    },
  })
  t.equal(both.statusCode, 200, both.body)
  t.ok((await getAssessment(app, auth, a.id)).answers.some((x) => x.questionId === CONDITIONAL))
})

t.test('bulk PATCH is all or nothing', async (t) => {
  const app = await build(t)
  const auth = await tokenFor(app, 'administration', 'KEN')
  const a = await createAssessment(app, auth, { questionnaire: 'cdc', version: 1, country: 'KEN', cycle: 2028 })
  const before = await dbSnapshot(app)
  const res = await app.inject({
    method: 'PATCH',
    url: `/assessments/${a.id}/answers`,
    headers: { authorization: auth },
    payload: {
      answers: [
        { questionId: MATURITY, value: 3 },
        { questionId: YNP, value: 'yes' },
        { questionId: NUMBER, value: 2.5 },
        { questionId: SINGLE, value: 'no_rules' },
        { questionId: YNP, value: 'no' },
      ],
    },
  })
  t.equal(res.statusCode, 422, res.body)
  t.same(
    res.json().errors.map((e: { path: string }) => e.path),
    ['/body/answers/2', '/body/answers/4/questionId'],
    'every bad item, with its path',
  )
  t.match(res.json().errors[0].message, new RegExp(`^${NUMBER}: value must be a whole number`))
  t.match(res.json().errors[1].message, /appears more than once/)
  t.equal(await dbSnapshot(app), before, 'nothing stored')

  // A 400 in one item (bad evidence URL) names its path too.
  const shape = await app.inject({
    method: 'PATCH',
    url: `/assessments/${a.id}/answers`,
    headers: { authorization: auth },
    payload: {
      answers: [
        { questionId: MATURITY, value: 3 },
        { questionId: YNP, value: 'yes', evidence: [{ title: 't', url: 'javascript:alert(1)' }] },
      ],
    },
  })
  t.equal(shape.statusCode, 400)
  t.match(shape.json().errors, [{ path: '/body/answers/1/evidence/0/url' }])
  t.equal(await dbSnapshot(app), before)

  // A stale ifMatch on one item: 412 for the whole request, nothing stored.
  t.equal(
    (await app.inject({ method: 'PUT', url: `/assessments/${a.id}/answers/${YNP}`, headers: { authorization: auth }, payload: { value: 'yes' } })).statusCode,
    200,
  )
  const mid = await dbSnapshot(app)
  const stale = await app.inject({
    method: 'PATCH',
    url: `/assessments/${a.id}/answers`,
    headers: { authorization: auth },
    payload: {
      answers: [
        { questionId: MATURITY, value: 3 },
        { questionId: YNP, value: 'no', ifMatch: '"7"' },
      ],
    },
  })
  t.equal(stale.statusCode, 412, stale.body)
  t.equal(await dbSnapshot(app), mid)

  const good = await app.inject({
    method: 'PATCH',
    url: `/assessments/${a.id}/answers`,
    headers: { authorization: auth },
    payload: {
      answers: [
        { questionId: MATURITY, value: 3 },
        { questionId: YNP, value: 'no', ifMatch: '"1"' },
      ],
    },
  })
  t.equal(good.statusCode, 200, good.body)
  t.equal(good.json().answers.length, 2)
})

t.test('ETag and If-Match on PUT', async (t) => {
  const app = await build(t)
  const auth = await tokenFor(app, 'administration', 'KEN')
  const a = await createAssessment(app, auth, { questionnaire: 'cdc', version: 1, country: 'KEN', cycle: 2029 })
  const url = `/assessments/${a.id}/answers/${MATURITY}`
  const put = (payload: object, headers: Record<string, string> = {}) =>
    app.inject({ method: 'PUT', url, headers: { authorization: auth, ...headers }, payload })

  const first = await put({ value: 1 })
  t.equal(first.statusCode, 200)
  t.equal(first.headers.etag, '"1"')
  t.equal(first.json().answer.etag, '"1"')

  // If-None-Match: * on an existing answer → 412.
  let before = await dbSnapshot(app)
  const none = await put({ value: 2 }, { 'if-none-match': '*' })
  t.equal(none.statusCode, 412, none.body)
  t.equal(await dbSnapshot(app), before)

  // Without If-Match → 428, telling the current ETag.
  const missing = await put({ value: 2 })
  t.equal(missing.statusCode, 428, missing.body)
  t.match(missing.json(), { status: 428, questionId: MATURITY, current: { etag: '"1"' } })
  t.equal(await dbSnapshot(app), before)

  const second = await put({ value: 2 }, { 'if-match': first.headers.etag as string })
  t.equal(second.statusCode, 200, second.body)
  t.equal(second.headers.etag, '"2"')

  // Stale If-Match → 412 with the current answer; nothing changed.
  before = await dbSnapshot(app)
  for (const stale of ['"1"', 'W/"1"', '"99"', 'garbage', '"0"']) {
    const res = await put({ value: 4 }, { 'if-match': stale })
    t.equal(res.statusCode, 412, `${stale}: ${res.body}`)
    t.match(res.json(), { status: 412, current: { revision: 2, etag: '"2"', value: 2 } })
  }
  t.equal(await dbSnapshot(app), before)

  // With the current one → 200; weak form accepted too.
  const third = await put({ value: 3 }, { 'if-match': 'W/"2"' })
  t.equal(third.statusCode, 200, third.body)
  t.equal(third.headers.etag, '"3"')
  const fourth = await put({ value: 4 }, { 'if-match': '"3"' })
  t.equal(fourth.statusCode, 200)
  t.equal(fourth.json().answer.value, 4)
})
