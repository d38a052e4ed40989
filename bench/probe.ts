// A quick A/B probe of one scenario on the compiled server, for comparing two builds minutes apart:
// server CPU time per request (from /proc/<pid>/stat) moves far less between runs on a shared VM
// than throughput does. Needs the database `npm run bench` left behind (treaty_bench) and a build.
//   npm run build && node --import tsx bench/probe.ts              PUT answer, 3 rounds of 8 s
//   PROBE_READINESS=1 node --import tsx bench/probe.ts              GET /readiness instead
//   PROBE_NODE="--cpu-prof --cpu-prof-dir=/tmp/prof" …              flags for the server's node
//   PROBE_STATEMENT=1 …                                             the statement floor (bench/floor-server.ts) instead
//   PROBE_STATEMENT=coalesced …                                     the statement floor's writes coalesced as the service's
//   PROBE_EXPORT=1 …                                                then answers.csv, with the server's peak RSS during it
//   PROBE_HOLD=30 …                                                 keep the server up 30 s after the rounds
//   PROBE_GAP=3 …                                                   idle 3 s between rounds (as the bench's floor runs leave it)
//   PROBE_SERVER=/tmp/a/dist/src/server.js …                        another build (A/B: alternate two)
//   PROBE_QUESTIONS=all …                                           every plain maturity question, as the bench, not two
//   PROBE_ROUNDS=2 …; PROBE_SNAP=1 with PROBE_NODE=--heapsnapshot-signal=SIGUSR2 takes a heap snapshot at the end
import { spawn } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
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
// Maturity questions that depend on no other answer: two, or (PROBE_QUESTIONS=all) every one, as the bench writes.
type Q = { id: string; type: string; applies_if?: unknown }
const qs = process.env.PROBE_QUESTIONS
  ? (
      await sql<{ content: { domains: { questions: Q[] }[] } }>`
        select content from questionnaire_versions where questionnaire = 'cdc' order by version desc limit 1`.execute(db)
    ).rows[0]!.content.domains.flatMap((d) => d.questions)
      .filter((q) => q.type === 'maturity' && !q.applies_if)
      .map((q) => q.id)
  : ['cdc.human_rights.restriction_instrument', 'cdc.data.national_data_policy']
await db.destroy()
const extra = (process.env.PROBE_NODE ?? '').split(' ').filter(Boolean)
const STATEMENT = process.env.PROBE_STATEMENT
const domainOf = (q: string) => q.split('.')[1]
const child = spawn(
  process.execPath,
  [...extra, ...(STATEMENT ? ['--import', 'tsx', 'bench/floor-server.ts'] : [process.env.PROBE_SERVER ?? 'dist/src/server.js'])],
  {
    env: { ...process.env, DATABASE_URL: URL, PORT: '3998', HOST: '127.0.0.1', LOG_LEVEL: 'warn', MIGRATE_ON_START: 'false', AUTH_RATE_LIMIT: '1000000' },
    stdio: ['ignore', 'ignore', 'inherit'],
  },
)
const cpuOf = (pid: number | string) => {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
    return (Number(f[11]) + Number(f[12])) * 10
  } catch {
    return 0 // ended between the listing and the read
  }
}
const cpu = () => cpuOf(child.pid!)
/** CPU time of every PostgreSQL process, in ms (the backends serving the server's pool included). */
const postgresCpu = () =>
  readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return readFileSync(`/proc/${d}/comm`, 'utf8').startsWith('postgres')
      } catch {
        return false
      }
    })
    .reduce((sum, d) => sum + cpuOf(d), 0)
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
  if (r > 0 && process.env.PROBE_GAP) await sleep(Number(process.env.PROBE_GAP) * 1000)
  const c0 = cpu()
  const p0 = postgresCpu()
  const l0 = process.cpuUsage()
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
              if (STATEMENT)
                return {
                  ...req,
                  method: 'PUT',
                  path: `/${STATEMENT === 'coalesced' ? 'coalesced' : 'statement'}/${w.id}/${qs[i % qs.length]}`,
                  headers: { 'content-type': 'application/json' },
                  body: JSON.stringify({ value: i % 5, domain: domainOf(qs[i % qs.length]!) }),
                }
              return {
                ...req,
                method: 'PUT',
                path: `/assessments/${w.id}/answers/${qs[i % qs.length]}`,
                headers: { 'content-type': 'application/json', authorization: w.auth, 'if-match': '*' },
                body: JSON.stringify({ value: i % 5 }),
              }
            },
      },
    ],
  })
  const load = process.cpuUsage(l0)
  const per = (ms: number) => (ms / res.requests.total).toFixed(3)
  console.log(
    `round ${r}: ${Math.round(res.requests.average)} req/s p99 ${res.latency.p99} non2xx ${res.non2xx} rss ${rss()} cpu/req: server ${per(cpu() - c0)} ms, postgres ${per(postgresCpu() - p0)} ms, autocannon ${per((load.user + load.system) / 1000)} ms`,
  )
}
if (process.env.PROBE_EXPORT) {
  // As the bench's (c): after the write rounds, the whole questionnaire's answers, RSS sampled every 20 ms.
  let peak = rss()
  const before = peak
  const sampler = setInterval(() => {
    peak = Math.max(peak, rss())
  }, 20)
  const res = await fetch('http://127.0.0.1:3998/exports/answers.csv?questionnaire=cdc', { headers: { authorization: staff } })
  let bytes = 0
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) bytes += chunk.length
  clearInterval(sampler)
  console.log(`export: ${res.status}, ${Math.round(bytes / 1048576)} MB, rss before ${before} MB, peak ${peak} MB`)
}
if (process.env.PROBE_HOLD) {
  // Time to look at the server from outside (/proc/<pid>/smaps) before it stops.
  console.log(`holding server ${child.pid} for ${process.env.PROBE_HOLD} s`)
  await sleep(Number(process.env.PROBE_HOLD) * 1000)
}
if (process.env.PROBE_SNAP) {
  child.kill('SIGUSR2')
  await sleep(15000)
}
child.kill('SIGTERM')
