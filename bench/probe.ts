// A quick A/B probe of one scenario on the compiled server, for comparing two builds minutes apart:
// server CPU time per request (from /proc/<pid>/stat) moves far less between runs on a shared VM
// than throughput does. Needs the database `npm run bench` left behind (treaty_bench) and a build.
//   npm run build && node --import tsx bench/probe.ts              PUT answer, 3 rounds of 8 s
//   PROBE_READINESS=1 node --import tsx bench/probe.ts              GET /readiness instead
//   PROBE_NODE="--cpu-prof --cpu-prof-dir=/tmp/prof" …              flags for the server's node
//   PROBE_ROUNDS=2 …; PROBE_SNAP=1 with PROBE_NODE=--heapsnapshot-signal=SIGUSR2 takes a heap snapshot at the end
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import autocannon from 'autocannon'
import { sql } from 'kysely'
import { createToken } from '../src/auth/tokens.js'
import { openKysely } from '../src/db/kysely.js'
const URL = 'postgres://postgres@127.0.0.1:5432/treaty_bench'
const db = openKysely(URL, 4)
const drafts = (await sql<{ id: string; country: string }>`select id, country from assessments where cycle = 2100 and questionnaire = 'cdc'`.execute(db)).rows
const writers: { id: string; auth: string }[] = []
for (const d of drafts)
  writers.push({ id: d.id, auth: `Bearer ${(await createToken(db, { role: 'administration', country: d.country, label: 'probe' })).token}` })
const staff = `Bearer ${(await createToken(db, { role: 'staff', label: 'probe staff' })).token}`
// Maturity questions that depend on no other answer.
const qs = ['cdc.human_rights.restriction_instrument', 'cdc.data.national_data_policy']
await db.destroy()
const extra = (process.env.PROBE_NODE ?? '').split(' ').filter(Boolean)
const child = spawn(process.execPath, [...extra, 'dist/src/server.js'], {
  env: { ...process.env, DATABASE_URL: URL, PORT: '3998', HOST: '127.0.0.1', LOG_LEVEL: 'warn', MIGRATE_ON_START: 'false', AUTH_RATE_LIMIT: '1000000' },
  stdio: ['ignore', 'ignore', 'inherit'],
})
const cpu = () => {
  const f = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return (Number(f[11]) + Number(f[12])) * 10
}
child.on('exit', (c) => {
  if (c) process.exit(1)
})
const rss = () => Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]) / 1024)
for (;;) {
  try {
    if ((await fetch('http://127.0.0.1:3998/readyz')).ok) break
  } catch {
    // not listening yet
  }
  await sleep(100)
}
console.log('ready rss', rss())
let n = 0
for (let r = 0; r < Number(process.env.PROBE_ROUNDS ?? 3); r++) {
  const c0 = cpu()
  const res = await autocannon({
    url: 'http://127.0.0.1:3998',
    connections: 32,
    duration: 8,
    requests: [
      {
        setupRequest: process.env.PROBE_READINESS
          ? (req) => ({ ...req, method: 'GET', path: '/readiness?questionnaire=cdc&cycle=2025', headers: { authorization: staff } })
          : (req) => {
              const i = n++
              const w = writers[(i * 7919) % writers.length]!
              return {
                ...req,
                method: 'PUT',
                path: `/assessments/${w.id}/answers/${qs[i % 2]}`,
                headers: { 'content-type': 'application/json', authorization: w.auth, 'if-match': '*' },
                body: JSON.stringify({ value: i % 5 }),
              }
            },
      },
    ],
  })
  console.log(
    `round ${r}: ${Math.round(res.requests.average)} req/s p99 ${res.latency.p99} non2xx ${res.non2xx} rss ${rss()} server cpu/req ${((cpu() - c0) / res.requests.total).toFixed(3)} ms`,
  )
}
if (process.env.PROBE_SNAP) {
  child.kill('SIGUSR2')
  await sleep(15000)
}
child.kill('SIGTERM')
