import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { ASSESSMENT_STATUSES as STATUSES, REGIONS } from '../db/schema.js'
import { badRequest, notFound, problems } from '../errors.js'
import { pendingCredential, requireRole } from '../plugins/auth.js'
import { SnapshotMemory } from './snapshot-memory.js'
import { WriteCoalescer } from './write-coalescer.js'
import { comment, evidenceList } from './answer-fields.js'
import { etag, parseIfMatch } from './etag.js'
import { presentAnswer, presentAssessment, presentDomainProgress } from './present.js'
import { answerHistory, domainProgress, findVisible, listComments, listTransitions, listVisible, loadAnswers } from './repository.js'
import {
  addComment,
  changeVersion,
  createAssessment,
  mayTake,
  missingRequired,
  transition,
  unconfirmedCarried,
  writeAnswers,
  type AnswerWrite,
} from './service.js'
import { ACTIONS, availableActions } from './workflow.js'

/** Admin tokens manage tokens only (README, "Who may do what"): they neither read nor change assessments. */
const ASSESSMENT_ROLES = ['administration', 'staff'] as const

const answerBody = z.strictObject({
  value: z.unknown().optional().describe('The typed value: maturity 0–4, "yes"/"no"/"partial", an option id, option ids, a number or text'),
  special: z.enum(['not_applicable', 'unknown']).nullable().optional().describe('Instead of a value, where the question allows it'),
  comment: comment.nullable().optional(),
  evidence: evidenceList.optional(),
})
const answerSchema = z
  .object({
    questionId: z.string(),
    value: z.unknown(),
    special: z.enum(['not_applicable', 'unknown']).nullable(),
    comment: z.string().nullable(),
    evidence: z.array(z.object({ title: z.string(), url: z.string() })),
    carriedForward: z.boolean(),
    score: z.number().nullable(),
    revision: z.number(),
    etag: z.string(),
    updatedAt: z.string(),
    updatedByRole: z.string().nullable(),
  })
  .meta({ id: 'Answer' })
