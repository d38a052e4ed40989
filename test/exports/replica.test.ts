// EXPORT_DATABASE_URL sends the exports' reads to another database (a read replica in production):
// here a second database, so what the export shows proves where it read. The interactive API keeps
// reading and writing the primary.
import { parse } from 'csv-parse/sync'
import t from 'tap'
import { build } from '../helpers/build.js'
import { createTestDatabase } from '../helpers/database.js'
import { seedAssessment } from '../helpers/readiness-seed.js'
import { tokenFor } from '../helpers/tokens.js'

t.test('exports read the database EXPORT_DATABASE_URL names; the API the primary', async (t) => {
  const replica = await createTestDatabase()
  t.teardown(() => replica.drop())
  const app = await build(t, { exportDatabaseUrl: replica.url })
  const primary = await build(t)
  const staff = await tokenFor(primary, 'staff')
  await seedAssessment(primary, staff, 'KEN', { fallback: 'max', status: 'validated' })
  const headers = { authorization: staff }

  const readiness = await app.inject({ method: 'GET', url: '/readiness?questionnaire=cdc&cycle=2026', headers })
  t.equal(readiness.statusCode, 200)
  t.equal(readiness.json().groups[0].overall.count, 1, 'the API reads the primary (where the assessment is)')
  const seen = async () => {
    const res = await app.inject({ method: 'GET', url: '/exports/answers.csv?questionnaire=cdc&version=1&cycle=2026', headers })
    t.equal(res.statusCode, 200)
    return (parse(res.body.replace(/^\uFEFF/, ''), { columns: true }) as { 'country code': string }[]).map((r) => r['country code'])
  }
  t.same(await seen(), [], 'the export reads the replica, which has not got it')
  // The replica catches up: the same rows written there appear in the export.
  const caughtUp = await build(t, { databaseUrl: replica.url })
  const replicaStaff = await tokenFor(caughtUp, 'staff')
  await seedAssessment(caughtUp, replicaStaff, 'KEN', { fallback: 'max', status: 'validated' })
  t.ok((await seen()).length > 0 && (await seen()).every((c) => c === 'KEN'), 'and shows what the replica holds')
})
