// The web session and the browser interface.
//
// POST /session {token} checks an API token and keeps it in a cookie; DELETE /session clears it.
// An onRequest hook (after the auth plugin's) turns that cookie into request.principal when the
// request has no Authorization header, so the whole REST API works from the browser.
//
// Why the token itself, in a signed HttpOnly cookie, and no server-side session store:
// - the token is already a 256-bit secret checked against the database on every request, so
//   revoking or expiring it ends every browser session made from it at once — no second store
//   to keep in step, nothing to clean up, and it works with several server processes;
// - HttpOnly keeps it away from page scripts; SameSite=Strict keeps it off cross-site requests;
//   Secure is set whenever the request came over https (also behind a proxy with TRUST_PROXY);
// - the HMAC signature (SESSION_SECRET) lets a tampered or made-up cookie be dropped without a
//   database lookup. Without SESSION_SECRET a random secret is made per process, so sessions
//   end when the server restarts (users sign in again with their token).
//
// CSRF: a cookie-authenticated POST/PUT/PATCH/DELETE (and sign-in/out themselves, against login
// CSRF) must carry `X-Requested-With: fetch` — which a cross-site form cannot send and a
// cross-site fetch cannot send without a CORS preflight we never grant — or an Origin equal to
// this server's own; otherwise 403. Bearer-token requests are not affected.
import { fileURLToPath } from 'node:url'
import cookie from '@fastify/cookie'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { problems, unauthorized } from '../errors.js'
import { clientKey, FailureCounter, principalFromToken } from '../plugins/auth.js'
import { sendProblem } from '../plugins/errors.js'

export const SESSION_COOKIE = 'tr_session'
/** A browser session lasts a working day; the token's own expiry and revocation still apply. */
export const SESSION_MAX_AGE_SECONDS = 8 * 60 * 60
export const CSRF_HEADER = 'x-requested-with'
export const CSRF_HEADER_VALUE = 'fetch'

const PUBLIC_DIR = fileURLToPath(new URL('./public/', import.meta.url))
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

export interface SessionOptions {
  secret: string
  /** Failed sign-ins allowed per client address and minute. */
  rateLimit: number
}

/** Whether an unsafe request proves it comes from our own pages (custom header or same Origin). */
export function sameOriginProof(request: FastifyRequest): boolean {
  const header = request.headers[CSRF_HEADER]
  if (typeof header === 'string' && header.toLowerCase() === CSRF_HEADER_VALUE) return true
  const origin = request.headers.origin
  if (typeof origin !== 'string' || origin === 'null') return false
  return origin === `${request.protocol}://${request.host}`
}

function cookieOptions(request: FastifyRequest) {
  return {
    httpOnly: true,
    sameSite: 'strict' as const,
    secure: request.protocol === 'https',
    path: '/',
    signed: true,
  }
}

async function sessionPlugin(app: FastifyInstance, options: SessionOptions): Promise<void> {
  await app.register(cookie, { secret: options.secret, hook: 'onRequest' })
  const counter = new FailureCounter(options.rateLimit)

  app.addHook('onRequest', async (request, reply) => {
    const raw = request.cookies[SESSION_COOKIE]
    // The routed path, not the raw URL: /%73ession reaches the same handler as /session.
    const isSessionRoute = request.routeOptions.url === '/session'
    const hasBearer = Boolean(request.headers.authorization)
    // CSRF: only requests a browser would send the cookie with, and only when the header is not used.
    if (UNSAFE.has(request.method) && !hasBearer && (raw !== undefined || isSessionRoute) && !sameOriginProof(request)) {
      return sendProblem(
        reply,
        403,
        'csrf',
        `a ${request.method} from the browser must carry the header "X-Requested-With: fetch" or come from this site`,
      )
    }
    if (hasBearer || raw === undefined || request.principal) return
    const unsigned = request.unsignCookie(raw)
    if (!unsigned.valid || !unsigned.value) return
    const principal = await principalFromToken(app, unsigned.value)
    if (principal) request.principal = principal
  })

  const r = app.withTypeProvider<ZodTypeProvider>()
  const who = z.object({
    role: z.enum(['administration', 'staff', 'admin']),
    country: z.string().nullable(),
    label: z.string(),
  })

  r.post(
    '/session',
    {
      schema: {
        operationId: 'signIn',
        security: [],
        tags: ['session'],
        summary: 'Sign in from a browser: the token is kept in an HttpOnly, SameSite=Strict cookie',
        description: 'Send the header X-Requested-With: fetch. Afterwards the browser calls the API with the cookie instead of a bearer token.',
        body: z.strictObject({ token: z.string().trim().min(1, 'must not be empty').max(200) }),
        response: { 200: who, ...problems(400, 401, 403, 429) },
      },
    },
    async (request, reply) => {
      const key = clientKey(request.ip)
      const wait = counter.blockedFor(key)
      if (wait > 0) {
        reply.header('retry-after', String(wait))
        return sendProblem(reply, 429, 'rate_limited', `too many failed sign-ins from this address; try again in ${wait} s`)
      }
      const principal = await principalFromToken(app, request.body.token)
      if (!principal) {
        counter.fail(key)
        reply.clearCookie(SESSION_COOKIE, { path: '/' })
        throw unauthorized('this token is not valid, has expired or has been revoked')
      }
      reply.setCookie(SESSION_COOKIE, request.body.token, { ...cookieOptions(request), maxAge: SESSION_MAX_AGE_SECONDS })
      reply.header('cache-control', 'no-store')
      return { role: principal.role, country: principal.country, label: principal.label }
    },
  )

  r.delete(
    '/session',
    {
      schema: {
        operationId: 'signOut',
        security: [],
        tags: ['session'],
        summary: 'Sign out of the browser session (the token itself stays valid)',
        response: { 204: z.null().describe('Signed out'), ...problems(403) },
      },
    },
    async (request, reply: FastifyReply) => {
      reply.clearCookie(SESSION_COOKIE, { ...cookieOptions(request), signed: false })
      reply.code(204)
      return null
    },
  )

  // The pages: plain HTML, ES modules and CSS, served as files (no build step).
  await app.register(fastifyStatic, {
    root: PUBLIC_DIR,
    prefix: '/app/',
    decorateReply: false,
    index: false,
    cacheControl: true,
    maxAge: 0,
  })
  const home = async (_request: FastifyRequest, reply: FastifyReply) => reply.redirect('/app/index.html')
  app.get('/', { schema: { hide: true } }, home)
  app.get('/app', { schema: { hide: true } }, home)
}

export default fp(sessionPlugin, { name: 'session', fastify: '5.x', dependencies: ['auth'] })
