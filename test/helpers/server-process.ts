// The real server (src/server.ts) as a child process on a given database, for the reliability tests:
// crash, database faults, shutdown; on the run's server, configured or embedded.
import { spawn, type ChildProcess } from 'node:child_process'
import net from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { sql } from 'kysely'
import { createToken } from '../../src/auth/tokens.js'
import { openKysely } from '../../src/db/kysely.js'
import type { QuestionnaireFile } from '../../src/questionnaires/schema.js'
import { ROOT } from './database.js'

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo
      s.close(() => resolve(port))
    })
  })
}

export interface ServerProcess {
  child: ChildProcess
  port: number
  base: string
  output: () => string
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

/** The server on a database URL, or (`{ dataDir }`) on the embedded PostgreSQL it starts itself. */
export async function startServer(database: string | { dataDir: string }, port?: number, env: Record<string, string> = {}): Promise<ServerProcess> {
  const p = port ?? (await freePort())
  const target = typeof database === 'string' ? { DATABASE_URL: database, MIGRATE_ON_START: 'false' } : { DATA_DIR: database.dataDir }
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      ...target,
      PORT: String(p),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      AUTH_RATE_LIMIT: '100000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout!.on('data', (c) => (out = (out + c).slice(-20_000)))
  child.stderr!.on('data', (c) => (out = (out + c).slice(-20_000)))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  )
  const base = `http://127.0.0.1:${p}`
  // A first embedded start runs initdb and the migrations first.
  for (let i = 0; i < (typeof database === 'string' ? 300 : 1200); i++) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}: ${out}`)
    try {
      if ((await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(2000) })).ok) {
        return { child, port: p, base, output: () => out, exited }
      }
    } catch {
      // not listening yet
    }
    await sleep(100)
  }
  child.kill('SIGKILL')
  throw new Error(`server did not become ready: ${out}`)
}

export interface Fixture {
  /** Draft assessments with the authorization header of their country's administration token. */
  writers: { assessmentId: string; country: string; authorization: string }[]
  staff: string
  /** Maturity questions that apply whatever else is answered. */
  questions: string[]
  content: QuestionnaireFile
}

/** Tokens and draft assessments made straight in the database (no server needed). */
export async function makeFixture(databaseUrl: string, countries: string[]): Promise<Fixture> {
  const db = openKysely(databaseUrl)
  try {
    const content = (
      await db.selectFrom('questionnaire_versions').select('content').where('questionnaire', '=', 'cdc').where('version', '=', 1).executeTakeFirstOrThrow()
    ).content as QuestionnaireFile
    const questions = content.domains
      .flatMap((d) => d.questions)
      .filter((q) => (q as { type: string }).type === 'maturity' && !(q as { applies_if?: unknown }).applies_if)
      .map((q) => q.id)
    const writers: Fixture['writers'] = []
    for (const country of countries) {
      const { token } = await createToken(db, { role: 'administration', country, label: `reliability ${country}` })
      const row = await db
        .insertInto('assessments')
        .values({ country, questionnaire: 'cdc', version: 1, cycle: 2030, status: 'draft', overall_score: null, tier: null })
        .returning('id')
        .executeTakeFirstOrThrow()
      writers.push({ assessmentId: row.id, country, authorization: `Bearer ${token}` })
    }
    const staff = `Bearer ${(await createToken(db, { role: 'staff', label: 'reliability staff' })).token}`
    await sql`select 1`.execute(db)
    return { writers, staff, questions, content }
  } finally {
    await db.destroy()
  }
}
