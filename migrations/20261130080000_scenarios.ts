import type { Kysely } from 'kysely'
import { sql } from 'kysely'

/*
 * What-if scenarios of the Expert Group: a named change of how obligations weigh (force weights,
 * per-question weight, force or exclusion) for one questionnaire version, kept as JSON and applied
 * to stored raw scores when read. A scenario never writes a stored figure. Frozen in time: no app
 * imports.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('scenarios')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('name', 'text', (c) => c.notNull().check(sql`length(trim(name)) between 1 and 200`))
    .addColumn('description', 'text', (c) => c.notNull().defaultTo('').check(sql`length(description) <= 4000`))
    .addColumn('questionnaire', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('definition', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('created_by', 'uuid', (c) => c.references('persons.id'))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_by', 'uuid', (c) => c.references('persons.id'))
    .addForeignKeyConstraint('scenarios_version_fk', ['questionnaire', 'version'], 'questionnaire_versions', ['questionnaire', 'version'])
    .execute()
  await sql`create unique index scenarios_name_idx on scenarios (questionnaire, version, lower(name))`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('scenarios').execute()
}
