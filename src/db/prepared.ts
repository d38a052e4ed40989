// Statements run as named prepared statements: PostgreSQL parses and plans each once per
// connection, not on every request. Kysely sends every query as pg's unnamed statement, so the
// hottest paths (the answer write, the dashboard's statement) go through the pool here instead.
import { createHash } from 'node:crypto'
import { type Compilable, CompiledQuery, type Kysely, type Transaction } from 'kysely'
import type pg from 'pg'
import type { Database } from './schema.js'

/** Runs one fixed statement: through the pool as a named prepared statement, or through Kysely (a transaction). */
export type Run = <R>(name: string, text: string, values: unknown[]) => Promise<R[]>

export function poolRunner(pool: pg.Pool): Run {
  return async <R>(name: string, text: string, values: unknown[]) => (await pool.query({ name, text, values })).rows as R[]
}

export function kyselyRunner(db: Kysely<Database> | Transaction<Database>): Run {
  return async <R>(_name: string, text: string, values: unknown[]) => (await db.executeQuery<R>(CompiledQuery.raw(text, values))).rows as R[]
}

const names = new Map<string, string>()

/** A statement's name derived from its text: a query whose text differs (other filters) gets a name of its own. */
function nameOf(text: string): string {
  let name = names.get(text)
  if (!name) {
    name = `k_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`
    // Texts come from a handful of query shapes; the bound only guards against a shape built per value.
    if (names.size >= 1000) names.clear()
    names.set(text, name)
  }
  return name
}

/** A Kysely query's first row, run as a named prepared statement on `pool`; undefined when it has none. */
export async function preparedFirst<R>(pool: pg.Pool, query: Compilable<R>): Promise<R | undefined> {
  const { sql, parameters } = query.compile()
  const [row] = await poolRunner(pool)<R>(nameOf(sql), sql, parameters as unknown[])
  return row
}
