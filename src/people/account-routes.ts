// "My account": what a signed-in person changes about themselves. The password (the current one
// required; every other session ends), new recovery codes, and their own API tokens, which carry at
// most the rights the person uses at that moment. Language is PUT /me/language (i18n/routes.ts), the
// second factor's set-up and removal POST/DELETE /me/second-factor (people/routes.ts), sessions
// /persons/{id}/sessions: each exists once.
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { sql } from 'kysely'
import { z } from 'zod'
import { createToken, LABEL_MAX, parseExpiry, ROLES, TokenInputError } from '../auth/tokens.js'
import type { Role } from '../db/schema.js'
import { AppError, conflict, notFound, problems, unprocessable } from '../errors.js'
import { presentTokenRow } from '../auth/routes.js'
import { clientKey, requirePrincipal } from '../plugins/auth.js'
import { audit } from './audit.js'
import { hashPassword, passwordProblem, verifyPassword } from './passwords.js'
import type { Principal } from './principal.js'
import { newRecoveryCodes, storeRecoveryCodes, useSecondFactor } from './second-factor.js'
import { deleteOtherSessionsOf } from './sessions.js'
import { throttled } from './throttle.js'

export interface AccountOptions {
  /** Failed password checks allowed per client address and minute (as sign-in). */
  rateLimit: number
  /** And per account in a quarter of an hour. */
  accountLimit: number
}

/** A personal token lives at most this long: a forgotten script must not hold rights for ever. */
export const PERSONAL_TOKEN_MAX_DAYS = 366

const personalToken = z
  .object({
    id: z.string(),
    prefix: z.string().meta({ description: 'The first characters of the token, to tell tokens apart' }),
    role: z.enum(ROLES),
    country: z.string().nullable(),
    label: z.string(),
    createdAt: z.string(),
    expiresAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
    lastUsedAt: z.string().nullable(),
  })
  .meta({ id: 'PersonalToken' })

/** Whether the principal, as it acts now, holds the rights a token of this role (and country) would carry. */
export function mayIssue(p: Pick<Principal, 'memberships'>, role: Role, country: string | null): boolean {
  return p.memberships.some((m) =>
    role === 'administration'
      ? (m.role === 'focal_point' || m.role === 'contributor') && m.country === country
      : role === 'staff'
        ? m.role === 'reviewer' || m.role === 'analyst'
        : m.role === 'admin',
  )
}

