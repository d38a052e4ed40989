// Evidence routes: an assessment's library of documents (upload, download, remove), documents
// attached to answers, reviewers' verdicts, and the evidence state the assessment page shows.
import { Readable } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { findVisible, loadAnswers } from '../assessments/repository.js'
import { AppError, notFound, problems } from '../errors.js'
import { requireRole, type Principal } from '../plugins/auth.js'
import type { StoredAnswer } from '../questionnaires/answers.js'
import { attachmentDisposition } from './filename.js'
import { ACCEPTED_KINDS } from './media-types.js'
import { documentBytes, evidenceCounts, findDocument, listAttachments, listDocuments, listLinkReviews, type DocumentRow } from './repository.js'
import { evidenceRules, lackingEvidence } from './rules.js'
import { attachDocument, deleteDocument, detachDocument, reviewEvidence, uploadDocument, type Context } from './service.js'

export interface EvidenceRouteOptions {
  maxBytes: number
}

const ROLES = ['administration', 'staff'] as const
const idParams = z.object({ id: z.uuid({ message: 'must be an assessment id (a UUID)' }) })
const documentParams = idParams.extend({ documentId: z.uuid({ message: 'must be a document id (a UUID)' }) })
const questionId = z.string().min(1).max(80)

const review = z
  .object({
    status: z.enum(['accepted', 'insufficient']),
    comment: z.string().nullable(),
    by: z.string().nullable().describe('The name of the reviewer'),
    at: z.string(),
  })
  .nullable()
const documentSchema = z
  .object({
    id: z.string(),
    name: z.string().describe('The name of the uploaded file, as it was given'),
    filename: z.string().describe('The name a download carries: no path separators or control characters, an extension that fits its type'),
    mediaType: z.string().describe('Read from the bytes, not the name'),
    size: z.number(),
    sha256: z.string(),
    uploadedAt: z.string(),
    uploadedBy: z.string().nullable(),
    href: z.string(),
  })
  .meta({ id: 'EvidenceDocument' })
const itemSchema = z.object({
  questionId: z.string(),
  kind: z.enum(['document', 'link']),
  attachmentId: z.string().nullable(),
  documentId: z.string().nullable(),
  title: z.string(),
  url: z.string().nullable(),
  mediaType: z.string().nullable(),
  size: z.number().nullable(),
  review,
})
const ruleSchema = z.union([z.object({ requiredFrom: z.number() }), z.object({ requiredFor: z.array(z.union([z.string(), z.number()])) })])

function presentDocument(d: DocumentRow) {
  return {
    id: d.id,
    name: d.name,
    filename: d.filename,
    mediaType: d.media_type,
    size: Number(d.size),
    sha256: d.sha256,
    uploadedAt: d.uploaded_at.toISOString(),
    uploadedBy: d.uploaded_by_name,
    href: `/assessments/${d.assessment_id}/evidence/documents/${d.id}`,
  }
}

