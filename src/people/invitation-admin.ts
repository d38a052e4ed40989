// The invitations an admin oversees (all of them) and a focal point (those of its country's
// contributors): listed by state, and withdrawn. Re-sending is POST /persons/{id}/invitations.
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { sql, type Kysely } from 'kysely'
import { z } from 'zod'
import type { Database } from '../db/schema.js'
import { conflict, forbidden, notFound, problems } from '../errors.js'
import { requirePrincipal } from '../plugins/auth.js'
import { audit } from './audit.js'
import { hasMembership, type Principal } from './principal.js'
import { managedBy } from './repository.js'

export const INVITATION_STATES = ['pending', 'expired', 'accepted', 'revoked'] as const
export type InvitationListState = (typeof INVITATION_STATES)[number]

const invitation = z
  .object({
    id: z.string(),
    state: z.enum(INVITATION_STATES),
    person: z.object({ id: z.string(), name: z.string(), email: z.string().nullable(), status: z.string() }),
    createdAt: z.string(),
    createdBy: z.object({ id: z.string(), name: z.string() }).nullable(),
    expiresAt: z.string(),
    acceptedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
  })
  .meta({ id: 'Invitation' })

/** The country whose contributors' invitations `actor` oversees; undefined for an admin (all). */
function scopeOf(actor: Principal): string | undefined {
  if (hasMembership(actor, 'admin')) return undefined
  const focal = actor.memberships.find((m) => m.role === 'focal_point')?.country
  if (!focal) throw forbidden('only an admin or a focal point oversees invitations')
  return focal
}

const STATE_SQL = sql<InvitationListState>`case
  when i.accepted_at is not null then 'accepted'
  when i.revoked_at is not null or p.status = 'disabled' then 'revoked'
  when i.expires_at <= now() then 'expired'
  else 'pending' end`

function query(db: Kysely<Database>, country: string | undefined) {
  let q = db
    .selectFrom('invitations as i')
    .innerJoin('persons as p', 'p.id', 'i.person_id')
    .leftJoin('persons as c', 'c.id', 'i.created_by')
    .select([
      'i.id',
      'i.person_id',
      'p.name',
      'p.email',
      'p.status',
      'i.created_at',
      'i.created_by',
      'c.name as creator_name',
      'i.expires_at',
      'i.accepted_at',
      'i.revoked_at',
      STATE_SQL.as('state'),
    ])
  if (country) q = q.where((eb) => eb.exists(eb.selectFrom('persons').select('persons.id').whereRef('persons.id', '=', 'p.id').where(managedBy(country))))
  return q
}

export default async function invitationAdminRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>()
  const security = [{ bearer: [] }]

  r.get(
    '/invitations',
    {
      schema: {
        operationId: 'listInvitations',
        tags: ['people'],
        summary: 'Invitations, newest first (admin: all; a focal point: those of its country’s contributors)',
        description: 'A re-sent invitation replaces the earlier one, which shows as revoked.',
        security,
        querystring: z.object({ state: z.enum(INVITATION_STATES).optional() }),
        response: { 200: z.object({ items: z.array(invitation) }), ...problems(400, 401, 403) },
      },
    },
    async (request) => {
      const country = scopeOf(requirePrincipal(request))
      let q = query(app.db, country).orderBy('i.created_at', 'desc').orderBy('i.id').limit(500)
      if (request.query.state) q = q.where(STATE_SQL, '=', request.query.state)
      const rows = await q.execute()
      return {
        items: rows.map((i) => ({
          id: i.id,
          state: i.state,
          person: { id: i.person_id, name: i.name, email: i.email, status: i.status },
          createdAt: i.created_at.toISOString(),
          createdBy: i.created_by ? { id: i.created_by, name: i.creator_name ?? '' } : null,
          expiresAt: i.expires_at.toISOString(),
          acceptedAt: i.accepted_at?.toISOString() ?? null,
          revokedAt: i.revoked_at?.toISOString() ?? null,
        })),
      }
    },
  )

  r.delete(
    '/persons/:id/invitations',
    {
      schema: {
        operationId: 'revokeInvitation',
        tags: ['people'],
        summary: 'Withdraw a person’s open invitation: its link stops working at once',
        description: 'An expired invitation is withdrawn too, so that sending it again is a decision. An accepted one is a 409: disable the person instead.',
        security,
        params: z.object({ id: z.uuid({ message: 'must be a person id (a UUID)' }) }),
        response: { 204: z.null().describe('Withdrawn'), ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const actor = requirePrincipal(request)
      const country = scopeOf(actor)
      await app.db.transaction().execute(async (trx) => {
        const open = await query(trx, country)
          .where('i.person_id', '=', request.params.id)
          .where('i.accepted_at', 'is', null)
          .where('i.revoked_at', 'is', null)
          .forUpdate('i')
          .executeTakeFirst()
        if (!open) {
          // Another country's person is as unknown as a missing one.
          const visible = await query(trx, country).where('i.person_id', '=', request.params.id).executeTakeFirst()
          if (!visible) throw notFound(`an invitation of person ${request.params.id}`)
          throw conflict(visible.accepted_at ? 'this invitation was accepted; disable the person instead' : 'this invitation was withdrawn already')
        }
        await trx.updateTable('invitations').set({ revoked_at: sql<Date>`now()` }).where('id', '=', open.id).execute()
        await audit(trx, { action: 'invitation_revoked', actor, subject: open.person_id, address: request.ip, details: { invitation: open.id } })
      })
      return reply.code(204).send(null)
    },
  )
}
