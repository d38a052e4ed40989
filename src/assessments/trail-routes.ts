// GET /assessments/{id}/trail: who answered what, who submitted, returned, validated, reopened and
// commented, and when, by name. Anybody who may read the assessment may read its trail; another
// country's is a 404, as for the assessment itself.
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { badRequest, notFound, problems } from '../errors.js'
import { requireRole } from '../plugins/auth.js'
import { findVisible } from './repository.js'
import { trailPage, type TrailCursor, type TrailRow } from './trail.js'

export const TRAIL_ACTIONS = [
  'created',
  'answered',
  'changed',
  'carried_forward',
  'removed',
  'submitted',
  'returned',
  'validated',
  'reopened',
  'commented',
] as const
type TrailAction = (typeof TRAIL_ACTIONS)[number]

const TRANSITION_ACTION: Record<string, TrailAction> = { submitted: 'submitted', returned: 'returned', validated: 'validated', draft: 'reopened' }

const item = z
  .object({
    id: z.string(),
    at: z.string(),
    kind: z.enum(['answer', 'transition', 'comment']),
    action: z.enum(TRAIL_ACTIONS),
    by: z.string().nullable().describe('The name of the person (null for changes made before persons existed)'),
    questionId: z.string().nullable(),
    answer: z.object({ value: z.unknown(), special: z.string().nullable() }).nullable().describe('For answers: the answer as it became (null when removed)'),
    comment: z.string().nullable().describe('The comment of a transition, or the body of a review comment'),
  })
  .meta({ id: 'TrailItem' })

interface Snapshot {
  value?: unknown
  special?: string | null
  removed?: boolean
  carriedFrom?: string
}

/** A trail row as the API shows it. Pure. */
export function presentTrailItem(row: TrailRow): z.infer<typeof item> {
  const base = { id: row.id, at: row.at.toISOString(), kind: row.kind, by: row.by_name, questionId: row.question_id }
  if (row.kind === 'transition') {
    const action = row.from_status === null ? 'created' : (TRANSITION_ACTION[row.to_status ?? ''] ?? 'reopened')
    return { ...base, action, answer: null, comment: row.comment }
  }
  if (row.kind === 'comment') return { ...base, action: 'commented', answer: null, comment: row.comment }
  const next = (row.new_answer ?? {}) as Snapshot
  if (next.removed) return { ...base, action: 'removed', answer: null, comment: null }
  const action: TrailAction = next.carriedFrom ? 'carried_forward' : row.old_answer === null ? 'answered' : 'changed'
  return { ...base, action, answer: { value: next.value ?? null, special: next.special ?? null }, comment: null }
}

function encodeCursor(row: TrailRow): string {
  return Buffer.from(JSON.stringify([row.at_key, row.kind_order, row.id])).toString('base64url')
}

function decodeCursor(cursor: string): TrailCursor {
  try {
    const [at, kindOrder, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[]
    const parsed = z
      .object({ at: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/), kindOrder: z.number().int().min(1).max(3), id: z.uuid() })
      .parse({ at, kindOrder, id })
    return parsed
  } catch {
    throw badRequest('the cursor is not one this API gave out', [{ path: '/querystring/cursor', message: 'is not valid' }])
  }
}

export default async function trailRoutes(app: FastifyInstance): Promise<void> {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/assessments/:id/trail',
    {
      schema: {
        operationId: 'getAssessmentTrail',
        tags: ['assessments'],
        summary: 'The assessment’s trail, newest first: answers, transitions and review comments, with the names of the persons who made them',
        security: [{ bearer: [] }],
        params: z.object({ id: z.uuid({ message: 'must be an assessment id (a UUID)' }) }),
        querystring: z.object({
          limit: z.coerce.number().int().min(1).max(200).default(50),
          cursor: z.string().max(200).optional().describe('nextCursor of the previous page'),
        }),
        response: { 200: z.object({ items: z.array(item), nextCursor: z.string().nullable() }), ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const actor = requireRole(request, 'administration', 'staff')
      const assessment = await findVisible(app.db, actor, request.params.id)
      if (!assessment) throw notFound(`assessment ${request.params.id}`)
      const { limit, cursor } = request.query
      const rows = await trailPage(app.db, assessment.id, limit, cursor ? decodeCursor(cursor) : undefined)
      const page = rows.slice(0, limit)
      const last = page.at(-1)
      return { items: page.map(presentTrailItem), nextCursor: rows.length > limit && last ? encodeCursor(last) : null }
    },
  )
}
