// The web session and the browser interface.
//
// POST /session signs in with an e-mail and password, or with an API token; either way a session
// row is made in PostgreSQL (src/people/sessions.ts) and the cookie holds only its random secret.
// DELETE /session deletes the row, so a replayed cookie is refused afterwards; disabling a person
// deletes all of theirs. An onRequest hook (after the auth plugin's) turns the cookie into
// request.principal when the request has no Authorization header, so the whole REST API works
// from the browser. Sessions and failed sign-ins live in the database: several server processes
// behind one address behave as one.
// - HttpOnly keeps the cookie from page scripts; SameSite=Strict keeps it off cross-site requests;
//   over https (also behind a proxy listed in TRUST_PROXY) it is Secure and named __Host-…, which
//   browsers bind to this host and path.
// - Failed sign-ins are limited per client address and per account (throttle.ts), checked and
//   counted atomically; a locked account is told by mail, and stays usable from other addresses
//   until its own, higher limit.
//
// CSRF: a cookie-authenticated POST/PUT/PATCH/DELETE (and sign-in/out themselves, against login
// CSRF) must carry `X-Requested-With: fetch` — which a cross-site form cannot send and a
// cross-site fetch cannot send without a CORS preflight we never grant — or an Origin equal to
// this server's own; otherwise 403. Bearer-token requests are not affected.
import { fileURLToPath } from 'node:url'
import cookie from '@fastify/cookie'
import fastifyStatic from '@fastify/static'
import { registerPages } from './pages.js'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { sql, type Kysely } from 'kysely'
import type { Database } from '../db/schema.js'
import fp from 'fastify-plugin'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { findUsableToken } from '../auth/tokens.js'
import { AppError, problems, unauthorized } from '../errors.js'
import { formatDate, renderMail } from '../mail/messages.js'
import type { Mailer } from '../mail/mailer.js'
import { audit } from '../people/audit.js'
import { verifyPassword } from '../people/passwords.js'
import { useSecondFactor } from '../people/second-factor.js'
import { loadPrincipal, type Principal } from '../people/principal.js'
import { createSession, deleteSession, validateSession, type SessionPolicy } from '../people/sessions.js'
import { blockedFor, throttled, type Limit } from '../people/throttle.js'
import { authenticateToken, clientKey } from '../plugins/auth.js'
import { sendProblem } from '../plugins/errors.js'

export const SESSION_COOKIE = 'tr_session'
/** The cookie's name over https: the __Host- prefix makes browsers refuse it unless Secure, host-only and Path=/. */
export const SECURE_SESSION_COOKIE = '__Host-tr_session'
export const CSRF_HEADER = 'x-requested-with'
export const CSRF_HEADER_VALUE = 'fetch'

const PUBLIC_DIR = fileURLToPath(new URL('./public/', import.meta.url))
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])
/** Routes that set a session cookie: checked against CSRF even without one (login CSRF). */
const SIGN_IN_ROUTES = new Set(['/session', '/invitations/:secret/accept', '/password-reset', '/password-reset/:secret'])

export interface SessionOptions {
  policy: SessionPolicy
  /** Failed sign-ins allowed per client address and minute. */
  rateLimit: number
  /** Failed sign-ins allowed per account in a quarter of an hour, from any address. */
  accountLimit: number
  mailer: Mailer
}

const ACCOUNT_WINDOW_SECONDS = 15 * 60

/** Whether an unsafe request proves it comes from our own pages (custom header or same Origin). */
export function sameOriginProof(request: FastifyRequest): boolean {
  const header = request.headers[CSRF_HEADER]
  if (typeof header === 'string' && header.toLowerCase() === CSRF_HEADER_VALUE) return true
  const origin = request.headers.origin
  if (typeof origin !== 'string' || origin === 'null') return false
  return origin === `${request.protocol}://${request.host}`
}

function cookieName(request: FastifyRequest): string {
  return request.protocol === 'https' ? SECURE_SESSION_COOKIE : SESSION_COOKIE
}

function cookieOptions(request: FastifyRequest) {
  return { httpOnly: true, sameSite: 'strict' as const, secure: request.protocol === 'https', path: '/' }
}

