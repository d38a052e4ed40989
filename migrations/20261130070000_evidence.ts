import type { Kysely } from 'kysely'
import { sql } from 'kysely'

/*
 * Evidence documents: an assessment's library of uploaded files (bytes in fixed-size chunks, so a
 * file is streamed in and out and never held whole in memory), the documents attached to answers,
 * and reviewers' verdicts on each piece of evidence (an attached document or a link of
 * answers.evidence). Frozen in time: no app imports.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('evidence_documents')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('assessment_id', 'uuid', (c) => c.notNull().references('assessments.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull().check(sql`length(name) between 1 and 255`))
    .addColumn('filename', 'text', (c) => c.notNull().check(sql`length(filename) between 1 and 255 and filename !~ '[/\\\\[:cntrl:]]'`))
    .addColumn('media_type', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull().check(sql`size > 0`))
    .addColumn('sha256', 'text', (c) => c.notNull().check(sql`sha256 ~ '^[0-9a-f]{64}$'`))
    .addColumn('uploaded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('uploaded_by', 'uuid', (c) => c.references('persons.id'))
    .execute()
  await db.schema.createIndex('evidence_documents_assessment_idx').on('evidence_documents').columns(['assessment_id', 'uploaded_at']).execute()

  // The chunks are written before their document row (whose size and hash are known only at the
  // end of the stream), so the reference is checked at commit.
  await db.schema
    .createTable('evidence_chunks')
    .addColumn('document_id', 'uuid', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull().check(sql`seq >= 0`))
    .addColumn('data', 'bytea', (c) => c.notNull())
    .addPrimaryKeyConstraint('evidence_chunks_pk', ['document_id', 'seq'])
    .execute()
  await sql`alter table evidence_chunks add constraint evidence_chunks_document_fk foreign key (document_id)
    references evidence_documents (id) on delete cascade deferrable initially deferred`.execute(db)
  // Chunks are already compressed or incompressible formats: no point in TOAST compressing them.
  await sql`alter table evidence_chunks alter column data set storage external`.execute(db)

  await db.schema
    .createTable('evidence_attachments')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('assessment_id', 'uuid', (c) => c.notNull().references('assessments.id').onDelete('cascade'))
    .addColumn('question_id', 'text', (c) => c.notNull())
    .addColumn('document_id', 'uuid', (c) => c.notNull().references('evidence_documents.id').onDelete('cascade'))
    .addColumn('attached_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('attached_by', 'uuid', (c) => c.references('persons.id'))
    .addUniqueConstraint('evidence_attachments_once', ['assessment_id', 'question_id', 'document_id'])
    .execute()
  await db.schema.createIndex('evidence_attachments_document_idx').on('evidence_attachments').column('document_id').execute()

  await db.schema
    .createTable('evidence_reviews')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('assessment_id', 'uuid', (c) => c.notNull().references('assessments.id').onDelete('cascade'))
    .addColumn('question_id', 'text', (c) => c.notNull())
    .addColumn('attachment_id', 'uuid', (c) => c.references('evidence_attachments.id').onDelete('cascade'))
    .addColumn('url', 'text')
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('accepted', 'insufficient')`))
    .addColumn('comment', 'text', (c) => c.check(sql`length(comment) <= 4000`))
    .addColumn('reviewed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('reviewed_by', 'uuid', (c) => c.references('persons.id'))
    .addCheckConstraint('evidence_reviews_one_target', sql`(attachment_id is null) <> (url is null)`)
    .addCheckConstraint('evidence_reviews_insufficient_says_why', sql`status = 'accepted' or coalesce(length(trim(comment)), 0) > 0`)
    .execute()
  await sql`create unique index evidence_reviews_attachment_idx on evidence_reviews (attachment_id) where attachment_id is not null`.execute(db)
  await sql`create unique index evidence_reviews_link_idx on evidence_reviews (assessment_id, question_id, url) where url is not null`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('evidence_reviews').execute()
  await db.schema.dropTable('evidence_attachments').execute()
  await db.schema.dropTable('evidence_chunks').execute()
  await db.schema.dropTable('evidence_documents').execute()
}
