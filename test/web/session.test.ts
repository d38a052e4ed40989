// The web session: a row in PostgreSQL per sign-in (password or token), the cookie holding only its
// random key; sign-out and disabling end it everywhere; CSRF; failed sign-ins limited in the database.
import { sql } from 'kysely'
import t from 'tap'
import { hashPassword } from '../../src/people/passwords.js'
import { hashSecret } from '../../src/people/secrets.js'
import { build } from '../helpers/build.js'
import { ensureOpenCampaign } from '../helpers/assessments.js'
import { testToken } from '../helpers/tokens.js'

const FETCH = { 'x-requested-with': 'fetch' }
const PASSWORD = 'correct horse battery staple'

function sessionCookie(res: { headers: Record<string, unknown> }, name = 'tr_session'): string {
  const raw = res.headers['set-cookie']
  const all = Array.isArray(raw) ? raw : [String(raw)]
  const line = all.find((c: string) => c.startsWith(`${name}=`))
  if (!line) throw new Error('no session cookie was set')
  return line
}
const cookieValue = (line: string) => decodeURIComponent(line.split(';')[0]!.split('=').slice(1).join('='))

/** A person with a password and a focal point membership. */
async function person(app: Awaited<ReturnType<typeof build>>, email: string, country = 'KEN') {
  const row = await app.db
    .insertInto('persons')
    .values({ name: `Focal point ${country}`, email, status: 'active', password_hash: await hashPassword(PASSWORD) })
    .returning('id')
    .executeTakeFirstOrThrow()
  await app.db.insertInto('memberships').values({ person_id: row.id, role: 'focal_point', country, questionnaire: null, domains: null }).execute()
  return row.id
}

