// Load benchmark: the real server against floors measured in the same run, on loopback.
//   npm run bench             194 countries × 2 questionnaires × 3 cycles (1,164 assessments)
//   npm run bench -- --scale  plus cdc for 52 cycles: 10,670 assessments, ~700k answers
//   npm run bench -- --quick  short runs (one round, 4 s each, a 15 s campaign), for a busy machine
// Options: --duration=10 (seconds per autocannon run), --rounds=3, --warm=2 (unmeasured seconds
// before each measured write run), --campaign=60 (seconds),
// --connections=32, --skip-embedded; BENCH_CPU_PROF=<dir> profiles the servers.
//
// It creates (drops first) the database treaty_bench on DATABASE_URL's server (default
// postgres://postgres@127.0.0.1:5432), prepares it (migrations + questionnaire sync), seeds it with
// set-based SQL, then measures:
//   (0) round trips to PostgreSQL per request, counted in-process (pg client.query calls);
//   (a) PUT /assessments/{id}/answers/{qid} through the real server against two floors served by
//       bench/floor-server.ts (bare fastify, same pool): one INSERT … ON CONFLICT, and the statement
//       floor (the service's four writes in one statement per request). Rounds interleave floors and
//       service, so a busy machine slows all alike; the ratios are of the medians. Also measured, not
//       a target: the coalesced floor, the statement floor's writes grouped as the service groups
//       concurrent writes (src/assessments/write-coalescer.ts), so the service is also compared
//       with a floor that uses the same technique;
//   (b) GET /readiness?questionnaire=cdc&cycle=… (the cross-country aggregate), 1 and 32 clients;
//   (c) GET /exports/answers.csv vs PostgreSQL's own COPY of the same SELECT, with the server's peak RSS;
//   (h) two server processes on one database, driven together: combined write throughput;
//   (d) a campaign's last day: 194 countries × 3 people saving and reloading, 5 staff on the
//       dashboard and one export at once;
//   (e) the embedded PostgreSQL: new data directory to /readyz, existing one, server RSS.
//
// Every questionnaire version in questionnaires/ is seeded (cdc: 68 questions, res174: 23) for cycles
// 2024–2026; --scale seeds cdc for 2000–2051 instead (10,088 cdc assessments). An assessment holds
// at most one answer per question, so "× 100 questions" is reached as × 68 for cdc.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import autocannon from 'autocannon'
import { sql } from 'kysely'
import pg from 'pg'
import { to as copyTo } from 'pg-copy-streams'
import { createToken } from '../src/auth/tokens.js'
import { loadConfig } from '../src/config.js'
import { openKysely } from '../src/db/kysely.js'
import { prepareDatabase } from '../src/prepare.js'
import type { QuestionnaireFile } from '../src/questionnaires/schema.js'

const args = process.argv.slice(2)
const SCALE = args.includes('--scale')
const opt = (name: string, fallback: number) => {
  const a = args.find((x) => x.startsWith(`--${name}=`))
  return a ? Number(a.split('=')[1]) : fallback
}
const QUICK = args.includes('--quick')
const DURATION = opt('duration', QUICK ? 4 : 10)
const ROUNDS = opt('rounds', QUICK ? 1 : 3)
/** Seconds of unmeasured load before each measured write run (--warm=0: none). */
const WARM = opt('warm', 2)
const CAMPAIGN_SECONDS = opt('campaign', QUICK ? 15 : 60)
const PEOPLE_PER_COUNTRY = 3
const CONNECTIONS = opt('connections', 32)
const POOL_SIZE = opt('pool', 10) // the app's default DB_POOL_SIZE
const SERVER = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432'
const DB_NAME = 'treaty_bench'
const CYCLES = { from: 2024, to: 2026 }
const SCALE_CYCLES = { from: 2000, to: 2051 } // cdc only
const DRAFT_CYCLE = 2100 // one draft per country, written to by the upsert scenario
const PORT = opt('port', 3917)
const FLOOR_PORT = PORT + 1

function withDatabase(url: string, database: string): string {
  const u = new URL(url)
  u.pathname = `/${database}`
  return u.toString()
}
const DB_URL = withDatabase(SERVER, DB_NAME)

