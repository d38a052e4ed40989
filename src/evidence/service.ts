// Evidence use cases. Each write is one transaction that locks the assessment row, so an upload's
// end, an attachment and a submission of one assessment take turns, and a failed or interrupted
// upload rolls back with every chunk it wrote: nothing half-stored remains.
import { createHash, randomUUID } from 'node:crypto'
import { Readable } from 'node:stream'
import { fileTypeFromStream } from 'file-type'
import type { Kysely, Transaction } from 'kysely'
import type { AssessmentRow } from '../assessments/repository.js'
import { findVisible } from '../assessments/repository.js'
import { isEditable } from '../assessments/workflow.js'
import type { Database, EvidenceReviewStatus } from '../db/schema.js'
import { AppError, conflict, forbidden, notFound, unprocessable } from '../errors.js'
import { audit } from '../people/audit.js'
import { answerableDomains, hasMembership, type Principal } from '../people/principal.js'
import type { LoadedVersion, QuestionnaireStore } from '../questionnaires/store.js'
import { sanitiseFilename, withExtension } from './filename.js'
import { classify, TextChecker } from './media-types.js'
import { CHUNK_BYTES, documentBytes, documentRange, findAttachment, findDocument, insertChunk, saveReview } from './repository.js'
import { zipProblem } from './zip-inspection.js'

type Trx = Transaction<Database>

export interface Context {
  db: Kysely<Database>
  questionnaires: QuestionnaireStore
  maxBytes: number
}

async function lockVisible(trx: Trx, actor: Principal, id: string): Promise<AssessmentRow> {
  const row = await findVisible(trx, actor, id, true)
  if (!row) throw notFound(`assessment ${id}`)
  return row
}

async function versionOf(ctx: Context, trx: Trx, a: AssessmentRow): Promise<LoadedVersion> {
  const loaded = await ctx.questionnaires.get(a.questionnaire, a.version, trx)
  if (!loaded) throw new AppError(500, 'questionnaire_missing', `questionnaire ${a.questionnaire} v${a.version} is not published`)
  return loaded
}

/** Evidence changes with the answers: by the country's administration, while the assessment is a draft. */
function assertCanChange(actor: Principal, a: AssessmentRow): void {
  if (actor.role !== 'administration') throw forbidden("only the country's administration adds or removes evidence")
  if (!isEditable(a.status)) throw conflict(`the assessment is ${a.status}; evidence changes only while it is a draft`, { assessmentStatus: a.status })
}

/** A question of this assessment the actor may answer (a contributor limited to some domains answers those only). */
function assertQuestion(actor: Principal, a: AssessmentRow, version: LoadedVersion, questionId: string, path: string): void {
  const domain = version.domainOf.get(questionId)
  if (!domain) throw unprocessable(`${questionId} is not a question of ${a.questionnaire} v${a.version}`, [{ path, message: 'unknown question' }])
  const domains = answerableDomains(actor, a.country, a.questionnaire)
  if (domains !== 'all' && !domains.includes(domain))
    throw forbidden(
      `you answer ${domains.length ? `the domains ${domains.join(', ')}` : 'no domain'} of ${a.country}; ${questionId} is in the domain ${domain}`,
    )
}

export interface UploadInput {
  /** The file's name as the uploader had it. */
  name: string
  /** Attach the document to this question's answer at once. */
  questionId?: string | undefined
}

/**
 * Streams a file into the assessment's library: chunk by chunk into PostgreSQL (never whole in
 * memory), hashing and counting as it goes; then checks what the bytes are and, for office
 * documents, the zip container. Any refusal, a size beyond the limit or a broken connection rolls
 * the transaction back.
 */