t.test('password sign-in: a server-side session whose cookie holds only a random key', async (t) => {
  const app = await build(t)
  const id = await person(app, 'Focal.Point@Example.org')
  const res = await app.inject({ method: 'POST', url: '/session', headers: FETCH, payload: { email: 'focal.point@example.org', password: PASSWORD } })
  t.equal(res.statusCode, 200, res.body)
  t.match(res.json(), { name: 'Focal point KEN', role: 'administration', country: 'KEN' })
  const line = sessionCookie(res)
  t.match(line, /HttpOnly/i)
  t.match(line, /SameSite=Strict/i)
  t.match(line, /Path=\//)
  t.notMatch(line, /Secure/i, 'not Secure over plain http')
  const key = cookieValue(line)
  t.match(key, /^[A-Za-z0-9_-]{43}$/, '32 random bytes')
  const stored = await app.db.selectFrom('sessions').select(['id', 'person_id']).execute()
  t.same(
    stored.map((s) => s.person_id),
    [id],
    'one session row for the person',
  )
  t.same(stored[0]!.id, hashSecret(key), 'the database keeps only the SHA-256 of the key')
  const me = await app.inject({ method: 'GET', url: '/me', cookies: { tr_session: key } })
  t.equal(me.statusCode, 200)
  t.match(me.json(), { personId: id, tokenId: null, memberships: [{ role: 'focal_point', country: 'KEN' }] })

  const wrong = await app.inject({
    method: 'POST',
    url: '/session',
    headers: FETCH,
    payload: { email: 'focal.point@example.org', password: 'not the password at all' },
  })
  const unknown = await app.inject({ method: 'POST', url: '/session', headers: FETCH, payload: { email: 'nobody@example.org', password: PASSWORD } })
  t.equal(wrong.statusCode, 401)
  t.same(unknown.json().detail, wrong.json().detail, 'an unknown e-mail and a wrong password get the same answer')
})

t.test('sign-out deletes the session: the old cookie is refused afterwards', async (t) => {
  const app = await build(t)
  const { token } = await testToken(app, 'staff')
  const signIn = await app.inject({ method: 'POST', url: '/session', headers: FETCH, payload: { token } })
  const key = cookieValue(sessionCookie(signIn))
  t.not(key, token, 'the cookie is not the token')
  t.equal((await app.inject({ method: 'GET', url: '/me', cookies: { tr_session: key } })).statusCode, 200)
  const out = await app.inject({ method: 'DELETE', url: '/session', headers: FETCH, cookies: { tr_session: key } })
  t.equal(out.statusCode, 204)
  t.match(sessionCookie(out), /Expires=Thu, 01 Jan 1970/)
  const replay = await app.inject({ method: 'GET', url: '/me', cookies: { tr_session: key } })
  t.equal(replay.statusCode, 401, 'replaying the cookie after sign-out is refused')
})

t.test('two processes on one database behave as one', async (t) => {
  const one = await build(t)
  const two = await build(t)
  await person(one, 'two@example.org', 'BRA')
  const signIn = await one.inject({ method: 'POST', url: '/session', headers: FETCH, payload: { email: 'two@example.org', password: PASSWORD } })
  const key = cookieValue(sessionCookie(signIn))
  t.equal((await two.inject({ method: 'GET', url: '/me', cookies: { tr_session: key } })).statusCode, 200, 'a session made on one works on the other')
  await two.inject({ method: 'DELETE', url: '/session', headers: FETCH, cookies: { tr_session: key } })
  t.equal((await one.inject({ method: 'GET', url: '/me', cookies: { tr_session: key } })).statusCode, 401, 'sign-out on one ends it on both')
})

t.test('idle timeout, absolute lifetime, disabled persons, revoked tokens', async (t) => {
  const app = await build(t)
  const id = await person(app, 'idle@example.org')
  const signIn = async () =>
    cookieValue(
      sessionCookie(await app.inject({ method: 'POST', url: '/session', headers: FETCH, payload: { email: 'idle@example.org', password: PASSWORD } })),
    )
  const me = (key: string) => app.inject({ method: 'GET', url: '/me', cookies: { tr_session: key } })

  const idle = await signIn()
  await app.db.updateTable('sessions').set({ last_seen_at: sql<Date>`now() - interval '31 minutes'` }).where('id', '=', hashSecret(idle)).execute()
  t.equal((await me(idle)).statusCode, 401, 'idle for more than 30 minutes: ended')
  const old = await signIn()
  await app.db.updateTable('sessions').set({ expires_at: sql<Date>`now() - interval '1 second'` }).where('id', '=', hashSecret(old)).execute()
  t.equal((await me(old)).statusCode, 401, 'past its absolute lifetime: ended')

  const live = await signIn()
  t.equal((await me(live)).statusCode, 200)
  await app.db.updateTable('persons').set({ status: 'disabled' }).where('id', '=', id).execute()
  t.equal((await me(live)).statusCode, 401, "a disabled person's old cookie is refused")

  const { token, principal } = await testToken(app, 'staff')
  const viaToken = cookieValue(sessionCookie(await app.inject({ method: 'POST', url: '/session', headers: FETCH, payload: { token } })))
  await app.db.updateTable('tokens').set({ revoked_at: new Date() }).where('id', '=', principal.tokenId!).execute()
  t.equal((await me(viaToken)).statusCode, 401, 'revoking the token ends the sessions opened with it')
})

t.test('failed sign-ins: per address, and per account from any address, with a mail', async (t) => {
  const app = await build(t, { authRateLimit: 3 })
  await person(app, 'target@example.org')
  const attempt = (remoteAddress: string, password: string) =>
    app.inject({ method: 'POST', url: '/session', remoteAddress, headers: FETCH, payload: { email: 'target@example.org', password } })
  for (let i = 0; i < 3; i++) t.equal((await attempt('10.1.0.1', `wrong guess number ${i}`)).statusCode, 401)
  const blocked = await attempt('10.1.0.1', PASSWORD)
  t.equal(blocked.statusCode, 429, 'the address is blocked, even with the right password')
  t.ok(Number(blocked.headers['retry-after']) >= 1)
  t.equal((await attempt('10.1.0.2', PASSWORD)).statusCode, 200, 'the right password from another address still works')

  // The account's own limit (5 × 3 in 15 minutes), reached from many addresses.
  for (let i = 0; i < 15; i++) await attempt(`10.2.0.${i}`, `wrong guess number ${i}`)
  t.equal((await attempt('10.3.0.1', PASSWORD)).statusCode, 429, 'past the account limit: paused from every address')
})

t.test('CSRF: cookie-authenticated unsafe requests need X-Requested-With or a same-origin Origin', async (t) => {
  const app = await build(t)
  const { token } = await testToken(app, 'administration', 'KEN')
  const signIn = await app.inject({ method: 'POST', url: '/session', headers: FETCH, payload: { token } })
  const cookies = { tr_session: cookieValue(sessionCookie(signIn)) }
  const body = { questionnaire: 'cdc', country: 'KEN', cycle: 2030 }
  for (const cycle of [2030, 2031, 2032]) await ensureOpenCampaign(app, { ...body, cycle })

  const bare = await app.inject({ method: 'POST', url: '/assessments', cookies, payload: body })
  t.equal(bare.statusCode, 403)
  t.match(bare.json(), { code: 'csrf' })
  const crossSite = await app.inject({ method: 'POST', url: '/assessments', cookies, headers: { origin: 'https://evil.example' }, payload: body })
  t.equal(crossSite.statusCode, 403, 'a foreign Origin is refused')
  const sameOrigin = await app.inject({ method: 'POST', url: '/assessments', cookies, headers: { origin: 'http://localhost:80' }, payload: body })
  t.equal(sameOrigin.statusCode, 201, 'a same-origin Origin is accepted')
  const withHeader = await app.inject({ method: 'POST', url: '/assessments', cookies, headers: FETCH, payload: { ...body, cycle: 2031 } })
  t.equal(withHeader.statusCode, 201, 'X-Requested-With: fetch is accepted')
  t.equal((await app.inject({ method: 'GET', url: '/assessments', cookies })).statusCode, 200, 'safe methods need no header')

  t.equal((await app.inject({ method: 'POST', url: '/session', payload: { token } })).statusCode, 403, 'sign-in itself needs the header (login CSRF)')
  t.equal((await app.inject({ method: 'POST', url: '/session/', payload: { token } })).statusCode, 403, 'also with a trailing slash')
  const encoded = await app.inject({ method: 'POST', url: '/%73ession', payload: { token } })
  t.equal(encoded.statusCode, 403, 'and on an encoded path that routes to /session')
  t.notOk(encoded.headers['set-cookie'], 'which sets no cookie')

  const bearer = await app.inject({
    method: 'POST',
    url: '/assessments',
    headers: { authorization: `Bearer ${token}` },
    cookies,
    payload: { ...body, cycle: 2032 },
  })
  t.equal(bearer.statusCode, 201, 'bearer requests are not subject to the check')
})

t.test('over https (a trusted proxy): Secure, and the __Host- prefix', async (t) => {
  const app = await build(t, { trustProxy: 'loopback' })
  const { token } = await testToken(app, 'staff')
  const res = await app.inject({ method: 'POST', url: '/session', headers: { ...FETCH, 'x-forwarded-proto': 'https' }, payload: { token } })
  t.equal(res.statusCode, 200)
  const line = sessionCookie(res, '__Host-tr_session')
  t.match(line, /; Secure/i)
  t.notMatch(line, /Domain=/i)
})

t.test('the pages are served under /app/ with the CSP', async (t) => {
  const app = await build(t)
  const root = await app.inject({ method: 'GET', url: '/' })
  t.equal(root.statusCode, 302)
  t.equal(root.headers.location, '/app/index.html')
  const arabic = await app.inject({ method: 'GET', url: '/app/?lang=ar' })
  t.equal(arabic.headers.location, '/app/index.html?lang=ar', 'a link with a language keeps it through the redirect')
  const page = await app.inject({ method: 'GET', url: '/app/index.html' })
  t.equal(page.statusCode, 200)
  t.match(page.headers['content-security-policy'], /script-src 'self'/)
})
