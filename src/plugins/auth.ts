// Who is calling: `request.principal`, from `Authorization: Bearer <token>`, and the helpers routes use
// to demand one (401) or a role (403).
//
// Every request that presents a bearer token has it checked in an onRequest hook; a missing, wrong,
// expired or revoked token leaves `request.principal` null, and the route decides whether that
// matters (requirePrincipal / requireRole / app.requireRole). Every 401 carries WWW-Authenticate.
//
// Failed authentications are limited per client address (config.authRateLimit a minute, a sliding
// window kept in PostgreSQL, people/throttle.ts): past the limit, a bad token gets 429 with
// Retry-After instead of 401. A good token is not refused: 256-bit tokens cannot be guessed, so
// the limit is about floods of bad ones, and an office behind one address must not be locked out
// by somebody else's bad tokens.
import { isIP } from 'node:net'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { Kysely } from 'kysely'
import { CredentialMemory, type PendingCredential, type StatementCredential } from '../auth/statement-credential.js'
import { checkToken, hashToken, isWellFormedToken } from '../auth/tokens.js'
import type { Database, Role } from '../db/schema.js'
import { principalFrom, type Principal } from '../people/principal.js'
import { throttled } from '../people/throttle.js'
import { forbidden, unauthorized } from '../errors.js'
import { sendProblem } from './errors.js'

export type { Principal } from '../people/principal.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated caller, or null (no token, or one that failed). */
    principal: Principal | null
  }
  interface FastifyContextConfig {
    /**
     * The route's statement confirms the token itself (auth/statement-credential.ts): a token this
     * process checked within the last minute is not looked up before the handler runs.
     */
    credentialInStatement?: boolean
  }
  interface FastifyInstance {
    /** An onRequest/preHandler hook that answers 401 without a principal and 403 without one of these roles. */
    requireRole(...roles: Role[]): (request: FastifyRequest, reply: FastifyReply) => Promise<void>
  }
}

export interface AuthOptions {
  /** Failed authentications allowed per client address and minute (config.authRateLimit). */
  rateLimit: number
  /** The window of the failure counter, in milliseconds (tests shorten it). */
  windowMs?: number
}

export type AuthFailure = 'malformed' | 'invalid' | 'expired' | 'revoked'

export type AuthResult = { principal: Principal; credential: StatementCredential; expiresAt: Date | null } | { failure: Exclude<AuthFailure, 'malformed'> }

const FAILURE_DETAIL: Record<AuthFailure, string> = {
  malformed: 'the Authorization header must be "Bearer <token>"',
  invalid: 'the bearer token is not valid',
  expired: 'the bearer token has expired',
  revoked: 'the bearer token has been revoked',
}

const REALM = 'treaty-readiness'

/** Why a request that presented credentials has no principal; read by requirePrincipal and the 401 header. */
const failures = new WeakMap<FastifyRequest, AuthFailure>()

/** Checks a plaintext token against the database: the principal (its person's, within the token's rights), or why there is none. */
export async function authenticateToken(db: Kysely<Database>, token: string): Promise<AuthResult> {
  const check = await checkToken(db, token)
  if (check.status !== 'active') return { failure: check.status }
  const principal = principalFrom(check.person, check.token)
  return principal ? { principal, credential: { hash: check.hash, access: check.access }, expiresAt: check.token.expires_at } : { failure: 'revoked' }
}

const pendingCredentials = new WeakMap<FastifyRequest, PendingCredential>()

/** The credential the route's statement must confirm, or undefined when it was checked in the database for this request. */
export function pendingCredential(request: FastifyRequest): PendingCredential | undefined {
  return pendingCredentials.get(request)
}

/** The authenticated principal; otherwise a 401 saying why. */
export function requirePrincipal(request: FastifyRequest): Principal {
  if (request.principal) return request.principal
  const failure = failures.get(request)
  throw unauthorized(failure ? FAILURE_DETAIL[failure] : undefined)
}

/** The principal when it has one of the roles; 401 without a principal, 403 with another role. */
export function requireRole(request: FastifyRequest, ...roles: Role[]): Principal {
  const principal = requirePrincipal(request)
  if (!roles.includes(principal.role)) {
    throw forbidden(`this needs the ${roles.join(' or ')} role; this token has the ${principal.role} role`)
  }
  return principal
}

