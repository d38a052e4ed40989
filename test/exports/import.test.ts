// CSV import of answers: all or nothing, every bad row with its line number.
import t from 'tap'
import { ANSWER_COLUMNS } from '../../src/exports/columns.js'
import { build } from '../helpers/build.js'
import { ensureOpenCampaign } from '../helpers/assessments.js'
import { tokenFor } from '../helpers/tokens.js'

const app = await build(t)
const staff = await tokenFor(app, 'staff')
const ken = await tokenFor(app, 'administration', 'KEN')
const nga = await tokenFor(app, 'administration', 'NGA')

async function create(authorization: string, country: string): Promise<string> {
  await ensureOpenCampaign(app, { questionnaire: 'cdc', version: 1, country, cycle: 2026 })
  const res = await app.inject({
    method: 'POST',
    url: '/assessments',
    headers: { authorization },
    payload: { questionnaire: 'cdc', version: 1, country, cycle: 2026 },
  })
  if (res.statusCode !== 201) throw new Error(res.body)
  return res.json().assessment.id
}
const id = await create(ken, 'KEN')

const importCsv = (assessment: string, body: string, authorization = ken) =>
  app.inject({ method: 'POST', url: `/assessments/${assessment}/import`, headers: { authorization, 'content-type': 'text/csv' }, payload: body })
const answersOf = async (assessment: string) => {
  const res = await app.inject({ method: 'GET', url: `/assessments/${assessment}`, headers: { authorization: staff } })
  return new Map(
    (res.json().answers as { questionId: string; value: unknown; special: string | null; comment: string | null; evidence: unknown[] }[]).map((a) => [
      a.questionId,
      a,
    ]),
  )
}

t.test('a good import: types converted, comments and evidence read, extra columns ignored', async (t) => {
  const csv = [
    'question id,value,comment,evidence URLs,extra',
    'cdc.human_rights.restriction_instrument,3,"Constitution, art. 24",https://example.org/a https://example.org/b,ignored',
    'cdc.human_rights.restriction_safeguards,necessity;proportionality,,,',
    'cdc.internet_access.ixp_count,2,,,',
    'cdc.msmes.international_payments,partial,,,',
    'cdc.data.cross_border_transfers,unknown,,,',
    "cdc.human_rights.instrument_citation,'=Loi 2010,'@comment,,",
    '',
  ].join('\r\n')
  const safeguards = (await app.questionnaires.get('cdc', 1))!.questions.get('cdc.human_rights.restriction_safeguards')!
  const optionIds =
    safeguards.type === 'multi_choice'
      ? safeguards.options
          .filter((o) => !o.exclusive)
          .map((o) => o.id)
          .slice(0, 2)
      : []
  const body = csv.replace('necessity;proportionality', optionIds.join(';'))
  const res = await importCsv(id, body)
  t.equal(res.statusCode, 200, res.body)
  t.equal(res.json().imported, 6)
  const answers = await answersOf(id)
  t.match(answers.get('cdc.human_rights.restriction_instrument'), {
    value: 3,
    comment: 'Constitution, art. 24',
    evidence: [{ url: 'https://example.org/a' }, { url: 'https://example.org/b' }],
  })
  t.same(answers.get('cdc.human_rights.restriction_safeguards')!.value, optionIds)
  t.equal(answers.get('cdc.internet_access.ixp_count')!.value, 2)
  t.equal(answers.get('cdc.msmes.international_payments')!.value, 'partial')
  t.match(answers.get('cdc.data.cross_border_transfers'), { value: null, special: 'unknown' })
  t.match(answers.get('cdc.human_rights.instrument_citation'), { value: '=Loi 2010', comment: '@comment' }, "our export's apostrophe is removed")
})

