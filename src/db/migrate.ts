// Runs the files in migrations/ with Kysely's Migrator. Kysely's Postgres adapter holds a
// transaction-scoped advisory lock while it migrates, so instances starting together take turns
// and each migration runs once.
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Kysely } from 'kysely'
import { FileMigrationProvider, Migrator, type MigrationResult } from 'kysely/migration'

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url))

export class MigrationError extends Error {
  override name = 'MigrationError'
}

// biome-ignore lint/suspicious/noExplicitAny: migrations take Kysely<any> (they are frozen in time, without the app's Database types)
export async function migrateToLatest(db: Kysely<any>, folder = MIGRATIONS_DIR): Promise<MigrationResult[]> {
  const migrator = new Migrator({ db, provider: new FileMigrationProvider({ fs, path, migrationFolder: folder }) })
  const { error, results = [] } = await migrator.migrateToLatest()
  if (error) {
    const failed = results.find((r) => r.status === 'Error')
    throw new MigrationError(`migration ${failed?.migrationName ?? '(unknown)'} failed: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    })
  }
  return results
}