export default async function evidenceRoutes(app: FastifyInstance, options: EvidenceRouteOptions): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>()
  const ctx: Context = { db: app.db, questionnaires: app.questionnaires, maxBytes: options.maxBytes }

  r.get(
    '/assessments/:id/evidence',
    {
      schema: {
        operationId: 'getAssessmentEvidence',
        tags: ['evidence'],
        summary: "An assessment's evidence: its library of documents, each answer's links and documents with their review, the rules and what lacks evidence",
        security: [{ bearer: [] }],
        params: idParams,
        response: {
          200: z.object({
            documents: z.array(documentSchema),
            items: z.array(itemSchema),
            rules: z.record(z.string(), ruleSchema).describe("Question id → the questionnaire's evidence rule"),
            lackingEvidence: z.array(z.string()).describe('Questions whose answer needs evidence under its rule and has none: submission waits for them'),
            maxBytes: z.number(),
            accepted: z.string().describe('The kinds of file accepted'),
          }),
          ...problems(400, 401, 403, 404),
        },
      },
    },
    async (request) => {
      const actor = requireRole(request, ...ROLES)
      const a = await findVisible(app.db, actor, request.params.id)
      if (!a) throw notFound(`assessment ${request.params.id}`)
      const [documents, attachments, linkReviews, answers, counts, version] = await Promise.all([
        listDocuments(app.db, a.id),
        listAttachments(app.db, a.id),
        listLinkReviews(app.db, a.id),
        loadAnswers(app.db, a.id),
        evidenceCounts(app.db, a.id),
        app.questionnaires.get(a.questionnaire, a.version),
      ])
      const linkReview = new Map(linkReviews.map((l) => [`${l.question_id}\n${l.url}`, l]))
      const present = (
        row: { status: 'accepted' | 'insufficient' | null; comment: string | null; reviewed_at: Date | null; reviewed_by_name: string | null } | undefined,
      ) => (row?.status && row.reviewed_at ? { status: row.status, comment: row.comment, by: row.reviewed_by_name, at: row.reviewed_at.toISOString() } : null)
      const items = [
        ...answers.flatMap((an) =>
          ((an.evidence ?? []) as { title: string; url: string }[]).map((l) => ({
            questionId: an.question_id,
            kind: 'link' as const,
            attachmentId: null,
            documentId: null,
            title: l.title,
            url: l.url,
            mediaType: null,
            size: null,
            review: present(linkReview.get(`${an.question_id}\n${l.url}`)),
          })),
        ),
        ...attachments.map((x) => ({
          questionId: x.question_id,
          kind: 'document' as const,
          attachmentId: x.id,
          documentId: x.document_id,
          title: x.name,
          url: null,
          mediaType: x.media_type,
          size: Number(x.size),
          review: present(x),
        })),
      ]
      const stored = new Map(answers.map((an) => [an.question_id, { value: (an.value ?? null) as StoredAnswer['value'], special: an.special }]))
      return {
        documents: documents.map(presentDocument),
        items,
        rules: version ? evidenceRules(version.content) : {},
        lackingEvidence: version ? lackingEvidence(version.content, stored, counts) : [],
        maxBytes: options.maxBytes,
        accepted: ACCEPTED_KINDS,
      }
    },
  )

  // The upload takes the raw bytes of the file, streamed: its own scope, where no parser reads the body.
  await app.register(async (upload) => {
    upload.removeAllContentTypeParsers()
    // The body is left unread here: the handler streams request.raw itself (a parsed body would be
    // walked by the text checks every JSON body gets).
    upload.addContentTypeParser('*', (_request, _payload, done) => done(null))
    upload.withTypeProvider<ZodTypeProvider>().post(
      '/assessments/:id/evidence/documents',
      {
        schema: {
          operationId: 'uploadEvidenceDocument',
          tags: ['evidence'],
          summary: "Upload a document into the assessment's evidence library (optionally attaching it to an answer)",
          description:
            `The body is the file's bytes (any Content-Type; the type is read from the bytes, not the name or header). Accepted: ${ACCEPTED_KINDS}. ` +
            'HTML, scripts, executables and archives are refused (415) whatever they are named; office documents are inspected for zip bombs (422). ' +
            'Beyond the size limit (EVIDENCE_MAX_BYTES) 413. An upload that is refused or interrupted stores nothing. Draft assessments, their administration only.',
          security: [{ bearer: [] }],
          params: idParams,
          querystring: z.object({
            name: z.string().min(1).max(255).describe('The file name, as the uploader has it (shown as given; made safe for downloads)'),
            questionId: questionId.optional().describe('Attach the document to this answer at once'),
          }),
          consumes: ['application/octet-stream'],
          body: z.any().meta({ type: 'string', format: 'binary', description: "The file's bytes" }),
          response: {
            201: z.object({ document: documentSchema, attachmentId: z.string().nullable() }),
            ...problems(400, 401, 403, 404, 409, 413, 415, 422),
          },
        },
      },
      async (request, reply) => {
        const actor = requireRole(request, 'administration')
        const declared = Number(request.headers['content-length'])
        if (Number.isFinite(declared) && declared > options.maxBytes) {
          throw new AppError(413, 'content_too_large', `the file is larger than the limit of ${options.maxBytes} bytes`, { limit: options.maxBytes })
        }
        const result = await uploadDocument(ctx, actor, request.params.id, { name: request.query.name, questionId: request.query.questionId }, request.raw)
        reply.code(201).header('location', `/assessments/${request.params.id}/evidence/documents/${result.document.id}`)
        return { document: presentDocument(result.document), attachmentId: result.attachmentId }
      },
    )
  })

  r.get(
    '/assessments/:id/evidence/documents/:documentId',
    {
      // The stored bytes as they were uploaded: compressing office files and images gains nothing.
      compress: false,
      schema: {
        operationId: 'downloadEvidenceDocument',
        tags: ['evidence'],
        summary: 'Download an evidence document (always as an attachment, never shown inline)',
        description:
          'Sent with Content-Disposition: attachment (the safe file name, RFC 5987 filename*), X-Content-Type-Options: nosniff and a ' +
          "sandboxing Content-Security-Policy, so a browser never runs it in this site's origin. For whoever may read the assessment.",
        security: [{ bearer: [] }],
        params: documentParams,
        produces: ['application/octet-stream'],
        response: { 200: z.string().meta({ format: 'binary' }).describe("The document's bytes"), ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const actor = requireRole(request, ...ROLES)
      const a = await findVisible(app.db, actor, request.params.id)
      if (!a) throw notFound(`assessment ${request.params.id}`)
      const d = await findDocument(app.db, a.id, request.params.documentId)
      if (!d) throw notFound(`document ${request.params.documentId}`)
      reply
        .header('content-type', d.media_type)
        .header('content-length', String(d.size))
        .header('content-disposition', attachmentDisposition(d.filename))
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "sandbox; default-src 'none'")
        .header('cache-control', 'private, no-store')
        .header('etag', `"${d.sha256}"`)
      return reply.send(Readable.from(documentBytes(app.db, d.id)) as never)
    },
  )

  /**
   * Removing, attaching and detaching documents are the administration's changes to its draft's
   * evidence (the service refuses them on any other assessment): the same tag, token, role and
   * service call on the assessment, so each route below states only its operation, input, answer
   * and service function.
   */
  function draftChange<P extends z.ZodType<{ id: string }>, B extends z.ZodType, R>(route: {
    method: 'POST' | 'DELETE'
    url: string
    operationId: string
    summary: string
    params: P
    body?: B
    /** 201 with this body, or 204 with this description. */
    answer: { created: z.ZodType<R> } | { noContent: string }
    problems: number[]
    change: (actor: Principal, params: z.output<P>, body: z.output<B>) => Promise<R>
  }): void {
    const { answer, change } = route
    const success = 'created' in answer ? { 201: answer.created } : { 204: z.null().describe(answer.noContent) }
    r.route({
      method: route.method,
      url: route.url,
      schema: {
        operationId: route.operationId,
        tags: ['evidence'],
        summary: route.summary,
        security: [{ bearer: [] }],
        params: route.params,
        ...(route.body ? { body: route.body } : {}),
        response: { ...success, ...problems(...route.problems) },
      },
      handler: async (request, reply) => {
        // Validated against route.params and route.body above; the type provider cannot resolve a generic schema's type.
        const result = await change(requireRole(request, 'administration'), request.params as z.output<P>, request.body as z.output<B>)
        if ('noContent' in answer) return reply.code(204).send(null)
        reply.code(201)
        return result
      },
    })
  }

  draftChange({
    method: 'DELETE',
    url: '/assessments/:id/evidence/documents/:documentId',
    operationId: 'deleteEvidenceDocument',
    summary: 'Remove a document from the library, with its attachments to answers (draft only)',
    params: documentParams,
    answer: { noContent: 'Removed' },
    problems: [400, 401, 403, 404, 409],
    change: (actor, params) => deleteDocument(ctx, actor, params.id, params.documentId),
  })

  draftChange({
    method: 'POST',
    url: '/assessments/:id/evidence/attachments',
    operationId: 'attachEvidenceDocument',
    summary: "Attach a document of the assessment's library to an answer (draft only)",
    params: idParams,
    body: z.strictObject({ questionId, documentId: z.uuid({ message: 'must be a document id (a UUID)' }) }),
    answer: { created: z.object({ attachmentId: z.string() }) },
    problems: [400, 401, 403, 404, 409, 422],
    change: async (actor, params, body) => ({ attachmentId: (await attachDocument(ctx, actor, params.id, body.questionId, body.documentId)).id }),
  })

  draftChange({
    method: 'DELETE',
    url: '/assessments/:id/evidence/attachments/:attachmentId',
    operationId: 'detachEvidenceDocument',
    summary: 'Detach a document from an answer; it stays in the library (draft only)',
    params: idParams.extend({ attachmentId: z.uuid({ message: 'must be an attachment id (a UUID)' }) }),
    answer: { noContent: 'Detached' },
    problems: [400, 401, 403, 404, 409],
    change: (actor, params) => detachDocument(ctx, actor, params.id, params.attachmentId),
  })

  r.put(
    '/assessments/:id/evidence/reviews',
    {
      schema: {
        operationId: 'reviewEvidence',
        tags: ['evidence'],
        summary: 'Mark one piece of evidence (an attached document or a link) accepted or insufficient (with a comment); reviewers, submitted assessments',
        security: [{ bearer: [] }],
        params: idParams,
        body: z.strictObject({
          questionId,
          attachmentId: z.uuid().optional().describe('An attached document'),
          url: z.string().max(2000).optional().describe('A link of the answer'),
          status: z.enum(['accepted', 'insufficient']),
          comment: z.string().max(4000).nullable().optional().describe('Required when insufficient'),
        }),
        response: { 204: z.null().describe('Recorded'), ...problems(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      const actor = requireRole(request, 'staff')
      await reviewEvidence(ctx, actor, request.params.id, request.body)
      return reply.code(204).send(null)
    },
  )
}