t.test('an import overwrites existing answers without If-Match', async (t) => {
  const res = await importCsv(id, 'question id,value\ncdc.human_rights.restriction_instrument,4\n')
  t.equal(res.statusCode, 200, res.body)
  const answers = await answersOf(id)
  t.equal(answers.get('cdc.human_rights.restriction_instrument')!.value, 4)
  t.equal(answers.get('cdc.human_rights.restriction_instrument')!.comment, 'Constitution, art. 24', 'no comment column: comment kept')
})

t.test('bad rows: every one reported with its line number, nothing changed', async (t) => {
  const before = await answersOf(id)
  const csv = [
    'country code,question id,value', // 1
    'KEN,cdc.human_rights.restriction_instrument,1', // 2: fine on its own
    'KEN,cdc.nope,1', // 3: unknown question
    'KEN,cdc.internet_access.ixp_count,many', // 4: not a number
    'KEN,cdc.data.convention_108_accession,9', // 5: out of range (found by writeAnswers)
    'KEN,cdc.msmes.international_payments,', // 6: empty value
    'KEN,cdc.msmes.international_delivery,maybe', // 7: not yes/no/partial
    'KEN,cdc.human_rights.restriction_instrument,2', // 8: duplicate
  ].join('\n')
  const res = await importCsv(id, csv)
  t.equal(res.statusCode, 422, res.body)
  const paths = (res.json().errors as { path: string }[]).map((e) => e.path)
  t.same(paths, ['/line/3', '/line/4', '/line/5', '/line/6', '/line/7', '/line/8'], 'every bad row at once')
  const after = await answersOf(id)
  t.same(after, before, 'nothing changed')

  // a question that does not apply (found by writeAnswers) is reported by line as well
  const res2 = await importCsv(id, ['question id,value', 'cdc.human_rights.restriction_instrument,1', 'cdc.human_rights.instrument_citation,Loi'].join('\n'))
  t.equal(res2.statusCode, 422)
  t.same(
    (res2.json().errors as { path: string }[]).map((e) => e.path),
    ['/line/3'],
  )
  t.same(await answersOf(id), before, 'still nothing changed')
})

t.test('header and format problems', async (t) => {
  const noValue = await importCsv(id, 'question id,comment\ncdc.human_rights.restriction_instrument,x\n')
  t.equal(noValue.statusCode, 422)
  t.same(noValue.json().errors, [{ path: '/line/1', message: 'column "value" is required' }])
  t.equal((await importCsv(id, 'question id,value\n')).statusCode, 422)
  t.equal((await importCsv(id, '')).statusCode, 422)
  const broken = await importCsv(id, 'question id,value\n"unterminated,1\n')
  t.equal(broken.statusCode, 422)
  t.match(broken.json().errors[0].path, /^\/line\/\d+$/)
  const badUrl = await importCsv(id, 'question id,value,evidence URLs\ncdc.human_rights.restriction_instrument,1,javascript:alert(1)\n')
  t.equal(badUrl.statusCode, 422)
  t.same(
    badUrl.json().errors.map((e: { path: string }) => e.path),
    ['/line/2'],
  )
  const json = await app.inject({
    method: 'POST',
    url: `/assessments/${id}/import`,
    headers: { authorization: ken, 'content-type': 'application/json' },
    payload: '{}',
  })
  t.equal(json.statusCode, 400)
})

t.test('exported answers.csv imports back', async (t) => {
  const header = ANSWER_COLUMNS.join(',')
  const row = [
    'KEN',
    'Kenya',
    'Africa',
    'cdc',
    '1',
    '2026',
    'draft',
    'cdc.human_rights.restriction_instrument',
    'human_rights',
    '§3.1 bullet 1',
    'shall',
    '2',
    '0.5',
    "'-2+3",
    '',
    'false',
    '2026-11-24T10:00:00.000Z',
    'administration',
  ]
  const res = await importCsv(id, `\uFEFF${header}\r\n${row.join(',')}\r\n`)
  t.equal(res.statusCode, 200, res.body)
  t.match((await answersOf(id)).get('cdc.human_rights.restriction_instrument'), { value: 2, comment: '-2+3' })
})

