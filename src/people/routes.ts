// People: invitations by e-mail, accepting one (set a password, signed in at once), and for admins
// (and a country's focal point, for that country's contributors) the list of persons, disabling,
// memberships and sessions. Every write is one transaction and is logged with the person who made it.
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { AUDIT_ACTIONS, MEMBERSHIP_ROLES, PERSON_STATUSES } from '../db/schema.js'
import { AppError, conflict, forbidden, notFound, problems, unprocessable } from '../errors.js'
import type { Mailer } from '../mail/mailer.js'
import { formatDate, renderMail } from '../mail/messages.js'
import { clientKey, requirePrincipal } from '../plugins/auth.js'
import { LANGUAGES } from '../questionnaires/schema.js'
import { openSession } from '../web/session.js'
import { sql, type Kysely } from 'kysely'
import type { Database } from '../db/schema.js'
import { audit } from './audit.js'
import { hashSecret, isWellFormedSecret, newSecret } from './secrets.js'
import { throttled } from './throttle.js'
import { checkTotp, newRecoveryCodes, newTotpSecret, storeRecoveryCodes, totpUri, useSecondFactor } from './second-factor.js'
import { hashPassword, passwordProblem } from './passwords.js'
import { hasMembership, loadPrincipal, type Principal } from './principal.js'
import {
  addMemberships,
  createInvitation,
  findInvitation,
  findPersonByEmail,
  getPerson,
  listPersons,
  membershipsOf,
  type MembershipInput,
  type PersonRow,
} from './repository.js'
import { deleteOtherSessionsOf, deleteSessionOf, deleteSessionsOf, listSessionsOf, type SessionPolicy } from './sessions.js'

export interface PeopleOptions {
  mailer: Mailer
  invitationDays: number
  publicUrl: string
  sessionPolicy: SessionPolicy
}

const countryCode = z
  .string()
  .regex(/^[A-Za-z]{3}$/, 'must be an ISO 3166-1 alpha-3 code such as KEN')
  .transform((s) => s.toUpperCase())
const membershipInput = z
  .strictObject({
    role: z.enum(MEMBERSHIP_ROLES),
    country: countryCode.nullish(),
    questionnaire: z
      .string()
      .regex(/^[a-z][a-z0-9_]*$/)
      .max(40)
      .nullish(),
    domains: z
      .array(
        z
          .string()
          .regex(/^[a-z][a-z0-9_]*$/)
          .max(40),
      )
      .min(1)
      .max(20)
      .nullish(),
  })
  .superRefine((m, ctx) => {
    const national = m.role === 'focal_point' || m.role === 'contributor'
    if (national && !m.country) ctx.addIssue({ code: 'custom', path: ['country'], message: `a ${m.role} belongs to a country` })
    if (!national && m.country) ctx.addIssue({ code: 'custom', path: ['country'], message: `a ${m.role} has no country` })
    if ((m.domains || m.questionnaire) && m.role !== 'contributor') {
      ctx.addIssue({ code: 'custom', path: ['domains'], message: 'only a contributor is limited to domains' })
    }
    if (Boolean(m.domains) !== Boolean(m.questionnaire)) {
      ctx.addIssue({ code: 'custom', path: ['domains'], message: 'domains and questionnaire go together' })
    }
  })
const inviteBody = z.strictObject({
  name: z.string().trim().min(1, 'must not be empty').max(200),
  email: z
    .string()
    .trim()
    .max(254)
    .regex(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, 'must be an e-mail address'),
  language: z.enum(LANGUAGES).default('en'),
  memberships: z.array(membershipInput).min(1, 'a person needs at least one membership').max(20),
})
const membership = z.object({
  id: z.string(),
  role: z.enum(MEMBERSHIP_ROLES),
  country: z.string().nullable(),
  questionnaire: z.string().nullable(),
  domains: z.array(z.string()).nullable(),
})
const person = z
  .object({
    id: z.string(),
    name: z.string(),
    email: z.string().nullable(),
    language: z.enum(LANGUAGES),
    status: z.enum(PERSON_STATUSES),
    createdAt: z.string(),
    lastSignInAt: z.string().nullable(),
    memberships: z.array(membership),
  })
  .meta({ id: 'Person' })
const invited = z.object({
  person,
  invitation: z.object({
    expiresAt: z.string(),
    mailed: z.boolean(),
    link: z.string().nullable().describe('Only when no mail server is configured: give it to the person yourself. Shown once.'),
  }),
})
const idParams = z.object({ id: z.uuid({ message: 'must be a person id (a UUID)' }) })
const secretParams = z.object({ secret: z.string().max(100) })