function log(message: string) {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`)
}

async function admin(text: string) {
  const client = new pg.Client({ connectionString: withDatabase(SERVER, 'postgres') })
  await client.connect()
  try {
    await client.query(text)
  } finally {
    await client.end()
  }
}

// ---- seed ---------------------------------------------------------------------------------------

/** A few valid values per question, by type, as a JSON array (a row picks one at random). */
function choicesFor(q: QuestionnaireFile['domains'][number]['questions'][number]): unknown[] {
  const question = q as { type: string; options?: { id: string; exclusive?: boolean }[] }
  switch (question.type) {
    case 'maturity':
      return [0, 1, 2, 3, 4]
    case 'yes_no_partial':
      return ['yes', 'no', 'partial']
    case 'single_choice':
      return (question.options ?? []).map((o) => o.id)
    case 'multi_choice': {
      const ids = (question.options ?? []).filter((o) => !o.exclusive).map((o) => o.id)
      return [ids.slice(0, 1), ids.slice(0, 2), ids.slice(1, 3)].filter((a) => a.length > 0)
    }
    case 'number':
      return [0, 3, 12, 40]
    default:
      return ['Data Protection Act, 2019, s. 25', 'National Cybersecurity Strategy 2022–2027', 'Draft bill before parliament']
  }
}

async function seed() {
  const t0 = Date.now()
  log(`database ${DB_NAME}: drop, create, prepare`)
  await admin(`drop database if exists ${DB_NAME} with (force)`)
  await admin(`create database ${DB_NAME}`)
  await prepareDatabase({ ...loadConfig({}), databaseUrl: DB_URL }, { info() {}, warn: (m: string) => log(m) })
  const db = openKysely(DB_URL)
  try {
    // One assessment per (country, questionnaire, cycle): the latest version of each questionnaire.
    const all = await db.selectFrom('questionnaire_versions').select(['questionnaire', 'version', 'content']).orderBy('version').execute()
    const versions = [...new Map(all.map((v) => [v.questionnaire, v])).values()]
    let cdcQuestions: QuestionnaireFile['domains'][number]['questions'] = []
    let cdcVersion = 1
    for (const v of versions) {
      const content = v.content as QuestionnaireFile
      const questions = content.domains.flatMap((d) => d.questions)
      if (v.questionnaire === 'cdc') {
        cdcQuestions = questions
        cdcVersion = v.version
      }
      const qids = questions.map((q) => q.id)
      const choices = questions.map((q) => JSON.stringify(choicesFor(q)))
      const cycles = SCALE && v.questionnaire === 'cdc' ? SCALE_CYCLES : CYCLES
      log(`seeding ${v.questionnaire} v${v.version}: cycles ${cycles.from}–${cycles.to} × 194 countries × ${qids.length} answers (set-based SQL)`)
      await sql`
        insert into assessments (country, questionnaire, version, cycle, status, created_at, updated_at)
        select c.code, ${v.questionnaire}, ${v.version}::int, y, case when random() < 0.7 then 'validated' else 'submitted' end,
               make_date(y, 3, 1), make_date(y, 9, 1)
        from countries c cross join generate_series(${cycles.from}::int, ${cycles.to}::int) y`.execute(db)
      await sql`
        insert into answers (assessment_id, question_id, value, special, comment, evidence, score, revision, updated_at, updated_by_role)
        select a.id, q.qid,
               case when r < 0.05 then null else q.choices -> (floor(random() * jsonb_array_length(q.choices)))::int end,
               case when r < 0.03 then 'not_applicable' when r < 0.05 then 'unknown' end,
               case when random() < 0.2 then 'See the national strategy, section 4 ("scope"), adopted after consultation.' end,
               case when random() < 0.3 then '[{"title": "Official gazette", "url": "https://example.gov/gazette/2024-17"}]'::jsonb else '[]'::jsonb end,
               case when r < 0.03 then null else round(random()::numeric, 2)::float8 end,
               1, a.updated_at, 'administration'
        from assessments a
        cross join unnest(${qids}::text[], ${choices}::jsonb[]) as q(qid, choices)
        cross join lateral (select random() + 0 * length(a.id::text) as r) rr
        where a.questionnaire = ${v.questionnaire} and a.version = ${v.version}::int`.execute(db)
    }
    // The upsert scenario writes to one cdc draft per country (answers start empty).
    await sql`
      insert into assessments (country, questionnaire, version, cycle, status)
      select c.code, 'cdc', ${cdcVersion}::int, ${DRAFT_CYCLE}::int, 'draft' from countries c`.execute(db)
    const questions = cdcQuestions
    await sql`
      insert into answer_history (assessment_id, question_id, revision, old_answer, new_answer, changed_at, changed_by_role)
      select assessment_id, question_id, 1, null,
             jsonb_build_object('value', value, 'special', special, 'comment', comment, 'evidence', evidence), updated_at, 'administration'
      from answers`.execute(db)
    await sql`
      insert into domain_scores (assessment_id, domain, score, coverage, tier, applicable, answered, not_applicable, unknown, missing)
      select an.assessment_id, qq.domain, avg(an.score) * 100, 1,
             case when avg(an.score) >= 0.75 then 'advanced' when avg(an.score) >= 0.5 then 'established'
                  when avg(an.score) >= 0.25 then 'developing' else 'initial' end,
             count(*) filter (where an.special is distinct from 'not_applicable'),
             count(*) filter (where an.value is not null), count(*) filter (where an.special = 'not_applicable'),
             count(*) filter (where an.special = 'unknown'), 0
      from answers an
      join assessments a on a.id = an.assessment_id
      join questionnaire_questions qq on qq.questionnaire = a.questionnaire and qq.version = a.version and qq.question_id = an.question_id
      group by an.assessment_id, qq.domain`.execute(db)
    await sql`
      update assessments a set overall_score = s.score, coverage = 1, answered = s.answered, applicable = s.applicable,
             tier = case when s.score >= 75 then 'advanced' when s.score >= 50 then 'established' when s.score >= 25 then 'developing' else 'initial' end
      from (select assessment_id, avg(score) as score, sum(answered)::int as answered, sum(applicable)::int as applicable
            from domain_scores group by assessment_id) s
      where s.assessment_id = a.id`.execute(db)
    await sql`analyze`.execute(db)

    // Tokens: one administration token per country (for the drafts), one staff token.
    const drafts = await db.selectFrom('assessments').select(['id', 'country']).where('cycle', '=', DRAFT_CYCLE).execute()
    const writers: { id: string; auth: string }[] = []
    // The campaign's people: three per country, each a person of their own with their own token.
    const people: { id: string; auth: string }[] = []
    for (const d of drafts) {
      for (let i = 0; i < PEOPLE_PER_COUNTRY; i++) {
        const { token } = await createToken(db, { role: 'administration', country: d.country, label: `bench ${d.country} ${i + 1}` })
        if (i === 0) writers.push({ id: d.id, auth: `Bearer ${token}` })
        people.push({ id: d.id, auth: `Bearer ${token}` })
      }
    }
    const staff = `Bearer ${(await createToken(db, { role: 'staff', label: 'bench staff' })).token}`
    // Questions a write may always answer: maturity questions that do not depend on another answer.
    const writable = questions.filter((q) => (q as { type: string }).type === 'maturity' && !(q as { applies_if?: unknown }).applies_if).map((q) => q.id)
    const cdc = versions.find((v) => v.questionnaire === 'cdc')!.content as QuestionnaireFile
    const domainOf = new Map(cdc.domains.flatMap((d) => d.questions.map((q) => [q.id, d.id] as const)))
    const counts = await sql<{ assessments: string; answers: string; history: string; scores: string }>`
      select (select count(*) from assessments) as assessments, (select count(*) from answers) as answers,
             (select count(*) from answer_history) as history, (select count(*) from domain_scores) as scores`.execute(db)
    const c = counts.rows[0]!
    log(
      `seeded ${c.assessments} assessments, ${c.answers} answers, ${c.history} history rows, ${c.scores} domain scores in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    )
    return { writers, people, staff, writable, domainOf, counts: c, seedSeconds: (Date.now() - t0) / 1000 }
  } finally {
    await db.destroy()
  }
}