t.test('who may import', async (t) => {
  const body = 'question id,value\ncdc.human_rights.restriction_instrument,1\n'
  t.equal((await importCsv(id, body, nga)).statusCode, 404, 'another country: not found')
  t.equal((await importCsv(id, body, staff)).statusCode, 403, 'staff do not answer')
  t.equal((await importCsv('00000000-0000-4000-8000-000000000000', body)).statusCode, 404)
  t.equal((await app.inject({ method: 'POST', url: `/assessments/${id}/import`, headers: { 'content-type': 'text/csv' }, payload: body })).statusCode, 401)
})

t.test('draft only', async (t) => {
  const other = await create(nga, 'NGA')
  // answer everything with unknown through the import, then submit
  const version = (await app.questionnaires.get('cdc', 1))!
  const rows = version.content.domains.flatMap((d) => d.questions.filter((q) => !q.applies_if).map((q) => `${q.id},unknown`))
  const ok = await importCsv(other, ['question id,value', ...rows].join('\n'), nga)
  t.equal(ok.statusCode, 200, ok.body)
  const submit = await app.inject({ method: 'POST', url: `/assessments/${other}/transitions`, headers: { authorization: nga }, payload: { action: 'submit' } })
  t.equal(submit.statusCode, 200, submit.body)
  t.equal((await importCsv(other, 'question id,value\ncdc.human_rights.restriction_instrument,1\n', nga)).statusCode, 409)
})

t.test("an import obeys the API's own limits, and its error body is capped", async (t) => {
  const q = 'cdc.human_rights.restriction_instrument'
  const before = await answersOf(id)
  const put = (payload: object) =>
    app.inject({ method: 'PUT', url: `/assessments/${id}/answers/${q}`, headers: { authorization: ken, 'if-match': '*' }, payload })

  const longComment = 'x'.repeat(4001)
  t.equal((await put({ value: 2, comment: longComment })).statusCode, 400, 'the API refuses a 4,001-character comment')
  const byCsv = await importCsv(id, `question id,value,comment\r\n${q},2,${longComment}\r\n`)
  t.equal(byCsv.statusCode, 422, 'so does the import')
  t.match(byCsv.json().errors, [{ path: '/line/2', message: /comment .*4000/ }])

  const urls = Array.from({ length: 21 }, (_, i) => `https://example.org/${i}`)
  t.equal((await put({ value: 2, evidence: urls.map((url) => ({ title: url, url })) })).statusCode, 400, 'the API refuses 21 evidence items')
  const tooMany = await importCsv(id, `question id,value,evidence URLs\r\n${q},2,${urls.join(' ')}\r\n`)
  t.equal(tooMany.statusCode, 422, 'so does the import')
  t.match(tooMany.json().errors, [{ path: '/line/2', message: /evidence .*20/ }])
  const longUrl = await importCsv(id, `question id,value,evidence URLs\r\n${q},2,https://example.org/${'a'.repeat(2000)}\r\n`)
  t.equal(longUrl.statusCode, 422, 'and a URL over 2,000 characters')

  const rows = Array.from({ length: 2001 }, (_, i) => `cdc.nothing_${i},1`)
  const long = await importCsv(id, `question id,value\r\n${rows.join('\r\n')}\r\n`)
  t.equal(long.statusCode, 422, 'more than 2,000 rows are refused')
  t.match(long.json(), { detail: /more than 2000 answers/, errors: [{ path: '/line/2002' }] })

  const bad = await importCsv(id, `question id,value\r\n${rows.slice(0, 1500).join('\r\n')}\r\n`)
  t.equal(bad.statusCode, 422)
  const body = bad.json()
  t.equal(body.errors.length, 100, 'the first 100 problems are listed')
  t.equal(body.total, 1500, 'with the total count')
  t.match(body.detail, /1500 row\(s\).*first 100/)
  t.ok(bad.body.length < 20_000, `the error body stays small (${bad.body.length} bytes)`)
  t.same(await answersOf(id), before, 'nothing changed')
})
