// "My account" through the API: the password (the current one required; the other sessions end),
// own sessions (listed with the current one marked; one ended; all others ended), the second factor
// (set up, recovery codes renewed, removed; an admin keeps it) and own API tokens (shown once,
// never beyond the person's rights, revoked).
import { generate } from 'otplib'
import t from 'tap'
import { build } from '../helpers/build.js'
import { FETCH, makePerson, PASSWORD, signIn, tokenOf } from '../helpers/people.js'

const NEW_PASSWORD = 'another long passphrase entirely'

t.test('password change: current password required, weak ones refused, the other sessions end', async (t) => {
  const app = await build(t)
  const person = await makePerson(app, [{ role: 'focal_point', country: 'KEN' }])
  const here = await signIn(app, person, 'browser one')
  const there = await signIn(app, person, 'browser two')
  const before = await app.db.selectFrom('persons').select('password_hash').where('id', '=', person.id).executeTakeFirstOrThrow()
  const change = (payload: object, cookie = here) =>
    app.inject({ method: 'PUT', url: '/me/password', headers: FETCH, cookies: { tr_session: cookie }, payload })

  const wrong = await change({ currentPassword: 'not my password at all', newPassword: NEW_PASSWORD })
  t.equal(wrong.statusCode, 422)
  t.match(wrong.json(), { errors: [{ path: '/body/currentPassword' }] })
  t.equal(wrong.headers['content-type'], 'application/problem+json; charset=utf-8')
  const weak = await change({ currentPassword: PASSWORD, newPassword: 'password1234' })
  t.equal(weak.statusCode, 422)
  t.match(weak.json(), { errors: [{ path: '/body/newPassword' }] })
  t.equal((await change({ currentPassword: PASSWORD })).statusCode, 400, 'a missing field is a 400')
  const unchanged = await app.db.selectFrom('persons').select('password_hash').where('id', '=', person.id).executeTakeFirstOrThrow()
  t.equal(unchanged.password_hash, before.password_hash, 'nothing changed on refusal')
  t.equal((await app.inject({ method: 'GET', url: '/me', cookies: { tr_session: there } })).statusCode, 200, 'and no session ended')
  t.equal(
    (await app.inject({ method: 'PUT', url: '/me/password', headers: FETCH, payload: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD } })).statusCode,
    401,
  )

  t.equal((await change({ currentPassword: PASSWORD, newPassword: NEW_PASSWORD })).statusCode, 204)
  t.equal((await app.inject({ method: 'GET', url: '/me', cookies: { tr_session: here } })).statusCode, 200, 'this session goes on')
  t.equal((await app.inject({ method: 'GET', url: '/me', cookies: { tr_session: there } })).statusCode, 401, 'the other one ended')
  const old = await app.inject({ method: 'POST', url: '/session', headers: FETCH, payload: { email: person.email, password: PASSWORD } })
  t.equal(old.statusCode, 401, 'the old password no longer signs in')
  const fresh = await app.inject({ method: 'POST', url: '/session', headers: FETCH, payload: { email: person.email, password: NEW_PASSWORD } })
  t.equal(fresh.statusCode, 200, 'the new one does')
  const events = await app.db.selectFrom('audit_events').select(['action', 'details']).where('subject_person', '=', person.id).orderBy('id').execute()
  t.ok(
    events.some((e) => e.action === 'password_changed' && e.details.sessionsEnded === 1),
    'audited with the number of sessions ended',
  )
  t.ok(
    events.some((e) => e.action === 'sign_in_failed' && e.details.method === 'password change'),
    'the wrong current password counts as a failed sign-in',
  )
})