/** The Authorization header's bearer token; null when there is no header, 'malformed' when it is not Bearer. */
export function bearerToken(header: string | undefined): string | null | 'malformed' {
  if (header === undefined || header === '') return null
  const match = /^Bearer +([^\s]+) *$/i.exec(header)
  return match?.[1] ?? 'malformed'
}

/** The key failures are counted under: the IPv4 address, or the /64 of an IPv6 one (one host's usual share). */
export function clientKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)
  if (mapped?.[1]) return mapped[1]
  const address = ip.split('%')[0] ?? ip
  if (isIP(address) !== 6) return ip
  // A trailing dotted quad stands for two groups.
  const split = (part: string | undefined) => (part ? part.split(':').flatMap((g) => (g.includes('.') ? ['0', '0'] : [g])) : [])
  const halves = address.split('::')
  const groups =
    halves.length === 2
      ? (() => {
          const left = split(halves[0])
          const right = split(halves[1])
          return [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
        })()
      : split(address)
  return `${groups
    .slice(0, 4)
    .map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''))
    .join(':')}::/64`
}

async function authPlugin(app: FastifyInstance, options: AuthOptions): Promise<void> {
  const windowSeconds = Math.max(1, Math.round((options.windowMs ?? 60_000) / 1000))

  app.decorateRequest('principal', null)
  app.decorate('requireRole', (...roles: Role[]) => {
    if (roles.length === 0) throw new Error('requireRole needs at least one role')
    return async (request: FastifyRequest) => {
      requireRole(request, ...roles)
    }
  })

  const memory = new CredentialMemory()
  const remember = (key: string, result: Extract<AuthResult, { principal: Principal }>) =>
    memory.remember(key, { principal: result.principal, ...result.credential, expiresAt: result.expiresAt?.getTime() ?? null })

  // Callback style: the usual request (no token, or one remembered) is decided without a promise;
  // only a token to check in the database goes through `authenticate`.
  app.addHook('onRequest', (request, reply, done) => {
    const token = bearerToken(request.headers.authorization)
    if (token === null) return done()
    if (token === 'malformed') {
      failures.set(request, 'malformed')
      return done()
    }
    const key = isWellFormedToken(token) ? hashToken(token).toString('hex') : null
    const recalled = key && request.routeOptions.config.credentialInStatement ? memory.recall(key) : undefined
    if (key && recalled) {
      request.principal = recalled.principal
      pendingCredentials.set(request, {
        credential: recalled,
        confirm: async () => {
          pendingCredentials.delete(request)
          memory.forget(key)
          const result = await authenticateToken(app.db, token)
          if (!('principal' in result)) {
            request.principal = null
            failures.set(request, result.failure)
            throw unauthorized(FAILURE_DETAIL[result.failure])
          }
          remember(key, result)
          request.principal = result.principal
          return result.principal
        },
      })
      return done()
    }
    authenticate(request, reply, token, key).then((sent) => {
      // A response already sent (429) ends the request here: done() is not called.
      if (!sent) done()
    }, done)
  })

  /** Checks the token in the database; true when it answered the request itself (429). */
  async function authenticate(request: FastifyRequest, reply: FastifyReply, token: string, key: string | null): Promise<boolean> {
    const result = await authenticateToken(app.db, token)
    if ('principal' in result) {
      if (key) remember(key, result)
      request.principal = result.principal
      return false
    }
    if (key) memory.forget(key)
    // Counted in the database under a lock (throttle.ts): every process counts together, and a
    // burst of concurrent bad tokens cannot pass the limit between check and count.
    const counted = await throttled(app.db, [{ key: `address:${clientKey(request.ip)}`, max: options.rateLimit, windowSeconds }], async () => ({
      ok: false,
      value: null,
    }))
    if (counted.blocked > 0) {
      reply.header('retry-after', String(counted.blocked))
      sendProblem(reply, 429, 'rate_limited', `too many failed authentications from this address; try again in ${counted.blocked} s`)
      return true
    }
    failures.set(request, result.failure)
    request.log.info({ failure: result.failure }, 'authentication failed')
    return false
  }

  // Callback style, as the other per-request hooks: an async hook costs a promise on every response.
  app.addHook('onSend', (request, reply, payload, done) => {
    if (reply.statusCode === 401 && !reply.hasHeader('www-authenticate')) {
      reply.header('www-authenticate', failures.has(request) ? `Bearer realm="${REALM}", error="invalid_token"` : `Bearer realm="${REALM}"`)
    }
    done(null, payload)
  })
}

export default fp(authPlugin, { name: 'auth', fastify: '5.x', dependencies: ['db'] })