// ---- processes ----------------------------------------------------------------------------------

/** Starts a compiled script (dist/…js, as the Docker image runs it), or a TypeScript one through tsx. */
function start(script: string, port: number, extraEnv: Record<string, string | undefined> = {}): ChildProcess {
  // BENCH_CPU_PROF=dir writes a V8 CPU profile of each process to dir, for finding where time goes.
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []
  const loader = script.endsWith('.ts') ? ['--import', 'tsx'] : []
  const env: Record<string, string | undefined> = {
    ...process.env,
    DATABASE_URL: DB_URL,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    MIGRATE_ON_START: 'false',
    DB_POOL_SIZE: String(POOL_SIZE),
    AUTH_RATE_LIMIT: '1000000',
    ...extraEnv,
  }
  // An undefined value removes the variable (the embedded start runs without DATABASE_URL).
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete env[key]
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, ...profile, ...loader, script], { env, stdio: ['ignore', 'ignore', 'inherit'] })
  return child
}

/** Node's flags for the server, as the Dockerfile's CMD and `npm start` run it; BENCH_NODE_FLAGS adds more (for trying V8 settings). */
const SERVER_NODE_FLAGS = ['--max-semi-space-size=16', '--expose-gc', ...(process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean)]

async function waitReady(port: number, child: ChildProcess, seconds = 30) {
  for (let i = 0; i < seconds * 20; i++) {
    if (child.exitCode !== null) throw new Error(`server on ${port} exited with ${child.exitCode}`)
    try {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`)
      if (res.ok) return
    } catch {
      // not listening yet
    }
    await sleep(50)
  }
  throw new Error(`server on ${port} did not become ready`)
}

async function stop(child: ChildProcess) {
  if (child.exitCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  await Promise.race([exited, sleep(12_000)])
  if (child.exitCode === null) child.kill('SIGKILL')
}

function memoryOf(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0)
  return { rss: kb('VmRSS') * 1024, hwm: kb('VmHWM') * 1024 }
}

// ---- measurements -------------------------------------------------------------------------------

interface LoadResult {
  rps: number
  p50: number
  p99: number
  requests: number
  non2xx: number
  errors: number
}

async function load(options: autocannon.Options): Promise<LoadResult> {
  const result = await autocannon({ connections: CONNECTIONS, duration: DURATION, ...options })
  if (result.errors + result.timeouts > 0 || result.non2xx > 0)
    log(`${options.url}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`)
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  }
}

async function download(url: string, headers: Record<string, string>, pid: number) {
  let peak = memoryOf(pid).rss
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, memoryOf(pid).rss)
    } catch {
      // the process is gone
    }
  }, 20)
  const t0 = process.hrtime.bigint()
  try {
    return await new Promise<{ status: number; bytes: number; rows: number; seconds: number; peakRss: number }>((resolve, reject) => {
      http
        .get(url, { headers }, (res) => {
          let bytes = 0
          let rows = 0
          res.on('data', (chunk: Buffer) => {
            bytes += chunk.length
            for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) rows++
          })
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, bytes, rows: Math.max(0, rows - 1), seconds: Number(process.hrtime.bigint() - t0) / 1e9, peakRss: peak }),
          )
          res.on('error', reject)
        })
        .on('error', reject)
    })
  } finally {
    clearInterval(timer)
  }
}

async function copyFloor(select: string) {
  const client = new pg.Client({ connectionString: DB_URL })
  await client.connect()
  try {
    const t0 = process.hrtime.bigint()
    const stream = client.query(copyTo(`COPY (${select}) TO STDOUT WITH (FORMAT csv, HEADER)`))
    let bytes = 0
    let rows = 0
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      bytes += chunk.length
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) rows++
    }
    return { bytes, rows: Math.max(0, rows - 1), seconds: Number(process.hrtime.bigint() - t0) / 1e9 }
  } finally {
    await client.end()
  }
}

/** The SELECT the export route runs (from src/exports/stream.ts), for the COPY floor. */
async function exportSelect(): Promise<string | undefined> {
  try {
    const stream = (await import('../src/exports/stream.js')) as {
      answersExport: (db: unknown, f: unknown) => Promise<{ select: string }>
      exportFilters: { parse: (v: unknown) => unknown }
    }
    const db = openKysely(DB_URL)
    try {
      return (await stream.answersExport(db, stream.exportFilters.parse({ questionnaire: 'cdc' }))).select
    } finally {
      await db.destroy()
    }
  } catch (err) {
    log(`cannot build the export's SELECT: ${(err as Error).message}`)
    return undefined
  }
}

// ---- main ---------------------------------------------------------------------------------------

const mb = (n: number) => n / 1024 / 1024
const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '–')
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length ? s[Math.floor((s.length - 1) / 2)]! : Number.NaN
}
const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]! : Number.NaN)

