// Load benchmark: the real server against floors, on loopback.
//   npm run bench             194 countries × 2 questionnaires × 3 cycles (1,164 assessments)
//   npm run bench -- --scale  plus cdc for 52 cycles: 10,670 assessments, ~700k answers
// Options: --duration=10 (seconds per autocannon run), --connections=32; BENCH_CPU_PROF=<dir> profiles the servers.
//
// It creates (drops first) the database treaty_bench on DATABASE_URL's server (default
// postgres://postgres@127.0.0.1:5432), prepares it (migrations + questionnaire sync), seeds it with
// set-based SQL, then measures:
//   (a) PUT /assessments/{id}/answers/{qid} through the real server vs a bare fastify app doing one
//       INSERT … ON CONFLICT DO UPDATE (bench/floor-server.ts), same pool size and autocannon settings;
//   (b) GET /readiness?questionnaire=cdc&cycle=… (the cross-country aggregate);
//   (c) GET /exports/answers.csv vs PostgreSQL's own COPY of the same SELECT, with the server's peak RSS.
//
// Every questionnaire version in questionnaires/ is seeded (cdc: 68 questions, res174: 23) for cycles
// 2024–2026; --scale seeds cdc for 2000–2051 instead (10,088 cdc assessments). An assessment holds
// at most one answer per question, so "× 100 questions" is reached as × 68 for cdc.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import http from 'node:http'
import os from 'node:os'
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
const DURATION = opt('duration', 10)
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
    for (const d of drafts) {
      const { token } = await createToken(db, { role: 'administration', country: d.country, label: `bench ${d.country}` })
      writers.push({ id: d.id, auth: `Bearer ${token}` })
    }
    const staff = `Bearer ${(await createToken(db, { role: 'staff', label: 'bench staff' })).token}`
    // Questions a write may always answer: maturity questions that do not depend on another answer.
    const writable = questions.filter((q) => (q as { type: string }).type === 'maturity' && !(q as { applies_if?: unknown }).applies_if).map((q) => q.id)
    const counts = await sql<{ assessments: string; answers: string; history: string; scores: string }>`
      select (select count(*) from assessments) as assessments, (select count(*) from answers) as answers,
             (select count(*) from answer_history) as history, (select count(*) from domain_scores) as scores`.execute(db)
    const c = counts.rows[0]!
    log(
      `seeded ${c.assessments} assessments, ${c.answers} answers, ${c.history} history rows, ${c.scores} domain scores in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    )
    return { writers, staff, writable, counts: c, seedSeconds: (Date.now() - t0) / 1000 }
  } finally {
    await db.destroy()
  }
}

// ---- processes ----------------------------------------------------------------------------------

/** Starts a compiled script (dist/…js, as the Docker image runs it), or a TypeScript one through tsx. */
function start(script: string, port: number, extraEnv: Record<string, string> = {}): ChildProcess {
  // BENCH_CPU_PROF=dir writes a V8 CPU profile of each process to dir, for finding where time goes.
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []
  const loader = script.endsWith('.ts') ? ['--import', 'tsx'] : []
  const child = spawn(process.execPath, [...profile, ...loader, script], {
    env: {
      ...process.env,
      DATABASE_URL: DB_URL,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      MIGRATE_ON_START: 'false',
      DB_POOL_SIZE: String(POOL_SIZE),
      AUTH_RATE_LIMIT: '1000000',
      ...extraEnv,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  return child
}

async function waitReady(port: number, child: ChildProcess) {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`server on ${port} exited with ${child.exitCode}`)
    try {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`)
      if (res.ok) return
    } catch {
      // not listening yet
    }
    await sleep(100)
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

