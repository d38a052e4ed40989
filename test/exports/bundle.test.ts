// The analysts' files against a real database: readiness-long.csv, answers.csv's new columns, the
// codebook, package.zip (validated against the Frictionless schema, every row against its table
// schema) and data.xlsx read back cell by cell; rounding, BOM, campaigns and who may download.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import AjvModule from 'ajv-draft-04'
import formatsModule from 'ajv-formats'
import { parse } from 'csv-parse/sync'
import ExcelJS from 'exceljs'
import JSZip from 'jszip'
import t, { type Test } from 'tap'
import { typedCell } from '../../src/exports/bundle.js'
import { CODEBOOK_COLUMNS } from '../../src/exports/codebook.js'
import { ANSWER_COLUMNS } from '../../src/exports/columns.js'
import { answerFields, CODEBOOK_FIELDS, type Field, READINESS_LONG_FIELDS } from '../../src/exports/tables.js'
import { build } from '../helpers/build.js'
import { ROOT } from '../helpers/database.js'
import { answersFor, seedAssessment } from '../helpers/readiness-seed.js'
import { validateRow } from '../helpers/table-schema.js'
import { tokenFor } from '../helpers/tokens.js'

const Ajv = AjvModule.default
const addFormats = formatsModule.default

const app = await build(t)
const staff = await tokenFor(app, 'staff')
const get = (url: string, authorization = staff) => app.inject({ method: 'GET', url, headers: { authorization } })
const rowsOf = (body: string) => parse(body, { bom: true }) as string[][]
const ok = <R extends { statusCode: number; body: string }>(res: R, what: string): R => {
  if (res.statusCode >= 300) throw new Error(`${what}: ${res.statusCode} ${res.body}`)
  return res
}

// CIV: every best answer, "=1+1" as a comment; then the instrument its dependent questions need is
// taken back (they stay stored, no longer counted), one answer is revised after a review comment
// and another questioned; submitted.
const civ = await seedAssessment(app, staff, 'CIV', { fallback: 'max', status: 'draft', comment: '=1+1' })
const best = await answersFor(app, {}, 'max')
const version = (await app.questionnaires.get('cdc', 1))!
const conditional = version.content.domains.flatMap((d) => d.questions).find((q) => q.applies_if && best.some((b) => b.questionId === q.id))!
const gate = conditional.applies_if!.question
// revised: a maturity question of the security domain (25 questions) set to level 1, so that the
// domain's score is a fraction
const revisedId = version.content.domains
  .find((d) => d.id === 'security')!
  .questions.find((q) => q.type === 'maturity' && !q.applies_if && best.some((b) => b.questionId === q.id))!.id
const questionedId = best
  .map((b) => b.questionId)
  .find((id) => id !== gate && id !== revisedId && !version.questions.get(id)!.applies_if && id !== best[0]!.questionId)
const comment = async (questionId: string) =>
  ok(
    await app.inject({
      method: 'POST',
      url: `/assessments/${civ.id}/comments`,
      headers: { authorization: staff },
      payload: { questionId, body: 'Which law is this?' },
    }),
    'comment',
  )
const patch = async (answers: object[]) =>
  ok(await app.inject({ method: 'PATCH', url: `/assessments/${civ.id}/answers`, headers: { authorization: civ.admin }, payload: { answers } }), 'patch')
await comment(revisedId!)
await patch([
  { questionId: gate, value: 1, ifMatch: '*' },
  { questionId: revisedId, value: 1, comment: 'Law 2026-4, art. 2', ifMatch: '*' },
])
await comment(questionedId!)
ok(
  await app.inject({ method: 'POST', url: `/assessments/${civ.id}/transitions`, headers: { authorization: civ.admin }, payload: { action: 'submit' } }),
  'submit',
)
const tur = await seedAssessment(app, staff, 'TUR', { fallback: 'zero', plan: { human_rights: 'max' }, status: 'validated' })
const ken = await seedAssessment(app, staff, 'KEN', { fallback: 'zero' })
await seedAssessment(app, staff, 'NGA', { fallback: 'max', status: 'draft' })

