// Single sign-on with the organisation's OpenID provider (openid-client): authorization code flow
// with PKCE, state and nonce kept in PostgreSQL for the few minutes a sign-in takes (so the callback
// may land on any server process). The first sign-in binds the provider's subject to the person
// invited with that (verified) e-mail address; it never makes a person or grants rights by itself.
import type { FastifyInstance } from 'fastify'
import { sql } from 'kysely'
import * as client from 'openid-client'
import { z } from 'zod'
import { audit } from './audit.js'
import { loadPrincipal } from './principal.js'
import { hashSecret } from './secrets.js'
import type { SessionPolicy } from './sessions.js'
import { openSession } from '../web/session.js'

export interface OidcOptions {
  issuer: string
  clientId: string
  clientSecret: string
  publicUrl: string
  sessionPolicy: SessionPolicy
}

const LOGIN_MINUTES = 10

/** Plain http is allowed for a provider on this machine only (tests, a local trial). */
function isLoopback(url: string): boolean {
  const host = new URL(url).hostname
  return host === '127.0.0.1' || host === 'localhost' || host === '[::1]'
}

export default async function oidcRoutes(app: FastifyInstance, options: OidcOptions): Promise<void> {
  let configuration: Promise<client.Configuration> | undefined
  const discover = () =>
    (configuration ??= client
      .discovery(
        new URL(options.issuer),
        options.clientId,
        options.clientSecret,
        undefined,
        isLoopback(options.issuer) ? { execute: [client.allowInsecureRequests] } : undefined,
      )
      .catch((error: unknown) => {
        configuration = undefined // try again on the next sign-in
        throw error
      }))
  const redirectUri = `${options.publicUrl}/auth/oidc/callback`
  const fail = (reply: import('fastify').FastifyReply, reason: string) => reply.redirect(`/app/index.html?signin=${encodeURIComponent(reason)}`)

  // Tells the sign-in page that single sign-on is offered (the route exists only when it is configured).
  app.get(
    '/auth/oidc',
    {
      schema: {
        tags: ['session'],
        operationId: 'singleSignOnProvider',
        summary: 'Single sign-on is offered: the identity provider',
        security: [],
        response: { 200: z.object({ issuer: z.string() }) },
      },
    },
    async () => ({ issuer: options.issuer }),
  )

  app.get(
    '/auth/oidc/login',
    {
      schema: {
        tags: ['session'],
        operationId: 'startSingleSignOn',
        summary: 'Sign in with the organisation’s identity provider (redirects there)',
        security: [],
        response: { 302: z.null().describe('To the identity provider') },
      },
    },
    async (_request, reply) => {
      const config = await discover()
      const state = client.randomState()
      const nonce = client.randomNonce()
      const verifier = client.randomPKCECodeVerifier()
      await app.db
        .insertInto('oidc_logins')
        .values({ state_hash: hashSecret(state), code_verifier: verifier, nonce, expires_at: sql<Date>`now() + make_interval(mins => ${LOGIN_MINUTES})` })
        .execute()
      await app.db.deleteFrom('oidc_logins').where('expires_at', '<', sql<Date>`now()`).execute()
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: 'openid email profile',
        state,
        nonce,
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
      })
      reply.header('cache-control', 'no-store')
      return reply.redirect(url.href)
    },
  )

  app.get(
    '/auth/oidc/callback',
    {
      schema: {
        tags: ['session'],
        operationId: 'finishSingleSignOn',
        summary: 'Where the identity provider sends the person back',
        security: [],
        response: { 302: z.null().describe('To the pages, signed in, or to the sign-in page with the reason') },
        querystring: z.object({ state: z.string().max(200).optional() }).loose(),
      },
    },
    async (request, reply) => {
      const state = (request.query as { state?: string }).state
      if (!state) return fail(reply, 'oidc_failed')
      // The state is used once: deleted as it is read.
      const login = await app.db
        .deleteFrom('oidc_logins')
        .where('state_hash', '=', hashSecret(state))
        .where('expires_at', '>', sql<Date>`now()`)
        .returningAll()
        .executeTakeFirst()
      if (!login) return fail(reply, 'oidc_expired')
      let issuer: string
      let subject: string
      let email: string | null
      try {
        const config = await discover()
        const tokens = await client.authorizationCodeGrant(config, new URL(request.url, options.publicUrl), {
          pkceCodeVerifier: login.code_verifier,
          expectedState: state,
          expectedNonce: login.nonce,
        })
        const claims = tokens.claims()
        if (!claims) return fail(reply, 'oidc_failed')
        issuer = claims.iss
        subject = claims.sub
        // Providers put the e-mail in the ID token or only in userinfo (as OpenID Connect Core says for scope claims).
        const info = typeof claims.email === 'string' ? claims : await client.fetchUserInfo(config, tokens.access_token, subject)
        email = typeof info.email === 'string' && info.email_verified === true ? info.email : null
      } catch (err) {
        request.log.warn({ err }, 'single sign-on failed')
        return fail(reply, 'oidc_failed')
      }
      const person = await app.db.transaction().execute(async (trx) => {
        const bound = await trx
          .selectFrom('persons')
          .select(['id', 'status'])
          .where('oidc_issuer', '=', issuer)
          .where('oidc_subject', '=', subject)
          .executeTakeFirst()
        if (bound) return bound
        if (!email) return undefined
        // First sign-in: only a person invited (or already active) with this e-mail, not yet bound elsewhere.
        const invited = await trx
          .selectFrom('persons')
          .select(['id', 'status'])
          .where(sql<boolean>`lower(email) = lower(${email})`)
          .where('oidc_subject', 'is', null)
          .where('status', 'in', ['invited', 'active'])
          .forUpdate()
          .executeTakeFirst()
        if (!invited) return undefined
        await trx.updateTable('persons').set({ oidc_issuer: issuer, oidc_subject: subject, status: 'active' }).where('id', '=', invited.id).execute()
        await trx
          .updateTable('invitations')
          .set({ accepted_at: sql<Date>`now()` })
          .where('person_id', '=', invited.id)
          .where('accepted_at', 'is', null)
          .where('revoked_at', 'is', null)
          .execute()
        await audit(trx, {
          action: 'invitation_accepted',
          actor: { personId: invited.id, tokenId: null },
          subject: invited.id,
          address: request.ip,
          details: { via: 'oidc', issuer },
        })
        return { id: invited.id, status: 'active' as const }
      })
      if (person?.status !== 'active') {
        request.log.info({ issuer, subject }, 'single sign-on of nobody invited')
        return fail(reply, 'oidc_not_invited')
      }
      const principal = await loadPrincipal(app.db, person.id)
      if (!principal) return fail(reply, 'oidc_not_invited')
      await openSession(app.db, options.sessionPolicy, request, reply, principal)
      return reply.redirect('/app/')
    },
  )
}
