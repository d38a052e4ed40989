// Migrations on a fresh, empty database: idempotent, and safe when several instances start together
// (Kysely's Postgres adapter takes an advisory lock, so each migration runs once).
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { sql, type Kysely } from 'kysely'
import t, { type Test } from 'tap'
import { openKysely } from '../../src/db/kysely.js'
import { MIGRATIONS_DIR, MigrationError, migrateToLatest } from '../../src/db/migrate.js'
import { adminQuery, serverUrl, withDatabase } from '../helpers/database.js'

interface EmptyDatabase {
  url: string
  drop(): Promise<void>
}

/** The schema as migrations see it: tables not known to the types (a migration may not have run). */
// biome-ignore lint/suspicious/noExplicitAny: the schema under test is whatever the migrations made so far
type Untyped = any

let counter = 0

/** A new database with nothing in it, on the run's server. */
async function emptyDatabase(): Promise<EmptyDatabase> {
  const server = serverUrl()
  const name = `tr_migrate_${process.pid}_${counter++}`
  await adminQuery(server, `drop database if exists ${name} with (force)`)
  await adminQuery(server, `create database ${name} template template0`)
  return { url: withDatabase(server, name), drop: () => adminQuery(server, `drop database if exists ${name} with (force)`) }
}

async function fresh(t: Test): Promise<EmptyDatabase> {
  const database = await emptyDatabase()
  t.teardown(() => database.drop())
  return database
}

function open(t: Test, url: string): Kysely<Untyped> {
  const db = openKysely(url) as unknown as Kysely<Untyped>
  t.teardown(() => db.destroy())
  return db
}

/** Every column, index and constraint of the public schema, as one string. */
async function schemaListing(db: Kysely<Untyped>): Promise<string> {
  const columns = await sql`
    select table_name, column_name, ordinal_position, data_type, udt_name, is_nullable, column_default,
           character_maximum_length, numeric_precision, numeric_scale
      from information_schema.columns
     where table_schema = 'public'
     order by table_name, ordinal_position`.execute(db)
  const indexes = await sql`
    select tablename, indexname, indexdef from pg_indexes where schemaname = 'public' order by tablename, indexname`.execute(db)
  const constraints = await sql`
    select table_name, constraint_name, constraint_type
      from information_schema.table_constraints
     where table_schema = 'public' and constraint_type <> 'CHECK'
     order by table_name, constraint_name`.execute(db)
  return JSON.stringify({ columns: columns.rows, indexes: indexes.rows, constraints: constraints.rows }, null, 1)
}

async function migrationFiles(): Promise<string[]> {
  // The same selection as Kysely's FileMigrationProvider.
  return (await readdir(MIGRATIONS_DIR))
    .filter((f) => /\.(js|ts|mjs|mts)$/.test(f) && !f.endsWith('.d.ts'))
    .map((f) => f.replace(/\.[^.]+$/, ''))
    .sort()
}

async function recorded(db: Kysely<Untyped>): Promise<{ name: string; times: number }[]> {
  const { rows } = await sql<{ name: string; times: number }>`
    select name, count(*)::int as times from kysely_migration group by name order by name`.execute(db)
  return rows
}

t.test('migrating twice: the second run applies nothing and the schema is byte-identical', async (t) => {
  const files = await migrationFiles()
  t.ok(files.length > 0, `${files.length} migrations`)
  const database = await fresh(t)
  const db = open(t, database.url)

  const first = await migrateToLatest(db)
  t.same(
    first.map((r) => [r.migrationName, r.status]),
    files.map((f) => [f, 'Success']),
    'the first run applies every migration, in order',
  )
  const before = await schemaListing(db)
  t.ok(before.includes('"kysely_migration"'), 'the listing covers the schema')

  const second = await migrateToLatest(db)
  t.same(second, [], 'the second run applies nothing')
  t.equal(await schemaListing(db), before, 'the schema is byte-identical')
  t.same(
    await recorded(db),
    files.map((name) => ({ name, times: 1 })),
  )
})

t.test('two instances migrating at once: both succeed and each migration runs once', async (t) => {
  const files = await migrationFiles()
  const database = await fresh(t)
  const a = open(t, database.url)
  const b = open(t, database.url)

  const [ra, rb] = await Promise.all([migrateToLatest(a), migrateToLatest(b)])
  const applied = [...ra, ...rb].filter((r) => r.status === 'Success').map((r) => r.migrationName)
  t.same(applied.sort(), files, 'between them, each migration was applied by exactly one')
  t.notOk(
    [...ra, ...rb].some((r) => r.status === 'Error'),
    'no errors',
  )
  t.same(
    await recorded(a),
    files.map((name) => ({ name, times: 1 })),
    'each migration is recorded once',
  )

  // The result is the same schema a single instance makes.
  const reference = await fresh(t)
  const single = open(t, reference.url)
  await migrateToLatest(single)
  t.equal(await schemaListing(a), await schemaListing(single), 'the same schema as one instance makes')
})

t.test('a failing migration is a MigrationError that names it, and is rolled back', async (t) => {
  const folder = await mkdtemp(path.join(tmpdir(), 'tr-migrations-'))
  t.teardown(() => rm(folder, { recursive: true, force: true }))
  await writeFile(
    path.join(folder, '0001_ok.mjs'),
    `export async function up(db) { await db.schema.createTable('ok_table').addColumn('id', 'integer').execute() }\n`,
  )
  await writeFile(
    path.join(folder, '0002_broken.mjs'),
    `export async function up(db) {
       await db.schema.createTable('half_made').addColumn('id', 'integer').execute()
       throw new Error('deliberately broken')
     }\n`,
  )
  const database = await fresh(t)
  const db = open(t, database.url)
  await t.rejects(migrateToLatest(db, folder), {
    name: 'MigrationError',
    message: /migration 0002_broken failed: deliberately broken/,
  })
  await t.rejects(migrateToLatest(db, folder), MigrationError, 'and keeps failing until fixed')
  const { rows } = await sql<{ table_name: string }>`
    select table_name from information_schema.tables where table_schema = 'public' and table_name in ('ok_table', 'half_made')`.execute(db)
  t.same(
    rows.map((r) => r.table_name),
    [],
    'migrations run in one transaction: nothing of the failed run remains',
  )
})