// The seeded assessments started in the cycle's open campaign; all but KEN's stand here for
// assessments made before campaigns existed, so the campaign filter must pick KEN's alone.
const campaign = await app.db.selectFrom('campaigns').select('id').where('questionnaire', '=', 'cdc').where('cycle', '=', 2026).executeTakeFirstOrThrow()
await app.db.updateTable('assessments').set({ campaign_id: null }).where('id', '!=', ken.id).execute()
await app.db.updateTable('assessments').set({ campaign_id: campaign.id }).where('id', '=', ken.id).execute()

const domains = version.content.domains.map((d) => d.id)
const frictionless = (() => {
  const ajv = new Ajv({ allErrors: true, strict: false })
  addFormats(ajv)
  return ajv.compile(JSON.parse(readFileSync(path.join(ROOT, 'test/fixtures/frictionless/tabular-data-package.json'), 'utf8')))
})()

t.test('readiness-long.csv: one valid row per published assessment and domain, with who and when, medians as the API gives them', async (t) => {
  const res = await get('/exports/readiness-long.csv?questionnaire=cdc&version=1&cycle=2026')
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-disposition'], 'attachment; filename="readiness-long-cdc-v1-2026.csv"')
  const [header, ...rows] = rowsOf(res.body)
  t.same(
    header,
    READINESS_LONG_FIELDS.map((f) => f.name),
    'the columns',
  )
  t.equal(rows.length, 3 * domains.length, 'CIV, KEN, TUR × every domain; the NGA draft left out')
  for (const row of rows) t.same(validateRow(READINESS_LONG_FIELDS, row), [], `${row[1]} ${row[12]}`)
  const col = (name: string) => header!.indexOf(name)
  const civRows = rows.filter((r) => r[col('assessment id')] === civ.id)
  t.same(
    civRows.map((r) => r[col('domain')]),
    domains,
    'domains in questionnaire order',
  )
  const submitter = await app.db
    .selectFrom('transitions as t')
    .innerJoin('persons as p', 'p.id', 't.actor')
    .select(['p.name', 't.at'])
    .where('t.assessment_id', '=', civ.id)
    .where('t.to_status', '=', 'submitted')
    .executeTakeFirstOrThrow()
  t.equal(civRows[0]![col('submitted by')], submitter.name)
  t.equal(civRows[0]![col('submitted at')], submitter.at.toISOString())
  t.equal(civRows[0]![col('validated at')], '')
  const turRow = rows.find((r) => r[col('assessment id')] === tur.id)!
  t.match(turRow[col('validated at')], /^\d{4}-\d\d-\d\dT/)
  t.ok(turRow[col('validated by')])

  const api = ok(await get(`/assessments/${civ.id}/readiness`), 'readiness').json() as {
    domains: { domain: string; score: number | null; coverage: number; regionMedian: number | null; worldMedian: number | null }[]
  }
  t.equal(api.domains.length, domains.length)
  const round = (x: number | null, n: number) => (x === null ? '' : String(Math.round(x * 10 ** n) / 10 ** n))
  for (const d of api.domains) {
    const row = civRows.find((r) => r[col('domain')] === d.domain)!
    t.equal(row[col('score')], round(d.score, 2), `${d.domain}: score rounded to 2 decimals`)
    t.equal(row[col('coverage')], round(d.coverage, 4), `${d.domain}: coverage rounded to 4 decimals`)
    t.equal(row[col('region median')], round(d.regionMedian, 2), `${d.domain}: region median as the API gives it`)
    t.equal(row[col('world median')], round(d.worldMedian, 2), `${d.domain}: world median as the API gives it`)
  }
  const scores = rows.map((r) => r[col('score')]!).filter(Boolean)
  t.ok(
    scores.every((s) => /^\d+(\.\d{1,2})?$/.test(s)),
    'no score has more than 2 decimals',
  )
  t.ok(
    scores.some((s) => s.includes('.')),
    'some scores are fractions (the rounding is exercised)',
  )
})