export default async function accountRoutes(app: FastifyInstance, options: AccountOptions): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>()
  const security = [{ bearer: [] }]

  r.put(
    '/me/password',
    {
      schema: {
        operationId: 'changeMyPassword',
        tags: ['account'],
        summary: 'Change my password (the current one required); every other session of mine ends',
        description:
          'At least 12 characters, not one of the most common passwords, no composition rules (NIST SP 800-63B). ' +
          'A wrong current password counts as a failed sign-in.',
        security,
        body: z.strictObject({ currentPassword: z.string().min(1, 'must not be empty').max(1024), newPassword: z.string().max(1024) }),
        response: { 204: z.null().describe('Changed'), ...problems(400, 401, 403, 409, 422, 429) },
      },
    },
    async (request, reply) => {
      const actor = requirePrincipal(request)
      const person = await app.db.selectFrom('persons').select(['email', 'name', 'password_hash']).where('id', '=', actor.personId).executeTakeFirstOrThrow()
      if (!person.password_hash || !person.email) throw conflict('you have no password yet; ask for a reset link to choose one')
      const weak = await passwordProblem(request.body.newPassword, { email: person.email, name: person.name })
      if (weak) throw unprocessable(`the new password ${weak}`, [{ path: '/body/newPassword', message: weak }])
      const newHash = await hashPassword(request.body.newPassword)
      const limits = [
        { key: `address:${clientKey(request.ip)}`, max: options.rateLimit, windowSeconds: 60 },
        { key: `account:${person.email.toLowerCase()}`, max: options.accountLimit, windowSeconds: 15 * 60 },
      ]
      const outcome = await throttled(app.db, limits, async (trx) => {
        const stored = await trx.selectFrom('persons').select('password_hash').where('id', '=', actor.personId).forUpdate().executeTakeFirstOrThrow()
        if (!(await verifyPassword(stored.password_hash, request.body.currentPassword))) {
          await audit(trx, { action: 'sign_in_failed', actor, subject: actor.personId, address: request.ip, details: { method: 'password change' } })
          return { ok: false, value: 0 }
        }
        await trx.updateTable('persons').set({ password_hash: newHash }).where('id', '=', actor.personId).execute()
        const ended = await deleteOtherSessionsOf(trx, actor.personId, request.sessionId)
        await audit(trx, { action: 'password_changed', actor, subject: actor.personId, address: request.ip, details: { sessionsEnded: ended } })
        return { ok: true, value: ended }
      })
      if (!('ok' in outcome)) {
        reply.header('retry-after', String(outcome.blocked))
        throw new AppError(429, 'rate_limited', `too many wrong passwords; try again in ${outcome.blocked} s`)
      }
      if (!outcome.ok) throw unprocessable('the current password is not right', [{ path: '/body/currentPassword', message: 'is not right' }])
      request.log.info({ personId: actor.personId, sessionsEnded: outcome.value }, 'password changed')
      return reply.code(204).send(null)
    },
  )

  r.post(
    '/me/second-factor/recovery-codes',
    {
      schema: {
        operationId: 'renewRecoveryCodes',
        tags: ['account'],
        summary: 'Ten new recovery codes, shown once; the earlier ones stop working (needs a current code)',
        security,
        body: z.strictObject({ code: z.string().trim().min(1, 'must not be empty').max(20) }),
        response: { 200: z.object({ recoveryCodes: z.array(z.string()) }), ...problems(400, 401, 409, 422) },
      },
    },
    async (request, reply) => {
      const actor = requirePrincipal(request)
      reply.header('cache-control', 'no-store')
      return app.db.transaction().execute(async (trx) => {
        const p = await trx.selectFrom('persons').select('totp_enabled_at').where('id', '=', actor.personId).executeTakeFirstOrThrow()
        if (!p.totp_enabled_at) throw conflict('you have no second factor; set one up first')
        if (!(await useSecondFactor(trx, actor.personId, request.body.code))) {
          throw unprocessable('that is not a current code', [{ path: '/body/code', message: 'is not a current code' }])
        }
        const recoveryCodes = newRecoveryCodes()
        await storeRecoveryCodes(trx, actor.personId, recoveryCodes)
        await audit(trx, { action: 'recovery_codes_renewed', actor, subject: actor.personId, address: request.ip })
        return { recoveryCodes }
      })
    },
  )

  r.get(
    '/me/tokens',
    {
      schema: {
        operationId: 'listMyTokens',
        tags: ['account'],
        summary: 'My API tokens (never their values), newest first',
        security,
        response: { 200: z.object({ items: z.array(personalToken) }), ...problems(401) },
      },
    },
    async (request) => {
      const actor = requirePrincipal(request)
      const rows = await app.db
        .selectFrom('tokens')
        .select(['id', 'prefix', 'role', 'country', 'label', 'created_at', 'created_by', 'expires_at', 'revoked_at', 'last_used_at', 'person_id'])
        .where('person_id', '=', actor.personId)
        .orderBy('created_at', 'desc')
        .orderBy('id')
        .execute()
      return { items: rows.map(presentTokenRow) }
    },
  )

  r.post(
    '/me/tokens',
    {
      schema: {
        operationId: 'createMyToken',
        tags: ['account'],
        summary: 'Create an API token of my own, for a script; shown once',
        description:
          'The token carries at most the rights I use now: `role` (default: my role) must be one my memberships grant ' +
          '(an admin token needs the admin rights of a signed-in admin, i.e. with a second factor). It expires within a year.',
        security,
        body: z.strictObject({
          label: z.string().trim().min(1, 'must not be empty').max(LABEL_MAX),
          expiresAt: z.string().max(40).meta({ description: 'YYYY-MM-DD (the token works through that day, UTC) or an ISO date-time with offset' }),
          role: z.enum(ROLES).optional(),
          country: z
            .string()
            .regex(/^[A-Za-z]{3}$/, 'must be an ISO 3166-1 alpha-3 code such as KEN')
            .transform((s) => s.toUpperCase())
            .optional(),
        }),
        response: {
          201: personalToken.extend({ token: z.string().meta({ description: 'The token itself. Shown only in this response: store it now.' }) }),
          ...problems(400, 401, 403, 422),
        },
      },
    },
    async (request, reply) => {
      const actor = requirePrincipal(request)
      const body = request.body
      const role = body.role ?? actor.role
      const country = role === 'administration' ? (body.country ?? actor.country) : null
      if (role !== 'administration' && body.country)
        throw unprocessable(`a ${role} token has no country`, [{ path: '/body/country', message: 'must be left out' }])
      let expiresAt: Date
      try {
        expiresAt = parseExpiry(body.expiresAt)
      } catch (error) {
        throw unprocessable((error as Error).message, [{ path: '/body/expiresAt', message: (error as Error).message }])
      }
      if (expiresAt.getTime() > Date.now() + PERSONAL_TOKEN_MAX_DAYS * 86_400_000) {
        throw unprocessable(`a token lives at most ${PERSONAL_TOKEN_MAX_DAYS} days`, [
          { path: '/body/expiresAt', message: `must be within ${PERSONAL_TOKEN_MAX_DAYS} days` },
        ])
      }
      if (!mayIssue(actor, role, country)) {
        throw unprocessable(`you do not hold ${role} rights${country ? ` for ${country}` : ''} now`, [
          { path: body.role ? '/body/role' : '/body/country', message: 'is beyond your rights' },
        ])
      }
      const created = await app.db.transaction().execute(async (trx) => {
        try {
          const { token, row } = await createToken(trx, { role, country, label: body.label, expiresAt, createdBy: actor.tokenId, personId: actor.personId })
          await audit(trx, {
            action: 'token_created',
            actor,
            subject: actor.personId,
            address: request.ip,
            details: { token: row.id, role: row.role, country: row.country, label: row.label, personal: true },
          })
          return { token, row }
        } catch (error) {
          if (error instanceof TokenInputError) throw unprocessable(error.message, [{ path: `/body/${error.field}`, message: error.message }])
          throw error
        }
      })
      request.log.info({ tokenId: created.row.id, personId: actor.personId }, 'personal token created')
      reply.code(201).header('cache-control', 'no-store')
      return { ...presentTokenRow(created.row), token: created.token }
    },
  )

  r.delete(
    '/me/tokens/:id',
    {
      schema: {
        operationId: 'revokeMyToken',
        tags: ['account'],
        summary: 'Revoke one of my API tokens (immediate and final)',
        security,
        params: z.object({ id: z.uuid({ message: 'must be a token id (a UUID)' }) }),
        response: { 204: z.null().describe('Revoked'), ...problems(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const actor = requirePrincipal(request)
      await app.db.transaction().execute(async (trx) => {
        const row = await trx
          .updateTable('tokens')
          .set({ revoked_at: sql<Date>`coalesce(revoked_at, now())` })
          .where('id', '=', request.params.id)
          .where('person_id', '=', actor.personId)
          .returning('id')
          .executeTakeFirst()
        if (!row) throw notFound(`token ${request.params.id}`)
        // Sessions opened with it end with it.
        await trx.deleteFrom('sessions').where('token_id', '=', row.id).execute()
        await audit(trx, { action: 'token_revoked', actor, subject: actor.personId, address: request.ip, details: { token: row.id } })
      })
      return reply.code(204).send(null)
    },
  )
}