export async function uploadDocument(ctx: Context, actor: Principal, assessmentId: string, input: UploadInput, body: AsyncIterable<Uint8Array>) {
  return ctx.db.transaction().execute(async (trx) => {
    // Checked before the bytes are read, but not locked: an upload over a slow link must not hold
    // up the answers of the assessment. The lock is taken, and the checks made again, at the end.
    const visible = await findVisible(trx, actor, assessmentId)
    if (!visible) throw notFound(`assessment ${assessmentId}`)
    assertCanChange(actor, visible)
    const version = await versionOf(ctx, trx, visible)
    if (input.questionId) assertQuestion(actor, visible, version, input.questionId, '/querystring/questionId')

    const id = randomUUID()
    const hash = createHash('sha256')
    const text = new TextChecker()
    let size = 0
    let seq = 0
    let pending: Buffer[] = []
    let pendingBytes = 0
    const flush = async (all: boolean) => {
      while (pendingBytes >= CHUNK_BYTES || (all && pendingBytes > 0)) {
        const joined = Buffer.concat(pending)
        const chunk = joined.subarray(0, CHUNK_BYTES)
        const rest = joined.subarray(chunk.length)
        await insertChunk(trx, id, seq++, Buffer.from(chunk))
        pending = rest.length ? [rest] : []
        pendingBytes = rest.length
      }
    }
    for await (const piece of body) {
      size += piece.length
      if (size > ctx.maxBytes) throw tooLarge(ctx.maxBytes)
      hash.update(piece)
      text.push(piece)
      pending.push(Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength))
      pendingBytes += piece.length
      await flush(false)
    }
    await flush(true)
    if (size === 0) throw unprocessable('the file is empty', [{ path: '/body', message: 'is empty' }])

    const detected = await fileTypeFromStream(Readable.toWeb(Readable.from(documentBytes(trx, id))) as ReadableStream<Uint8Array>)
    const kind = classify(detected?.ext, text.result())
    if (!kind.ok)
      throw new AppError(415, 'unsupported_media_type', `the file is refused: ${kind.problem}`, { errors: [{ path: '/body', message: kind.problem }] })
    if (kind.type.zip) {
      const problem = await zipProblem((start, end) => documentRange(trx, id, start, end), size)
      if (problem) throw unprocessable(`the file is refused: ${problem}`, [{ path: '/body', message: problem }])
    }

    const assessment = await lockVisible(trx, actor, assessmentId)
    assertCanChange(actor, assessment)
    const filename = withExtension(sanitiseFilename(input.name), kind.type.extensions)
    const sha256 = hash.digest('hex')
    await trx
      .insertInto('evidence_documents')
      .values({ id, assessment_id: assessment.id, name: input.name, filename, media_type: kind.type.mediaType, size, sha256, uploaded_by: actor.personId })
      .execute()
    let attachmentId: string | null = null
    if (input.questionId) attachmentId = (await attach(trx, actor, assessment.id, input.questionId, id)).id
    await audit(trx, {
      action: 'evidence_uploaded',
      actor,
      details: { assessment: assessment.id, document: id, sha256, size, mediaType: kind.type.mediaType, questionId: input.questionId ?? null },
    })
    const document = await findDocument(trx, assessment.id, id)
    return { document: document!, attachmentId }
  })
}

function tooLarge(max: number): AppError {
  return new AppError(413, 'content_too_large', `the file is larger than the limit of ${max} bytes (${(max / 1024 / 1024).toFixed(1)} MiB)`, {
    limit: max,
    errors: [{ path: '/body', message: `is larger than ${max} bytes` }],
  })
}

async function attach(trx: Trx, actor: Principal, assessmentId: string, questionId: string, documentId: string) {
  const row = await trx
    .insertInto('evidence_attachments')
    .values({ assessment_id: assessmentId, question_id: questionId, document_id: documentId, attached_by: actor.personId })
    .onConflict((oc) => oc.columns(['assessment_id', 'question_id', 'document_id']).doNothing())
    .returning('id')
    .executeTakeFirst()
  if (!row) throw conflict(`the document is already attached to ${questionId}`)
  return row
}

/** Attaches a document of the assessment's library to an answer. */
export async function attachDocument(ctx: Context, actor: Principal, assessmentId: string, questionId: string, documentId: string) {
  return ctx.db.transaction().execute(async (trx) => {
    const assessment = await lockVisible(trx, actor, assessmentId)
    assertCanChange(actor, assessment)
    assertQuestion(actor, assessment, await versionOf(ctx, trx, assessment), questionId, '/body/questionId')
    // Only a document of this same assessment's library: an id from elsewhere is unknown here.
    if (!(await findDocument(trx, assessment.id, documentId)))
      throw unprocessable(`document ${documentId} is not in this assessment's library`, [{ path: '/body/documentId', message: 'unknown document' }])
    const row = await attach(trx, actor, assessment.id, questionId, documentId)
    await audit(trx, { action: 'evidence_attached', actor, details: { assessment: assessment.id, document: documentId, questionId } })
    return row
  })
}