t.test('answers.csv: assessment id, value label, counted and review status at the end; every row valid', async (t) => {
  const res = await get('/exports/answers.csv?questionnaire=cdc&version=1')
  const [header, ...rows] = rowsOf(res.body)
  t.same(header, [...ANSWER_COLUMNS])
  const fields = answerFields()
  for (const row of rows) t.same(validateRow(fields, row), [], `${row[0]} ${row[7]}`)
  const col = (name: string) => header!.indexOf(name)
  const civAnswers = rows.filter((r) => r[0] === 'CIV')
  t.ok(civAnswers.every((r) => r[col('assessment id')] === civ.id))
  const byId = (id: string) => civAnswers.find((r) => r[col('question id')] === id)!
  const maturity = civAnswers.find((r) => version.questions.get(r[col('question id')]!)!.type === 'maturity' && r[col('value')] === '4')!
  const mq = version.questions.get(maturity[col('question id')]!)!
  t.equal(maturity[col('value label')], mq.type === 'maturity' && mq.labels ? mq.labels['4'].en : 'Implemented and enforced')
  t.equal(
    byId(gate)[col('value label')],
    (() => {
      const g = version.questions.get(gate)!
      return g.type === 'maturity' && g.labels ? g.labels['1'].en : 'Planned'
    })(),
  )
  t.equal(byId(gate)[col('counted')], 'true')
  t.equal(byId(conditional.id)[col('counted')], 'false', 'its condition is no longer met: kept, not counted')
  t.equal(byId(revisedId!)[col('review status')], 'revised')
  t.equal(byId(questionedId!)[col('review status')], 'questioned')
  t.equal(byId(best[0]!.questionId)[col('review status')], 'none')
  const multi = civAnswers.find((r) => version.questions.get(r[col('question id')]!)!.type === 'multi_choice' && r[col('value')]!.includes(';'))!
  const mcq = version.questions.get(multi[col('question id')]!)!
  if (mcq.type === 'multi_choice') {
    t.equal(
      multi[col('value label')],
      multi[col('value')]!.split(';')
        .map((id) => mcq.options.find((o) => o.id === id)!.label.en)
        .join('; '),
      'several labels joined by "; "',
    )
  }
  const turRows = rows.filter((r) => r[0] === 'TUR')
  t.ok(turRows.every((r) => r[col('review status')] === 'validated'))
  const unknown = turRows.find((r) => r[col('value')] === 'unknown')!
  t.equal(unknown[col('value label')], 'Unknown')
  t.equal(unknown[col('counted')], 'true', 'unknown counts (it scores 0)')
  t.ok(
    rows.every((r) => /^(\d+(\.\d{1,4})?)?$/.test(r[col('score')]!)),
    'raw scores have at most 4 decimals',
  )
})

t.test('codebook.csv: the requested language, BOM on request, errors named', async (t) => {
  const res = await get('/exports/codebook.csv?questionnaire=cdc&version=2&lang=fr&bom=1')
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-type'], 'text/csv; charset=utf-8')
  t.equal(res.headers['content-disposition'], 'attachment; filename="codebook-cdc-v2-fr.csv"')
  t.equal(res.rawPayload.subarray(0, 3).toString('hex'), 'efbbbf')
  const [header, ...rows] = rowsOf(res.body)
  t.same(header, [...CODEBOOK_COLUMNS])
  const v2 = (await app.questionnaires.get('cdc', 2))!
  t.equal(rows.length, v2.questions.size)
  for (const row of rows) t.same(validateRow(CODEBOOK_FIELDS, row), [], `${row[6]}`)
  const col = (name: string) => header!.indexOf(name)
  const first = v2.content.domains[0]!.questions[0]!
  t.equal(rows[0]![col('question text, translated')], first.text.fr)
  t.equal(rows[0]![col('treaty text')], first.quote!.en)
  t.equal(rows[0]![col('language')], 'fr')
  const all = rowsOf((await get('/exports/codebook.csv')).body)
  t.equal(
    all.length - 1,
    (await app.questionnaires.list()).reduce((n, v) => n + v.questionCount, 0),
    'every version without filters',
  )
  t.equal((await get('/exports/codebook.csv?lang=xx')).statusCode, 400)
  t.equal((await get('/exports/codebook.csv?questionnaire=nope')).statusCode, 404)
})

