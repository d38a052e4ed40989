import { sql } from 'kysely'
import t from 'tap'
import { build } from '../helpers/build.js'
import { testToken, tokenFor } from '../helpers/tokens.js'

const app = await build(t)
const admin = await tokenFor(app, 'admin')

const WWW = /^Bearer realm="treaty-readiness"/

function problemOf(res: { statusCode: number; headers: Record<string, unknown>; json(): unknown }) {
  return { status: res.statusCode, type: String(res.headers['content-type']), body: res.json() }
}

t.test('an admin creates, lists and revokes tokens', async (t) => {
  const res = await app.inject({
    method: 'POST',
    url: '/tokens',
    headers: { authorization: admin },
    payload: { role: 'administration', country: 'ken', label: 'Ministry of ICT', expiresAt: '2099-12-31' },
  })
  t.equal(res.statusCode, 201, res.body)
  t.equal(res.headers['cache-control'], 'no-store')
  const created = res.json()
  t.match(created, {
    token: /^tr_[A-Za-z0-9_-]{43}$/,
    id: /^[0-9a-f-]{36}$/,
    role: 'administration',
    country: 'KEN',
    label: 'Ministry of ICT',
    createdAt: /^\d{4}-/,
    expiresAt: '2100-01-01T00:00:00.000Z',
  })
  t.equal(created.prefix, created.token.slice(0, 7))

  const me = await app.inject({ method: 'GET', url: '/me', headers: { authorization: `Bearer ${created.token}` } })
  t.equal(me.statusCode, 200)
  t.match(me.json(), {
    tokenId: created.id,
    role: 'administration',
    country: 'KEN',
    label: 'Ministry of ICT',
    name: 'Ministry of ICT',
    memberships: [{ role: 'focal_point', country: 'KEN' }],
  })

  const list = await app.inject({ method: 'GET', url: '/tokens', headers: { authorization: admin } })
  t.equal(list.statusCode, 200)
  const rows = list.json() as Array<Record<string, unknown>>
  const listed = rows.find((r) => r.id === created.id)
  t.match(listed, { prefix: created.prefix, role: 'administration', country: 'KEN', revokedAt: null, expiresAt: '2100-01-01T00:00:00.000Z' })
  t.ok(listed?.createdBy, 'created by the admin token')
  t.notOk(list.body.includes(created.token), 'the list holds no token values')
  t.notOk(list.body.includes(created.token.slice(7, 20)), 'nor pieces of them')
  for (const row of rows) {
    t.notOk('hash' in row, 'no hash')
    t.notOk('token' in row, 'no token')
  }

  const del = await app.inject({ method: 'DELETE', url: `/tokens/${created.id}`, headers: { authorization: admin } })
  t.equal(del.statusCode, 204)
  t.equal(del.body, '')
  const after = await app.inject({ method: 'GET', url: '/me', headers: { authorization: `Bearer ${created.token}` } })
  t.equal(after.statusCode, 401)
  t.match(after.json(), { code: 'unauthorized', detail: /revoked/ })
  t.match(after.headers['www-authenticate'], /error="invalid_token"/)

  const again = await app.inject({ method: 'DELETE', url: `/tokens/${created.id}`, headers: { authorization: admin } })
  t.equal(again.statusCode, 204, 'revoking twice is harmless')
  const unknown = await app.inject({
    method: 'DELETE',
    url: '/tokens/00000000-0000-4000-8000-000000000000',
    headers: { authorization: admin },
  })
  t.equal(unknown.statusCode, 404)
  t.match(unknown.json(), { code: 'not_found' })
  const notUuid = await app.inject({ method: 'DELETE', url: '/tokens/nope', headers: { authorization: admin } })
  t.equal(notUuid.statusCode, 400)
  t.match(notUuid.json(), { errors: [{ path: '/params/id' }] })
})

t.test('staff and admin tokens: no country', async (t) => {
  const res = await app.inject({
    method: 'POST',
    url: '/tokens',
    headers: { authorization: admin },
    payload: { role: 'staff', label: 'ITU-D analyst' },
  })
  t.equal(res.statusCode, 201)
  t.match(res.json(), { role: 'staff', country: null, expiresAt: null })
})

t.test('staff and administration tokens get 403 on /tokens', async (t) => {
  for (const role of ['staff', 'administration'] as const) {
    const auth = await tokenFor(app, role)
    for (const [method, url] of [
      ['GET', '/tokens'],
      ['POST', '/tokens'],
      ['DELETE', '/tokens/00000000-0000-4000-8000-000000000000'],
    ] as const) {
      const res = await app.inject({ method, url, headers: { authorization: auth }, ...(method === 'POST' ? { payload: {} } : {}) })
      t.equal(res.statusCode, 403, `${role} ${method} ${url}`)
      t.match(problemOf(res), { type: /^application\/problem\+json/, body: { code: 'forbidden', detail: /admin role/ } })
    }
  }
})