/** May `actor` grant these memberships? Admins any; a focal point contributors of its own country. */
function assertMayGrant(actor: Principal, memberships: MembershipInput[]): void {
  if (hasMembership(actor, 'admin')) return
  for (const m of memberships) {
    if (!(m.role === 'contributor' && m.country && hasMembership(actor, 'focal_point', m.country))) {
      throw forbidden(
        m.role === 'contributor' ? `only a focal point of ${m.country} (or an admin) invites its contributors` : `only an admin grants the ${m.role} role`,
      )
    }
  }
}

/** May `actor` manage this person? Admins anybody; a focal point the contributors of its country. */
async function assertMayManage(app: FastifyInstance, actor: Principal, personId: string): Promise<void> {
  if (hasMembership(actor, 'admin')) return
  const theirs = (await membershipsOf(app.db, [personId])).get(personId) ?? []
  const managed = theirs.length > 0 && theirs.every((m) => m.role === 'contributor' && m.country && hasMembership(actor, 'focal_point', m.country))
  if (!managed) throw forbidden('only an admin (or the focal point, for its contributors) manages this person')
}

/** Password-reset requests one address may make in an hour. */
const RESETS_PER_HOUR = 5

/** Persons holding the admin membership must sign in with a second factor. */
async function needsSecondFactor(db: Kysely<Database>, personId: string): Promise<boolean> {
  return Boolean(await db.selectFrom('memberships').select('id').where('person_id', '=', personId).where('role', '=', 'admin').executeTakeFirst())
}