/** Every CSV of a package against the resource's schema in its own descriptor. */
async function checkPackage(t: Test, zip: JSZip, expected: string[]) {
  t.same(Object.keys(zip.files).sort(), [...expected, 'datapackage.json'].sort())
  const descriptor = JSON.parse(await zip.file('datapackage.json')!.async('string')) as {
    resources: { name: string; path: string; schema: { fields: Field[] } }[]
  }
  t.ok(frictionless(descriptor), JSON.stringify(frictionless.errors?.slice(0, 3)))
  const tables: Record<string, string[][]> = {}
  for (const resource of descriptor.resources) {
    const [header, ...rows] = rowsOf(await zip.file(resource.path)!.async('string'))
    t.same(
      header,
      resource.schema.fields.map((f) => f.name),
      `${resource.path}: header = its fields`,
    )
    const problems = rows.flatMap((r) => validateRow(resource.schema.fields, r))
    t.same(problems.slice(0, 5), [], `${resource.path}: ${rows.length} rows valid against the table schema`)
    tables[resource.name] = rows
  }
  return tables
}

t.test('package.zip: the files, the codebook and a valid Frictionless descriptor', async (t) => {
  const res = await get('/exports/package.zip?questionnaire=cdc&version=1&cycle=2026&lang=es')
  t.equal(res.statusCode, 200, res.body)
  t.equal(res.headers['content-type'], 'application/zip')
  t.equal(res.headers['content-disposition'], 'attachment; filename="treaty-readiness-cdc-v1-2026.zip"')
  const zip = await JSZip.loadAsync(res.rawPayload)
  const tables = await checkPackage(t, zip, ['readiness.csv', 'readiness-long.csv', 'answers.csv', 'codebook.csv'])
  t.equal(tables.readiness!.length, 3)
  t.equal(tables.codebook!.length, version.questions.size, 'the codebook of cdc v1')
  t.same([...new Set(tables.answers!.map((r) => r[0]))].sort(), ['CIV', 'KEN', 'TUR'])
  const plain = await get('/exports/answers.csv?questionnaire=cdc&version=1&cycle=2026')
  t.equal(await zip.file('answers.csv')!.async('string'), plain.body, 'the same answers.csv as the CSV route')
  t.equal((await app.inject({ method: 'HEAD', url: '/exports/package.zip', headers: { authorization: staff } })).statusCode, 200)
})

t.test('package.zip of one campaign; without a questionnaire no wide readiness file', async (t) => {
  const res = await get(`/exports/package.zip?campaign_id=${campaign.id}`)
  t.equal(res.statusCode, 200, res.body)
  const tables = await checkPackage(t, await JSZip.loadAsync(res.rawPayload), ['readiness.csv', 'readiness-long.csv', 'answers.csv', 'codebook.csv'])
  t.same([...new Set(tables.answers!.map((r) => r[0]))], ['KEN'], "only the campaign's assessment")
  t.same([...new Set(tables['readiness-long']!.map((r) => r[0]))], [ken.id])
  const all = await get('/exports/package.zip')
  t.equal(all.statusCode, 200)
  await checkPackage(t, await JSZip.loadAsync(all.rawPayload), ['readiness-long.csv', 'answers.csv', 'codebook.csv'])
  t.equal((await get('/exports/package.zip?campaign_id=00000000-0000-4000-8000-000000000000')).statusCode, 404)
  const bad = await get('/exports/package.zip?campaign_id=nope')
  t.equal(bad.statusCode, 400)
  t.equal(bad.json().errors[0].path, '/querystring/campaign_id')
})

