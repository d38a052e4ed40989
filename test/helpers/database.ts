// Test databases. A tap `before` script (setup.ts) prepares a migrated template once per run;
// each test file (one process) gets its own copy, so files run in parallel without sharing rows.
// Real PostgreSQL when TEST_DATABASE_URL or DATABASE_URL is set; the embedded PGlite otherwise.
import { createHash } from 'node:crypto'
import { mkdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))
/** One template per checkout, so that test runs of two checkouts (a CI clone beside a working tree)
 * on the same server do not drop each other's template. */
export const TEMPLATE_DB = `treaty_readiness_template_${createHash('sha256').update(ROOT).digest('hex').slice(0, 10)}`
export const EMBEDDED_TEMPLATE = path.join(ROOT, '.tap', 'embedded-template.tar.gz')

export function serverUrl(): string | undefined {
  return process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || undefined
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url)
  u.pathname = `/${database}`
  return u.toString()
}

export async function adminQuery(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: withDatabase(url, 'postgres') })
  await client.connect()
  try {
    await client.query(text)
  } finally {
    await client.end()
  }
}

export interface TestDatabase {
  url: string
  backend: 'postgres' | 'embedded'
  drop(): Promise<void>
}

let counter = 0

/** A fresh database cloned from the template. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const server = serverUrl()
  if (server) {
    const name = `tr_test_${process.pid}_${counter++}`
    await adminQuery(server, `drop database if exists ${name}`)
    await adminQuery(server, `create database ${name} template ${TEMPLATE_DB}`)
    return {
      url: withDatabase(server, name),
      backend: 'postgres',
      drop: () => adminQuery(server, `drop database if exists ${name} with (force)`),
    }
  }
  const { PGlite } = await import('@electric-sql/pglite')
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket')
  await mkdir(path.dirname(EMBEDDED_TEMPLATE), { recursive: true })
  const dump = await readFile(EMBEDDED_TEMPLATE)
  const db = await PGlite.create({ loadDataDir: new Blob([dump]) })
  const socket = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 20 })
  await socket.start()
  return {
    url: `postgres://postgres@${socket.getServerConn()}/postgres`,
    backend: 'embedded',
    async drop() {
      await socket.stop()
      await db.close()
    },
  }
}
