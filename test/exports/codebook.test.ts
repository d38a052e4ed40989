// The codebook rows, the column definitions and the data package descriptor: pure, no database.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import AjvModule from 'ajv-draft-04'
import formatsModule from 'ajv-formats'
import { parse } from 'csv-parse/sync'
import t from 'tap'
import { codebookRows, CODEBOOK_COLUMNS, optionsText, quoteIndex } from '../../src/exports/codebook.js'
import { ANSWER_COLUMNS, csvRow, readinessColumns } from '../../src/exports/columns.js'
import { dataPackage } from '../../src/exports/datapackage.js'
import { answerFields, CODEBOOK_FIELDS, READINESS_LONG_FIELDS, readinessFields } from '../../src/exports/tables.js'
import { t as translate } from '../../src/i18n/catalogs.js'
import { loadCatalog } from '../../src/questionnaires/catalog.js'
import { isScored, questionsOf, type QuestionnaireFile } from '../../src/questionnaires/schema.js'
import { applyTranslations } from '../../src/questionnaires/translations.js'
import { ROOT } from '../helpers/database.js'
import { validateRow } from '../helpers/table-schema.js'

const catalog = await loadCatalog(path.join(ROOT, 'questionnaires'))
const files: QuestionnaireFile[] = catalog.questionnaires.map((q) =>
  applyTranslations(q.content, catalog.translations.get(`${q.content.id}@${q.content.version}`) ?? {}),
)
const file = (id: string, version: number) => files.find((f) => f.id === id && f.version === version)!
const quotes = quoteIndex(files)
const col = (name: string) => CODEBOOK_COLUMNS.indexOf(name)
// CommonJS modules whose default export is on `.default` when imported from ESM
const Ajv = AjvModule.default
const addFormats = formatsModule.default

t.test('one row per question, in order, every cell valid against the codebook table schema', async (t) => {
  for (const f of files) {
    const rows = codebookRows(f, 'fr', quotes)
    const questions = questionsOf(f)
    t.equal(rows.length, questions.length, `${f.id} v${f.version}`)
    t.same(
      rows.map((r) => r[col('question id')]),
      questions.map((q) => q.question.id),
    )
    t.same(
      rows.map((r) => r[col('position')]),
      questions.map((_, i) => i + 1),
    )
    for (const row of rows) {
      t.equal(row.length, CODEBOOK_COLUMNS.length)
      const cells = (parse(csvRow(row)) as string[][])[0]!
      t.same(validateRow(CODEBOOK_FIELDS, cells), [], `${row[col('question id')]} is valid`)
    }
  }
})

t.test('a maturity question: levels with labels and scores, English and translated', async (t) => {
  const v2 = file('cdc', 2)
  const q = questionsOf(v2).find(({ question }) => question.type === 'maturity' && !question.labels && isScored(question))!.question
  const row = codebookRows(v2, 'es', quotes).find((r) => r[col('question id')] === q.id)!
  t.equal(row[col('options')], '0=None [0] | 1=Planned [0.25] | 2=Drafted [0.5] | 3=Adopted [0.75] | 4=Implemented and enforced [1]')
  t.equal(
    row[col('options, translated')],
    `0=${translate('es', 'maturity.0')} [0] | 1=${translate('es', 'maturity.1')} [0.25] | 2=${translate('es', 'maturity.2')} [0.5] | 3=${translate('es', 'maturity.3')} [0.75] | 4=${translate('es', 'maturity.4')} [1]`,
  )
  t.equal(row[col('question text')], q.text.en)
  t.equal(row[col('question text, translated')], q.text.es, 'the Spanish text')
  t.not(row[col('question text, translated')], q.text.en)
  t.equal(row[col('language')], 'es')
})

