import { sql, type Kysely } from 'kysely'

// Questionnaire versions are immutable once synced: content and hash never change for a
// (questionnaire, version). Domains and questions are flattened beside them for SQL joins.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('questionnaire_versions')
    .addColumn('questionnaire', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().check(sql`version > 0`))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('content', 'jsonb', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('question_count', 'integer', (c) => c.notNull())
    .addColumn('synced_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('questionnaire_versions_pk', ['questionnaire', 'version'])
    .execute()

  await db.schema
    .createTable('questionnaire_domains')
    .addColumn('questionnaire', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('domain', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('questionnaire_domains_pk', ['questionnaire', 'version', 'domain'])
    .addForeignKeyConstraint('questionnaire_domains_version_fk', ['questionnaire', 'version'], 'questionnaire_versions', ['questionnaire', 'version'])
    .execute()

  await db.schema
    .createTable('questionnaire_questions')
    .addColumn('questionnaire', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('question_id', 'text', (c) => c.notNull())
    .addColumn('domain', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('force', 'text', (c) => c.notNull())
    .addColumn('source_ref', 'text', (c) => c.notNull())
    .addColumn('weight', 'double precision', (c) => c.notNull())
    .addPrimaryKeyConstraint('questionnaire_questions_pk', ['questionnaire', 'version', 'question_id'])
    .addForeignKeyConstraint('questionnaire_questions_domain_fk', ['questionnaire', 'version', 'domain'], 'questionnaire_domains', [
      'questionnaire',
      'version',
      'domain',
    ])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('questionnaire_questions').execute()
  await db.schema.dropTable('questionnaire_domains').execute()
  await db.schema.dropTable('questionnaire_versions').execute()
}