const assessmentSchema = z
  .object({
    id: z.string(),
    country: z.string(),
    questionnaire: z.string(),
    version: z.number(),
    cycle: z.number(),
    status: z.enum(STATUSES),
    revision: z.number(),
    etag: z.string(),
    overallScore: z.number().nullable(),
    coverage: z.number(),
    tier: z.string().nullable(),
    answered: z.number(),
    applicable: z.number(),
    carriedFrom: z.string().nullable(),
    campaignId: z.string().nullable().meta({ description: 'The campaign that opened this assessment (null for assessments made before campaigns).' }),
    late: z.boolean().meta({ description: "Submitted after the campaign's deadline." }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Assessment' })
const detailSchema = assessmentSchema
  .extend({
    countryName: z.string(),
    region: z.string(),
    actions: z.array(z.enum(ACTIONS)),
    missingRequired: z.array(z.string()),
    unconfirmed: z
      .array(z.string())
      .describe(
        'Answers carried forward from the previous cycle, to questions that apply, not yet confirmed (saved again) or changed: submission waits for them',
      ),
    domains: z.array(
      z.object({
        domain: z.string(),
        title: z.string(),
        score: z.number().nullable(),
        coverage: z.number(),
        tier: z.string().nullable(),
        applicable: z.number(),
        answered: z.number(),
        notApplicable: z.number(),
        unknown: z.number(),
        missing: z.number(),
      }),
    ),
    answers: z.array(answerSchema),
    comments: z.array(z.object({ id: z.string(), questionId: z.string().nullable(), body: z.string(), author: z.string(), createdAt: z.string() })),
    transitions: z.array(
      z.object({
        from: z.string().nullable(),
        to: z.string(),
        comment: z.string().nullable(),
        role: z.string().nullable(),
        by: z.string().nullable().describe('The name of the person who made the transition'),
        at: z.string(),
      }),
    ),
  })
  .meta({ id: 'AssessmentDetail' })

const idParams = z.object({ id: z.uuid({ message: 'must be an assessment id (a UUID)' }) })
const ifMatchHeaders = z.object({
  'if-match': z.string().max(100).optional().describe('The ETag last read; a stale one gets 412'),
  'if-none-match': z.string().max(100).optional().describe('* to create an answer only if none exists'),
})

function encodeCursor(row: { country: string; questionnaire: string; cycle: number; id: string }): string {
  return Buffer.from(JSON.stringify([row.country, row.questionnaire, row.cycle, row.id])).toString('base64url')
}
function decodeCursor(cursor: string) {
  try {
    const [country, questionnaire, cycle, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[]
    const parsed = z
      .object({ country: z.string().max(3), questionnaire: z.string().max(40), cycle: z.number().int(), id: z.uuid() })
      .parse({ country, questionnaire, cycle, id })
    return parsed
  } catch {
    throw badRequest('the cursor is not one this API gave out', [{ path: '/querystring/cursor', message: 'is not valid' }])
  }
}

export default async function assessmentRoutes(app: FastifyInstance, options: { writeStatements: number }): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>()
  const ctx = {
    db: app.db,
    questionnaires: app.questionnaires,
    pool: app.pg.pool,
    clock: app.clock,
    snapshots: new SnapshotMemory(),
    coalescer: new WriteCoalescer(app.pg.pool, options.writeStatements),
  }

  r.post(
    '/assessments',
    {
      schema: {
        operationId: 'createAssessment',
        tags: ['assessments'],
        summary: 'Start an assessment for a country, questionnaire and cycle (optionally from the previous cycle)',
        security: [{ bearer: [] }],
        body: z.strictObject({
          questionnaire: z.string().min(1).max(40),
          version: z.number().int().positive().optional().describe('Defaults to the latest published version'),
          country: z.string().regex(/^[A-Za-z]{3}$/, 'must be an ISO 3166-1 alpha-3 code'),
          cycle: z.number().int().min(2000).max(2100),
          from: z.uuid().optional().describe('A previous assessment whose answers are carried forward as a baseline'),
        }),
        response: {
          201: z.object({
            assessment: assessmentSchema,
            carried: z.array(z.string()),
            notCarried: z.array(z.object({ questionId: z.string(), reason: z.string() })),
          }),
          ...problems(400, 401, 403, 404, 409, 422),
        },
      },
    },
    async (request, reply) => {
      const actor = requireRole(request, ...ASSESSMENT_ROLES)
      const result = await createAssessment(ctx, actor, request.body)
      reply.code(201).header('location', `/assessments/${result.assessment.id}`).header('etag', etag(result.assessment.revision))
      return { assessment: presentAssessment(result.assessment), carried: result.carried, notCarried: result.notCarried }
    },
  )

  r.get(
    '/assessments',
    {
      schema: {
        operationId: 'listAssessments',
        tags: ['assessments'],
        summary: 'Assessments this token may see, filtered, a page at a time',
        security: [{ bearer: [] }],
        querystring: z.object({
          country: z
            .string()
            .regex(/^[A-Za-z]{3}$/)
            .optional(),
          region: z.enum(REGIONS).optional(),
          questionnaire: z.string().max(40).optional(),
          cycle: z.coerce.number().int().min(2000).max(2100).optional(),
          status: z.enum(STATUSES).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(50),
          cursor: z.string().max(400).optional(),
        }),
        response: {
          200: z.object({
            items: z.array(assessmentSchema.extend({ countryName: z.string(), region: z.string() })),
            nextCursor: z.string().nullable(),
          }),
          ...problems(400, 401, 403),
        },
      },
    },
    async (request) => {
      const actor = requireRole(request, ...ASSESSMENT_ROLES)
      const q = request.query
      const rows = await listVisible(app.db, actor, { ...q, country: q.country?.toUpperCase() }, q.limit, q.cursor ? decodeCursor(q.cursor) : undefined)
      const page = rows.slice(0, q.limit)
      const last = page.at(-1)
      return {
        items: page.map((row) => ({
          ...presentAssessment({ ...row, created_by: null, carried_from: null }),
          countryName: row.country_name,
          region: row.region,
        })),
        nextCursor: rows.length > q.limit && last ? encodeCursor(last) : null,
      }
    },
  )

  r.get(
    '/assessments/:id',
    {
      schema: {
        operationId: 'getAssessment',
        tags: ['assessments'],
        summary: 'An assessment with its progress per domain, answers, review comments and history of states',
        security: [{ bearer: [] }],
        params: idParams,
        response: { 200: detailSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const actor = requireRole(request, ...ASSESSMENT_ROLES)
      const row = await findVisible(app.db, actor, request.params.id)
      if (!row) throw notFound(`assessment ${request.params.id}`)
      const [country, domains, answers, comments, transitions, version] = await Promise.all([
        app.db.selectFrom('countries').select(['name', 'region']).where('code', '=', row.country).executeTakeFirstOrThrow(),
        domainProgress(app.db, row.id),
        loadAnswers(app.db, row.id),
        listComments(app.db, row.id),
        listTransitions(app.db, row.id),
        app.questionnaires.get(row.questionnaire, row.version),
      ])
      reply.header('etag', etag(row.revision))
      const answerMap = new Map(answers.map((a) => [a.question_id, { value: a.value as never, special: a.special }]))
      return {
        ...presentAssessment(row),
        countryName: country.name,
        region: country.region,
        actions: availableActions(row.status, actor.role).filter((a) => mayTake(actor, a, row.country)),
        missingRequired: version ? missingRequired(version, answerMap) : [],
        unconfirmed: version ? unconfirmedCarried(version, answers) : [],
        domains: domains.map(presentDomainProgress),
        answers: answers.map(presentAnswer),
        comments: comments.map((c) => ({
          id: String(c.id),
          questionId: c.question_id,
          body: c.body,
          author: c.author_label,
          createdAt: c.created_at.toISOString(),
        })),
        transitions: transitions.map((t) => ({
          from: t.from_status,
          to: t.to_status,
          comment: t.comment,
          role: t.actor_role,
          by: t.actor_label,
          at: t.at.toISOString(),
        })),
      }
    },
  )

  r.put(
    '/assessments/:id/answers/:questionId',
    {
      config: { credentialInStatement: true },
      schema: {
        operationId: 'putAnswer',
        tags: ['answers'],
        summary: 'Answer one question (If-Match with the answer ETag to change an existing answer)',
        description:
          'A new answer needs no precondition (or If-None-Match: *). Changing an existing answer needs If-Match with its ETag: ' +
          'without it 428, with a stale one 412 and nothing changes. Answers to questions whose applies_if is not met are refused with 422.',
        security: [{ bearer: [] }],
        params: idParams.extend({ questionId: z.string().min(1).max(80) }),
        headers: ifMatchHeaders,
        body: answerBody,
        response: {
          200: z.object({ answer: answerSchema, assessment: assessmentSchema }),
          ...problems(400, 401, 403, 404, 409, 412, 422, 428),
        },
      },
    },
    async (request, reply) => {
      const actor = requireRole(request, ...ASSESSMENT_ROLES)
      const write: AnswerWrite = {
        ...request.body,
        questionId: request.params.questionId,
        precondition: parseIfMatch(request.headers['if-match'], request.headers['if-none-match']),
        path: '/body',
      }
      const result = await writeAnswers(ctx, actor, request.params.id, [write], pendingCredential(request))
      const answer = result.answers[0]!
      reply.header('etag', etag(answer.revision))
      return { answer: presentAnswer(answer), assessment: presentAssessment(result.assessment) }
    },
  )

  r.patch(
    '/assessments/:id/answers',
    {
      config: { credentialInStatement: true },
      schema: {
        operationId: 'patchAnswers',
        tags: ['answers'],
        summary: 'Answer several questions at once: all or nothing',
        description: 'Each item changing an existing answer carries the revision it last read (ifMatch); every problem is reported at once.',
        security: [{ bearer: [] }],
        params: idParams,
        body: z.strictObject({
          answers: z
            .array(answerBody.extend({ questionId: z.string().min(1).max(80), ifMatch: z.string().max(100).optional() }))
            .min(1)
            .max(500),
        }),
        response: {
          200: z.object({ answers: z.array(answerSchema), assessment: assessmentSchema }),
          ...problems(400, 401, 403, 404, 409, 412, 422, 428),
        },
      },
    },
    async (request) => {
      const actor = requireRole(request, ...ASSESSMENT_ROLES)
      const writes = request.body.answers.map(({ ifMatch, ...item }, i) => ({
        ...item,
        precondition: parseIfMatch(ifMatch),
        path: `/body/answers/${i}`,
      }))
      const result = await writeAnswers(ctx, actor, request.params.id, writes, pendingCredential(request))
      return { answers: result.answers.map(presentAnswer), assessment: presentAssessment(result.assessment) }
    },
  )

  r.get(
    '/assessments/:id/answers/:questionId/history',
    {
      schema: {
        operationId: 'getAnswerHistory',
        tags: ['answers'],
        summary: 'Every change to one answer: who (name and role), when, old and new value',
        security: [{ bearer: [] }],
        params: idParams.extend({ questionId: z.string().min(1).max(80) }),
        response: {
          200: z.object({
            items: z.array(
              z.object({
                revision: z.number(),
                old: z.unknown(),
                new: z.unknown(),
                changedAt: z.string(),
                changedBy: z.string().nullable().describe('The name of the person who made the change'),
                changedByRole: z.string().nullable(),
              }),
            ),
          }),
          ...problems(400, 401, 403, 404),
        },
      },
    },
    async (request) => {
      const actor = requireRole(request, ...ASSESSMENT_ROLES)
      const row = await findVisible(app.db, actor, request.params.id)
      if (!row) throw notFound(`assessment ${request.params.id}`)
      const items = await answerHistory(app.db, row.id, request.params.questionId)
      return {
        items: items.map((h) => ({
          revision: h.revision,
          old: h.old_answer,
          new: h.new_answer,
          changedAt: h.changed_at.toISOString(),
          changedBy: h.changed_by_name,
          changedByRole: h.changed_by_role,
        })),
      }
    },
  )

  r.post(
    '/assessments/:id/transitions',
    {
      schema: {
        operationId: 'transitionAssessment',
        tags: ['assessments'],
        summary: 'Move an assessment through its workflow: submit, return (comment required), validate, reopen, unvalidate (admin, reason required)',
        security: [{ bearer: [] }],
        params: idParams,
        headers: ifMatchHeaders,
        body: z.strictObject({ action: z.enum(ACTIONS), comment: z.string().max(4000).nullable().optional() }),
        response: { 200: assessmentSchema, ...problems(400, 401, 403, 404, 409, 412, 422) },
      },
    },
    async (request, reply) => {
      // Undoing a validation is an admin's, whichever credential carries the admin right.
      const actor = requireRole(request, ...ASSESSMENT_ROLES, ...(request.body.action === 'unvalidate' ? (['admin'] as const) : []))
      const row = await transition(ctx, actor, request.params.id, request.body.action, request.body.comment ?? null, parseIfMatch(request.headers['if-match']))
      reply.header('etag', etag(row.revision))
      return presentAssessment(row)
    },
  )

  r.post(
    '/assessments/:id/version',
    {
      schema: {
        operationId: 'changeAssessmentVersion',
        tags: ['assessments'],
        summary: 'Move a draft to another version of its questionnaire',
        description:
          'Answers whose question id, type and meaning are unchanged (and still valid) are kept. The rest are removed and listed in `redo` with the ' +
          'reason (removed, replaced by a split, type changed, meaning changed, invalid), the questions that replace them and the previous answer ' +
          '(also kept in history). `newQuestions` lists the questions the previous version did not have that now need an answer.',
        security: [{ bearer: [] }],
        params: idParams,
        headers: ifMatchHeaders,
        body: z.strictObject({ version: z.number().int().positive() }),
        response: {
          200: z.object({
            assessment: assessmentSchema,
            kept: z.array(z.string()),
            redo: z.array(
              z.object({
                questionId: z.string(),
                kind: z.enum(['removed', 'replaced', 'type_changed', 'meaning_changed', 'invalid']),
                reason: z.string(),
                replacedBy: z.array(z.string()),
                previous: z.unknown(),
              }),
            ),
            newQuestions: z.array(z.object({ questionId: z.string(), replaces: z.array(z.string()), required: z.boolean() })),
          }),
          ...problems(400, 401, 403, 404, 409, 412, 422),
        },
      },
    },
    async (request) => {
      const actor = requireRole(request, ...ASSESSMENT_ROLES)
      const result = await changeVersion(ctx, actor, request.params.id, request.body.version, parseIfMatch(request.headers['if-match']))
      return { assessment: presentAssessment(result.assessment), kept: result.kept, redo: result.redo, newQuestions: result.newQuestions }
    },
  )

  r.post(
    '/assessments/:id/comments',
    {
      schema: {
        operationId: 'addReviewComment',
        tags: ['assessments'],
        summary: 'A staff review comment, on the assessment or on one question',
        security: [{ bearer: [] }],
        params: idParams,
        body: z.strictObject({ questionId: z.string().max(80).nullable().optional(), body: z.string().trim().min(1).max(4000) }),
        response: {
          201: z.object({ id: z.string(), questionId: z.string().nullable(), body: z.string(), author: z.string(), createdAt: z.string() }),
          ...problems(400, 401, 403, 404, 422),
        },
      },
    },
    async (request, reply) => {
      const actor = requireRole(request, 'staff')
      const c = await addComment(ctx, actor, request.params.id, request.body.questionId ?? null, request.body.body)
      reply.code(201)
      return { id: String(c.id), questionId: c.question_id, body: c.body, author: c.author_label, createdAt: c.created_at.toISOString() }
    },
  )
}