interface Target {
  name: string
  figure: string
  target: string
  met: boolean
}

type Data = Awaited<ReturnType<typeof seed>>

/** Medians of interleaved rounds. */
function medianOf(results: LoadResult[]): LoadResult {
  return {
    rps: median(results.map((r) => r.rps)),
    p50: median(results.map((r) => r.p50)),
    p99: median(results.map((r) => r.p99)),
    requests: results.reduce((s, r) => s + r.requests, 0),
    non2xx: results.reduce((s, r) => s + r.non2xx, 0),
    errors: results.reduce((s, r) => s + r.errors, 0),
  }
}

/** One autocannon request generator per target: the same (assessment, question) sequence for the service and the statement floor. */
function writeRequests(data: Data) {
  const combos = data.writers.flatMap((w) => data.writable.map((q) => ({ ...w, q, domain: data.domainOf.get(q)! })))
  let n = 0
  const next = () => {
    const i = n++
    return { i, c: combos[(i * 7919) % combos.length]! }
  }
  const statementRequest = (req: autocannon.Request, route: 'statement' | 'coalesced') => {
    const { i, c } = next()
    return {
      ...req,
      method: 'PUT' as const,
      path: `/${route}/${c.id}/${c.q}`,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ value: i % 5, domain: c.domain }),
    }
  }
  return {
    service: (req: autocannon.Request) => {
      const { i, c } = next()
      return {
        ...req,
        method: 'PUT' as const,
        path: `/assessments/${c.id}/answers/${c.q}`,
        headers: { 'content-type': 'application/json', authorization: c.auth, 'if-match': '*' },
        body: JSON.stringify({ value: i % 5 }),
      }
    },
    statement: (req: autocannon.Request) => statementRequest(req, 'statement'),
    coalesced: (req: autocannon.Request) => statementRequest(req, 'coalesced'),
    bare: (req: autocannon.Request) => {
      const { i } = next()
      return {
        ...req,
        method: 'PUT' as const,
        path: `/floor/k${i % combos.length}`,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ value: i % 5 }),
      }
    },
  }
}

/**
 * Round trips to PostgreSQL per request, counted in this process: the app built in-process on the
 * bench database, every pg client.query call counted (BEGIN and COMMIT included).
 */
async function roundTrips(data: Data, readinessPath: string) {
  const { buildApp } = await import('../src/app.js')
  const app = await buildApp({ ...loadConfig({ LOG_LEVEL: 'silent' }), databaseUrl: DB_URL })
  await app.ready()
  const original = pg.Client.prototype.query
  let calls = 0
  pg.Client.prototype.query = function (this: pg.Client, ...a: unknown[]) {
    calls++
    return (original as (...x: unknown[]) => unknown).apply(this, a)
  } as typeof original
  try {
    const count = async (n: number, inject: (i: number) => Promise<{ statusCode: number }>) => {
      // The same requests once before counting: the questionnaire cache, prepared statements and
      // each token's last_used_at (written at most once a minute) are then in their steady state.
      for (let i = 0; i < n; i++) await inject(i)
      calls = 0
      for (let i = 0; i < n; i++) {
        const res = await inject(i)
        if (res.statusCode >= 300) throw new Error(`round-trip count: status ${res.statusCode}`)
      }
      return calls / n
    }
    const w = data.writers
    const put = await count(30, (i) =>
      app.inject({
        method: 'PUT',
        url: `/assessments/${w[i % w.length]!.id}/answers/${data.writable[i % data.writable.length]}`,
        headers: { authorization: w[i % w.length]!.auth, 'if-match': '*' },
        payload: { value: i % 5 },
      }),
    )
    const page = await count(30, (i) =>
      app.inject({ method: 'GET', url: `/assessments/${w[i % w.length]!.id}`, headers: { authorization: w[i % w.length]!.auth } }),
    )
    const readiness = await count(30, () => app.inject({ method: 'GET', url: readinessPath, headers: { authorization: data.staff } }))
    return { put, page, readiness }
  } finally {
    pg.Client.prototype.query = original
    await app.close()
  }
}

