// The token administration API (admin role only) and /me for any authenticated caller.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { MEMBERSHIP_ROLES } from '../db/schema.js'
import { LANGUAGES } from '../i18n/languages.js'
import { forbidden, notFound, problems, unprocessable } from '../errors.js'
import { audit } from '../people/audit.js'
import { hasMembership } from '../people/principal.js'
import { requirePrincipal, type Principal } from '../plugins/auth.js'
import { createToken, LABEL_MAX, parseExpiry, revokeToken, listTokens, ROLES, TokenInputError, type TokenRow } from './tokens.js'

const role = z.enum(ROLES).meta({ description: 'administration: a national administration; staff: ITU-D staff; admin: manages tokens' })
const countryCode = z
  .string()
  .regex(/^[A-Za-z]{3}$/, 'must be an ISO 3166-1 alpha-3 code such as KEN')
  .meta({ description: 'ISO 3166-1 alpha-3 code of an ITU Member State (any case); administration tokens only' })
const timestamp = z.string().meta({ description: 'ISO 8601 date-time' })

const createBody = z
  .strictObject({
    role,
    country: countryCode.nullish(),
    label: z.string().trim().min(1, 'must not be empty').max(LABEL_MAX),
    personId: z.uuid({ message: 'must be a person id (a UUID)' }).nullish().meta({
      description: "Whose token: it carries at most that person's rights. Without it, a person is made for the token with exactly its rights.",
    }),
    expiresAt: z
      .string()
      .meta({ description: 'YYYY-MM-DD (the token works through that day, UTC) or an ISO date-time with offset' })
      .transform((value, ctx) => {
        try {
          return parseExpiry(value)
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: error instanceof Error ? error.message : 'is not a valid expiry' })
          return z.NEVER
        }
      })
      .nullish(),
  })
  .superRefine((body, ctx) => {
    if (body.role === 'administration' && !body.country) {
      ctx.addIssue({ code: 'custom', path: ['country'], message: 'an administration token needs a country' })
    }
    if (body.role !== 'administration' && body.country) {
      ctx.addIssue({ code: 'custom', path: ['country'], message: `a ${body.role} token has no country` })
    }
  })

const created = z
  .object({
    token: z.string().meta({ description: 'The token itself. Shown only in this response: store it now.' }),
    id: z.string(),
    prefix: z.string(),
    role,
    country: z.string().nullable(),
    label: z.string(),
    createdAt: timestamp,
    expiresAt: timestamp.nullable(),
  })
  .meta({ id: 'CreatedToken' })

const tokenInfo = z
  .object({
    id: z.string(),
    prefix: z.string().meta({ description: 'The first characters of the token, to tell tokens apart' }),
    role,
    country: z.string().nullable(),
    label: z.string(),
    createdAt: timestamp,
    createdBy: z.string().nullable(),
    expiresAt: timestamp.nullable(),
    revokedAt: timestamp.nullable(),
    lastUsedAt: timestamp.nullable().meta({ description: 'Updated at most once a minute' }),
    person: z.object({ id: z.string(), name: z.string() }).nullable().meta({ description: 'Whose token: it carries at most their rights' }),
  })
  .meta({ id: 'Token' })

const me = z
  .object({
    personId: z.string(),
    name: z.string(),
    tokenId: z.string().nullable().meta({ description: 'The API token used; null in a password session' }),
    role,
    country: z.string().nullable(),
    label: z.string(),
    language: z.enum(LANGUAGES).meta({ description: 'The language the person chose (PUT /me/language); pages and answers come in it' }),
    email: z.string().nullable(),
    secondFactor: z.boolean().meta({ description: 'Whether the person has set up a second factor (TOTP)' }),
    memberships: z.array(
      z.object({
        role: z.enum(MEMBERSHIP_ROLES),
        country: z.string().nullable(),
        questionnaire: z.string().nullable(),
        domains: z.array(z.string()).nullable(),
      }),
    ),
  })
  .meta({ id: 'Principal' })

const iso = (d: Date | null) => (d ? d.toISOString() : null)

/** A token row as the API shows it to its owner (and, with more, to admins). */
export function presentTokenRow(row: TokenRow) {
  return {
    id: row.id,
    prefix: row.prefix,
    role: row.role,
    country: row.country,
    label: row.label,
    createdAt: row.created_at.toISOString(),
    expiresAt: iso(row.expires_at),
    revokedAt: iso(row.revoked_at),
    lastUsedAt: iso(row.last_used_at),
  }
}

function info(row: TokenRow, owners: Map<string, string>): z.infer<typeof tokenInfo> {
  return {
    person: row.person_id ? { id: row.person_id, name: owners.get(row.person_id) ?? '' } : null,
    ...presentTokenRow(row),
    createdBy: row.created_by,
  }
}