t.test('no, garbage, unknown, revoked and expired tokens: 401 with WWW-Authenticate', async (t) => {
  const none = await app.inject({ method: 'GET', url: '/me' })
  t.equal(none.statusCode, 401)
  t.match(none.headers['www-authenticate'], WWW)
  t.notMatch(none.headers['www-authenticate'], /error=/)
  t.match(problemOf(none), { type: /^application\/problem\+json/, body: { status: 401, code: 'unauthorized' } })

  const noneOnTokens = await app.inject({ method: 'POST', url: '/tokens', payload: { role: 'nonsense' } })
  t.equal(noneOnTokens.statusCode, 401, 'authentication comes before body validation')

  const cases: Array<[string, string, RegExp]> = [
    ['garbage', 'Bearer garbage', /not valid/],
    ['unknown', `Bearer tr_${'A'.repeat(43)}`, /not valid/],
    ['basic scheme', 'Basic dXNlcjpwYXNz', /must be "Bearer <token>"/],
    ['empty bearer', 'Bearer ', /must be "Bearer <token>"/],
  ]
  for (const [name, header, detail] of cases) {
    const res = await app.inject({ method: 'GET', url: '/me', headers: { authorization: header } })
    t.equal(res.statusCode, 401, name)
    t.match(res.headers['www-authenticate'], WWW, name)
    t.match(res.json(), { code: 'unauthorized', detail }, name)
  }

  const expired = await testToken(app, 'staff')
  await app.db.updateTable('tokens').set({ expires_at: sql`now() - interval '1 minute'` }).where('id', '=', expired.principal.tokenId).execute()
  const res = await app.inject({ method: 'GET', url: '/tokens', headers: { authorization: expired.authorization } })
  t.equal(res.statusCode, 401)
  t.match(res.json(), { detail: /expired/ })
  t.match(res.headers['www-authenticate'], /error="invalid_token"/)

  const lower = await testToken(app, 'admin')
  const ok = await app.inject({ method: 'GET', url: '/tokens', headers: { authorization: `bearer ${lower.token}` } })
  t.equal(ok.statusCode, 200, 'the scheme is case-insensitive')
})

t.test('public routes ignore the absence of a token', async (t) => {
  const res = await app.inject({ method: 'GET', url: '/healthz' })
  t.equal(res.statusCode, 200)
})

t.test('/me for each role', async (t) => {
  const staff = await testToken(app, 'staff')
  const res = await app.inject({ method: 'GET', url: '/me', headers: { authorization: staff.authorization } })
  t.same(res.json(), { ...staff.principal, email: null, secondFactor: false }, 'the principal, with the person’s e-mail and whether it has a second factor')
  const gov = await testToken(app, 'administration', 'BRA')
  const res2 = await app.inject({ method: 'GET', url: '/me', headers: { authorization: gov.authorization } })
  t.match(res2.json(), {
    tokenId: gov.principal.tokenId,
    role: 'administration',
    country: 'BRA',
    label: 'test administration BRA',
    personId: gov.principal.personId,
  })
})

t.test('bad bodies: 400 problems naming the field', async (t) => {
  const post = (payload: unknown) => app.inject({ method: 'POST', url: '/tokens', headers: { authorization: admin }, payload: payload as object })
  const cases: Array<[string, unknown, string]> = [
    ['missing role', { label: 'x' }, '/body/role'],
    ['bad role', { role: 'root', label: 'x' }, '/body/role'],
    ['missing label', { role: 'staff' }, '/body/label'],
    ['blank label', { role: 'staff', label: '   ' }, '/body/label'],
    ['administration without country', { role: 'administration', label: 'x' }, '/body/country'],
    ['staff with country', { role: 'staff', country: 'KEN', label: 'x' }, '/body/country'],
    ['malformed country', { role: 'administration', country: 'KE', label: 'x' }, '/body/country'],
    ['past expiry', { role: 'staff', label: 'x', expiresAt: '2001-01-01' }, '/body/expiresAt'],
    ['garbage expiry', { role: 'staff', label: 'x', expiresAt: 'soon' }, '/body/expiresAt'],
    ['unknown field', { role: 'staff', label: 'x', expires: '2030-01-01' }, '/body'],
  ]
  for (const [name, payload, path] of cases) {
    const res = await post(payload)
    t.equal(res.statusCode, 400, name)
    const body = res.json()
    t.match(body, { code: 'validation_failed', status: 400 }, name)
    t.ok(
      (body.errors as Array<{ path: string }>).some((e) => e.path === path),
      `${name}: names ${path} (${JSON.stringify(body.errors)})`,
    )
  }
})

t.test('an unknown country: 422 naming country', async (t) => {
  const res = await app.inject({
    method: 'POST',
    url: '/tokens',
    headers: { authorization: admin },
    payload: { role: 'administration', country: 'XYZ', label: 'Nowhere' },
  })
  t.equal(res.statusCode, 422)
  t.match(res.json(), { code: 'unprocessable', detail: /unknown country "XYZ"/, errors: [{ path: '/body/country' }] })
})

t.test('the OpenAPI document describes the token routes', async (t) => {
  const res = await app.inject({ method: 'GET', url: '/openapi.json' })
  t.equal(res.statusCode, 200)
  const doc = res.json()
  t.ok(doc.paths['/tokens']?.post, 'POST /tokens')
  t.ok(doc.paths['/tokens']?.get, 'GET /tokens')
  t.ok(doc.paths['/tokens/{id}']?.delete, 'DELETE /tokens/{id}')
  t.ok(doc.paths['/me']?.get, 'GET /me')
  t.same(doc.paths['/tokens'].post.tags, ['tokens'])
})
