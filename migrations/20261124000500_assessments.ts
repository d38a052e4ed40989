import { sql, type Kysely } from 'kysely'

// Assessments, their answers with an append-only history, review comments, workflow transitions,
// and the stored readiness (derived from answers in the same transaction as every change).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('assessments')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('country', 'char(3)', (c) => c.notNull().references('countries.code'))
    .addColumn('questionnaire', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('cycle', 'integer', (c) => c.notNull().check(sql`cycle between 2000 and 2100`))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('draft').check(sql`status in ('draft','submitted','returned','validated')`))
    .addColumn('revision', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('created_by', 'uuid')
    .addColumn('carried_from', 'uuid', (c) => c.references('assessments.id'))
    .addColumn('overall_score', 'double precision')
    .addColumn('coverage', 'double precision', (c) => c.notNull().defaultTo(0))
    .addColumn('tier', 'text')
    .addColumn('answered', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('applicable', 'integer', (c) => c.notNull().defaultTo(0))
    .addForeignKeyConstraint('assessments_version_fk', ['questionnaire', 'version'], 'questionnaire_versions', ['questionnaire', 'version'])
    .addUniqueConstraint('assessments_one_per_cycle', ['country', 'questionnaire', 'cycle'])
    .execute()
  await db.schema.createIndex('assessments_listing_idx').on('assessments').columns(['questionnaire', 'cycle', 'status']).execute()

  await db.schema
    .createTable('answers')
    .addColumn('assessment_id', 'uuid', (c) => c.notNull().references('assessments.id').onDelete('cascade'))
    .addColumn('question_id', 'text', (c) => c.notNull())
    .addColumn('value', 'jsonb')
    .addColumn('special', 'text', (c) => c.check(sql`special in ('not_applicable','unknown')`))
    .addColumn('comment', 'text')
    .addColumn('evidence', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('carried_forward', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('score', 'double precision')
    .addColumn('revision', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_by', 'uuid')
    .addColumn('updated_by_role', 'text')
    .addPrimaryKeyConstraint('answers_pk', ['assessment_id', 'question_id'])
    .addCheckConstraint('answers_value_or_special', sql`(value is null) <> (special is null)`)
    .execute()

  await db.schema
    .createTable('answer_history')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('assessment_id', 'uuid', (c) => c.notNull().references('assessments.id').onDelete('cascade'))
    .addColumn('question_id', 'text', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('old_answer', 'jsonb')
    .addColumn('new_answer', 'jsonb')
    .addColumn('changed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('changed_by', 'uuid')
    .addColumn('changed_by_role', 'text')
    .execute()
  await db.schema.createIndex('answer_history_question_idx').on('answer_history').columns(['assessment_id', 'question_id', 'id']).execute()
  // Append-only: the history cannot be edited or deleted row by row, whatever the application does.
  await sql`
    create function answer_history_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'answer_history is append-only';
    end $$`.execute(db)
  await sql`
    create trigger answer_history_no_update before update or delete on answer_history
    for each row execute function answer_history_append_only()`.execute(db)

  await db.schema
    .createTable('review_comments')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('assessment_id', 'uuid', (c) => c.notNull().references('assessments.id').onDelete('cascade'))
    .addColumn('question_id', 'text')
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('author', 'uuid')
    .addColumn('author_label', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema.createIndex('review_comments_assessment_idx').on('review_comments').columns(['assessment_id', 'id']).execute()

  await db.schema
    .createTable('transitions')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('assessment_id', 'uuid', (c) => c.notNull().references('assessments.id').onDelete('cascade'))
    .addColumn('from_status', 'text')
    .addColumn('to_status', 'text', (c) => c.notNull())
    .addColumn('comment', 'text')
    .addColumn('actor', 'uuid')
    .addColumn('actor_role', 'text')
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema.createIndex('transitions_assessment_idx').on('transitions').columns(['assessment_id', 'id']).execute()

  await db.schema
    .createTable('domain_scores')
    .addColumn('assessment_id', 'uuid', (c) => c.notNull().references('assessments.id').onDelete('cascade'))
    .addColumn('domain', 'text', (c) => c.notNull())
    .addColumn('score', 'double precision')
    .addColumn('coverage', 'double precision', (c) => c.notNull())
    .addColumn('tier', 'text')
    .addColumn('applicable', 'integer', (c) => c.notNull())
    .addColumn('answered', 'integer', (c) => c.notNull())
    .addColumn('not_applicable', 'integer', (c) => c.notNull())
    .addColumn('unknown', 'integer', (c) => c.notNull())
    .addColumn('missing', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('domain_scores_pk', ['assessment_id', 'domain'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['domain_scores', 'transitions', 'review_comments', 'answer_history', 'answers', 'assessments']) {
    await db.schema.dropTable(table).execute()
  }
  await sql`drop function if exists answer_history_append_only()`.execute(db)
}
