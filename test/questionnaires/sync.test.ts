import path from 'node:path'
import { sql } from 'kysely'
import t from 'tap'
import { openKysely } from '../../src/db/kysely.js'
import { loadCatalog, parseQuestionnaire, type Catalog } from '../../src/questionnaires/catalog.js'
import { PublishedVersionChangedError, syncCatalog } from '../../src/questionnaires/sync.js'
import { fileDatabase } from '../helpers/build.js'
import { ROOT } from '../helpers/database.js'

const small = (title: string, version = 1) => `
id: demo
version: ${version}
title: { en: ${title} }
description: { en: A questionnaire for tests }
source: { document: test.txt, title: Test }
scoring:
  force_weights: { shall: 1, may: 0.5, encouraged: 0.5 }
  tiers: [{ id: low, label: { en: Low }, min: 0 }, { id: high, label: { en: High }, min: 50 }]
domains:
  - id: only
    title: { en: Only }
    description: { en: The only domain }
    questions:
      - id: q1
        source: { document: test.txt, section: "3.1", bullet: 1, ref: "§3.1 bullet 1" }
        force: shall
        text: { en: Is it done? }
        guidance: { en: Say so. }
        type: yes_no_partial
`

function catalogOf(text: string, version = 1): Catalog {
  const parsed = parseQuestionnaire(text, `demo.v${version}.yaml`)
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues))
  return { questionnaires: [parsed.questionnaire], translations: new Map() }
}

t.test('the template database holds every questionnaire file, synced once', async (t) => {
  const database = await fileDatabase()
  const db = openKysely(database.url)
  t.teardown(() => db.destroy())
  const catalog = await loadCatalog(path.join(ROOT, 'questionnaires'))
  const rows = await db.selectFrom('questionnaire_versions').select(['questionnaire', 'version', 'hash', 'question_count']).execute()
  t.equal(rows.length, catalog.questionnaires.length)
  for (const q of catalog.questionnaires) {
    const row = rows.find((r) => r.questionnaire === q.content.id && r.version === q.content.version)
    t.equal(row?.hash, q.hash, `${q.file} stored with its hash`)
  }
  const again = await syncCatalog(db, catalog)
  t.same(again.added, [], 'syncing the same files again adds nothing')
  t.equal(again.unchanged, catalog.questionnaires.length)
})

t.test('a new version is added; a changed published version is refused and changes nothing', async (t) => {
  const database = await fileDatabase()
  const db = openKysely(database.url)
  t.teardown(() => db.destroy())
  const first = await syncCatalog(db, catalogOf(small('First')))
  t.same(first.added, [{ questionnaire: 'demo', version: 1 }])
  const count = async () =>
    Number((await sql<{ n: number }>`select count(*)::int as n from questionnaire_questions where questionnaire = 'demo'`.execute(db)).rows[0]?.n)
  t.equal(await count(), 1)

  const changed = catalogOf(small('Edited after publication'))
  const error = await syncCatalog(db, changed).then(
    () => null,
    (e: unknown) => e,
  )
  t.type(error, PublishedVersionChangedError)
  t.match(String((error as Error).message), /demo\.v1\.yaml.*already published.*version 2/)
  const stored = await db.selectFrom('questionnaire_versions').select('title').where('questionnaire', '=', 'demo').execute()
  t.same(stored, [{ title: 'First' }], 'the published version is untouched')

  const v2 = await syncCatalog(db, catalogOf(small('Second', 2), 2))
  t.same(v2.added, [{ questionnaire: 'demo', version: 2 }])
})

t.test('guidance and quotes of a published version are amended in place; its wording, options and weights are not', async (t) => {
  const database = await fileDatabase()
  const db = openKysely(database.url)
  t.teardown(() => db.destroy())
  const base = small('Amendable', 4)
  t.same((await syncCatalog(db, catalogOf(base, 4))).added, [{ questionnaire: 'demo', version: 4 }])

  const amendedText = base.replace('guidance: { en: Say so. }', 'guidance: { en: "Say so, citing the law." }')
  const amended = await syncCatalog(db, catalogOf(amendedText, 4))
  t.same(amended.amended, [{ questionnaire: 'demo', version: 4 }])
  t.same(amended.added, [])
  const row = await db
    .selectFrom('questionnaire_versions')
    .select(['hash', 'content'])
    .where('questionnaire', '=', 'demo')
    .where('version', '=', 4)
    .executeTakeFirstOrThrow()
  t.equal(row.hash, catalogOf(amendedText, 4).questionnaires[0]?.hash, 'the stored hash follows the amended file')
  t.match(JSON.stringify(row.content), /citing the law/)
  t.equal((await syncCatalog(db, catalogOf(amendedText, 4))).unchanged, 1, 'the amended file is then unchanged')

  for (const [what, edited] of [
    ['the wording', amendedText.replace('Is it done?', 'Is it nearly done?')],
    ['the force', amendedText.replace('force: shall', 'force: may')],
    ['the weight', amendedText.replace('type: yes_no_partial', 'type: yes_no_partial\n        weight: 2')],
  ] as const) {
    const error = await syncCatalog(db, catalogOf(edited, 4)).then(
      () => null,
      (e: unknown) => e,
    )
    t.type(error, PublishedVersionChangedError, `changing ${what} is refused`)
  }
})

t.test('concurrent syncs of the same new version store it once', async (t) => {
  const database = await fileDatabase()
  const db1 = openKysely(database.url)
  const db2 = openKysely(database.url)
  t.teardown(async () => {
    await db1.destroy()
    await db2.destroy()
  })
  const catalog = catalogOf(small('Concurrent', 3), 3)
  const [a, b] = await Promise.all([syncCatalog(db1, catalog), syncCatalog(db2, catalog)])
  t.equal(a.added.length + b.added.length, 1)
})
