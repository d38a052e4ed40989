// Test databases. A tap `before` script (setup.ts) prepares a migrated template once per run;
// each test file (one process) gets its own copy, so files run in parallel without sharing rows.
// The PostgreSQL of TEST_DATABASE_URL or DATABASE_URL when set; otherwise the embedded PostgreSQL
// that setup.ts starts for the run in .tap/embedded-pg (and teardown.ts stops): the same engine,
// so every test runs the same way on both.
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { urlFor } from '../../src/db/embedded.js'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))
/** One template per checkout, so that test runs of two checkouts (a CI clone beside a working tree)
 * on the same server do not drop each other's template. */
export const TEMPLATE_DB = `treaty_readiness_template_${createHash('sha256').update(ROOT).digest('hex').slice(0, 10)}`
export const EMBEDDED_DIR = path.join(ROOT, '.tap', 'embedded-pg')
export const EMBEDDED_PORT_FILE = path.join(EMBEDDED_DIR, 'test-server.json')

/** The URL the run's tests use: the configured server, else the run's embedded one. */
export function serverUrl(): string {
  const configured = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL
  if (configured) return configured
  try {
    const { port } = JSON.parse(readFileSync(EMBEDDED_PORT_FILE, 'utf8')) as { port: number }
    const password = readFileSync(path.join(EMBEDDED_DIR, 'password'), 'utf8').trim()
    return urlFor(port, password)
  } catch {
    throw new Error('no TEST_DATABASE_URL and no embedded test server: run the tests with `npm test` (its setup starts one)')
  }
}

export function backend(): 'postgres' | 'embedded' {
  return process.env.TEST_DATABASE_URL || process.env.DATABASE_URL ? 'postgres' : 'embedded'
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
  const name = `tr_test_${process.pid}_${counter++}`
  await adminQuery(server, `drop database if exists ${name}`)
  await adminQuery(server, `create database ${name} template ${TEMPLATE_DB}`)
  return {
    url: withDatabase(server, name),
    backend: backend(),
    drop: () => adminQuery(server, `drop database if exists ${name} with (force)`),
  }
}
