// A Kysely query run as a named prepared statement, for the hottest reads.
//
// Kysely sends every query as pg's unnamed statement, which PostgreSQL parses and plans again each
// time. A read run on every dashboard request spent more time being planned than executed, so
// it goes through the pool with a name derived from its text: each connection prepares it once,
// and a query whose text differs (other filters) gets a name of its own.
import { createHash } from 'node:crypto'
import type { Compilable } from 'kysely'
import type pg from 'pg'

const names = new Map<string, string>()

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

/** The query's first row, run as a named prepared statement on `pool`; undefined when it has none. */
export async function preparedFirst<R>(pool: pg.Pool, query: Compilable<R>): Promise<R | undefined> {
  const { sql, parameters } = query.compile()
  const result = await pool.query({ name: nameOf(sql), text: sql, values: parameters as unknown[] })
  return result.rows[0] as R | undefined
}
