// Brings a database up to what the app expects: schema migrations, then the questionnaire files.
// Run at start-up (unless MIGRATE_ON_START=false) and by `npm run migrate`.
import path from 'node:path'
import type { Logger } from 'pino'
import type { Config } from './config.js'
import { migrateToLatest } from './db/migrate.js'
import { openKysely } from './db/kysely.js'
import { loadCatalog } from './questionnaires/catalog.js'
import { syncCatalog } from './questionnaires/sync.js'

export async function prepareDatabase(config: Config & { databaseUrl: string }, log: Pick<Logger, 'info' | 'warn'>) {
  // Files are validated before anything touches the database: a bad file changes nothing.
  const catalog = await loadCatalog(path.resolve(config.questionnairesDir))
  const db = openKysely(config.databaseUrl, Math.min(config.poolSize, 4))
  try {
    const results = await migrateToLatest(db)
    const applied = results.filter((r) => r.status === 'Success').map((r) => r.migrationName)
    log.info(applied.length ? `applied migrations: ${applied.join(', ')}` : 'database schema is up to date')
    const synced = await syncCatalog(db, catalog)
    const added = synced.added.map((v) => `${v.questionnaire} v${v.version}`)
    const amended = synced.amended.map((v) => `${v.questionnaire} v${v.version}`)
    log.info(added.length ? `published questionnaire versions: ${added.join(', ')}` : `questionnaires up to date (${synced.unchanged} versions)`)
    if (amended.length) log.info(`amended guidance, quotes or evidence rules of published questionnaire versions: ${amended.join(', ')}`)
  } finally {
    await db.destroy()
  }
}
