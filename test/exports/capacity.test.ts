// Exports cannot starve the service: downloads that stop reading hold only the export pool's
// connections, and only until the stall timeout; a person's concurrent exports are limited (429);
// HEAD answers without running the query. Over real HTTP: backpressure does not exist in inject.
import net from 'node:net'
import { sql } from 'kysely'
import t from 'tap'
import { createAssessment } from '../helpers/assessments.js'
import { build } from '../helpers/build.js'
import { tokenFor } from '../helpers/tokens.js'

/**
 * Enough answers with long comments that an export (~100 MB) is far larger than everything that can
 * buffer it: a stalled reader's receive buffer autotunes up to net.ipv4.tcp_rmem's maximum (32 MB
 * here), plus the server's send buffer (4 MB) and the same again between PostgreSQL and the server.
 * At 25 MB, two exports of twenty once finished into those buffers under CI load.
 */
async function seedLargeExport(app: Awaited<ReturnType<typeof build>>): Promise<void> {
  await sql`
    insert into assessments (country, questionnaire, version, cycle, status)
    select c.code, 'cdc', 1, y, 'submitted' from countries c cross join generate_series(2016, 2023) as y
    on conflict do nothing`.execute(app.db)
  await sql`
    insert into answers (assessment_id, question_id, value, comment, score)
    select a.id, q.question_id, '2'::jsonb, repeat('evidence of the law in force ', 280), 0.5
      from assessments a cross join (select question_id from questionnaire_questions where questionnaire = 'cdc' and version = 1 limit 8) q
    on conflict do nothing`.execute(app.db)
}

/** Opens an export over HTTP, reads its first chunk, then stops reading (the socket stays open). */
function stalledDownload(port: number, authorization: string): Promise<{ socket: net.Socket; status: number }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(`GET /exports/answers.csv HTTP/1.1\r\nHost: x\r\nAuthorization: ${authorization}\r\n\r\n`)
    })
    socket.once('error', reject)
    socket.once('data', (chunk: Buffer) => {
      socket.pause() // reads nothing more: the server's writes back up
      resolve({ socket, status: Number(/^HTTP\/1\.1 (\d+)/.exec(chunk.toString('latin1'))?.[1]) })
    })
  })
}

async function timed(fn: () => Promise<Response>): Promise<{ status: number; ms: number; body: string }> {
  const start = performance.now()
  const res = await fn()
  const body = await res.text()
  return { status: res.status, ms: performance.now() - start, body }
}

t.test('20 stalled downloads: interactive requests keep their connections; the stall timeout frees the export pool', async (t) => {
  const app = await build(t, { poolSize: 5, exportPoolSize: 4, exportsPerPerson: 2, exportStallSeconds: 10 })
  await seedLargeExport(app)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as net.AddressInfo).port
  const base = `http://127.0.0.1:${port}`
  const staff = await Promise.all(Array.from({ length: 10 }, () => tokenFor(app, 'staff')))
  const admin = await tokenFor(app, 'administration', 'KEN')
  const draft = (await createAssessment(app, admin, { country: 'KEN', questionnaire: 'cdc', cycle: 2026 })).id

  const downloads = await Promise.all(Array.from({ length: 20 }, (_, i) => stalledDownload(port, staff[i % 10]!)))
  t.teardown(() => {
    for (const d of downloads) d.socket.destroy()
  })
  const statuses = downloads.map((d) => d.status)
  t.equal(statuses.filter((s) => s === 200).length, 4, 'as many exports run as the export pool has connections')
  t.ok(
    statuses.every((s) => s === 200 || s === 503 || s === 429),
    `the others are told to retry (${[...new Set(statuses)].join(', ')})`,
  )
  t.equal(app.exportPool.totalCount - app.exportPool.idleCount, 4, 'the running exports hold the export pool')

  // "Meanwhile" is checked by what holds the export pool, not by a clock: a request that waited for
  // an export connection would only finish once the stall timeout (10 s) had freed one, and the
  // exports would no longer hold the pool. Under CI load a first write can take over a second.
  const ready = await timed(() => fetch(`${base}/readyz`))
  t.equal(ready.status, 200, `/readyz answers 200 (${ready.ms.toFixed(0)} ms)`)
  const write = await timed(() =>
    fetch(`${base}/assessments/${draft}/answers/cdc.human_rights.restriction_instrument`, {
      method: 'PUT',
      headers: { authorization: admin, 'content-type': 'application/json', 'if-match': '*' },
      body: JSON.stringify({ value: 3 }),
    }),
  )
  t.equal(write.status, 200, `a write answers 200 (${write.ms.toFixed(0)} ms)`, { body: write.body })
  t.equal(app.exportPool.totalCount - app.exportPool.idleCount, 4, 'both while the stalled exports still hold the export pool')

  // After the stall timeout, every export connection is back (or discarded), none held.
  const deadline = Date.now() + 25_000
  while (app.exportPool.totalCount - app.exportPool.idleCount > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200))
  t.equal(app.exportPool.totalCount - app.exportPool.idleCount, 0, 'the stall timeout freed every export connection')
  const again = await fetch(`${base}/exports/answers.csv`, { headers: { authorization: staff[0]! } })
  t.equal(again.status, 200, 'and the same person can export again (its slots were given back)')
  t.ok((await again.arrayBuffer()).byteLength > 10_000_000, 'the whole export')
})

t.test('a person may run a limited number of exports at once; HEAD runs no query', async (t) => {
  const app = await build(t, { exportPoolSize: 4, exportsPerPerson: 2, exportStallSeconds: 30 })
  await seedLargeExport(app)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as net.AddressInfo).port
  const staff = await tokenFor(app, 'staff')
  const two = await Promise.all([stalledDownload(port, staff), stalledDownload(port, staff)])
  t.teardown(() => {
    for (const d of two) d.socket.destroy()
  })
  t.same(
    two.map((d) => d.status),
    [200, 200],
    'two exports run',
  )
  const third = await fetch(`http://127.0.0.1:${port}/exports/answers.csv`, { headers: { authorization: staff } })
  t.equal(third.status, 429, 'a third at the same time is refused')
  t.equal(third.headers.get('retry-after'), '10', 'with Retry-After')
  t.match(await third.json(), { code: 'too_many_exports', detail: /at most 2 exports/ })
  const other = await fetch(`http://127.0.0.1:${port}/exports/readiness.csv?questionnaire=cdc`, { headers: { authorization: await tokenFor(app, 'staff') } })
  t.equal(other.status, 200, 'another person is not affected')
  await other.arrayBuffer()

  for (const d of two) d.socket.destroy()
  const deadline = Date.now() + 10_000
  while (app.exportPool.totalCount - app.exportPool.idleCount > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
  const before = app.exportPool.totalCount - app.exportPool.idleCount
  const head = await app.inject({ method: 'HEAD', url: '/exports/answers.csv', headers: { authorization: staff } })
  t.equal(head.statusCode, 200, 'HEAD answers')
  t.equal(head.headers['content-type'], 'text/csv; charset=utf-8')
  t.match(head.headers['content-disposition'], /attachment; filename="answers\.csv"/)
  t.equal(head.body, '', 'without a body')
  t.equal(app.exportPool.totalCount - app.exportPool.idleCount, before, 'and took no export connection')
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where query ilike 'COPY%' and state = 'active'`.execute(app.db)
  t.equal(rows[0]!.n, 0, 'no COPY runs for it')
})