t.test('data.xlsx: a sheet per file, header frozen, cells typed, read back cell by cell', async (t) => {
  const res = await get('/exports/data.xlsx?questionnaire=cdc&version=1&cycle=2026')
  t.equal(res.statusCode, 200, res.body)
  t.equal(res.headers['content-type'], 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
  t.equal(res.headers['content-disposition'], 'attachment; filename="treaty-readiness-cdc-v1-2026.xlsx"')
  const workbook = new ExcelJS.Workbook()
  await workbook.xlsx.load(res.rawPayload as unknown as ArrayBuffer)
  t.same(
    workbook.worksheets.map((w) => w.name),
    ['readiness', 'readiness-long', 'answers', 'codebook'],
  )
  const zip = await JSZip.loadAsync((await get('/exports/package.zip?questionnaire=cdc&version=1&cycle=2026')).rawPayload)
  const descriptor = JSON.parse(await zip.file('datapackage.json')!.async('string')) as {
    resources: { name: string; path: string; schema: { fields: Field[] } }[]
  }
  for (const resource of descriptor.resources) {
    const sheet = workbook.getWorksheet(resource.name)!
    t.match(sheet.views[0], { state: 'frozen', ySplit: 1 }, `${resource.name}: header row frozen`)
    const header = (sheet.getRow(1).values as unknown[]).slice(1)
    t.same(
      header,
      resource.schema.fields.map((f) => f.name),
    )
    const [, ...rows] = rowsOf(await zip.file(resource.path)!.async('string'))
    t.equal(sheet.actualRowCount - 1, rows.length, `${resource.name}: as many rows as the CSV`)
    const mismatches: string[] = []
    rows.forEach((row, r) => {
      resource.schema.fields.forEach((field, c) => {
        const cell = sheet.getRow(r + 2).getCell(c + 1)
        const want = typedCell(field, row[c]!)
        const got = cell.value
        const same = want instanceof Date ? got instanceof Date && got.getTime() === want.getTime() : got === want
        if (!same) mismatches.push(`${resource.name} row ${r + 2} ${field.name}: ${JSON.stringify(got)} ≠ ${JSON.stringify(want)}`)
      })
    })
    t.same(mismatches.slice(0, 5), [], `${resource.name}: every cell as typed`)
  }
  const answers = workbook.getWorksheet('answers')!
  const col = (name: string) => ANSWER_COLUMNS.indexOf(name as (typeof ANSWER_COLUMNS)[number]) + 1
  const civRow = answers.getRow(2)
  t.equal(civRow.getCell(1).value, 'CIV')
  t.equal(typeof civRow.getCell(col('version')).value, 'number', 'numbers are numbers')
  t.ok(civRow.getCell(col('last changed at')).value instanceof Date, 'times are dates')
  t.equal(civRow.getCell(col('carried forward')).value, false, 'booleans are booleans')
  const formula = civRow.getCell(col('comment'))
  t.equal(formula.value, '=1+1', '"=1+1" stays text, as written')
  t.equal(formula.type, ExcelJS.ValueType.String, 'a string cell, not a formula')
  t.ok(civRow.getCell(col('last changed at')).numFmt, 'dates carry a date format')
})

t.test('analysts only: administrations refused, no token 401', async (t) => {
  const urls = ['/exports/readiness-long.csv', '/exports/codebook.csv', '/exports/package.zip', '/exports/data.xlsx']
  for (const url of urls) {
    t.equal((await get(url, civ.admin)).statusCode, 403, `${url}: administration`)
    t.equal((await app.inject({ method: 'GET', url })).statusCode, 401, `${url}: no token`)
  }
  t.equal(app.pg.pool.waitingCount, 0)
  t.equal(app.exportPool.totalCount - app.exportPool.idleCount, 0, 'every export connection given back')
})
