// CSV exports parsed back with csv-parse and compared cell by cell.
import { parse } from 'csv-parse/sync'
import t from 'tap'
import { ANSWER_COLUMNS, readinessColumns } from '../../src/exports/columns.js'
import { build } from '../helpers/build.js'
import { answersFor, seedAssessment } from '../helpers/readiness-seed.js'
import { tokenFor } from '../helpers/tokens.js'

const app = await build(t)
const staff = await tokenFor(app, 'staff')
// CIV: every domain 100, comment "=HYPERLINK(…)" on its first answer, evidence on its second
const civ = await seedAssessment(app, staff, 'CIV', { fallback: 'max', status: 'draft', comment: '=HYPERLINK("http://evil")' })
const firstTwo = await answersFor(app, {}, 'max')
const withEvidence = await app.inject({
  method: 'PATCH',
  url: `/assessments/${civ.id}/answers`,
  headers: { authorization: civ.admin },
  payload: {
    answers: [
      {
        ...firstTwo[1],
        ifMatch: '*',
        comment: 'a, "quoted"\nsecond line',
        evidence: [
          { title: 'Law', url: 'https://example.org/law?a=1' },
          { title: 'Decree', url: 'https://example.org/decree' },
        ],
      },
    ],
  },
})
if (withEvidence.statusCode !== 200) throw new Error(withEvidence.body)
const submitted = await app.inject({
  method: 'POST',
  url: `/assessments/${civ.id}/transitions`,
  headers: { authorization: civ.admin },
  payload: { action: 'submit' },
})
if (submitted.statusCode !== 200) throw new Error(submitted.body)
await seedAssessment(app, staff, 'TUR', { fallback: 'zero', plan: { human_rights: 'max' }, status: 'validated', comment: '@SUM(1)' })
await seedAssessment(app, staff, 'KEN', { fallback: 'zero', comment: '-2+3' })
await seedAssessment(app, staff, 'NGA', { fallback: 'max', status: 'draft' })

const version = (await app.questionnaires.get('cdc', 1))!
const domains = version.content.domains.map((d) => d.id)
const questionIds = version.content.domains.flatMap((d) => d.questions.map((q) => q.id))

const get = (url: string, authorization = staff) => app.inject({ method: 'GET', url, headers: { authorization } })
const rowsOf = (body: string) => parse(body, { bom: true }) as string[][]

t.test('readiness.csv: header, one row per published assessment, cell by cell', async (t) => {
  const res = await get('/exports/readiness.csv?questionnaire=cdc&version=1&cycle=2026')
  t.equal(res.statusCode, 200, res.body)
  t.equal(res.headers['content-type'], 'text/csv; charset=utf-8')
  t.equal(res.headers['content-disposition'], 'attachment; filename="readiness-cdc-v1-2026.csv"')
  const [header, ...rows] = rowsOf(res.body)
  t.same(header, readinessColumns(domains))
  t.equal(rows.length, 3, 'the NGA draft is left out')
  const hundred = domains.map(() => '100')
  const turDomains = domains.map((d) => (d === 'human_rights' ? '100' : '0'))
  const turOverall = '9.09' // 100 / 11, rounded to 2 decimals
  // ordered by cycle, then country name
  t.same(rows[0], ['CIV', "Côte d'Ivoire", 'Africa', 'cdc', '1', '2026', 'submitted', ...hundred, '100', '1', 'advanced'])
  t.same(rows[1], ['KEN', 'Kenya', 'Africa', 'cdc', '1', '2026', 'submitted', ...domains.map(() => '0'), '0', '1', 'initial'])
  t.same(rows[2], ['TUR', 'Türkiye', 'Europe', 'cdc', '1', '2026', 'validated', ...turDomains, turOverall, '1', 'initial'])
})

t.test('readiness.csv needs a questionnaire; filters apply', async (t) => {
  const res = await get('/exports/readiness.csv')
  t.equal(res.statusCode, 400)
  t.equal(res.json().errors[0].path, '/querystring/questionnaire')
  t.equal((await get('/exports/readiness.csv?questionnaire=nope')).statusCode, 404)

  const europe = rowsOf((await get('/exports/readiness.csv?questionnaire=cdc&version=1&region=Europe')).body)
  t.same(
    europe.slice(1).map((r) => r[0]),
    ['TUR'],
  )
  const ken = rowsOf((await get('/exports/readiness.csv?questionnaire=cdc&version=1&country=ken')).body)
  t.same(
    ken.slice(1).map((r) => r[0]),
    ['KEN'],
  )
  const drafts = rowsOf((await get('/exports/readiness.csv?questionnaire=cdc&version=1&status=draft')).body)
  t.same(
    drafts.slice(1).map((r) => r[0]),
    ['NGA'],
  )
  const none = rowsOf((await get('/exports/readiness.csv?questionnaire=cdc&version=1&cycle=2030')).body)
  t.equal(none.length, 1, 'header only')
  t.equal((await get('/exports/readiness.csv?questionnaire=cdc&version=1&country=K%27EN')).statusCode, 400)
  t.equal((await get("/exports/readiness.csv?questionnaire=cdc'--")).statusCode, 400)
  t.equal((await get('/exports/readiness.csv?questionnaire=cdc&version=1&status=draft;drop')).statusCode, 400)
})

