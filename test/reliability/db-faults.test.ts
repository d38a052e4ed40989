// Database faults under load: backends terminated again and again, then a real outage.
// Every response is 2xx or a 503 problem+json (never a 500, never a hang); /readyz says 503 while the
// database cannot be reached and comes back to 200 by itself, without a restart.
import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'
import t from 'tap'
import { adminQuery, createTestDatabase, serverUrl, withDatabase } from '../helpers/database.js'
import { makeFixture, startServer } from '../helpers/server-process.js'

t.test('terminated backends and an outage give 2xx or 503, and readiness recovers', { timeout: 110_000 }, async (t) => {
  const database = await createTestDatabase()
  const name = new URL(database.url).pathname.slice(1)
  t.teardown(async () => {
    await adminQuery(serverUrl(), `alter database ${name} allow_connections true`).catch(() => {})
    await database.drop()
  })
  const fixture = await makeFixture(database.url, ['KEN', 'GHA', 'PER'])
  const server = await startServer(database.url)
  t.teardown(async () => {
    if (server.child.exitCode !== null) t.comment(`server exited ${server.child.exitCode}: ${server.output().slice(-3000)}`)
    if (server.child.exitCode === null) {
      server.child.kill('SIGTERM')
      await server.exited
    }
  })

  const statuses = new Map<number, number>()
  const bad: string[] = []
  let stop = false
  async function request(path: string, init: RequestInit) {
    const started = Date.now()
    try {
      const res = await fetch(server.base + path, { ...init, signal: AbortSignal.timeout(15_000) })
      const body = await res.text()
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
      const ok = (res.status >= 200 && res.status < 300) || (res.status === 503 && /^application\/problem\+json/.test(res.headers.get('content-type') ?? ''))
      if (!ok) bad.push(`${init.method ?? 'GET'} ${path} → ${res.status} ${body.slice(0, 300)}`)
    } catch (err) {
      bad.push(`${init.method ?? 'GET'} ${path} → no answer after ${Date.now() - started} ms (${(err as Error).name})`)
    }
  }
  async function client(k: number) {
    const w = fixture.writers[k % fixture.writers.length]!
    for (let i = 0; i < 5000 && !stop; i++) {
      const q = fixture.questions[(k * 7 + i) % fixture.questions.length]!
      if (i % 3 === 0) {
        await request(`/assessments/${w.assessmentId}`, { headers: { authorization: w.authorization } })
      } else {
        await request(`/assessments/${w.assessmentId}/answers/${q}`, {
          method: 'PUT',
          headers: { authorization: w.authorization, 'content-type': 'application/json', 'if-match': '*' },
          body: JSON.stringify({ value: i % 5 }),
        })
      }
    }
  }

  const killer = new pg.Client({ connectionString: withDatabase(serverUrl(), 'postgres') })
  await killer.connect()
  t.teardown(() => killer.end())
  const terminate = () =>
    killer.query('select count(pg_terminate_backend(pid))::int as n from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [name])

  // Phase 1: backends terminated every 100 ms for 2 s, under load.
  const clients = Array.from({ length: 8 }, (_, k) => client(k))
  await sleep(500)
  let terminated = 0
  for (let i = 0; i < 20; i++) {
    terminated += (await terminate()).rows[0].n
    await sleep(100)
  }
  await sleep(500)
  stop = true
  await Promise.all(clients)
  t.ok(terminated > 0, `${terminated} backends terminated`)
  t.ok((statuses.get(200) ?? 0) > 0, 'requests succeeded between the faults')
  t.same(bad, [], `every response was 2xx or 503 problem+json: ${JSON.stringify(Object.fromEntries(statuses))}`)

  // Phase 2: an outage — no new connections allowed, existing ones terminated.
  await killer.query(`alter database ${name} allow_connections false`)
  await terminate()
  let down: number | undefined
  for (let i = 0; i < 50; i++) {
    const res = await fetch(`${server.base}/readyz`, { signal: AbortSignal.timeout(15_000) })
    down = res.status
    if (down === 503) {
      t.match(res.headers.get('content-type'), /^application\/problem\+json/)
      break
    }
    await sleep(100)
  }
  t.equal(down, 503, '/readyz reports 503 while the database is unreachable')
  // API requests during the outage: 503 problem+json, not 500.
  bad.length = 0
  statuses.clear()
  const w = fixture.writers[0]!
  for (let i = 0; i < 3; i++) {
    await request(`/assessments/${w.assessmentId}`, { headers: { authorization: w.authorization } })
    await request(`/assessments/${w.assessmentId}/answers/${fixture.questions[0]}`, {
      method: 'PUT',
      headers: { authorization: w.authorization, 'content-type': 'application/json', 'if-match': '*' },
      body: JSON.stringify({ value: 1 }),
    })
  }
  t.same(bad, [], 'API requests during the outage: 503 problem+json')
  t.same([...statuses.keys()], [503], 'all 503')

  // Recovery, without a restart.
  await killer.query(`alter database ${name} allow_connections true`)
  let up: number | undefined
  for (let i = 0; i < 150; i++) {
    up = (await fetch(`${server.base}/readyz`, { signal: AbortSignal.timeout(15_000) })).status
    if (up === 200) break
    await sleep(100)
  }
  t.equal(up, 200, '/readyz recovers to 200 by itself')
  t.equal(server.child.exitCode, null, 'the same process, never restarted')
  const after = await fetch(`${server.base}/assessments/${w.assessmentId}`, { headers: { authorization: w.authorization } })
  t.equal(after.status, 200, 'and serves requests again')
})