export default async function peopleRoutes(app: FastifyInstance, options: PeopleOptions): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>()
  const security = [{ bearer: [] }]

  async function present(rows: PersonRow[]): Promise<z.infer<typeof person>[]> {
    const memberships = await membershipsOf(
      app.db,
      rows.map((p) => p.id),
    )
    return rows.map((p) => ({
      id: p.id,
      name: p.name,
      email: p.email,
      language: p.language,
      status: p.status,
      createdAt: p.created_at.toISOString(),
      lastSignInAt: p.last_sign_in_at?.toISOString() ?? null,
      memberships: memberships.get(p.id) ?? [],
    }))
  }

  async function sendInvitation(p: { name: string; email: string; language: (typeof LANGUAGES)[number] }, secret: string, expiresAt: Date, inviter: Principal) {
    const link = `${options.publicUrl}/app/invitation.html#${secret}`
    const mail = renderMail('invitation', p.language, { name: p.name, inviter: inviter.name, link, expires: formatDate(expiresAt, p.language) })
    await options.mailer.send({ to: p.email, ...mail, language: p.language })
    return { link, mailed: options.mailer.delivers }
  }

  r.get(
    '/persons',
    {
      schema: {
        operationId: 'listPersons',
        tags: ['people'],
        summary: 'Persons with their memberships (admin: everybody; a focal point: the persons of its country)',
        security,
        description: 'Search by name or e-mail (`search`), country, role and status. A focal point sees only the contributors of its country.',
        querystring: z.object({
          country: countryCode.optional(),
          role: z.enum(MEMBERSHIP_ROLES).optional(),
          status: z.enum(PERSON_STATUSES).optional(),
          search: z.string().trim().max(100).optional(),
        }),
        response: { 200: z.object({ items: z.array(person) }), ...problems(400, 401, 403) },
      },
    },
    async (request) => {
      const actor = requirePrincipal(request)
      const { country, role, status, search } = request.query
      if (hasMembership(actor, 'admin')) return { items: await present(await listPersons(app.db, { country, role, status, search })) }
      const focal = actor.memberships.find((m) => m.role === 'focal_point')?.country
      if (!focal) throw forbidden('only an admin or a focal point lists persons')
      if (country && country !== focal) throw forbidden(`you see the persons of ${focal} only`)
      if (role && role !== 'contributor') throw forbidden(`you see the contributors of ${focal} only`)
      return { items: await present(await listPersons(app.db, { contributorsOf: focal, status, search })) }
    },
  )

  r.post(
    '/persons',
    {
      schema: {
        operationId: 'invitePerson',
        tags: ['people'],
        summary: 'Invite a person by e-mail with the memberships they will hold',
        description:
          'Admins grant any membership; a focal point invites contributors of its own country (optionally limited to domains). ' +
          'The invitation link is mailed in the person’s language; without a mail server it is returned once in `invitation.link`.',
        security,
        body: inviteBody,
        response: { 201: invited, ...problems(400, 401, 403, 409, 422) },
      },
    },
    async (request, reply) => {
      const actor = requirePrincipal(request)
      const body = request.body
      assertMayGrant(actor, body.memberships)
      const { row, invitation } = await app.db.transaction().execute(async (trx) => {
        if (await findPersonByEmail(trx, body.email)) throw conflict('a person with this e-mail address exists already', { field: '/body/email' })
        const countries = [...new Set(body.memberships.map((m) => m.country).filter((c): c is string => Boolean(c)))]
        if (countries.length) {
          const known = new Set((await trx.selectFrom('countries').select('code').where('code', 'in', countries).execute()).map((c) => c.code))
          const unknown = countries.find((c) => !known.has(c))
          if (unknown) throw unprocessable(`unknown country ${unknown}`, [{ path: '/body/memberships', message: `${unknown} is not an ITU Member State code` }])
        }
        const created = await trx
          .insertInto('persons')
          .values({ name: body.name, email: body.email, language: body.language, status: 'invited', password_hash: null, created_by: actor.personId })
          .returning(['id', 'name', 'email', 'language', 'status', 'created_at', 'created_by', 'last_sign_in_at'])
          .executeTakeFirstOrThrow()
        await addMemberships(trx, created.id, body.memberships, actor.personId)
        await audit(trx, { action: 'person_invited', actor, subject: created.id, address: request.ip, details: { memberships: body.memberships } })
        return { row: created, invitation: await createInvitation(trx, created.id, options.invitationDays, actor.personId) }
      })
      const sent = await sendInvitation({ name: row.name, email: body.email, language: row.language }, invitation.secret, invitation.expiresAt, actor)
      request.log.info({ personId: row.id, by: actor.personId, mailed: sent.mailed }, 'person invited')
      reply.code(201)
      const [presented] = await present([row])
      return { person: presented!, invitation: { expiresAt: invitation.expiresAt.toISOString(), mailed: sent.mailed, link: sent.mailed ? null : sent.link } }
    },
  )

  r.post(
    '/persons/:id/invitations',
    {
      schema: {
        operationId: 'resendInvitation',
        tags: ['people'],
        summary: 'Send a person’s invitation again: a new link, the old one stops working',
        security,
        params: idParams,
        response: { 201: invited.shape.invitation, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const actor = requirePrincipal(request)
      await assertMayManage(app, actor, request.params.id)
      const p = await getPerson(app.db, request.params.id)
      if (!p) throw notFound(`person ${request.params.id}`)
      if (p.status !== 'invited' || !p.email) throw conflict(`the person is ${p.status}; only an invited person gets an invitation`)
      const invitation = await createInvitation(app.db, p.id, options.invitationDays, actor.personId)
      await audit(app.db, { action: 'invitation_resent', actor, subject: p.id, address: request.ip })
      const sent = await sendInvitation({ name: p.name, email: p.email, language: p.language }, invitation.secret, invitation.expiresAt, actor)
      reply.code(201)
      return { expiresAt: invitation.expiresAt.toISOString(), mailed: sent.mailed, link: sent.mailed ? null : sent.link }
    },
  )

  r.patch(
    '/persons/:id',
    {
      schema: {
        operationId: 'updatePerson',
        tags: ['people'],
        summary: 'Change a person: name, language, or status (disabling ends all their sessions and tokens at once)',
        security,
        params: idParams,
        body: z.strictObject({
          name: z.string().trim().min(1).max(200).optional(),
          language: z.enum(LANGUAGES).optional(),
          status: z.enum(['active', 'disabled']).optional(),
        }),
        response: { 200: person, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const actor = requirePrincipal(request)
      const self = request.params.id === actor.personId
      if (!self || request.body.status) await assertMayManage(app, actor, request.params.id)
      if (self && request.body.status === 'disabled') throw conflict('you cannot disable yourself')
      const row = await app.db.transaction().execute(async (trx) => {
        const p = await getPerson(trx, request.params.id)
        if (!p) throw notFound(`person ${request.params.id}`)
        if (request.body.status === 'active' && p.status === 'invited') throw conflict('an invited person becomes active by accepting the invitation')
        const updated = await trx
          .updateTable('persons')
          .set({ ...request.body })
          .where('id', '=', p.id)
          .returning(['id', 'name', 'email', 'language', 'status', 'created_at', 'created_by', 'last_sign_in_at'])
          .executeTakeFirstOrThrow()
        await audit(trx, { action: 'person_changed', actor, subject: p.id, address: request.ip, details: { ...request.body } })
        if (request.body.status === 'disabled') {
          // All at once, in this transaction: sessions, tokens (revoked for good, not only refused
          // while disabled) and any open invitation.
          const sessions = await deleteSessionsOf(trx, p.id)
          const tokens = await trx
            .updateTable('tokens')
            .set({ revoked_at: sql<Date>`now()` })
            .where('person_id', '=', p.id)
            .where('revoked_at', 'is', null)
            .returning('id')
            .execute()
          await audit(trx, { action: 'sessions_ended', actor, subject: p.id, address: request.ip, details: { ended: sessions, reason: 'disabled' } })
          for (const token of tokens)
            await audit(trx, { action: 'token_revoked', actor, subject: p.id, address: request.ip, details: { token: token.id, reason: 'disabled' } })
          await trx
            .updateTable('invitations')
            .set({ revoked_at: new Date() })
            .where('person_id', '=', p.id)
            .where('accepted_at', 'is', null)
            .where('revoked_at', 'is', null)
            .execute()
        }
        return updated
      })
      request.log.info({ personId: row.id, by: actor.personId, change: request.body }, 'person changed')
      return (await present([row]))[0]!
    },
  )

  r.post(
    '/persons/:id/memberships',
    {
      schema: {
        operationId: 'grantMembership',
        tags: ['people'],
        summary: 'Grant a membership (the person’s sessions end: privileges changed)',
        security,
        params: idParams,
        body: membershipInput,
        response: { 200: person, ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const actor = requirePrincipal(request)
      assertMayGrant(actor, [request.body])
      // A focal point grants only to its own contributors: not to staff, admins or another country's people.
      await assertMayManage(app, actor, request.params.id)
      const row = await app.db.transaction().execute(async (trx) => {
        const p = await getPerson(trx, request.params.id)
        if (!p) throw notFound(`person ${request.params.id}`)
        await addMemberships(trx, p.id, [request.body], actor.personId)
        await audit(trx, { action: 'membership_granted', actor, subject: p.id, address: request.ip, details: { ...request.body } })
        await deleteSessionsOf(trx, p.id)
        return p
      })
      return (await present([row]))[0]!
    },
  )

  r.delete(
    '/persons/:id/memberships/:membershipId',
    {
      schema: {
        operationId: 'withdrawMembership',
        tags: ['people'],
        summary: 'Withdraw a membership (the person’s sessions end)',
        security,
        params: idParams.extend({ membershipId: z.uuid() }),
        response: { 200: person, ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const actor = requirePrincipal(request)
      await assertMayManage(app, actor, request.params.id)
      const row = await app.db.transaction().execute(async (trx) => {
        const p = await getPerson(trx, request.params.id)
        if (!p) throw notFound(`person ${request.params.id}`)
        const gone = await trx.deleteFrom('memberships').where('id', '=', request.params.membershipId).where('person_id', '=', p.id).executeTakeFirst()
        if (Number(gone.numDeletedRows) === 0) throw notFound(`membership ${request.params.membershipId}`)
        await audit(trx, { action: 'membership_withdrawn', actor, subject: p.id, address: request.ip, details: { membership: request.params.membershipId } })
        await deleteSessionsOf(trx, p.id)
        return p
      })
      return (await present([row]))[0]!
    },
  )

  r.patch(
    '/persons/:id/memberships/:membershipId',
    {
      schema: {
        operationId: 'changeMembershipScope',
        tags: ['people'],
        summary: 'Change the domains a contributor answers (null for all of the country’s questions); the person’s sessions end',
        security,
        params: idParams.extend({ membershipId: z.uuid() }),
        body: z
          .strictObject({
            questionnaire: membershipInput.shape.questionnaire,
            domains: membershipInput.shape.domains,
          })
          .refine((b) => Boolean(b.domains) === Boolean(b.questionnaire), { path: ['domains'], message: 'domains and questionnaire go together' }),
        response: { 200: person, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const actor = requirePrincipal(request)
      await assertMayManage(app, actor, request.params.id)
      const row = await app.db.transaction().execute(async (trx) => {
        const p = await getPerson(trx, request.params.id)
        if (!p) throw notFound(`person ${request.params.id}`)
        const m = await trx
          .selectFrom('memberships')
          .select(['id', 'role', 'country', 'questionnaire', 'domains'])
          .where('id', '=', request.params.membershipId)
          .where('person_id', '=', p.id)
          .forUpdate()
          .executeTakeFirst()
        if (!m) throw notFound(`membership ${request.params.membershipId}`)
        if (m.role !== 'contributor') throw conflict('only a contributor is limited to domains')
        const scope = { questionnaire: request.body.questionnaire ?? null, domains: request.body.domains ?? null }
        await trx.updateTable('memberships').set(scope).where('id', '=', m.id).execute()
        await audit(trx, {
          action: 'membership_changed',
          actor,
          subject: p.id,
          address: request.ip,
          details: { membership: m.id, country: m.country, from: { questionnaire: m.questionnaire, domains: m.domains }, to: scope },
        })
        await deleteSessionsOf(trx, p.id)
        return p
      })
      return (await present([row]))[0]!
    },
  )

  r.get(
    '/persons/:id/sessions',
    {
      schema: {
        operationId: 'listPersonSessions',
        tags: ['people'],
        summary: 'A person’s open sessions (admin, or the person)',
        security,
        params: idParams,
        response: {
          200: z.object({
            items: z.array(
              z.object({
                id: z.string().describe('The session’s public id, to end it (never its cookie)'),
                current: z.boolean().describe('The session this request came with'),
                createdAt: z.string(),
                lastSeenAt: z.string(),
                expiresAt: z.string(),
                address: z.string().nullable(),
                userAgent: z.string().nullable(),
                viaToken: z.boolean(),
              }),
            ),
          }),
          ...problems(400, 401, 403),
        },
      },
    },
    async (request) => {
      const actor = requirePrincipal(request)
      if (request.params.id !== actor.personId && !hasMembership(actor, 'admin')) throw forbidden('only an admin sees other persons’ sessions')
      const rows = await listSessionsOf(app.db, options.sessionPolicy, request.params.id)
      return {
        items: rows.map((s) => ({
          ...s,
          current: s.id === request.sessionId,
          createdAt: s.createdAt.toISOString(),
          lastSeenAt: s.lastSeenAt.toISOString(),
          expiresAt: s.expiresAt.toISOString(),
        })),
      }
    },
  )

  r.delete(
    '/persons/:id/sessions',
    {
      schema: {
        operationId: 'endPersonSessions',
        tags: ['people'],
        summary: 'End all of a person’s sessions (admin, or the person); `keepCurrent=true` keeps the one making the request',
        security,
        params: idParams,
        querystring: z.object({ keepCurrent: z.enum(['true', 'false']).optional() }),
        response: { 200: z.object({ ended: z.number() }), ...problems(400, 401, 403) },
      },
    },
    async (request) => {
      const actor = requirePrincipal(request)
      if (request.params.id !== actor.personId && !hasMembership(actor, 'admin')) throw forbidden('only an admin ends other persons’ sessions')
      const keep = request.query.keepCurrent === 'true' && request.params.id === actor.personId ? request.sessionId : null
      return app.db.transaction().execute(async (trx) => {
        const ended = keep ? await deleteOtherSessionsOf(trx, request.params.id, keep) : await deleteSessionsOf(trx, request.params.id)
        await audit(trx, { action: 'sessions_ended', actor, subject: request.params.id, address: request.ip, details: { ended, keptCurrent: Boolean(keep) } })
        return { ended }
      })
    },
  )

  r.delete(
    '/persons/:id/sessions/:sessionId',
    {
      schema: {
        operationId: 'endPersonSession',
        tags: ['people'],
        summary: 'End one of a person’s sessions (admin, or the person)',
        security,
        params: idParams.extend({ sessionId: z.uuid({ message: 'must be a session id (a UUID)' }) }),
        response: { 204: z.null().describe('Ended'), ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const actor = requirePrincipal(request)
      if (request.params.id !== actor.personId && !hasMembership(actor, 'admin')) throw forbidden('only an admin ends other persons’ sessions')
      await app.db.transaction().execute(async (trx) => {
        if (!(await deleteSessionOf(trx, request.params.id, request.params.sessionId))) throw notFound(`session ${request.params.sessionId}`)
        await audit(trx, {
          action: 'sessions_ended',
          actor,
          subject: request.params.id,
          address: request.ip,
          details: { ended: 1, session: request.params.sessionId },
        })
      })
      return reply.code(204).send(null)
    },
  )

  r.get(
    '/audit',
    {
      schema: {
        operationId: 'listAuditEvents',
        tags: ['people'],
        summary: 'The audit trail of persons (admin): sign-ins, failed sign-ins, invitations, memberships, status changes, tokens',
        description:
          'Newest first. Filter by person (as actor or subject), action, time and country (events whose actor or subject holds a membership of it); ' +
          'page with `before`: the `next` of the previous page.',
        security,
        querystring: z.object({
          person: z.uuid().optional(),
          action: z.enum(AUDIT_ACTIONS).optional(),
          since: z.iso.datetime({ offset: true }).optional(),
          until: z.iso.datetime({ offset: true }).optional(),
          country: countryCode.optional(),
          before: z.coerce.number().int().positive().optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
        response: {
          200: z.object({
            items: z.array(
              z.object({
                id: z.string(),
                at: z.string(),
                action: z.enum(AUDIT_ACTIONS),
                actor: z.object({ id: z.string(), name: z.string() }).nullable(),
                token: z.string().nullable(),
                subject: z.object({ id: z.string(), name: z.string() }).nullable(),
                address: z.string().nullable(),
                details: z.record(z.string(), z.unknown()),
              }),
            ),
            next: z.string().nullable().describe('Pass as `before` for the next (older) page; null on the last page'),
          }),
          ...problems(400, 401, 403),
        },
      },
    },
    async (request) => {
      const actor = requirePrincipal(request)
      if (!hasMembership(actor, 'admin')) throw forbidden('only an admin reads the audit trail')
      const f = request.query
      let q = app.db
        .selectFrom('audit_events as e')
        .leftJoin('persons as a', 'a.id', 'e.actor_person')
        .leftJoin('persons as s', 's.id', 'e.subject_person')
        .select([
          'e.id',
          'e.at',
          'e.action',
          'e.actor_person',
          'a.name as actor_name',
          'e.actor_token',
          'e.subject_person',
          's.name as subject_name',
          'e.address',
          'e.details',
        ])
        .orderBy('e.id', 'desc')
        .limit(f.limit)
      if (f.person) q = q.where((eb) => eb.or([eb('e.actor_person', '=', f.person!), eb('e.subject_person', '=', f.person!)]))
      if (f.action) q = q.where('e.action', '=', f.action)
      if (f.since) q = q.where('e.at', '>=', new Date(f.since))
      if (f.until) q = q.where('e.at', '<', new Date(f.until))
      if (f.before) q = q.where('e.id', '<', String(f.before))
      if (f.country) {
        const country = f.country
        q = q.where((eb) =>
          eb.exists(
            eb
              .selectFrom('memberships as m')
              .select('m.id')
              .where('m.country', '=', country)
              .where((x) => x.or([x('m.person_id', '=', x.ref('e.actor_person')), x('m.person_id', '=', x.ref('e.subject_person'))])),
          ),
        )
      }
      const rows = await q.execute()
      return {
        next: rows.length === f.limit ? String(rows[rows.length - 1]!.id) : null,
        items: rows.map((e) => ({
          id: String(e.id),
          at: e.at.toISOString(),
          action: e.action,
          actor: e.actor_person ? { id: e.actor_person, name: e.actor_name ?? '' } : null,
          token: e.actor_token,
          subject: e.subject_person ? { id: e.subject_person, name: e.subject_name ?? '' } : null,
          address: e.address,
          details: e.details,
        })),
      }
    },
  )

  r.post(
    '/me/second-factor',
    {
      schema: {
        operationId: 'startSecondFactor',
        tags: ['people'],
        summary: 'Start setting up a second factor: a new authenticator secret (confirm it with a code)',
        security,
        response: { 200: z.object({ secret: z.string(), uri: z.string() }), ...problems(401, 409) },
      },
    },
    async (request) => {
      const actor = requirePrincipal(request)
      const p = await app.db.selectFrom('persons').select(['email', 'name', 'totp_enabled_at']).where('id', '=', actor.personId).executeTakeFirstOrThrow()
      if (p.totp_enabled_at) throw conflict('a second factor is set up already; remove it first')
      const secret = newTotpSecret()
      await app.db.updateTable('persons').set({ totp_pending_secret: secret }).where('id', '=', actor.personId).execute()
      return { secret, uri: totpUri(secret, p.email ?? p.name) }
    },
  )

  r.post(
    '/me/second-factor/confirm',
    {
      schema: {
        operationId: 'confirmSecondFactor',
        tags: ['people'],
        summary: 'Confirm the second factor with a code; answers ten recovery codes, shown once',
        security,
        body: z.strictObject({ code: z.string().trim().max(10) }),
        response: { 200: z.object({ recoveryCodes: z.array(z.string()) }), ...problems(400, 401, 409, 422) },
      },
    },
    async (request) => {
      const actor = requirePrincipal(request)
      return app.db.transaction().execute(async (trx) => {
        const p = await trx.selectFrom('persons').select(['totp_pending_secret']).where('id', '=', actor.personId).forUpdate().executeTakeFirstOrThrow()
        if (!p.totp_pending_secret) throw conflict('start with POST /me/second-factor')
        const step = await checkTotp(p.totp_pending_secret, request.body.code, null)
        if (step === null) throw unprocessable('that is not the current code', [{ path: '/body/code', message: 'is not the current code' }])
        await trx
          .updateTable('persons')
          .set({ totp_secret: p.totp_pending_secret, totp_pending_secret: null, totp_enabled_at: new Date(), totp_last_step: step })
          .where('id', '=', actor.personId)
          .execute()
        const recoveryCodes = newRecoveryCodes()
        await storeRecoveryCodes(trx, actor.personId, recoveryCodes)
        await audit(trx, { action: 'second_factor_enabled', actor, subject: actor.personId, address: request.ip })
        return { recoveryCodes }
      })
    },
  )

  r.delete(
    '/me/second-factor',
    {
      schema: {
        operationId: 'removeSecondFactor',
        tags: ['people'],
        summary: 'Remove the second factor (needs a current code; admins must keep theirs)',
        security,
        body: z.strictObject({ code: z.string().trim().max(20) }),
        response: { 204: z.null(), ...problems(400, 401, 409, 422) },
      },
    },
    async (request, reply) => {
      const actor = requirePrincipal(request)
      await app.db.transaction().execute(async (trx) => {
        if (await needsSecondFactor(trx, actor.personId)) throw conflict('an admin keeps a second factor')
        if (!(await useSecondFactor(trx, actor.personId, request.body.code)))
          throw unprocessable('that is not a current code', [{ path: '/body/code', message: 'is not a current code' }])
        await trx.updateTable('persons').set({ totp_secret: null, totp_enabled_at: null, totp_last_step: null }).where('id', '=', actor.personId).execute()
        await trx.deleteFrom('recovery_codes').where('person_id', '=', actor.personId).execute()
        await audit(trx, { action: 'second_factor_disabled', actor, subject: actor.personId, address: request.ip })
      })
      reply.code(204)
      return null
    },
  )

  r.post(
    '/password-reset',
    {
      schema: {
        tags: ['people'],
        operationId: 'requestPasswordReset',
        security: [],
        summary: 'Ask for a password reset link by e-mail (the same answer whether or not the address has an account)',
        description: 'Send the header X-Requested-With: fetch. The link works once, for one hour.',
        body: z.strictObject({ email: z.string().trim().min(3).max(254) }),
        response: { 202: z.object({ detail: z.string() }), ...problems(400, 403, 429) },
      },
    },
    async (request, reply) => {
      // Every request counts, whatever the address asked for: nobody can flood a mailbox from here.
      const counted = await throttled(app.db, [{ key: `reset:${clientKey(request.ip)}`, max: RESETS_PER_HOUR, windowSeconds: 3600 }], async () => ({
        ok: false,
        value: null,
      }))
      if (counted.blocked > 0) {
        reply.header('retry-after', String(counted.blocked))
        throw new AppError(429, 'rate_limited', `too many reset requests from this address; try again in ${counted.blocked} s`)
      }
      const person = await app.db
        .selectFrom('persons')
        .select(['id', 'name', 'email', 'language', 'status'])
        .where(sql<boolean>`lower(email) = lower(${request.body.email})`)
        .executeTakeFirst()
      if (person?.email && person.status === 'active') {
        const secret = newSecret()
        const expires = await app.db.transaction().execute(async (trx) => {
          // A new link replaces any earlier one.
          await trx.deleteFrom('password_resets').where('person_id', '=', person.id).execute()
          const row = await trx
            .insertInto('password_resets')
            .values({ secret_hash: hashSecret(secret), person_id: person.id, expires_at: sql<Date>`now() + interval '1 hour'` })
            .returning('expires_at')
            .executeTakeFirstOrThrow()
          await audit(trx, { action: 'password_reset_requested', subject: person.id, address: request.ip })
          return row.expires_at
        })
        const link = `${options.publicUrl}/app/reset.html#${secret}`
        const mail = renderMail('reset', person.language, { name: person.name, link, expires: formatDate(expires, person.language) })
        // Not awaited: the answer must not take longer for an address that has an account.
        void options.mailer
          .send({ to: person.email, ...mail, language: person.language })
          .catch((err: unknown) => request.log.warn({ err }, 'could not send the reset mail'))
      }
      reply.code(202)
      return { detail: 'if this address has an account, a link to choose a new password is on its way' }
    },
  )

  r.post(
    '/password-reset/:secret',
    {
      schema: {
        tags: ['people'],
        operationId: 'resetPassword',
        security: [],
        summary: 'Choose a new password with a reset link; every session of the person ends',
        description: 'Send the header X-Requested-With: fetch. Then sign in with the new password.',
        params: secretParams,
        body: z.strictObject({ password: z.string().max(1024) }),
        response: { 204: z.null(), ...problems(400, 403, 404, 422) },
      },
    },
    async (request, reply) => {
      await app.db.transaction().execute(async (trx) => {
        const row = isWellFormedSecret(request.params.secret)
          ? await trx
              .selectFrom('password_resets as r')
              .innerJoin('persons as p', 'p.id', 'r.person_id')
              .select(['r.secret_hash', 'r.person_id', 'p.email', 'p.name', 'p.status'])
              .where('r.secret_hash', '=', hashSecret(request.params.secret))
              .where('r.used_at', 'is', null)
              .where('r.expires_at', '>', sql<Date>`now()`)
              .forUpdate()
              .executeTakeFirst()
          : undefined
        if (row?.status !== 'active') throw notFound('this reset link (it may have expired or been used)')
        const weak = await passwordProblem(request.body.password, { email: row.email, name: row.name })
        if (weak) throw unprocessable(`the password ${weak}`, [{ path: '/body/password', message: weak }])
        await trx.updateTable('password_resets').set({ used_at: sql<Date>`now()` }).where('secret_hash', '=', row.secret_hash).execute()
        await trx
          .updateTable('persons')
          .set({ password_hash: await hashPassword(request.body.password) })
          .where('id', '=', row.person_id)
          .execute()
        await deleteSessionsOf(trx, row.person_id)
        await audit(trx, { action: 'password_reset', actor: { personId: row.person_id, tokenId: null }, subject: row.person_id, address: request.ip })
      })
      reply.code(204)
      return null
    },
  )

  const invitationProblem = (state: string) => {
    switch (state) {
      case 'expired':
        return new AppError(410, 'invitation_expired', 'this invitation has expired; ask for a new one')
      case 'used':
        return new AppError(410, 'invitation_used', 'this invitation has been used already; sign in instead')
      case 'revoked':
        return new AppError(410, 'invitation_revoked', 'this invitation was withdrawn')
      default:
        return notFound('the invitation')
    }
  }

  r.get(
    '/invitations/:secret',
    {
      schema: {
        operationId: 'getInvitation',
        security: [],
        tags: ['people'],
        summary: 'Whom an invitation link is for, while it can be accepted',
        params: secretParams,
        response: {
          200: z.object({
            name: z.string(),
            email: z.string().nullable(),
            language: z.enum(LANGUAGES),
            expiresAt: z.string(),
            secondFactor: z
              .object({ secret: z.string(), uri: z.string() })
              .nullable()
              .describe('When the person will be an admin: the authenticator secret to set up now; accepting needs a code from it'),
          }),
          ...problems(404, 410),
        },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store')
      return app.db.transaction().execute(async (trx) => {
        const found = await findInvitation(trx, request.params.secret, true)
        if (found.state !== 'open' || !found.invitation) throw invitationProblem(found.state)
        const i = found.invitation
        let secondFactor: { secret: string; uri: string } | null = null
        if (await needsSecondFactor(trx, i.person_id)) {
          const pending = (await trx.selectFrom('persons').select('totp_pending_secret').where('id', '=', i.person_id).executeTakeFirstOrThrow())
            .totp_pending_secret
          const secret = pending ?? newTotpSecret()
          if (!pending) await trx.updateTable('persons').set({ totp_pending_secret: secret }).where('id', '=', i.person_id).execute()
          secondFactor = { secret, uri: totpUri(secret, i.email ?? i.name) }
        }
        return { name: i.name, email: i.email, language: i.language, expiresAt: i.expires_at.toISOString(), secondFactor }
      })
    },
  )

  r.post(
    '/invitations/:secret/accept',
    {
      schema: {
        operationId: 'acceptInvitation',
        security: [],
        tags: ['people'],
        summary: 'Accept an invitation: set a password; the person is signed in at once',
        description: 'Send the header X-Requested-With: fetch. At least 12 characters; very common passwords are refused; no composition rules.',
        params: secretParams,
        body: z.strictObject({
          password: z.string().max(1024),
          code: z.string().trim().max(10).optional().describe('For an admin: a code from the authenticator set up with GET /invitations/{secret}'),
        }),
        response: {
          200: z.object({
            name: z.string(),
            role: z.string(),
            country: z.string().nullable(),
            recoveryCodes: z.array(z.string()).nullable().describe('With a second factor: ten single-use codes, shown once'),
          }),
          ...problems(400, 403, 404, 410, 422),
        },
      },
    },
    async (request, reply) => {
      const principal = await app.db.transaction().execute(async (trx) => {
        const found = await findInvitation(trx, request.params.secret, true)
        if (found.state !== 'open' || !found.invitation) throw invitationProblem(found.state)
        const i = found.invitation
        const weak = await passwordProblem(request.body.password, { email: i.email, name: i.name })
        if (weak) throw unprocessable(`the password ${weak}`, [{ path: '/body/password', message: weak }])
        let recoveryCodes: string[] | null = null
        if (await needsSecondFactor(trx, i.person_id)) {
          const pending = (await trx.selectFrom('persons').select('totp_pending_secret').where('id', '=', i.person_id).executeTakeFirstOrThrow())
            .totp_pending_secret
          const step = pending && request.body.code ? await checkTotp(pending, request.body.code, null) : null
          if (step === null) {
            throw unprocessable('an admin needs a second factor: enter the code your authenticator app shows', [
              { path: '/body/code', message: request.body.code ? 'is not the current code' : 'is required' },
            ])
          }
          await trx
            .updateTable('persons')
            .set({ totp_secret: pending, totp_pending_secret: null, totp_enabled_at: new Date(), totp_last_step: step })
            .where('id', '=', i.person_id)
            .execute()
          recoveryCodes = newRecoveryCodes()
          await storeRecoveryCodes(trx, i.person_id, recoveryCodes)
        }
        await trx.updateTable('invitations').set({ accepted_at: new Date() }).where('id', '=', i.id).execute()
        await trx
          .updateTable('persons')
          .set({ status: 'active', password_hash: await hashPassword(request.body.password) })
          .where('id', '=', i.person_id)
          .execute()
        await audit(trx, { action: 'invitation_accepted', actor: { personId: i.person_id, tokenId: null }, subject: i.person_id, address: request.ip })
        const p = await loadPrincipal(trx, i.person_id)
        if (!p) throw conflict('this person has no membership any more')
        return { p, recoveryCodes }
      })
      await openSession(app.db, options.sessionPolicy, request, reply, principal.p)
      request.log.info({ personId: principal.p.personId }, 'invitation accepted')
      return { name: principal.p.name, role: principal.p.role, country: principal.p.country, recoveryCodes: principal.recoveryCodes }
    },
  )
}