interface Timed {
  status: number
  ms: number
}

/** A request on a keep-alive agent; the body is drained. */
function timedRequest(agent: http.Agent, base: string, method: string, path: string, headers: Record<string, string>, body?: string): Promise<Timed> {
  const t0 = process.hrtime.bigint()
  return new Promise((resolve) => {
    const req = http.request(base + path, { method, agent, headers }, (res) => {
      res.resume()
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: Number(process.hrtime.bigint() - t0) / 1e6 }))
      res.on('error', () => resolve({ status: 0, ms: Number(process.hrtime.bigint() - t0) / 1e6 }))
    })
    req.on('error', () => resolve({ status: 0, ms: Number(process.hrtime.bigint() - t0) / 1e6 }))
    if (body) req.write(body)
    req.end()
  })
}

/**
 * A campaign's last day: every country's three people save an answer every 2–4 s and reload their
 * page (GET /assessments/{id}) every 10 s; 5 staff reload the dashboard (GET /readiness, world and
 * by region) every 2 s; one staff member downloads the full export. Errors are failed connections
 * and unexpected statuses (a save with If-Match: * has no conflict to lose).
 */
async function campaignDay(base: string, data: Data, readinessPath: string, seconds: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY })
  const latencies: Record<'save' | 'page' | 'dashboard', number[]> = { save: [], page: [], dashboard: [] }
  const errors: string[] = []
  const end = Date.now() + seconds * 1000
  const record = (kind: keyof typeof latencies, r: Timed) => {
    latencies[kind].push(r.ms)
    if (r.status !== 200) errors.push(`${kind}: ${r.status}`)
  }
  const person = async (p: { id: string; auth: string }) => {
    await sleep(Math.random() * 3000)
    let reload = Date.now() + Math.random() * 10_000
    while (Date.now() < end) {
      const q = data.writable[Math.floor(Math.random() * data.writable.length)]!
      const headers = { authorization: p.auth, 'if-match': '*', 'content-type': 'application/json' }
      record(
        'save',
        await timedRequest(agent, base, 'PUT', `/assessments/${p.id}/answers/${q}`, headers, JSON.stringify({ value: Math.floor(Math.random() * 5) })),
      )
      if (Date.now() >= reload) {
        record('page', await timedRequest(agent, base, 'GET', `/assessments/${p.id}`, { authorization: p.auth }))
        reload += 10_000
      }
      await sleep(2000 + Math.random() * 2000)
    }
  }
  const staffMember = async (i: number) => {
    await sleep(i * 400)
    while (Date.now() < end) {
      const path = i % 2 ? `${readinessPath}&groupBy=region` : readinessPath
      record('dashboard', await timedRequest(agent, base, 'GET', path, { authorization: data.staff }))
      await sleep(2000)
    }
  }
  const exporter = async () => {
    await sleep(Math.min(5000, (seconds * 1000) / 4))
    const r = await timedRequest(agent, base, 'GET', '/exports/answers.csv?questionnaire=cdc', { authorization: data.staff })
    if (r.status !== 200) errors.push(`export: ${r.status}`)
    return r.ms
  }
  const [exportMs] = await Promise.all([exporter(), ...data.people.map(person), ...[0, 1, 2, 3, 4].map(staffMember)])
  agent.destroy()
  const summary = (kind: keyof typeof latencies) => {
    const sorted = [...latencies[kind]].sort((a, b) => a - b)
    return { n: sorted.length, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) }
  }
  return { save: summary('save'), page: summary('page'), dashboard: summary('dashboard'), exportMs: exportMs ?? Number.NaN, errors }
}

