// Brings a database up to what the app expects: schema migrations, then the questionnaire files.
// Run at start-up (unless MIGRATE_ON_START=false) and by `npm run migrate`.
import type { Logger } from 'pino'
import type { Config } from './config.js'
import { migrateToLatest } from './db/migrate.js'
import { openKysely } from './db/kysely.js'

export async function prepareDatabase(config: Config & { databaseUrl: string }, log: Pick<Logger, 'info' | 'warn'>) {
  const db = openKysely(config.databaseUrl)
  try {
    const results = await migrateToLatest(db)
    const applied = results.filter((r) => r.status === 'Success').map((r) => r.migrationName)
    log.info(applied.length ? `applied migrations: ${applied.join(', ')}` : 'database schema is up to date')
  } finally {
    await db.destroy()
  }
}
