// A Kysely instance with a pool of its own, for command-line tasks and start-up work outside the app.
import { Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import type { Database } from './schema.js'

export function openKysely(url: string, max = 4): Kysely<Database> {
  const pool = new pg.Pool({ connectionString: url, max, application_name: 'treaty-readiness-task' })
  pool.on('error', () => {}) // an idle connection lost; the next query reconnects
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
}