async function main() {
  const wall = Date.now()
  const data = await seed()
  const rows: string[][] = []
  const notes: string[] = []
  const midCycle = Math.floor((CYCLES.from + CYCLES.to) / 2)

  // (a) floor: bare fastify + one INSERT … ON CONFLICT
  log('floor server: PUT /floor/:k')
  const floor = start('bench/floor-server.ts', FLOOR_PORT)
  let floorResult: LoadResult
  try {
    await waitReady(FLOOR_PORT, floor)
    let n = 0
    floorResult = await load({
      url: `http://127.0.0.1:${FLOOR_PORT}`,
      requests: [
        {
          method: 'PUT',
          setupRequest: (req) => {
            const i = n++
            return {
              ...req,
              path: `/floor/k${i % (194 * data.writable.length)}`,
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ value: i % 5 }),
            }
          },
        },
      ],
    })
  } finally {
    await stop(floor)
  }

  log('real server')
  // The server as production runs it: compiled by `npm run build`, no TypeScript loader in memory.
  log('npm run build')
  execFileSync('npm', ['run', '--silent', 'build'], { stdio: ['ignore', 'ignore', 'inherit'] })
  const server = start('dist/src/server.js', PORT)
  try {
    await waitReady(PORT, server)
    const base = `http://127.0.0.1:${PORT}`

    // (a) the answer upsert through the full API.
    const combos = data.writers.flatMap((w) => data.writable.map((q) => ({ ...w, q })))
    let n = 0
    const put = (req: autocannon.Request) => {
      const i = n++
      const c = combos[(i * 7919) % combos.length]!
      return {
        ...req,
        method: 'PUT' as const,
        path: `/assessments/${c.id}/answers/${c.q}`,
        headers: { 'content-type': 'application/json', authorization: c.auth, 'if-match': '*' },
        body: JSON.stringify({ value: i % 5 }),
      }
    }
    log('warm-up (2 s)')
    await load({ url: base, duration: 2, requests: [{ setupRequest: put }] })
    log('(a) PUT answer')
    const upsert = await load({ url: base, requests: [{ setupRequest: put }] })
    if (upsert.non2xx) notes.push(`upsert: ${upsert.non2xx} non-2xx responses of ${upsert.requests}`)
    const ratioA = upsert.rps / floorResult.rps
    rows.push(['(a) floor: bare fastify, one INSERT … ON CONFLICT', `${f1(floorResult.rps)} req/s`, f1(floorResult.p50), f1(floorResult.p99), '', '', '', ''])
    rows.push([
      '(a) PUT /assessments/{id}/answers/{qid}',
      `${f1(upsert.rps)} req/s`,
      f1(upsert.p50),
      f1(upsert.p99),
      `${f1(mb(memoryOf(server.pid!).hwm))} MB`,
      ratioA.toFixed(2),
      '≥ 0.5× floor',
      ratioA >= 0.5 ? 'yes' : 'NO',
    ])

    // (b) the cross-country aggregate.
    const readinessPath = `/readiness?questionnaire=cdc&cycle=${midCycle}`
    const probe = await fetch(base + readinessPath, { headers: { authorization: data.staff } })
    if (!probe.ok) notes.push(`GET ${readinessPath}: ${probe.status} ${(await probe.text()).slice(0, 200)}`)
    await load({ url: base, duration: 1, connections: 1, headers: { authorization: data.staff }, requests: [{ method: 'GET', path: readinessPath }] })
    log('(b) GET /readiness, 1 connection')
    const agg1 = await load({
      url: base,
      connections: 1,
      duration: Math.max(3, Math.round(DURATION / 2)),
      headers: { authorization: data.staff },
      requests: [{ method: 'GET', path: readinessPath }],
    })
    log(`(b) GET /readiness, ${CONNECTIONS} connections`)
    const agg = await load({ url: base, headers: { authorization: data.staff }, requests: [{ method: 'GET', path: readinessPath }] })
    if (agg.non2xx || agg1.non2xx) notes.push(`readiness: ${agg.non2xx + agg1.non2xx} non-2xx responses`)
    rows.push(['(b) GET /readiness (1 connection)', `${f1(agg1.rps)} req/s`, f1(agg1.p50), f1(agg1.p99), '', '', 'p50 < 50 ms', agg1.p50 < 50 ? 'yes' : 'NO'])
    rows.push([
      `(b) GET /readiness (${CONNECTIONS} connections)`,
      `${f1(agg.rps)} req/s`,
      f1(agg.p50),
      f1(agg.p99),
      '',
      '',
      'p50 < 50 ms',
      agg.p50 < 50 ? 'yes' : 'NO',
    ])

    // (c) the CSV export vs PostgreSQL's COPY of the same SELECT.
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
    if (copy) {
      const floorMBs = mb(copy.bytes) / copy.seconds
      rows.push(['(c) floor: COPY (same SELECT) TO STDOUT', `${f1(floorMBs)} MB/s, ${f1(copy.rows / copy.seconds / 1000)}k rows/s`, '', '', '', '', '', ''])
      const ratioC = ours / floorMBs
      const met = ratioC >= 0.5 && csv.peakRss < 200 * 1024 * 1024
      rows.push([
        '(c) GET /exports/answers.csv',
        `${f1(ours)} MB/s, ${f1(csv.rows / csv.seconds / 1000)}k rows/s`,
        '',
        '',
        `${f1(mb(csv.peakRss))} MB (before ${f1(mb(baseRss))}, HWM ${f1(mb(hwm))})`,
        ratioC.toFixed(2),
        '≥ 0.5× COPY, RSS < 200 MB',
        met ? 'yes' : 'NO',
      ])
      notes.push(
        `CSV: ${csv.rows} rows, ${f1(mb(csv.bytes))} MB in ${csv.seconds.toFixed(2)} s; COPY: ${copy.rows} rows, ${f1(mb(copy.bytes))} MB in ${copy.seconds.toFixed(2)} s`,
      )
    }
  } finally {
    await stop(server)
  }

  const header = ['scenario', 'throughput', 'p50 ms', 'p99 ms', 'peak RSS', 'ours/floor', 'target', 'met?']
  const table = [header, header.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n')
  const cpu = os.cpus()
  console.log(`\n## ${SCALE ? 'Scale' : 'Default'} run (${new Date().toISOString()})\n`)
  console.log(`Command: npm run bench${SCALE ? ' -- --scale' : ''}; autocannon ${CONNECTIONS} connections, ${DURATION} s; DB_POOL_SIZE ${POOL_SIZE}`)
  console.log(`Machine: ${cpu.length} × ${cpu[0]?.model ?? 'cpu'}, ${f1(os.totalmem() / 1024 ** 3)} GB RAM, Node ${process.version}, loopback`)
  console.log(
    `Dataset: ${data.counts.assessments} assessments, ${data.counts.answers} answers, ${data.counts.history} history rows, ${data.counts.scores} domain scores (seeded in ${data.seedSeconds.toFixed(1)} s)\n`,
  )
  console.log(table)
  if (notes.length) console.log(`\n${notes.map((n) => `- ${n}`).join('\n')}`)
  console.log(`\nTotal ${((Date.now() - wall) / 1000).toFixed(0)} s`)
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