/** The embedded PostgreSQL: a new data directory to /readyz, then the same directory again, and the server's RSS. */
async function embeddedStart(port: number) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'treaty-bench-embedded-'))
  const env = { DATABASE_URL: undefined, DATA_DIR: dir, MIGRATE_ON_START: 'true' }
  const once = async () => {
    const t0 = Date.now()
    const child = start('dist/src/server.js', port, env)
    try {
      await waitReady(port, child, 90) // a figure even on a busy machine; the target is judged from it
      const seconds = (Date.now() - t0) / 1000
      await sleep(500)
      return { seconds, rss: memoryOf(child.pid!).rss }
    } finally {
      await stop(child)
    }
  }
  try {
    const fresh = await once()
    const existing = await once()
    return { fresh, existing }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

async function main() {
  const wall = Date.now()
  const data = await seed()
  const rows: string[][] = []
  const notes: string[] = []
  const targets: Target[] = []
  const midCycle = Math.floor((CYCLES.from + CYCLES.to) / 2)
  const readinessPath = `/readiness?questionnaire=cdc&cycle=${midCycle}`

  log('(0) round trips per request (in-process count)')
  const trips = await roundTrips(data, readinessPath)
  rows.push([
    '(0) round trips to PostgreSQL per request',
    `PUT ${f1(trips.put)}, GET /assessments/{id} ${f1(trips.page)}, GET /readiness ${f1(trips.readiness)}`,
    '',
    '',
    '',
    '',
    '',
    '',
  ])

  // The server as production runs it: compiled by `npm run build`, no TypeScript loader in memory.
  log('npm run build')
  execFileSync('npm', ['run', '--silent', 'build'], { stdio: ['ignore', 'ignore', 'inherit'] })
  const floor = start('bench/floor-server.ts', FLOOR_PORT)
  const server = start('dist/src/server.js', PORT)
  const base = `http://127.0.0.1:${PORT}`
  try {
    await waitReady(FLOOR_PORT, floor)
    await waitReady(PORT, server)

    // (a) the answer write: both floors and the service, interleaved.
    const gen = writeRequests(data)
    const floorUrl = `http://127.0.0.1:${FLOOR_PORT}`
    log('warm-up (2 s each)')
    await load({ url: floorUrl, duration: 2, requests: [{ setupRequest: gen.statement }] })
    await load({ url: base, duration: 2, requests: [{ setupRequest: gen.service }] })
    const runs: Record<'bare' | 'statement' | 'coalesced' | 'service', LoadResult[]> = { bare: [], statement: [], coalesced: [], service: [] }
    for (let round = 1; round <= ROUNDS; round++) {
      log(`(a) round ${round}/${ROUNDS}: bare floor, statement floor, coalesced floor, PUT answer`)
      // Each measured run follows 2 s of the same load, unmeasured: steady state for every target. The
      // service, idle through the floors' runs, has compacted its heap meanwhile (idle-compaction.ts)
      // and needs a moment to regrow it; the floors have no such idle work. --warm=0 measures cold.
      const measured = async (url: string, setupRequest: (req: autocannon.Request) => autocannon.Request) => {
        if (WARM > 0) await load({ url, duration: WARM, requests: [{ setupRequest }] })
        return load({ url, requests: [{ setupRequest }] })
      }
      runs.bare.push(await measured(floorUrl, gen.bare))
      runs.statement.push(await measured(floorUrl, gen.statement))
      runs.coalesced.push(await measured(floorUrl, gen.coalesced))
      runs.service.push(await measured(base, gen.service))
      const last = (xs: LoadResult[]) => xs[xs.length - 1]!.rps.toFixed(0)
      log(`(a) round ${round}: ${last(runs.bare)} / ${last(runs.statement)} / ${last(runs.coalesced)} / ${last(runs.service)} req/s`)
    }
    const bare = medianOf(runs.bare)
    const statement = medianOf(runs.statement)
    const coalesced = medianOf(runs.coalesced)
    const service = medianOf(runs.service)
    if (service.non2xx || service.errors) notes.push(`PUT answer: ${service.non2xx} non-2xx, ${service.errors} errors of ${service.requests}`)
    const vsStatement = service.rps / statement.rps
    const vsBare = service.rps / bare.rps
    const floorRow = (label: string, r: LoadResult) => rows.push([label, `${f1(r.rps)} req/s`, f1(r.p50), f1(r.p99), '', (r.rps / bare.rps).toFixed(2), '', ''])
    floorRow('(a) floor: bare fastify, one INSERT … ON CONFLICT', bare)
    floorRow('(a) statement floor: the four writes in one statement', statement)
    // Not a target: the statement floor's writes grouped as the service groups them (one statement
    // per queue of writes, at most WRITE_STATEMENTS at once), for comparing like with like.
    floorRow('(a) coalesced floor: the same writes, grouped as the service groups them', coalesced)
    rows.push([
      '(a) PUT /assessments/{id}/answers/{qid}',
      `${f1(service.rps)} req/s`,
      f1(service.p50),
      f1(service.p99),
      `${f1(mb(memoryOf(server.pid!).rss))} MB`,
      `${vsBare.toFixed(2)} (${vsStatement.toFixed(2)} of the statement floor, ${(service.rps / coalesced.rps).toFixed(2)} of the coalesced floor)`,
      '≥ 0.6× statement floor, p99 < 80 ms',
      vsStatement >= 0.6 && service.p99 < 80 ? 'yes' : 'NO',
    ])
    targets.push({
      name: 'answer write vs statement floor',
      figure: `${vsStatement.toFixed(2)}× (${vsBare.toFixed(2)}× bare floor)`,
      target: '≥ 0.6×',
      met: vsStatement >= 0.6,
    })
    targets.push({ name: 'answer write p99', figure: `${f1(service.p99)} ms`, target: '< 80 ms', met: service.p99 < 80 })

    // (b) the cross-country aggregate.
    const probe = await fetch(base + readinessPath, { headers: { authorization: data.staff } })
    if (!probe.ok) notes.push(`GET ${readinessPath}: ${probe.status} ${(await probe.text()).slice(0, 200)}`)
    log('(b) GET /readiness, 1 connection')
    const agg1 = await load({ url: base, connections: 1, headers: { authorization: data.staff }, requests: [{ method: 'GET', path: readinessPath }] })
    log(`(b) GET /readiness, ${CONNECTIONS} connections`)
    const agg = await load({ url: base, headers: { authorization: data.staff }, requests: [{ method: 'GET', path: readinessPath }] })
    if (agg.non2xx || agg1.non2xx) notes.push(`readiness: ${agg.non2xx + agg1.non2xx} non-2xx responses`)
    rows.push(['(b) GET /readiness (1 connection)', `${f1(agg1.rps)} req/s`, f1(agg1.p50), f1(agg1.p99), '', '', '', ''])
    rows.push([
      `(b) GET /readiness (${CONNECTIONS} connections)`,
      `${f1(agg.rps)} req/s`,
      f1(agg.p50),
      f1(agg.p99),
      '',
      '',
      'p50 < 20 ms, p99 < 60 ms',
      agg.p50 < 20 && agg.p99 < 60 ? 'yes' : 'NO',
    ])
    targets.push({
      name: `readiness, ${CONNECTIONS} clients`,
      figure: `p50 ${f1(agg.p50)} ms, p99 ${f1(agg.p99)} ms`,
      target: 'p50 < 20 ms, p99 < 60 ms',
      met: agg.p50 < 20 && agg.p99 < 60,
    })

    // (c) the CSV export vs PostgreSQL's COPY of the same SELECT; before the campaign, whose 600
    // concurrent connections leave the allocator holding memory the export's peak would include.
    const select = await exportSelect()
    const exportPath = '/exports/answers.csv?questionnaire=cdc'
    log('(c) COPY floor')
    const copy = select ? await copyFloor(select) : undefined
    log('(c) GET /exports/answers.csv')
    const baseRss = memoryOf(server.pid!).rss
    const csv = await download(base + exportPath, { authorization: data.staff }, server.pid!)
    if (csv.status !== 200) notes.push(`GET ${exportPath}: ${csv.status}`)
    const hwm = memoryOf(server.pid!).hwm
    const ours = mb(csv.bytes) / csv.seconds
    const floorMBs = copy ? mb(copy.bytes) / copy.seconds : Number.NaN
    if (copy)
      rows.push(['(c) floor: COPY (same SELECT) TO STDOUT', `${f1(floorMBs)} MB/s, ${f1(copy.rows / copy.seconds / 1000)}k rows/s`, '', '', '', '', '', ''])
    rows.push([
      `(c) GET /exports/answers.csv (${f1(mb(csv.bytes))} MB)`,
      `${f1(ours)} MB/s, ${f1(csv.rows / csv.seconds / 1000)}k rows/s`,
      '',
      '',
      `${f1(mb(csv.peakRss))} MB (before ${f1(mb(baseRss))}, HWM ${f1(mb(hwm))})`,
      (ours / floorMBs).toFixed(2),
      'RSS < 200 MB',
      csv.peakRss < 200 * 1024 * 1024 ? 'yes' : 'NO',
    ])
    targets.push({
      name: `${SCALE ? 'scale ' : ''}export peak RSS`,
      figure: `${f1(mb(csv.peakRss))} MB`,
      target: '< 200 MB',
      met: csv.peakRss < 200 * 1024 * 1024,
    })
    // (h) two server processes on one database: writes spread over both.
    log('(h) two server processes, writes to both')
    const second = start('dist/src/server.js', PORT + 2)
    try {
      await waitReady(PORT + 2, second)
      // Its questionnaire cache and prepared statements warm, as the first process's are.
      await load({ url: `http://127.0.0.1:${PORT + 2}`, duration: 2, requests: [{ setupRequest: gen.service }] })
      const half = Math.max(1, Math.floor(CONNECTIONS / 2))
      const [x, y] = await Promise.all([
        load({ url: base, connections: half, requests: [{ setupRequest: gen.service }] }),
        load({ url: `http://127.0.0.1:${PORT + 2}`, connections: half, requests: [{ setupRequest: gen.service }] }),
      ])
      const combined = x.rps + y.rps
      rows.push([
        `(h) PUT answer on two processes (${half} + ${half} connections)`,
        `${f1(combined)} req/s (${f1(x.rps)} + ${f1(y.rps)})`,
        `${f1(x.p50)} / ${f1(y.p50)}`,
        `${f1(x.p99)} / ${f1(y.p99)}`,
        '',
        `${(combined / service.rps).toFixed(2)} of one process`,
        'reported',
        x.non2xx + y.non2xx + x.errors + y.errors === 0 ? 'yes' : 'NO',
      ])
      targets.push({
        name: 'two processes, one database',
        figure: `${f1(combined)} req/s combined, ${(combined / service.rps).toFixed(2)}× one process, ${x.non2xx + y.non2xx + x.errors + y.errors} errors`,
        target: 'reported, 0 errors',
        met: x.non2xx + y.non2xx + x.errors + y.errors === 0,
      })
    } finally {
      await stop(second)
    }

    // (d) a campaign's last day.
    log(`(d) a campaign's last day: ${data.people.length} people, 5 staff, one export, ${CAMPAIGN_SECONDS} s`)
    const day = await campaignDay(base, data, readinessPath, CAMPAIGN_SECONDS)
    const dayMet = day.errors.length === 0 && day.save.p99 < 150 && day.page.p99 < 150
    rows.push([
      `(d) campaign: saves (${day.save.n})`,
      `${f1(day.save.n / CAMPAIGN_SECONDS)} req/s`,
      f1(day.save.p50),
      f1(day.save.p99),
      '',
      '',
      'p99 < 150 ms',
      day.save.p99 < 150 ? 'yes' : 'NO',
    ])
    rows.push([
      `(d) campaign: page reloads (${day.page.n})`,
      `${f1(day.page.n / CAMPAIGN_SECONDS)} req/s`,
      f1(day.page.p50),
      f1(day.page.p99),
      '',
      '',
      'p99 < 150 ms',
      day.page.p99 < 150 ? 'yes' : 'NO',
    ])
    rows.push([`(d) campaign: dashboards (${day.dashboard.n})`, '', f1(day.dashboard.p50), f1(day.dashboard.p99), '', '', '', ''])
    rows.push(['(d) campaign: the export', `${(day.exportMs / 1000).toFixed(1)} s`, '', '', '', '', '', ''])
    targets.push({
      name: "a campaign's last day",
      figure: `${day.errors.length} errors; p99 saves ${f1(day.save.p99)} ms, pages ${f1(day.page.p99)} ms`,
      target: '0 errors, p99 < 150 ms',
      met: dayMet,
    })
    if (day.errors.length) notes.push(`campaign errors: ${[...new Set(day.errors)].join(', ')} (${day.errors.length})`)
  } finally {
    await stop(server)
    await stop(floor)
  }

  // (e) the embedded PostgreSQL.
  if (!args.includes('--skip-embedded')) {
    log('(e) embedded PostgreSQL: new data directory, then the same again')
    try {
      const e = await embeddedStart(PORT + 4)
      rows.push([
        '(e) embedded: new data directory → /readyz',
        `${e.fresh.seconds.toFixed(2)} s`,
        '',
        '',
        `${f1(mb(e.fresh.rss))} MB`,
        '',
        '< 6 s',
        e.fresh.seconds < 6 ? 'yes' : 'NO',
      ])
      rows.push([
        '(e) embedded: existing data directory → /readyz',
        `${e.existing.seconds.toFixed(2)} s`,
        '',
        '',
        `${f1(mb(e.existing.rss))} MB`,
        '',
        '< 1.5 s, RSS < 200 MB',
        e.existing.seconds < 1.5 && e.existing.rss < 200 * 1024 * 1024 ? 'yes' : 'NO',
      ])
      targets.push({ name: 'embedded start, new data directory', figure: `${e.fresh.seconds.toFixed(2)} s`, target: '< 6 s', met: e.fresh.seconds < 6 })
      targets.push({
        name: 'embedded start, existing data directory',
        figure: `${e.existing.seconds.toFixed(2)} s`,
        target: '< 1.5 s',
        met: e.existing.seconds < 1.5,
      })
      const rss = Math.max(e.fresh.rss, e.existing.rss)
      targets.push({ name: 'embedded server RSS', figure: `${f1(mb(rss))} MB`, target: '< 200 MB', met: rss < 200 * 1024 * 1024 })
    } catch (err) {
      notes.push(`embedded start failed: ${(err as Error).message}`)
    }
  }

  const header = ['scenario', 'throughput', 'p50 ms', 'p99 ms', 'RSS', 'ratio', 'target', 'met?']
  const table = [header, header.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n')
  const cpu = os.cpus()
  const load1 = os.loadavg()[0] ?? 0
  console.log(`\n## ${SCALE ? 'Scale' : 'Default'} run${QUICK ? ' (quick)' : ''} (${new Date().toISOString()})\n`)
  console.log(
    `Command: npm run bench${args.length ? ` -- ${args.join(' ')}` : ''}; autocannon ${CONNECTIONS} connections, ${DURATION} s × ${ROUNDS} interleaved round(s); DB_POOL_SIZE ${POOL_SIZE}`,
  )
  console.log(
    `Machine: ${cpu.length} × ${cpu[0]?.model ?? 'cpu'}, ${f1(os.totalmem() / 1024 ** 3)} GB RAM, Node ${process.version}, loopback; load average at the end ${load1.toFixed(1)}${load1 > cpu.length ? ' (busy: absolute figures are not comparable, ratios are)' : ''}`,
  )
  console.log(
    `Dataset: ${data.counts.assessments} assessments, ${data.counts.answers} answers, ${data.counts.history} history rows, ${data.counts.scores} domain scores (seeded in ${data.seedSeconds.toFixed(1)} s)\n`,
  )
  console.log(table)
  console.log('\nTargets:\n')
  for (const t of targets) console.log(`- ${t.met ? 'met    ' : 'NOT met'}  ${t.name}: ${t.figure} (target ${t.target})`)
  if (notes.length) console.log(`\n${notes.map((n) => `- ${n}`).join('\n')}`)
  console.log(`\nTotal ${((Date.now() - wall) / 1000).toFixed(0)} s`)
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
