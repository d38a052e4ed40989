// The embedded backend under load, as `npm start` runs it (the server owns the PostgreSQL of its
// DATA_DIR): 30 concurrent writers for 15 s with a full export at the same time give no 5xx; a
// SIGKILL under load leaves an orphaned postmaster that the restart stops (never two on one
// directory), and every acknowledged write is there afterwards.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { urlFor } from '../../src/db/embedded.js'
import { openKysely } from '../../src/db/kysely.js'
import { makeFixture, startServer, type ServerProcess } from '../helpers/server-process.js'

async function postmastersOn(dataDir: string): Promise<number[]> {
  const cluster = path.join(dataDir, 'postgres')
  const pids: number[] = []
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const args = (await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')).split('\0')
    if (path.basename(args[0] ?? '') === 'postgres' && args[args.indexOf('-D') + 1] === cluster) pids.push(Number(entry))
  }
  return pids
}

async function databaseOf(dataDir: string): Promise<string> {
  const { port } = JSON.parse(await readFile(path.join(dataDir, 'server.json'), 'utf8')) as { port: number }
  return urlFor(port, (await readFile(path.join(dataDir, 'password'), 'utf8')).trim())
}

t.test('embedded: load with an export, then SIGKILL under load and a restart', { timeout: 300_000 }, async (t) => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'tr-embedded-load-'))
  const servers: ServerProcess[] = []
  t.teardown(async () => {
    for (const s of servers) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGTERM')
    await Promise.all(servers.map((s) => s.exited))
    for (const pid of await postmastersOn(dataDir)) process.kill(pid, 'SIGINT')
    await rm(dataDir, { recursive: true, force: true })
  })
  const first = await startServer({ dataDir })
  servers.push(first)
  const countries = ['KEN', 'FRA', 'BRA', 'IND', 'CHN', 'EGY', 'RUS', 'MEX', 'ZAF', 'DEU']
  const fixture = await makeFixture(await databaseOf(dataDir), countries)

  const statuses = new Map<number, number>()
  const acked = new Map<string, { revision: number; value: number }>()
  const inFlight = new Map<string, number>()
  const server = first
  let stopped = false
  // 30 writers: three per assessment, each with its own questions, so the last acknowledged value is known.
  const writers = fixture.writers.flatMap((w) => [0, 1, 2].map((k) => ({ w, questions: fixture.questions.filter((_, i) => i % 3 === k) })))
  async function writer({ w, questions }: (typeof writers)[number], seed: number) {
    for (let i = 0; !stopped; i++) {
      const q = questions[i % questions.length]!
      const value = (seed + i) % 5
      const key = `${w.assessmentId} ${q}`
      inFlight.set(key, value)
      try {
        const res = await fetch(`${server.base}/assessments/${w.assessmentId}/answers/${q}`, {
          method: 'PUT',
          headers: { authorization: w.authorization, 'content-type': 'application/json', 'if-match': '*' },
          body: JSON.stringify({ value }),
          signal: AbortSignal.timeout(10_000),
        })
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
        if (res.status !== 200) return
        const body = (await res.json()) as { answer: { revision: number; value: number } }
        acked.set(key, { revision: body.answer.revision, value: body.answer.value })
        inFlight.delete(key)
      } catch {
        return // the server is gone
      }
    }
  }

  // Phase 1: 15 s of writes, with a full export in the middle of them.
  let running = writers.map((w, i) => writer(w, i))
  await sleep(3000)
  const exported = await fetch(`${first.base}/exports/answers.csv?status=draft`, { headers: { authorization: fixture.staff } })
  const csv = await exported.text()
  t.equal(exported.status, 200, 'a full export during the load')
  t.ok(csv.split('\n').length > 10, `with the answers written so far (${csv.split('\n').length - 2} rows)`)
  await sleep(12_000)
  stopped = true
  await Promise.all(running)
  const fiveXX = [...statuses].filter(([s]) => s >= 500).reduce((n, [, c]) => n + c, 0)
  const total = [...statuses.values()].reduce((a, b) => a + b, 0)
  t.equal(fiveXX, 0, `no 5xx among ${total} writes (${JSON.stringify(Object.fromEntries(statuses))})`)
  t.equal(statuses.get(200), total, 'every write succeeded')

  // Phase 2: SIGKILL under load.
  stopped = false
  running = writers.map((w, i) => writer(w, i + 7))
  await sleep(2000)
  first.child.kill('SIGKILL')
  await first.exited
  stopped = true
  await Promise.all(running)
  const orphans = await postmastersOn(dataDir)
  t.equal(orphans.length, 1, 'the killed server left its postmaster running')

  const second = await startServer({ dataDir })
  servers.push(second)
  const now = await postmastersOn(dataDir)
  t.equal(now.length, 1, 'after the restart: exactly one postmaster on the directory')
  t.not(now[0], orphans[0], 'a new one: the orphan was stopped')

  const db = openKysely(await databaseOf(dataDir))
  t.teardown(() => db.destroy())
  const rows = await db.selectFrom('answers').select(['assessment_id', 'question_id', 'revision', 'value']).execute()
  const stored = new Map(rows.map((r) => [`${r.assessment_id} ${r.question_id}`, r]))
  let bad = 0
  for (const [key, ack] of acked) {
    const row = stored.get(key)
    const ok =
      row !== undefined &&
      ((row.revision === ack.revision && row.value === ack.value) || (row.revision === ack.revision + 1 && inFlight.get(key) === row.value))
    if (!ok) {
      bad++
      t.fail(`${key}: acknowledged revision ${ack.revision} (${ack.value}), stored ${JSON.stringify(row)}`)
    }
  }
  t.equal(bad, 0, `all ${acked.size} acknowledged answers are present with their values`)
})
