// SQL of evidence: documents and their chunks, attachments to answers, reviews. Functions take db
// or trx first; the routes own the transactions.
import { sql, type Kysely, type Transaction } from 'kysely'
import type { Database, EvidenceReviewStatus } from '../db/schema.js'

type Db = Kysely<Database> | Transaction<Database>

/** Every chunk but a file's last holds exactly this many bytes, so a byte range maps to chunk numbers. */
export const CHUNK_BYTES = 256 * 1024

export async function insertChunk(db: Db, documentId: string, seq: number, data: Buffer): Promise<void> {
  await db.insertInto('evidence_chunks').values({ document_id: documentId, seq, data }).execute()
}

async function readChunk(db: Db, documentId: string, seq: number): Promise<Buffer | undefined> {
  const row = await db.selectFrom('evidence_chunks').select('data').where('document_id', '=', documentId).where('seq', '=', seq).executeTakeFirst()
  return row?.data
}

/** The bytes of a document, one chunk (one query) at a time. */
export async function* documentBytes(db: Db, documentId: string): AsyncGenerator<Buffer> {
  for (let seq = 0; ; seq++) {
    const chunk = await readChunk(db, documentId, seq)
    if (!chunk) return
    yield chunk
  }
}

/** Bytes [start, end) of a document. */
export async function* documentRange(db: Db, documentId: string, start: number, end: number): AsyncGenerator<Buffer> {
  for (let seq = Math.floor(start / CHUNK_BYTES); seq * CHUNK_BYTES < end; seq++) {
    const chunk = await readChunk(db, documentId, seq)
    if (!chunk) return
    const offset = seq * CHUNK_BYTES
    yield chunk.subarray(Math.max(0, start - offset), Math.min(chunk.length, end - offset))
  }
}

const DOCUMENT_COLUMNS = [
  'd.id',
  'd.assessment_id',
  'd.name',
  'd.filename',
  'd.media_type',
  'd.size',
  'd.sha256',
  'd.uploaded_at',
  'p.name as uploaded_by_name',
] as const

export type DocumentRow = Awaited<ReturnType<typeof listDocuments>>[number]

export async function listDocuments(db: Db, assessmentId: string) {
  return db
    .selectFrom('evidence_documents as d')
    .leftJoin('persons as p', 'p.id', 'd.uploaded_by')
    .select(DOCUMENT_COLUMNS)
    .where('d.assessment_id', '=', assessmentId)
    .orderBy('d.uploaded_at')
    .orderBy('d.id')
    .execute()
}

export async function findDocument(db: Db, assessmentId: string, documentId: string) {
  return db
    .selectFrom('evidence_documents as d')
    .leftJoin('persons as p', 'p.id', 'd.uploaded_by')
    .select(DOCUMENT_COLUMNS)
    .where('d.assessment_id', '=', assessmentId)
    .where('d.id', '=', documentId)
    .executeTakeFirst()
}

export type AttachmentRow = Awaited<ReturnType<typeof listAttachments>>[number]

/** Documents attached to answers, with their review (if any). */
export async function listAttachments(db: Db, assessmentId: string) {
  return db
    .selectFrom('evidence_attachments as x')
    .innerJoin('evidence_documents as d', 'd.id', 'x.document_id')
    .leftJoin('evidence_reviews as r', 'r.attachment_id', 'x.id')
    .leftJoin('persons as rp', 'rp.id', 'r.reviewed_by')
    .select([
      'x.id',
      'x.question_id',
      'x.document_id',
      'x.attached_at',
      'd.name',
      'd.media_type',
      'd.size',
      'r.status',
      'r.comment',
      'r.reviewed_at',
      'rp.name as reviewed_by_name',
    ])
    .where('x.assessment_id', '=', assessmentId)
    .orderBy('x.question_id')
    .orderBy('x.attached_at')
    .orderBy('x.id')
    .execute()
}

export type LinkReviewRow = Awaited<ReturnType<typeof listLinkReviews>>[number]

export async function listLinkReviews(db: Db, assessmentId: string) {
  return db
    .selectFrom('evidence_reviews as r')
    .leftJoin('persons as rp', 'rp.id', 'r.reviewed_by')
    .select(['r.question_id', 'r.url', 'r.status', 'r.comment', 'r.reviewed_at', 'rp.name as reviewed_by_name'])
    .where('r.assessment_id', '=', assessmentId)
    .where('r.url', 'is not', null)
    .execute()
}

