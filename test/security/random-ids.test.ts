// Ids an administration sees are random: a sequential id (review comment 41, then 57 a day later)
// tells it how much happens in other countries' assessments. Every table's id is a UUID; the order
// of comments, transitions and answer history comes from a private sequence that never leaves the
// database.
import { sql } from 'kysely'
import t from 'tap'
import { createAssessment, getAssessment } from '../helpers/assessments.js'
import { build } from '../helpers/build.js'
import { testToken } from '../helpers/tokens.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
const Q = 'cdc.data.law_conformity'

t.test('review comment ids are random, and comments keep their order', async (t) => {
  const app = await build(t)
  const ken = await testToken(app, 'administration', 'KEN')
  const gha = await testToken(app, 'administration', 'GHA')
  const staff = await testToken(app, 'staff')
  const a = await createAssessment(app, ken.authorization, { questionnaire: 'cdc', version: 1, country: 'KEN', cycle: 2026 })
  const b = await createAssessment(app, gha.authorization, { questionnaire: 'cdc', version: 1, country: 'GHA', cycle: 2026 })
  const comment = async (id: string, body: string) => {
    const res = await app.inject({
      method: 'POST',
      url: `/assessments/${id}/comments`,
      headers: { authorization: staff.authorization },
      payload: { questionId: Q, body },
    })
    t.equal(res.statusCode, 201, res.body)
    return res.json() as { id: string }
  }
  const first = await comment(a.id, 'first for Kenya')
  for (let i = 0; i < 3; i++) await comment(b.id, `Ghana ${i}`)
  const second = await comment(a.id, 'second for Kenya')
  for (const c of [first, second]) t.match(c.id, UUID, `comment id ${c.id} is a random UUID`)

  const seen = (await getAssessment(app, ken.authorization, a.id)) as unknown as { comments: { id: string; body: string }[] }
  t.same(
    seen.comments.map((c) => c.body),
    ['first for Kenya', 'second for Kenya'],
    'in the order they were written',
  )
  t.same(
    seen.comments.map((c) => c.id),
    [first.id, second.id],
  )
  for (const c of seen.comments) t.match(c.id, UUID)
})

t.test('no table an administration reads has a sequential id', async (t) => {
  const app = await build(t)
  const { rows } = await sql<{ table_name: string; data_type: string; column_default: string | null; is_identity: string }>`
    select table_name, data_type, column_default, is_identity from information_schema.columns
    where table_schema = 'public' and column_name = 'id' and table_name not like 'kysely_%'`.execute(app.db)
  t.ok(rows.length >= 5, `${rows.length} tables with an id column`)
  // Read by admins only (GET /audit), who see every country anyway; its order is its id's.
  const adminOnly = new Set(['audit_events'])
  for (const row of rows.filter((r) => !adminOnly.has(r.table_name))) {
    // A UUID, or a random key's hash (sessions): never a number handed out in sequence.
    t.ok(['uuid', 'bytea'].includes(row.data_type), `${row.table_name}.id is random (${row.data_type})`)
    t.notMatch(String(row.column_default), /nextval/, `${row.table_name}.id has no sequence`)
    t.equal(row.is_identity, 'NO', `${row.table_name}.id is not an identity column`)
  }
})
