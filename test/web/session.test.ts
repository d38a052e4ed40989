// The web session: cookie flags, the cookie standing in for a bearer token, sign-out, CSRF, bad tokens.
import t from 'tap'
import { build } from '../helpers/build.js'
import { testToken } from '../helpers/tokens.js'

const FETCH = { 'x-requested-with': 'fetch' }

function sessionCookie(res: { headers: Record<string, unknown> }): string {
  const raw = res.headers['set-cookie']
  const all = Array.isArray(raw) ? raw : [String(raw)]
  const line = all.find((c: string) => c.startsWith('tr_session='))
  if (!line) throw new Error('no session cookie was set')
  return line
}

t.test('sign in sets an HttpOnly, SameSite=Strict, Path=/ signed cookie that works as the token', async (t) => {
  const app = await build(t)
  const { token } = await testToken(app, 'administration', 'KEN')
  const res = await app.inject({ method: 'POST', url: '/session', headers: FETCH, payload: { token } })
  t.equal(res.statusCode, 200)
  t.match(res.json(), { role: 'administration', country: 'KEN' })
  const line = sessionCookie(res)
  t.match(line, /HttpOnly/i)
  t.match(line, /SameSite=Strict/i)
  t.match(line, /Path=\//)
  t.match(line, /Max-Age=\d+/)
  t.notMatch(line, /Secure/i, 'not Secure over plain http')
  const value = line.split(';')[0]!.slice('tr_session='.length)
  t.not(decodeURIComponent(value), token, 'the cookie is signed, not the bare token')
  t.ok(decodeURIComponent(value).startsWith(token + '.'), 'the value is the token with its signature')

  const me = await app.inject({ method: 'GET', url: '/me', cookies: { tr_session: decodeURIComponent(value) } })
  t.equal(me.statusCode, 200)
  t.match(me.json(), { role: 'administration', country: 'KEN' })

  const tampered = await app.inject({ method: 'GET', url: '/me', cookies: { tr_session: `${token}.bad` } })
  t.equal(tampered.statusCode, 401, 'a cookie with a wrong signature is ignored')
  const forged = await app.inject({ method: 'GET', url: '/me', cookies: { tr_session: token } })
  t.equal(forged.statusCode, 401, 'an unsigned cookie is ignored')
})

t.test('Secure over https (behind a trusted proxy)', async (t) => {
  const app = await build(t, { trustProxy: true })
  const { token } = await testToken(app, 'staff')
  const res = await app.inject({
    method: 'POST',
    url: '/session',
    headers: { ...FETCH, 'x-forwarded-proto': 'https' },
    payload: { token },
  })
  t.equal(res.statusCode, 200)
  t.match(sessionCookie(res), /; Secure/i)
})

t.test('sign out clears the cookie', async (t) => {
  const app = await build(t)
  const { token } = await testToken(app, 'staff')
  const signIn = await app.inject({ method: 'POST', url: '/session', headers: FETCH, payload: { token } })
  const value = decodeURIComponent(sessionCookie(signIn).split(';')[0]!.slice('tr_session='.length))
  const out = await app.inject({ method: 'DELETE', url: '/session', headers: FETCH, cookies: { tr_session: value } })
  t.equal(out.statusCode, 204)
  const line = sessionCookie(out)
  t.match(line, /^tr_session=;/)
  t.match(line, /Expires=Thu, 01 Jan 1970/)
})

t.test('invalid token → 401 problem, no cookie; a revoked token ends the session', async (t) => {
  const app = await build(t)
  const bad = await app.inject({ method: 'POST', url: '/session', headers: FETCH, payload: { token: 'tr_nope' } })
  t.equal(bad.statusCode, 401)
  t.match(bad.headers['content-type'], /application\/problem\+json/)
  t.match(bad.json(), { status: 401, code: 'unauthorized' })
  t.notOk(String(bad.headers['set-cookie'] ?? '').match(/tr_session=[^;]/), 'no session cookie is set')

  const empty = await app.inject({ method: 'POST', url: '/session', headers: FETCH, payload: { token: '' } })
  t.equal(empty.statusCode, 400)

  const { token, principal } = await testToken(app, 'staff')
  const signIn = await app.inject({ method: 'POST', url: '/session', headers: FETCH, payload: { token } })
  const value = decodeURIComponent(sessionCookie(signIn).split(';')[0]!.slice('tr_session='.length))
  await app.db.updateTable('tokens').set({ revoked_at: new Date() }).where('id', '=', principal.tokenId).execute()
  const me = await app.inject({ method: 'GET', url: '/me', cookies: { tr_session: value } })
  t.equal(me.statusCode, 401, 'revoking the token ends its browser sessions')
})

t.test('CSRF: cookie-authenticated unsafe requests need X-Requested-With or a same-origin Origin', async (t) => {
  const app = await build(t)
  const { token } = await testToken(app, 'administration', 'KEN')
  const signIn = await app.inject({ method: 'POST', url: '/session', headers: FETCH, payload: { token } })
  const cookies = { tr_session: decodeURIComponent(sessionCookie(signIn).split(';')[0]!.slice('tr_session='.length)) }
  const body = { questionnaire: 'cdc', country: 'KEN', cycle: 2030 }

  const bare = await app.inject({ method: 'POST', url: '/assessments', cookies, payload: body })
  t.equal(bare.statusCode, 403)
  t.match(bare.json(), { code: 'csrf' })

  const crossSite = await app.inject({ method: 'POST', url: '/assessments', cookies, headers: { origin: 'https://evil.example' }, payload: body })
  t.equal(crossSite.statusCode, 403, 'a foreign Origin is refused')

  const sameOrigin = await app.inject({ method: 'POST', url: '/assessments', cookies, headers: { origin: 'http://localhost:80' }, payload: body })
  t.equal(sameOrigin.statusCode, 201, 'a same-origin Origin is accepted')

  const withHeader = await app.inject({ method: 'POST', url: '/assessments', cookies, headers: FETCH, payload: { ...body, cycle: 2031 } })
  t.equal(withHeader.statusCode, 201, 'X-Requested-With: fetch is accepted')

  const read = await app.inject({ method: 'GET', url: '/assessments', cookies })
  t.equal(read.statusCode, 200, 'safe methods need no header')

  const signInNoHeader = await app.inject({ method: 'POST', url: '/session', payload: { token } })
  t.equal(signInNoHeader.statusCode, 403, 'sign-in itself needs the header (login CSRF)')
  const trailingSlash = await app.inject({ method: 'POST', url: '/session/', payload: { token } })
  t.equal(trailingSlash.statusCode, 403, 'also with a trailing slash')

  const bearer = await app.inject({
    method: 'POST',
    url: '/assessments',
    headers: { authorization: `Bearer ${token}` },
    cookies,
    payload: { ...body, cycle: 2032 },
  })
  t.equal(bearer.statusCode, 201, 'bearer requests are not subject to the check')
})

t.test('the pages are served under /app/ with the CSP', async (t) => {
  const app = await build(t)
  const root = await app.inject({ method: 'GET', url: '/' })
  t.equal(root.statusCode, 302)
  t.equal(root.headers.location, '/app/index.html')
  t.equal((await app.inject({ method: 'GET', url: '/app/' })).headers.location, '/app/index.html')
  const page = await app.inject({ method: 'GET', url: '/app/index.html' })
  t.equal(page.statusCode, 200)
  t.match(page.headers['content-type'], /text\/html/)
  t.match(page.headers['content-security-policy'], /script-src 'self'/)
})
