// Single sign-on through a real OpenID provider on loopback (oidc-provider): authorization code
// flow with PKCE; the first sign-in is matched to an invited e-mail and binds the subject; a
// stranger, an unverified e-mail and a replayed callback get no session.
import t from 'tap'
import { build } from '../helpers/build.js'
import { oidcProvider } from '../helpers/oidc.js'
import { tokenFor } from '../helpers/tokens.js'

const PUBLIC = 'http://readiness.test'
const provider = await oidcProvider(t, {
  redirectUri: `${PUBLIC}/auth/oidc/callback`,
  accounts: {
    'staff-123': { email: 'Analyst@ITU.example', email_verified: true },
    'stranger-9': { email: 'stranger@example.org', email_verified: true },
    'unverified-1': { email: 'unverified@itu.example', email_verified: false },
  },
})
const app = await build(t, { publicUrl: PUBLIC, oidc: { issuer: provider.issuer, clientId: provider.clientId, clientSecret: provider.clientSecret } })
const admin = await tokenFor(app, 'admin')

/** The whole round trip: login → provider (login, consent) → callback. The callback's response. */
async function singleSignOn(subject: string) {
  const start = await app.inject({ method: 'GET', url: '/auth/oidc/login' })
  t.equal(start.statusCode, 302)
  const authorize = new URL(String(start.headers.location))
  t.equal(authorize.searchParams.get('code_challenge_method'), 'S256', 'with PKCE')
  const back = await provider.signIn(authorize.href, subject)
  t.equal(back.origin + back.pathname, `${PUBLIC}/auth/oidc/callback`)
  const callback = await app.inject({ method: 'GET', url: back.pathname + back.search })
  return { callback, path: back.pathname + back.search }
}

const cookieOf = (res: { headers: Record<string, unknown> }) => {
  const raw = res.headers['set-cookie']
  const line = (Array.isArray(raw) ? raw : raw ? [String(raw)] : []).find((c: string) => c.startsWith('tr_session='))
  return line ? { tr_session: decodeURIComponent(line.split(';')[0]!.slice('tr_session='.length)) } : undefined
}

t.test('the first sign-in matches the invited e-mail and binds the subject', async (t) => {
  const invited = await app.inject({
    method: 'POST',
    url: '/persons',
    headers: { authorization: admin },
    payload: { name: 'Ana Lyst', email: 'analyst@itu.example', memberships: [{ role: 'analyst' }] },
  })
  t.equal(invited.statusCode, 201)
  const { callback, path } = await singleSignOn('staff-123')
  t.equal(callback.statusCode, 302)
  t.equal(callback.headers.location, '/app/', 'to the pages')
  const cookies = cookieOf(callback)
  t.ok(cookies, 'a session is opened')
  const me = await app.inject({ method: 'GET', url: '/me', cookies: cookies! })
  t.match(me.json(), { name: 'Ana Lyst', role: 'staff', memberships: [{ role: 'analyst' }] })
  const person = await app.db.selectFrom('persons').select(['status', 'oidc_subject']).where('id', '=', invited.json().person.id).executeTakeFirstOrThrow()
  t.same(person, { status: 'active', oidc_subject: 'staff-123' }, 'the invitation is accepted and the subject bound')
  const replay = await app.inject({ method: 'GET', url: path })
  t.equal(replay.headers.location, '/app/index.html?signin=oidc_expired', 'a callback works once')
  t.notOk(cookieOf(replay))

  const again = await singleSignOn('staff-123')
  t.ok(cookieOf(again.callback), 'later sign-ins find the person by subject')
})

t.test('nobody invited, or an unverified e-mail: no session, no person made', async (t) => {
  const before = await app.db
    .selectFrom('persons')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow()
  const stranger = await singleSignOn('stranger-9')
  t.equal(stranger.callback.headers.location, '/app/index.html?signin=oidc_not_invited')
  t.notOk(cookieOf(stranger.callback))
  await app.inject({
    method: 'POST',
    url: '/persons',
    headers: { authorization: admin },
    payload: { name: 'Unverified', email: 'unverified@itu.example', memberships: [{ role: 'reviewer' }] },
  })
  const unverified = await singleSignOn('unverified-1')
  t.equal(unverified.callback.headers.location, '/app/index.html?signin=oidc_not_invited', 'an unverified e-mail matches nobody')
  const after = await app.db
    .selectFrom('persons')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow()
  t.equal(Number(after.n), Number(before.n) + 1, 'only the invited person was added (by the admin), none by sign-on')
})
