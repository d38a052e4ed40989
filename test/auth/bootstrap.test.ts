import { Writable } from 'node:stream'
import { pino } from 'pino'
import t from 'tap'
import { LOG_REDACT } from '../../src/app.js'
import { bootstrapAdminToken, ensureFirstAdminToken } from '../../src/auth/bootstrap.js'
import { findActiveToken } from '../../src/auth/tokens.js'
import { openKysely } from '../../src/db/kysely.js'
import { fileDatabase } from '../helpers/build.js'

const database = await fileDatabase()
const db = openKysely(database.url)
t.teardown(() => db.destroy())

const admins = async () =>
  Number(
    (
      await db
        .selectFrom('tokens')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('role', '=', 'admin')
        .executeTakeFirstOrThrow()
    ).n,
  )

t.test('the first call creates an admin token; the second creates none', async (t) => {
  await db.deleteFrom('tokens').execute()
  const first = await ensureFirstAdminToken(db)
  t.ok(first, 'created')
  t.match(first?.token, /^tr_/)
  t.equal(first?.row.role, 'admin')
  t.equal(first?.row.country, null)
  t.equal((await findActiveToken(db, first!.token))?.id, first?.row.id, 'it authenticates')
  t.equal(await ensureFirstAdminToken(db), null, 'second call: none')
  t.equal(await admins(), 1)
})

t.test('a revoked admin token still counts: no new one at the next start', async (t) => {
  await db.updateTable('tokens').set({ revoked_at: new Date() }).where('role', '=', 'admin').execute()
  t.equal(await ensureFirstAdminToken(db), null)
})

t.test('other tokens alone do not stop the first admin token', async (t) => {
  await db.deleteFrom('tokens').execute()
  await db
    .insertInto('tokens')
    .values({ hash: Buffer.alloc(32, 1), prefix: 'tr_test', role: 'staff', label: 'made by the CLI first' })
    .execute()
  t.ok(await ensureFirstAdminToken(db))
})

t.test('instances starting together create exactly one', async (t) => {
  await db.deleteFrom('tokens').execute()
  // Separate pools, as separate processes would have.
  const instances = Array.from({ length: 6 }, () => openKysely(database.url, 1))
  t.teardown(() => Promise.all(instances.map((i) => i.destroy())))
  const results = await Promise.all(instances.map((i) => ensureFirstAdminToken(i)))
  t.equal(results.filter(Boolean).length, 1, 'one call created a token')
  t.equal(await admins(), 1, 'one admin token in the table')
})

t.test('the token is printed once, readable through the log redaction', async (t) => {
  await db.deleteFrom('tokens').execute()
  const lines: string[] = []
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).trim().split('\n'))
      done()
    },
  })
  const log = pino({ level: 'info', redact: { paths: LOG_REDACT, censor: '[redacted]' } }, sink)
  const created = await bootstrapAdminToken(db, log)
  t.ok(created)
  const text = lines.join('\n')
  t.ok(text.includes(created!.token), 'the token appears in the log')
  t.equal(lines.filter((l) => l.includes(created!.token)).length, 1, 'in one line')
  t.match(text, /npm run token -- create --role administration --country KEN --label \\"Ministry of ICT\\"/)
  lines.length = 0
  t.equal(await bootstrapAdminToken(db, log), null)
  t.same(lines, [], 'later starts print nothing')
})