t.test('weights: force weight and effective weight; unscored facts carry none', async (t) => {
  const v2 = file('cdc', 2)
  const rows = codebookRows(v2, 'en', quotes)
  for (const { question: q } of questionsOf(v2)) {
    const row = rows.find((r) => r[col('question id')] === q.id)!
    const fw = (v2.scoring.force_weights as Record<string, number>)[q.force]!
    t.equal(row[col('force weight')], fw, `${q.id} force weight`)
    t.equal(row[col('effective weight')], isScored(q) ? Math.round(q.weight * fw * 1e4) / 1e4 : null, `${q.id} effective weight`)
    t.equal(row[col('scored')], isScored(q))
  }
  const endeavour = rows.find((r) => r[col('force')] === 'endeavour')!
  t.equal(endeavour[col('force weight')], 0.75)
  const fact = questionsOf(v2).find(({ question }) => question.scored === false && question.type === 'single_choice')!.question
  const factRow = rows.find((r) => r[col('question id')] === fact.id)!
  t.notMatch(String(factRow[col('options')]), /\[/, 'an unscored fact lists its options without scores')
})

t.test('conditions, alternatives, number bands, multi-choice combine', async (t) => {
  const v2 = file('cdc', 2)
  const rows = codebookRows(v2, 'en', quotes)
  const conditional = questionsOf(v2).find(({ question }) => question.applies_if)!.question
  t.equal(
    rows.find((r) => r[col('question id')] === conditional.id)![col('applies if')],
    `${conditional.applies_if!.question} in ${conditional.applies_if!.in.join(';')}`,
  )
  const group = v2.domains.flatMap((d) => d.alternatives ?? [])[0]!
  const routed = group.routes[0]!
  t.equal(rows.find((r) => r[col('question id')] === routed.questions[0])![col('alternatives')], `${group.id}/${routed.id}`)
  const number = questionsOf(v2).find(({ question }) => question.type === 'number' && question.bands)?.question
  if (number && number.type === 'number') {
    t.equal(optionsText(number, 'en'), number.bands!.map((b) => `>=${b.min} [${b.score}]`).join(' | '))
  }
  const multi = rows.find((r) => r[col('type')] === 'multi_choice')!
  t.match(multi[col('combine')], /^(sum|max)$/)
  const yesNo = codebookRows(file('res174', 2), 'ru', quotes).find((r) => r[col('type')] === 'yes_no_partial')!
  t.equal(
    yesNo[col('options, translated')],
    `yes=${translate('ru', 'answer.yes')} [1] | partial=${translate('ru', 'answer.partial')} [0.5] | no=${translate('ru', 'answer.no')} [0]`,
  )
})

t.test('treaty text: v2 quotes its bullets, v1 borrows the quote of the same citation', async (t) => {
  const v2 = file('cdc', 2)
  for (const row of codebookRows(v2, 'en', quotes)) t.ok(row[col('treaty text')], `${row[col('question id')]} quotes its source`)
  const first = questionsOf(v2)[0]!.question
  t.equal(codebookRows(v2, 'en', quotes)[0]![col('treaty text')], first.quote!.en)
  const v1 = codebookRows(file('cdc', 1), 'en', quotes)
  const same = v1.find((r) => r[col('question id')] === first.id)!
  t.equal(same[col('source reference')], first.source.ref)
  t.equal(same[col('treaty text')], first.quote!.en, 'v1 row shows the bullet quoted in v2')
  t.equal(codebookRows(file('cdc', 1), 'en')[0]![col('treaty text')], null, 'without other versions a v1 row has no quote')
})

t.test('every answers.csv column is described; readiness columns match their fields', async (t) => {
  t.same(
    answerFields().map((f) => f.name),
    [...ANSWER_COLUMNS],
  )
  t.same(
    readinessFields(['human_rights', 'data']).map((f) => f.name),
    readinessColumns(['human_rights', 'data']),
  )
  t.same(
    CODEBOOK_FIELDS.map((f) => f.name),
    [...CODEBOOK_COLUMNS],
  )
  for (const f of [...answerFields(), ...READINESS_LONG_FIELDS, ...CODEBOOK_FIELDS]) t.ok(f.description.length > 10, `${f.name} is described`)
})

t.test('the descriptor validates against the published Tabular Data Package schema', async (t) => {
  const schema = JSON.parse(readFileSync(path.join(ROOT, 'test/fixtures/frictionless/tabular-data-package.json'), 'utf8'))
  const ajv = new Ajv({ allErrors: true, strict: false })
  addFormats(ajv)
  const validate = ajv.compile(schema)
  const descriptor = dataPackage(
    [
      {
        name: 'readiness-long',
        path: 'readiness-long.csv',
        title: 'R',
        description: 'r',
        fields: READINESS_LONG_FIELDS,
        primaryKey: ['assessment id', 'domain'],
      },
      { name: 'answers', path: 'answers.csv', title: 'A', description: 'a', fields: answerFields() },
      { name: 'codebook', path: 'codebook.csv', title: 'C', description: 'c', fields: CODEBOOK_FIELDS },
    ],
    { name: 'treaty-readiness-cdc', title: 'T', description: 'D', created: new Date('2026-11-30T00:00:00Z') },
  )
  t.ok(validate(descriptor), JSON.stringify(validate.errors?.slice(0, 3)))
  const broken = structuredClone(descriptor) as { resources: { schema: { fields: { type: string }[] } }[] }
  broken.resources[0]!.schema.fields[0]!.type = 'text'
  t.notOk(validate(broken), 'an unknown field type is refused (the schema is really checked)')
})