/**
 * The caller when it holds the admin membership (401 without a principal, else 403). Checked on the
 * membership, not the coarse role: a person who is an admin and also a reviewer keeps both rights.
 */
function requireAdmin(request: FastifyRequest): Principal {
  const principal = requirePrincipal(request)
  if (!hasMembership(principal, 'admin'))
    throw forbidden(`this needs the admin role; this ${principal.tokenId ? 'token' : 'session'} holds no admin membership`)
  return principal
}

export default async function authRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>()
  const security = [{ bearer: [] }]

  r.post(
    '/tokens',
    {
      onRequest: async (request) => void requireAdmin(request),
      schema: {
        operationId: 'createToken',
        tags: ['tokens'],
        summary: 'Create an API token (admin)',
        description: 'The response holds the token itself, once; only its SHA-256 is stored.',
        security,
        body: createBody,
        response: { 201: created, ...problems(400, 401, 403, 422, 429) },
      },
    },
    async (request, reply) => {
      const admin = requireAdmin(request)
      const body = request.body
      try {
        // The token and its audit record in one transaction.
        const { token, row } = await app.db.transaction().execute(async (trx) => {
          const made = await createToken(trx, {
            role: body.role,
            country: body.country ?? null,
            label: body.label,
            expiresAt: body.expiresAt ?? null,
            createdBy: admin.tokenId,
            personId: body.personId ?? null,
          })
          await audit(trx, {
            action: 'token_created',
            actor: admin,
            subject: made.row.person_id,
            address: request.ip,
            details: { token: made.row.id, role: made.row.role, country: made.row.country, label: made.row.label },
          })
          return made
        })
        request.log.info({ tokenId: row.id, role: row.role, country: row.country }, 'token created')
        reply.code(201).header('cache-control', 'no-store')
        return {
          token,
          id: row.id,
          prefix: row.prefix,
          role: row.role,
          country: row.country,
          label: row.label,
          createdAt: row.created_at.toISOString(),
          expiresAt: iso(row.expires_at),
        }
      } catch (error) {
        if (error instanceof TokenInputError) {
          throw unprocessable(error.message, [{ path: `/body/${error.field}`, message: error.message }])
        }
        throw error
      }
    },
  )

  r.get(
    '/tokens',
    {
      onRequest: async (request) => void requireAdmin(request),
      schema: {
        operationId: 'listTokens',
        tags: ['tokens'],
        summary: 'List API tokens (admin); never their values',
        security,
        response: { 200: z.array(tokenInfo), ...problems(401, 403, 429) },
      },
    },
    async () => {
      const rows = await listTokens(app.db)
      const ids = [...new Set(rows.map((t) => t.person_id).filter((id): id is string => Boolean(id)))]
      const owners = new Map(
        ids.length ? (await app.db.selectFrom('persons').select(['id', 'name']).where('id', 'in', ids).execute()).map((p) => [p.id, p.name]) : [],
      )
      return rows.map((row) => info(row, owners))
    },
  )

  r.delete(
    '/tokens/:id',
    {
      onRequest: async (request) => void requireAdmin(request),
      schema: {
        operationId: 'revokeToken',
        tags: ['tokens'],
        summary: 'Revoke an API token (admin)',
        description: 'Revoking is immediate and final; revoking a revoked token changes nothing.',
        security,
        params: z.object({ id: z.uuid() }),
        response: { 204: z.null().meta({ description: 'Revoked' }), ...problems(400, 401, 403, 404, 429) },
      },
    },
    async (request, reply) => {
      const row = await app.db.transaction().execute(async (trx) => {
        const revoked = await revokeToken(trx, request.params.id)
        if (!revoked) throw notFound(`token ${request.params.id}`)
        // Sessions opened with it end with it.
        await trx.deleteFrom('sessions').where('token_id', '=', revoked.id).execute()
        await audit(trx, {
          action: 'token_revoked',
          actor: requireAdmin(request),
          subject: revoked.person_id,
          address: request.ip,
          details: { token: revoked.id },
        })
        return revoked
      })
      request.log.info({ tokenId: row.id }, 'token revoked')
      return reply.code(204).send(null)
    },
  )

  r.get(
    '/me',
    {
      schema: {
        operationId: 'whoAmI',
        tags: ['tokens'],
        summary: 'Who the presented token stands for',
        security,
        response: { 200: me, ...problems(401, 429) },
      },
    },
    async (request) => {
      const p = requirePrincipal(request)
      const person = await app.db.selectFrom('persons').select(['email', 'totp_enabled_at']).where('id', '=', p.personId).executeTakeFirstOrThrow()
      return {
        email: person.email,
        secondFactor: person.totp_enabled_at !== null,
        personId: p.personId,
        name: p.name,
        tokenId: p.tokenId,
        role: p.role,
        country: p.country,
        label: p.label,
        language: p.language,
        memberships: p.memberships,
      }
    },
  )
}