t.test('own sessions: listed with the current one marked, one ended, all others ended', async (t) => {
  const app = await build(t)
  const person = await makePerson(app, [{ role: 'reviewer' }])
  const other = await makePerson(app, [{ role: 'analyst' }])
  const a = await signIn(app, person, 'Agent A')
  const b = await signIn(app, person, 'Agent B')
  const c = await signIn(app, person, 'Agent C')
  const list = async (cookie: string) => (await app.inject({ method: 'GET', url: `/persons/${person.id}/sessions`, cookies: { tr_session: cookie } })).json()
  const listed = await list(a)
  t.equal(listed.items.length, 3)
  t.same(
    listed.items.filter((s: { current: boolean }) => s.current).map((s: { userAgent: string }) => s.userAgent),
    ['Agent A'],
    'the current session is marked',
  )
  const bId = listed.items.find((s: { userAgent: string }) => s.userAgent === 'Agent B').id
  t.match(bId, /^[0-9a-f-]{36}$/, 'a public id, not the cookie or its hash')

  const otherSession = await signIn(app, other)
  const refused = await app.inject({ method: 'DELETE', url: `/persons/${person.id}/sessions/${bId}`, headers: FETCH, cookies: { tr_session: otherSession } })
  t.equal(refused.statusCode, 403, 'another person cannot end them')
  t.equal((await app.inject({ method: 'GET', url: `/persons/${person.id}/sessions`, cookies: { tr_session: otherSession } })).statusCode, 403, 'nor see them')
  t.equal((await app.inject({ method: 'GET', url: '/me', cookies: { tr_session: b } })).statusCode, 200, 'nothing ended on refusal')

  const ended = await app.inject({ method: 'DELETE', url: `/persons/${person.id}/sessions/${bId}`, headers: FETCH, cookies: { tr_session: a } })
  t.equal(ended.statusCode, 204)
  t.equal((await app.inject({ method: 'GET', url: '/me', cookies: { tr_session: b } })).statusCode, 401, 'that session ended')
  t.equal(
    (await app.inject({ method: 'DELETE', url: `/persons/${person.id}/sessions/${bId}`, headers: FETCH, cookies: { tr_session: a } })).statusCode,
    404,
    'ending it twice is a 404',
  )
  const others = await app.inject({ method: 'DELETE', url: `/persons/${person.id}/sessions?keepCurrent=true`, headers: FETCH, cookies: { tr_session: a } })
  t.same(others.json(), { ended: 1 })
  t.equal((await app.inject({ method: 'GET', url: '/me', cookies: { tr_session: c } })).statusCode, 401, 'the others ended')
  t.equal((await app.inject({ method: 'GET', url: '/me', cookies: { tr_session: a } })).statusCode, 200, 'this one goes on')
  t.same(
    (await list(a)).items.map((s: { userAgent: string }) => s.userAgent),
    ['Agent A'],
  )
  const audited = await app.db
    .selectFrom('audit_events')
    .select('action')
    .where('subject_person', '=', person.id)
    .where('action', '=', 'sessions_ended')
    .execute()
  t.equal(audited.length, 2, 'both ends audited')
})

t.test('second factor: set up, recovery codes renewed, removed; an admin keeps it', async (t) => {
  const app = await build(t)
  const person = await makePerson(app, [{ role: 'contributor', country: 'KEN' }])
  const cookie = await signIn(app, person)
  const call = (method: 'POST' | 'DELETE', url: string, payload?: object) =>
    app.inject({ method, url, headers: FETCH, cookies: { tr_session: cookie }, ...(payload ? { payload } : {}) })
  t.equal((await call('POST', '/me/second-factor/recovery-codes', { code: '123456' })).statusCode, 409, 'no codes to renew without a second factor')
  const started = (await call('POST', '/me/second-factor')).json()
  t.match(started, { secret: /^[A-Z2-7]+$/, uri: /^otpauth:\/\/totp\/.*secret=/ })
  const confirmed = await call('POST', '/me/second-factor/confirm', { code: await generate({ secret: started.secret }) })
  t.equal(confirmed.statusCode, 200, confirmed.body)
  const first: string[] = confirmed.json().recoveryCodes
  t.equal(first.length, 10)

  const wrong = await call('POST', '/me/second-factor/recovery-codes', { code: '000000' })
  t.equal(wrong.statusCode, 422)
  const renewed = await call('POST', '/me/second-factor/recovery-codes', { code: first[0]! })
  t.equal(renewed.statusCode, 200, 'a recovery code proves the factor too')
  t.equal(renewed.headers['cache-control'], 'no-store')
  const second: string[] = renewed.json().recoveryCodes
  t.equal(second.length, 10)
  t.notOk(
    second.some((c) => first.includes(c)),
    'all new',
  )
  t.equal((await call('DELETE', '/me/second-factor', { code: first[1]! })).statusCode, 422, 'the earlier codes no longer work')
  t.equal((await call('DELETE', '/me/second-factor', { code: second[0]! })).statusCode, 204, 'removed with a current code')
  const actions = (await app.db.selectFrom('audit_events').select('action').where('subject_person', '=', person.id).execute()).map((e) => e.action)
  t.ok(actions.includes('second_factor_enabled') && actions.includes('recovery_codes_renewed') && actions.includes('second_factor_disabled'))

  const admin = await makePerson(app, [{ role: 'admin' }], { totp: true })
  const adminCookie = await signIn(app, admin)
  const keep = await app.inject({
    method: 'DELETE',
    url: '/me/second-factor',
    headers: FETCH,
    cookies: { tr_session: adminCookie },
    payload: { code: 'abcde-fghij' },
  })
  t.equal(keep.statusCode, 409, 'an admin must keep a second factor')
  const still = await app.db.selectFrom('persons').select('totp_secret').where('id', '=', admin.id).executeTakeFirstOrThrow()
  t.equal(still.totp_secret, admin.totp, 'and keeps it')
})