export async function detachDocument(ctx: Context, actor: Principal, assessmentId: string, attachmentId: string) {
  await ctx.db.transaction().execute(async (trx) => {
    const assessment = await lockVisible(trx, actor, assessmentId)
    assertCanChange(actor, assessment)
    const attachment = await findAttachment(trx, assessment.id, attachmentId)
    if (!attachment) throw notFound(`attachment ${attachmentId}`)
    assertQuestion(actor, assessment, await versionOf(ctx, trx, assessment), attachment.question_id, '/params/attachmentId')
    await trx.deleteFrom('evidence_attachments').where('id', '=', attachment.id).execute()
    await audit(trx, {
      action: 'evidence_detached',
      actor,
      details: { assessment: assessment.id, document: attachment.document_id, questionId: attachment.question_id },
    })
  })
}

/** Removes a document from the library, with its attachments and their reviews. Only a focal point, since it may back several domains' answers. */
export async function deleteDocument(ctx: Context, actor: Principal, assessmentId: string, documentId: string) {
  await ctx.db.transaction().execute(async (trx) => {
    const assessment = await lockVisible(trx, actor, assessmentId)
    assertCanChange(actor, assessment)
    const document = await findDocument(trx, assessment.id, documentId)
    if (!document) throw notFound(`document ${documentId}`)
    const uploader = await trx.selectFrom('evidence_documents').select('uploaded_by').where('id', '=', document.id).executeTakeFirstOrThrow()
    if (uploader.uploaded_by !== actor.personId && !hasMembership(actor, 'focal_point', assessment.country)) {
      throw forbidden('only the focal point, or the person who uploaded it, removes a document from the library')
    }
    await trx.deleteFrom('evidence_documents').where('id', '=', document.id).execute()
    await audit(trx, {
      action: 'evidence_deleted',
      actor,
      details: { assessment: assessment.id, document: document.id, sha256: document.sha256, name: document.name },
    })
  })
}

export interface ReviewRequest {
  questionId: string
  attachmentId?: string | undefined
  url?: string | undefined
  status: EvidenceReviewStatus
  comment?: string | null | undefined
}

/** A reviewer marks one piece of evidence of a submitted assessment accepted or insufficient (with a comment). */
export async function reviewEvidence(ctx: Context, actor: Principal, assessmentId: string, review: ReviewRequest) {
  if (actor.role !== 'staff' || !hasMembership(actor, 'reviewer')) throw forbidden('only reviewers review evidence')
  await ctx.db.transaction().execute(async (trx) => {
    const assessment = await lockVisible(trx, actor, assessmentId)
    if (assessment.status !== 'submitted') {
      throw conflict(`the assessment is ${assessment.status}; evidence is reviewed while it is submitted`, { assessmentStatus: assessment.status })
    }
    const comment = review.comment?.trim() || null
    if (review.status === 'insufficient' && !comment) {
      throw unprocessable('say why the evidence is insufficient', [{ path: '/body/comment', message: 'is required when the evidence is insufficient' }])
    }
    if ((review.attachmentId === undefined) === (review.url === undefined)) {
      throw unprocessable('name one piece of evidence: an attachmentId or a url', [{ path: '/body', message: 'needs exactly one of attachmentId and url' }])
    }
    if (review.attachmentId) {
      const attachment = await findAttachment(trx, assessment.id, review.attachmentId)
      if (!attachment || attachment.question_id !== review.questionId) {
        throw unprocessable(`attachment ${review.attachmentId} is not evidence of ${review.questionId}`, [
          { path: '/body/attachmentId', message: 'unknown attachment' },
        ])
      }
    } else {
      const answer = await trx
        .selectFrom('answers')
        .select('evidence')
        .where('assessment_id', '=', assessment.id)
        .where('question_id', '=', review.questionId)
        .executeTakeFirst()
      const links = (answer?.evidence ?? []) as { url: string }[]
      if (!links.some((l) => l.url === review.url)) {
        throw unprocessable(`${review.questionId} has no evidence link ${review.url}`, [{ path: '/body/url', message: 'is not a link of this answer' }])
      }
    }
    await saveReview(trx, {
      assessmentId: assessment.id,
      questionId: review.questionId,
      attachmentId: review.attachmentId ?? null,
      url: review.url ?? null,
      status: review.status,
      comment,
      reviewedBy: actor.personId,
    })
    await audit(trx, {
      action: 'evidence_reviewed',
      actor,
      details: {
        assessment: assessment.id,
        questionId: review.questionId,
        attachment: review.attachmentId ?? null,
        url: review.url ?? null,
        status: review.status,
        comment,
      },
    })
  })
}