/** Opens a session for a principal and sets its cookie: sign-in, and an accepted invitation. */
export async function openSession(
  db: Kysely<Database>,
  policy: SessionPolicy,
  request: FastifyRequest,
  reply: FastifyReply,
  principal: Principal,
): Promise<void> {
  const secret = await createSession(db, policy, {
    personId: principal.personId,
    tokenId: principal.tokenId,
    address: request.ip,
    userAgent: request.headers['user-agent'] ?? null,
  })
  await db.updateTable('persons').set({ last_sign_in_at: sql<Date>`now()` }).where('id', '=', principal.personId).execute()
  await audit(db, {
    action: 'sign_in',
    actor: principal,
    subject: principal.personId,
    address: request.ip,
    details: { method: principal.tokenId ? 'token' : 'password' },
  })
  reply.setCookie(cookieName(request), secret, { ...cookieOptions(request), maxAge: policy.absoluteSeconds })
  reply.header('cache-control', 'no-store')
  request.log.info({ personId: principal.personId, tokenId: principal.tokenId }, 'signed in')
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The public id of the session the request came with (null for a bearer token or no session). */
    sessionId: string | null
  }
}

async function sessionPlugin(app: FastifyInstance, options: SessionOptions): Promise<void> {
  await app.register(cookie, { hook: 'onRequest' })
  app.decorateRequest('sessionId', null)

  app.addHook('onRequest', async (request, reply) => {
    const raw = request.cookies[cookieName(request)]
    // The routed path, not the raw URL: /%73ession is routed to /session and is checked like it.
    const isSessionRoute = SIGN_IN_ROUTES.has(request.routeOptions.url ?? '')
    const hasBearer = Boolean(request.headers.authorization)
    // CSRF: only requests a browser would send the cookie with, and only when the header is not used.
    if (UNSAFE.has(request.method) && !hasBearer && (raw !== undefined || isSessionRoute) && !sameOriginProof(request)) {
      return sendProblem(reply, 403, 'csrf', `a ${request.method} from the browser must carry the header "X-Requested-With: fetch" or come from this site`)
    }
    if (hasBearer || raw === undefined || request.principal) return
    const session = await validateSession(app.db, options.policy, raw)
    if (!session) return
    // A session opened with a token carries at most the token's rights, and ends with it.
    const token = session.tokenId ? await findUsableToken(app.db, session.tokenId) : undefined
    if (session.tokenId && !token) return
    const principal = await loadPrincipal(app.db, session.personId, token)
    if (principal) {
      request.principal = principal
      request.sessionId = session.publicId
    }
  })

  const r = app.withTypeProvider<ZodTypeProvider>()
  const who = z.object({
    name: z.string(),
    role: z.enum(['administration', 'staff', 'admin']),
    country: z.string().nullable(),
    label: z.string(),
  })
  const signIn = z.union([
    z.strictObject({ token: z.string().trim().min(1, 'must not be empty').max(200) }),
    z.strictObject({
      email: z.string().trim().min(3).max(254),
      password: z.string().min(1, 'must not be empty').max(1024),
      code: z.string().trim().min(6).max(20).optional().describe('The second factor: a 6-digit code from the authenticator app, or a recovery code'),
    }),
  ])

  async function mailLocked(email: string) {
    const person = await app.db
      .selectFrom('persons')
      .select(['name', 'email', 'language'])
      .where(sql<boolean>`lower(email) = lower(${email})`)
      .executeTakeFirst()
    if (!person?.email) return
    const until = new Date(Date.now() + ACCOUNT_WINDOW_SECONDS * 1000)
    const mail = renderMail('locked', person.language, { name: person.name, count: String(options.accountLimit), until: formatDate(until, person.language) })
    await options.mailer
      .send({ to: person.email, ...mail, language: person.language })
      .catch((err: unknown) => app.log.warn({ err }, 'could not send the account-locked mail'))
  }

  r.post(
    '/session',
    {
      schema: {
        operationId: 'signIn',
        security: [],
        tags: ['session'],
        summary: 'Sign in from a browser, with e-mail and password or with an API token',
        description:
          'Send the header X-Requested-With: fetch. A session is kept on the server; the HttpOnly, SameSite=Strict cookie holds only its random key. ' +
          'Afterwards the browser calls the API with the cookie instead of a bearer token. The same answer for an unknown e-mail and a wrong password.',
        body: signIn,
        response: { 200: who, ...problems(400, 401, 403, 429) },
      },
    },
    async (request, reply) => {
      const address: Limit = { key: `address:${clientKey(request.ip)}`, max: options.rateLimit, windowSeconds: 60 }
      const body = request.body
      const account: Limit | undefined =
        'email' in body ? { key: `account:${body.email.toLowerCase()}`, max: options.accountLimit, windowSeconds: ACCOUNT_WINDOW_SECONDS } : undefined
      type Outcome = { ok: boolean; value: Principal | 'second_factor_required' | null }
      const outcome = await throttled(app.db, account ? [address, account] : [address], async (trx): Promise<Outcome> => {
        if ('token' in body) {
          const result = await authenticateToken(trx, body.token)
          return 'principal' in result ? { ok: true, value: result.principal } : { ok: false, value: null }
        }
        const person = await trx
          .selectFrom('persons')
          .select(['id', 'password_hash', 'status', 'totp_enabled_at'])
          .where(sql<boolean>`lower(email) = lower(${body.email})`)
          .executeTakeFirst()
        const good = await verifyPassword(person?.password_hash ?? null, body.password)
        if (good && person?.status === 'active' && person.totp_enabled_at) {
          // The password was right: not a failure yet, but no session without the second factor.
          if (!body.code) return { ok: true, value: 'second_factor_required' as const }
          const used = await useSecondFactor(trx, person.id, body.code)
          if (!used) {
            await audit(trx, { action: 'sign_in_failed', subject: person.id, address: request.ip, details: { method: 'password', reason: 'second factor' } })
            return { ok: false, value: null }
          }
          if (used === 'recovery')
            await audit(trx, { action: 'recovery_code_used', actor: { personId: person.id, tokenId: null }, subject: person.id, address: request.ip })
        }
        const principal = good && person?.status === 'active' ? await loadPrincipal(trx, person.id) : null
        if (!principal) await audit(trx, { action: 'sign_in_failed', subject: person?.id ?? null, address: request.ip, details: { method: 'password' } })
        return principal ? { ok: true, value: principal } : { ok: false, value: null }
      })
      if (outcome.blocked > 0 || !('ok' in outcome)) {
        reply.header('retry-after', String(outcome.blocked))
        return sendProblem(reply, 429, 'rate_limited', `too many failed sign-ins; try again in ${outcome.blocked} s`)
      }
      if (!outcome.ok || !outcome.value) {
        if (account && 'email' in body && (await blockedFor(app.db, account)) > 0) await mailLocked(body.email)
        reply.clearCookie(cookieName(request), { path: '/' })
        throw unauthorized('token' in body ? 'this token is not valid, has expired or has been revoked' : 'the e-mail address or the password is not right')
      }
      if (outcome.value === 'second_factor_required' || outcome.value === null) {
        throw new AppError(401, 'second_factor_required', 'enter the code from your authenticator app (or a recovery code)')
      }
      const principal = outcome.value
      await openSession(app.db, options.policy, request, reply, principal)
      return { name: principal.name, role: principal.role, country: principal.country, label: principal.label }
    },
  )

  r.delete(
    '/session',
    {
      schema: {
        operationId: 'signOut',
        security: [],
        tags: ['session'],
        summary: 'Sign out: the session is deleted on the server, so its cookie no longer works anywhere',
        response: { 204: z.null().describe('Signed out'), ...problems(403) },
      },
    },
    async (request, reply: FastifyReply) => {
      const raw = request.cookies[cookieName(request)]
      if (raw) await deleteSession(app.db, raw)
      if (request.principal) await audit(app.db, { action: 'sign_out', actor: request.principal, subject: request.principal.personId, address: request.ip })
      reply.clearCookie(cookieName(request), cookieOptions(request))
      reply.code(204)
      return null
    },
  )

  // The pages from one layout; their ES modules and CSS served as files (no build step).
  registerPages(app)
  await app.register(fastifyStatic, {
    root: PUBLIC_DIR,
    prefix: '/app/',
    decorateReply: false,
    index: false,
    cacheControl: true,
    maxAge: 0,
  })
  // The query goes along: a link to /app/?lang=ar must open the sign-in page in Arabic.
  const home = async (request: FastifyRequest, reply: FastifyReply) => {
    const query = request.url.indexOf('?')
    return reply.redirect(`/app/index.html${query === -1 ? '' : request.url.slice(query)}`)
  }
  app.get('/', { schema: { hide: true } }, home)
  app.get('/app', { schema: { hide: true } }, home)
}

export default fp(sessionPlugin, { name: 'session', fastify: '5.x', dependencies: ['auth'] })