export async function findAttachment(db: Db, assessmentId: string, attachmentId: string) {
  return db.selectFrom('evidence_attachments').selectAll().where('assessment_id', '=', assessmentId).where('id', '=', attachmentId).executeTakeFirst()
}

export interface ReviewInput {
  assessmentId: string
  questionId: string
  attachmentId: string | null
  url: string | null
  status: EvidenceReviewStatus
  comment: string | null
  reviewedBy: string
}

/** A reviewer's verdict on one piece, replacing any earlier one. */
export async function saveReview(db: Db, r: ReviewInput): Promise<void> {
  const where = r.attachmentId
    ? db.deleteFrom('evidence_reviews').where('attachment_id', '=', r.attachmentId)
    : db.deleteFrom('evidence_reviews').where('assessment_id', '=', r.assessmentId).where('question_id', '=', r.questionId).where('url', '=', r.url)
  await where.execute()
  await db
    .insertInto('evidence_reviews')
    .values({
      assessment_id: r.assessmentId,
      question_id: r.questionId,
      attachment_id: r.attachmentId,
      url: r.url,
      status: r.status,
      comment: r.comment,
      reviewed_by: r.reviewedBy,
    })
    .execute()
}

/** question id → how many pieces of evidence an answer has (links in answers.evidence and attached documents). */
export async function evidenceCounts(db: Db, assessmentId: string): Promise<Map<string, number>> {
  const rows = await sql<{ question_id: string; n: number }>`
    select question_id, sum(n)::int as n from (
      select question_id, jsonb_array_length(evidence) as n from answers where assessment_id = ${assessmentId}
      union all
      select question_id, count(*)::int from evidence_attachments where assessment_id = ${assessmentId} group by question_id
    ) pieces group by question_id`.execute(db)
  return new Map(rows.rows.map((r) => [r.question_id, r.n]))
}

/**
 * The accepted pieces of evidence of an answer: attached documents reviewed `accepted`, and links
 * still in the answer whose URL was reviewed `accepted`. A fragment over `answers` aliased `an`,
 * shared by the readiness figures and answers.csv.
 */
export function acceptedEvidenceSql(answer = 'an') {
  const a = sql.table(answer)
  return sql<number>`((select count(*) from evidence_attachments x join evidence_reviews r on r.attachment_id = x.id
      where x.assessment_id = ${a}.assessment_id and x.question_id = ${a}.question_id and r.status = 'accepted')
    + (select count(*) from evidence_reviews r
      where r.assessment_id = ${a}.assessment_id and r.question_id = ${a}.question_id and r.status = 'accepted'
        and r.url in (select e ->> 'url' from jsonb_array_elements(${a}.evidence) as e)))::int`
}

/** domain → answers backed by at least one accepted piece of evidence. */
export async function evidenceBackedByDomain(db: Db, assessmentId: string): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('answers as an')
    .innerJoin('assessments as a', 'a.id', 'an.assessment_id')
    .innerJoin('questionnaire_questions as qq', (j) =>
      j.onRef('qq.questionnaire', '=', 'a.questionnaire').onRef('qq.version', '=', 'a.version').onRef('qq.question_id', '=', 'an.question_id'),
    )
    .select(['qq.domain', sql<number>`count(*) filter (where ${acceptedEvidenceSql('an')} > 0)::int`.as('backed')])
    .where('an.assessment_id', '=', assessmentId)
    .groupBy('qq.domain')
    .execute()
  return new Map(rows.map((r) => [r.domain, r.backed]))
}

/** The titles of an answer's links, joined by " | " (answers.csv). */
export function evidenceTitlesSql(answer = 'an') {
  const a = sql.table(answer)
  return sql<string | null>`(select string_agg(e.item ->> 'title', ' | ' order by e.o)
      from jsonb_array_elements(${a}.evidence) with ordinality as e(item, o))`
}

/** The names of the documents attached to an answer, joined by " | " (answers.csv). */
export function evidenceDocumentsSql(answer = 'an') {
  const a = sql.table(answer)
  return sql<string | null>`(select string_agg(d.name, ' | ' order by x.attached_at, x.id)
      from evidence_attachments x join evidence_documents d on d.id = x.document_id
      where x.assessment_id = ${a}.assessment_id and x.question_id = ${a}.question_id)`
}