t.test('own API tokens: shown once, within the person’s rights, listed, revoked', async (t) => {
  const app = await build(t)
  const person = await makePerson(app, [{ role: 'contributor', country: 'KEN', questionnaire: 'cdc', domains: ['taxation'] }])
  const cookie = await signIn(app, person)
  const expiry = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10)
  const create = (payload: object) => app.inject({ method: 'POST', url: '/me/tokens', headers: FETCH, cookies: { tr_session: cookie }, payload })

  t.equal((await app.inject({ method: 'POST', url: '/me/tokens', headers: FETCH, payload: { label: 'x', expiresAt: expiry } })).statusCode, 401)
  const tooLong = await create({ label: 'script', expiresAt: new Date(Date.now() + 400 * 86_400_000).toISOString().slice(0, 10) })
  t.equal(tooLong.statusCode, 422)
  t.match(tooLong.json(), { errors: [{ path: '/body/expiresAt' }] })
  t.match((await create({ label: 'script', expiresAt: 'tomorrow' })).json(), { status: 422, errors: [{ path: '/body/expiresAt' }] })
  t.equal((await create({ label: 'script' })).statusCode, 400, 'an expiry is required')
  const beyond = await create({ label: 'staff', expiresAt: expiry, role: 'staff' })
  t.equal(beyond.statusCode, 422, 'no staff token for a contributor')
  const otherCountry = await create({ label: 'uganda', expiresAt: expiry, role: 'administration', country: 'UGA' })
  t.equal(otherCountry.statusCode, 422, 'nor one for another country')
  t.equal(
    await app.db
      .selectFrom('tokens')
      .select('id')
      .where('person_id', '=', person.id)
      .execute()
      .then((r) => r.length),
    0,
    'nothing made on refusal',
  )

  const made = await create({ label: 'Upload script', expiresAt: expiry })
  t.equal(made.statusCode, 201, made.body)
  t.equal(made.headers['cache-control'], 'no-store')
  const body = made.json()
  t.match(body, { token: /^tr_/, label: 'Upload script', role: 'administration', country: 'KEN', revokedAt: null })
  const me = await app.inject({ method: 'GET', url: '/me', headers: { authorization: `Bearer ${body.token}` } })
  t.equal(me.statusCode, 200)
  t.match(me.json(), { personId: person.id, memberships: [{ role: 'contributor', domains: ['taxation'] }] }, 'the token carries the contributor’s limits')

  const listed = (await app.inject({ method: 'GET', url: '/me/tokens', cookies: { tr_session: cookie } })).json()
  t.equal(listed.items.length, 1)
  t.notOk('token' in listed.items[0], 'never the value again')

  const stranger = await makePerson(app, [{ role: 'focal_point', country: 'KEN' }])
  const strangerCookie = await signIn(app, stranger)
  const notTheirs = await app.inject({ method: 'DELETE', url: `/me/tokens/${body.id}`, headers: FETCH, cookies: { tr_session: strangerCookie } })
  t.equal(notTheirs.statusCode, 404, 'another person’s token is unknown to me')
  t.equal((await app.inject({ method: 'GET', url: '/me', headers: { authorization: `Bearer ${body.token}` } })).statusCode, 200, 'and still works')

  t.equal((await app.inject({ method: 'DELETE', url: `/me/tokens/${body.id}`, headers: FETCH, cookies: { tr_session: cookie } })).statusCode, 204)
  t.equal((await app.inject({ method: 'GET', url: '/me', headers: { authorization: `Bearer ${body.token}` } })).statusCode, 401, 'revoked at once')
  const actions = (await app.db.selectFrom('audit_events').select('action').where('subject_person', '=', person.id).execute()).map((e) => e.action)
  t.ok(actions.includes('token_created') && actions.includes('token_revoked'), 'both audited')

  // A token may make a token, never with more than its own rights.
  const staffPerson = await makePerson(app, [{ role: 'reviewer' }, { role: 'focal_point', country: 'UGA' }])
  const adminToken = await tokenOf(app, staffPerson.id, 'administration', 'UGA')
  const escalate = await app.inject({
    method: 'POST',
    url: '/me/tokens',
    headers: { authorization: adminToken },
    payload: { label: 'x', expiresAt: expiry, role: 'staff' },
  })
  t.equal(escalate.statusCode, 422, 'an administration token cannot make a staff token')
})

t.test('the chosen language is the person’s own', async (t) => {
  const app = await build(t)
  const person = await makePerson(app, [{ role: 'analyst' }])
  const cookie = await signIn(app, person)
  t.equal(
    (await app.inject({ method: 'PUT', url: '/me/language', headers: FETCH, cookies: { tr_session: cookie }, payload: { language: 'fr' } })).statusCode,
    204,
  )
  t.equal((await app.inject({ method: 'GET', url: '/me', cookies: { tr_session: cookie } })).json().language, 'fr')
  t.equal(
    (await app.inject({ method: 'PUT', url: '/me/language', headers: FETCH, cookies: { tr_session: cookie }, payload: { language: 'de' } })).statusCode,
    400,
  )
})