t.test('answers.csv: long format, cell by cell', async (t) => {
  const res = await get('/exports/answers.csv?questionnaire=cdc&version=1&cycle=2026&country=CIV')
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-disposition'], 'attachment; filename="answers-cdc-v1-2026-civ.csv"')
  const [header, ...rows] = rowsOf(res.body)
  t.same(header, [...ANSWER_COLUMNS])
  const expected = await answersFor(app, {}, 'max')
  t.equal(rows.length, expected.length)
  t.same(
    rows.map((r) => r[7]),
    questionIds.filter((id) => expected.some((e) => e.questionId === id)),
    'questionnaire order',
  )
  const col = (name: string) => ANSWER_COLUMNS.indexOf(name as (typeof ANSWER_COLUMNS)[number])
  const first = rows[0]!
  const q0 = version.questions.get(first[7]!)!
  t.same(first.slice(0, 7), ['CIV', "Côte d'Ivoire", 'Africa', 'cdc', '1', '2026', 'submitted'])
  t.equal(first[col('domain')], 'human_rights')
  t.equal(first[col('source reference')], q0.source.ref)
  t.equal(first[col('force')], q0.force)
  t.equal(first[col('value')], '4')
  t.equal(first[col('score')], '1')
  t.equal(first[col('comment')], `'=HYPERLINK("http://evil")`, 'formula neutralised')
  t.equal(first[col('evidence URLs')], '')
  t.equal(first[col('carried forward')], 'false')
  t.match(first[col('last changed at')], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
  t.equal(first[col('last changed by role')], 'administration')
  const second = rows[1]!
  t.equal(second[col('comment')], 'a, "quoted"\nsecond line')
  t.equal(second[col('evidence URLs')], 'https://example.org/law?a=1 https://example.org/decree')
  // a multi-choice answer: option ids joined by ;
  const multi = rows.find((r) => version.questions.get(r[7]!)!.type === 'multi_choice' && r[col('value')]!.includes(';'))
  t.ok(multi, 'a multi-choice answer with several options')
  const mq = version.questions.get(multi![7]!)!
  t.same(multi![col('value')]!.split(';'), expected.find((e) => e.questionId === mq.id)!.value as string[])
})

t.test('answers.csv: specials, other neutralisations, unicode', async (t) => {
  const res = await get('/exports/answers.csv?questionnaire=cdc&version=1&cycle=2026')
  const [, ...rows] = rowsOf(res.body)
  const col = (name: string) => ANSWER_COLUMNS.indexOf(name as (typeof ANSWER_COLUMNS)[number])
  t.same([...new Set(rows.map((r) => r[0]))], ['CIV', 'KEN', 'TUR'])
  const tur = rows.filter((r) => r[0] === 'TUR')
  t.equal(tur[0]![1], 'Türkiye')
  t.equal(tur[0]![col('comment')], "'@SUM(1)")
  t.equal(tur.find((r) => r[col('domain')] === 'data')![col('value')], 'unknown')
  t.equal(tur.find((r) => r[col('domain')] === 'data')![col('score')], '0')
  t.equal(rows.find((r) => r[0] === 'KEN')![col('comment')], "'-2+3")
  t.equal(
    rowsOf((await get('/exports/answers.csv?status=draft')).body)
      .slice(1)
      .every((r) => r[0] === 'NGA'),
    true,
  )
})

t.test('?bom=1 prepends a UTF-8 BOM; bytes are UTF-8', async (t) => {
  const plain = await get('/exports/readiness.csv?questionnaire=cdc&version=1')
  t.not(plain.rawPayload.subarray(0, 3).toString('hex'), 'efbbbf')
  const bom = await get('/exports/readiness.csv?questionnaire=cdc&version=1&bom=1')
  t.equal(bom.rawPayload.subarray(0, 3).toString('hex'), 'efbbbf')
  t.ok(bom.rawPayload.includes(Buffer.from("Côte d'Ivoire", 'utf8')))
  t.ok(bom.rawPayload.includes(Buffer.from('Türkiye', 'utf8')))
})

t.test('staff only', async (t) => {
  t.equal((await get('/exports/readiness.csv?questionnaire=cdc&version=1', civ.admin)).statusCode, 403)
  t.equal((await get('/exports/answers.csv', civ.admin)).statusCode, 403)
  t.equal((await app.inject({ method: 'GET', url: '/exports/answers.csv' })).statusCode, 401)
})

t.test('connections are released: many exports in a row do not exhaust the pool', async (t) => {
  for (let i = 0; i < 25; i++) t.equal((await get('/exports/answers.csv?questionnaire=cdc&version=1')).statusCode, 200)
  t.equal(app.pg.pool.waitingCount, 0)
})
