// The admin's and the focal point's routes, tried by each of the five roles, by an anonymous caller
// and by a focal point of another country: who may list, invite, withdraw, change and end what, and
// that a refusal changes nothing. Also: disabling a person ends all their sessions and tokens at once.
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { build } from '../helpers/build.js'
import { FETCH, makePerson, signIn, tokenOf } from '../helpers/people.js'

type Caller = 'admin' | 'focal_point' | 'contributor' | 'reviewer' | 'analyst' | 'anonymous' | 'other_focal_point'
const CALLERS: Caller[] = ['admin', 'focal_point', 'contributor', 'reviewer', 'analyst', 'anonymous', 'other_focal_point']

async function world(app: FastifyInstance) {
  const admin = await makePerson(app, [{ role: 'admin' }], { name: 'Ada Admin', totp: true })
  const focal = await makePerson(app, [{ role: 'focal_point', country: 'KEN' }], { name: 'Kenya Focal' })
  const contributor = await makePerson(app, [{ role: 'contributor', country: 'KEN', questionnaire: 'cdc', domains: ['taxation'] }], { name: 'Kenya Tax' })
  const reviewer = await makePerson(app, [{ role: 'reviewer' }], { name: 'Rita Reviewer' })
  const analyst = await makePerson(app, [{ role: 'analyst' }], { name: 'Andy Analyst' })
  const other = await makePerson(app, [{ role: 'focal_point', country: 'UGA' }], { name: 'Uganda Focal' })
  const auth: Record<Caller, Record<string, string>> = {
    admin: { authorization: await tokenOf(app, admin.id, 'admin') },
    focal_point: { authorization: await tokenOf(app, focal.id, 'administration', 'KEN') },
    contributor: { authorization: await tokenOf(app, contributor.id, 'administration', 'KEN') },
    reviewer: { authorization: await tokenOf(app, reviewer.id, 'staff') },
    analyst: { authorization: await tokenOf(app, analyst.id, 'staff') },
    anonymous: FETCH,
    other_focal_point: { authorization: await tokenOf(app, other.id, 'administration', 'UGA') },
  }
  return { admin, focal, contributor, reviewer, analyst, other, auth }
}

/** Everything a refused write could have changed. */
async function snapshot(app: FastifyInstance) {
  const [persons, memberships, invitations, sessions, tokens] = await Promise.all([
    app.db.selectFrom('persons').select(['id', 'status', 'name']).orderBy('id').execute(),
    app.db.selectFrom('memberships').select(['id', 'role', 'country', 'domains']).orderBy('id').execute(),
    app.db.selectFrom('invitations').select(['id', 'revoked_at']).orderBy('id').execute(),
    app.db.selectFrom('sessions').select(['public_id']).orderBy('public_id').execute(),
    app.db.selectFrom('tokens').select(['id', 'revoked_at']).orderBy('id').execute(),
  ])
  return { persons, memberships, invitations, sessions, tokens }
}

t.test('who may read what: persons, invitations, tokens, audit', async (t) => {
  const app = await build(t)
  const w = await world(app)
  const expected: Record<string, Record<Caller, number>> = {
    '/persons': { admin: 200, focal_point: 200, contributor: 403, reviewer: 403, analyst: 403, anonymous: 401, other_focal_point: 200 },
    '/persons?country=KEN': { admin: 200, focal_point: 200, contributor: 403, reviewer: 403, analyst: 403, anonymous: 401, other_focal_point: 403 },
    '/invitations': { admin: 200, focal_point: 200, contributor: 403, reviewer: 403, analyst: 403, anonymous: 401, other_focal_point: 200 },
    '/tokens': { admin: 200, focal_point: 403, contributor: 403, reviewer: 403, analyst: 403, anonymous: 401, other_focal_point: 403 },
    '/audit': { admin: 200, focal_point: 403, contributor: 403, reviewer: 403, analyst: 403, anonymous: 401, other_focal_point: 403 },
    [`/persons/${w.contributor.id}/sessions`]: {
      admin: 200,
      focal_point: 403,
      contributor: 200,
      reviewer: 403,
      analyst: 403,
      anonymous: 401,
      other_focal_point: 403,
    },
  }
  for (const [url, byCaller] of Object.entries(expected)) {
    for (const caller of CALLERS) {
      const res = await app.inject({ method: 'GET', url, headers: w.auth[caller] })
      t.equal(res.statusCode, byCaller[caller], `${caller} GET ${url}`)
      if (res.statusCode >= 400) t.match(res.headers['content-type'], /application\/problem\+json/)
    }
  }
  const names = async (caller: Caller, url = '/persons') =>
    ((await app.inject({ method: 'GET', url, headers: w.auth[caller] })).json().items as { name: string }[]).map((p) => p.name).sort()
  t.same(await names('focal_point'), ['Kenya Tax'], 'a focal point sees its own contributors and nobody else')
  t.same(await names('other_focal_point'), [], 'another country’s focal point sees none of them')
  t.same(await names('admin', '/persons?role=reviewer'), ['Rita Reviewer'], 'search by role')
  t.same(await names('admin', '/persons?country=UGA'), ['Uganda Focal'], 'by country')
  t.same(await names('admin', '/persons?search=kenya'), ['Kenya Focal', 'Kenya Tax'], 'by name')
  t.same(await names('admin', `/persons?search=${encodeURIComponent(w.analyst.email)}`), ['Andy Analyst'], 'by e-mail')
  t.equal(
    (await app.inject({ method: 'GET', url: '/persons?role=admin', headers: w.auth.focal_point })).statusCode,
    403,
    'a focal point asks for contributors only',
  )

  const tokens = (await app.inject({ method: 'GET', url: '/tokens', headers: w.auth.admin })).json() as { person: { name: string } | null }[]
  t.ok(
    tokens.some((tk) => tk.person?.name === 'Kenya Tax'),
    'every token with its owner',
  )
})

t.test('invitations: listed by state, re-sent and withdrawn by those who may', async (t) => {
  const app = await build(t)
  const w = await world(app)
  const invite = async (caller: Caller, name: string, membership: object) => {
    const res = await app.inject({
      method: 'POST',
      url: '/persons',
      headers: w.auth[caller],
      payload: { name, email: `${name.replace(/\W/g, '').toLowerCase()}@example.org`, memberships: [membership] },
    })
    t.equal(res.statusCode, 201, res.body)
    return res.json().person.id as string
  }
  const kenyan = await invite('focal_point', 'New Kenyan Contributor', { role: 'contributor', country: 'KEN' })
  const staff = await invite('admin', 'New Reviewer', { role: 'reviewer' })
  const expired = await invite('admin', 'Late Analyst', { role: 'analyst' })
  await app.db
    .updateTable('invitations')
    .set({ expires_at: new Date(Date.now() - 1000) })
    .where('person_id', '=', expired)
    .execute()

  const list = async (caller: Caller, query = '') => (await app.inject({ method: 'GET', url: `/invitations${query}`, headers: w.auth[caller] })).json().items
  t.same((await list('admin', '?state=pending')).map((i: { person: { name: string } }) => i.person.name).sort(), ['New Kenyan Contributor', 'New Reviewer'])
  t.same(
    (await list('admin', '?state=expired')).map((i: { person: { name: string } }) => i.person.name),
    ['Late Analyst'],
  )
  t.same(
    (await list('focal_point')).map((i: { person: { name: string }; createdBy: { name: string } }) => [i.person.name, i.createdBy.name]),
    [['New Kenyan Contributor', 'Kenya Focal']],
    'the focal point sees its contributors’ invitations, with who sent them',
  )
  t.same(await list('other_focal_point'), [], 'another country’s focal point sees none')
  t.equal((await app.inject({ method: 'GET', url: '/invitations?state=lost', headers: w.auth.admin })).statusCode, 400)

  const before = await snapshot(app)
  const refusals: [Caller, string, number][] = [
    ['other_focal_point', kenyan, 404],
    ['focal_point', staff, 404],
    ['contributor', kenyan, 403],
    ['reviewer', kenyan, 403],
    ['analyst', kenyan, 403],
    ['anonymous', kenyan, 401],
  ]
  for (const [caller, id, status] of refusals) {
    t.equal(
      (await app.inject({ method: 'DELETE', url: `/persons/${id}/invitations`, headers: w.auth[caller] })).statusCode,
      status,
      `${caller} withdraws ${id}`,
    )
  }
  t.equal((await app.inject({ method: 'POST', url: `/persons/${kenyan}/invitations`, headers: w.auth.other_focal_point })).statusCode, 403, 'nor re-sends')
  t.same(await snapshot(app), before, 'nothing changed on refusal')

  t.equal(
    (await app.inject({ method: 'DELETE', url: `/persons/${kenyan}/invitations`, headers: w.auth.focal_point })).statusCode,
    204,
    'its focal point withdraws it',
  )
  t.equal((await app.inject({ method: 'DELETE', url: `/persons/${kenyan}/invitations`, headers: w.auth.focal_point })).statusCode, 409, 'once')
  t.same(
    (await list('focal_point')).map((i: { state: string }) => i.state),
    ['revoked'],
  )
  const resent = await app.inject({ method: 'POST', url: `/persons/${staff}/invitations`, headers: w.auth.admin })
  t.equal(resent.statusCode, 201, 'the admin re-sends one')
  t.same(
    (await list('admin')).filter((i: { person: { id: string } }) => i.person.id === staff).map((i: { state: string }) => i.state),
    ['pending', 'revoked'],
    'the re-sent link replaces the earlier one',
  )
  const audited = await app.db
    .selectFrom('audit_events')
    .select(['action', 'actor_person'])
    .where('action', 'in', ['invitation_revoked', 'invitation_resent'])
    .execute()
  t.same(audited.map((e) => [e.action, e.actor_person]).sort(), [
    ['invitation_resent', w.admin.id],
    ['invitation_revoked', w.focal.id],
  ])
})

t.test('memberships: a focal point changes its contributors’ domains and nothing else', async (t) => {
  const app = await build(t)
  const w = await world(app)
  const members = async () => (await app.inject({ method: 'GET', url: '/persons?role=contributor', headers: w.auth.admin })).json().items[0].memberships
  const [contribution] = await members()
  const scope = { questionnaire: 'cdc', domains: ['taxation', 'competition'] }
  const before = await snapshot(app)
  for (const caller of ['other_focal_point', 'contributor', 'reviewer', 'analyst'] as Caller[]) {
    const res = await app.inject({
      method: 'PATCH',
      url: `/persons/${w.contributor.id}/memberships/${contribution.id}`,
      headers: w.auth[caller],
      payload: scope,
    })
    t.equal(res.statusCode, 403, `${caller} may not change the scope`)
    const grant = await app.inject({
      method: 'POST',
      url: `/persons/${w.contributor.id}/memberships`,
      headers: w.auth[caller],
      payload: { role: 'contributor', country: 'UGA' },
    })
    t.equal(grant.statusCode, 403, `${caller} may not grant`)
    const withdraw = await app.inject({ method: 'DELETE', url: `/persons/${w.contributor.id}/memberships/${contribution.id}`, headers: w.auth[caller] })
    t.equal(withdraw.statusCode, 403, `${caller} may not withdraw`)
    const disable = await app.inject({ method: 'PATCH', url: `/persons/${w.contributor.id}`, headers: w.auth[caller], payload: { status: 'disabled' } })
    t.equal(disable.statusCode, 403, `${caller} may not disable`)
  }
  t.equal(
    (await app.inject({ method: 'PATCH', url: `/persons/${w.contributor.id}/memberships/${contribution.id}`, headers: FETCH, payload: scope })).statusCode,
    401,
  )
  // A focal point adds a contributor's membership of its country to a staff member: refused.
  const onStaff = await app.inject({
    method: 'POST',
    url: `/persons/${w.reviewer.id}/memberships`,
    headers: w.auth.focal_point,
    payload: { role: 'contributor', country: 'KEN' },
  })
  t.equal(onStaff.statusCode, 403, 'a focal point grants nothing to persons it does not manage')
  const bad = await app.inject({
    method: 'PATCH',
    url: `/persons/${w.contributor.id}/memberships/${contribution.id}`,
    headers: w.auth.focal_point,
    payload: { domains: ['taxation'] },
  })
  t.equal(bad.statusCode, 400, 'domains without their questionnaire')
  t.match(bad.json(), { errors: [{ path: '/body/domains' }] })
  t.same(await snapshot(app), before, 'nothing changed on refusal')

  const session = await signIn(app, w.contributor)
  const changed = await app.inject({
    method: 'PATCH',
    url: `/persons/${w.contributor.id}/memberships/${contribution.id}`,
    headers: w.auth.focal_point,
    payload: scope,
  })
  t.equal(changed.statusCode, 200, changed.body)
  t.same(changed.json().memberships[0].domains, ['taxation', 'competition'])
  t.equal((await app.inject({ method: 'GET', url: '/me', cookies: { tr_session: session } })).statusCode, 401, 'a privilege change ends the sessions')
  const all = await app.inject({
    method: 'PATCH',
    url: `/persons/${w.contributor.id}/memberships/${contribution.id}`,
    headers: w.auth.focal_point,
    payload: { questionnaire: null, domains: null },
  })
  t.same(all.json().memberships[0].domains, null, 'and back to every domain')
  const focalMembership = (await app.inject({ method: 'GET', url: `/persons?role=focal_point&country=KEN`, headers: w.auth.admin })).json().items[0]
    .memberships[0]
  t.equal(
    (await app.inject({ method: 'PATCH', url: `/persons/${w.focal.id}/memberships/${focalMembership.id}`, headers: w.auth.admin, payload: scope })).statusCode,
    409,
    'only a contributor has domains',
  )
  const event = await app.db
    .selectFrom('audit_events')
    .select(['actor_person', 'details'])
    .where('action', '=', 'membership_changed')
    .orderBy('id')
    .executeTakeFirstOrThrow()
  t.equal(event.actor_person, w.focal.id)
  t.match(event.details, { from: { domains: ['taxation'] }, to: scope })

  const removed = await app.inject({ method: 'DELETE', url: `/persons/${w.contributor.id}/memberships/${contribution.id}`, headers: w.auth.focal_point })
  t.equal(removed.statusCode, 200, 'its focal point removes the contributor')
  t.same(removed.json().memberships, [])
})

t.test('disabling a person ends all their sessions and tokens at once', async (t) => {
  const app = await build(t)
  const w = await world(app)
  const session = await signIn(app, w.contributor)
  const token = await tokenOf(app, w.contributor.id, 'administration', 'KEN')
  const before = await snapshot(app)
  t.equal(
    (await app.inject({ method: 'PATCH', url: `/persons/${w.contributor.id}`, headers: w.auth.other_focal_point, payload: { status: 'disabled' } })).statusCode,
    403,
  )
  t.same(await snapshot(app), before, 'a focal point of another country changes nothing')

  const disabled = await app.inject({ method: 'PATCH', url: `/persons/${w.contributor.id}`, headers: w.auth.focal_point, payload: { status: 'disabled' } })
  t.equal(disabled.statusCode, 200, disabled.body)
  t.equal((await app.inject({ method: 'GET', url: '/me', cookies: { tr_session: session } })).statusCode, 401, 'the session ended')
  t.equal((await app.inject({ method: 'GET', url: '/me', headers: { authorization: token } })).statusCode, 401, 'the token stopped')
  const tokens = await app.db.selectFrom('tokens').select('revoked_at').where('person_id', '=', w.contributor.id).execute()
  t.ok(tokens.length === 2 && tokens.every((tk) => tk.revoked_at), 'every token revoked for good')
  t.equal((await app.db.selectFrom('sessions').select('public_id').where('person_id', '=', w.contributor.id).execute()).length, 0)
  const enabled = await app.inject({ method: 'PATCH', url: `/persons/${w.contributor.id}`, headers: w.auth.admin, payload: { status: 'active' } })
  t.equal(enabled.statusCode, 200)
  t.equal((await app.inject({ method: 'GET', url: '/me', headers: { authorization: token } })).statusCode, 401, 'enabling again does not bring a token back')

  // An admin sees and ends another person's sessions.
  const again = await signIn(app, w.reviewer)
  const listed = (await app.inject({ method: 'GET', url: `/persons/${w.reviewer.id}/sessions`, headers: w.auth.admin })).json().items
  t.equal(listed.length, 1)
  t.equal(listed[0].current, false)
  t.equal((await app.inject({ method: 'DELETE', url: `/persons/${w.reviewer.id}/sessions/${listed[0].id}`, headers: w.auth.focal_point })).statusCode, 403)
  t.equal((await app.inject({ method: 'DELETE', url: `/persons/${w.reviewer.id}/sessions/${listed[0].id}`, headers: w.auth.admin })).statusCode, 204)
  t.equal((await app.inject({ method: 'GET', url: '/me', cookies: { tr_session: again } })).statusCode, 401)
})

t.test('the audit trail: filters by person, action, time and country, and pages', async (t) => {
  const app = await build(t)
  const w = await world(app)
  // The file's tests share a database: only this test's events count.
  const start = `since=${encodeURIComponent(new Date().toISOString())}`
  await signIn(app, w.focal)
  await signIn(app, w.other)
  await signIn(app, w.reviewer)
  const get = async (query: string) => {
    const res = await app.inject({ method: 'GET', url: `/audit?${start}&${query}`, headers: w.auth.admin })
    t.equal(res.statusCode, 200, res.body)
    return res.json() as { items: { id: string; action: string; subject: { name: string } | null }[]; next: string | null }
  }
  t.same(
    (await get('action=sign_in&country=KEN')).items.map((e) => e.subject?.name),
    ['Kenya Focal'],
    'by country',
  )
  t.same(
    (await get(`action=sign_in&person=${w.other.id}`)).items.map((e) => e.subject?.name),
    ['Uganda Focal'],
    'by person',
  )
  t.equal((await get(`action=sign_in&until=${encodeURIComponent(new Date(Date.now() - 60_000).toISOString())}`)).items.length, 0, 'by time')
  const first = await get('action=sign_in&limit=2')
  t.equal(first.items.length, 2)
  t.ok(first.next)
  const second = await get(`action=sign_in&limit=2&before=${first.next}`)
  t.same(
    second.items.map((e) => e.subject?.name),
    ['Kenya Focal'],
    'the next page goes on where the first stopped',
  )
  t.equal(second.next, null, 'and is the last')
  const bad = await app.inject({ method: 'GET', url: '/audit?country=Kenya', headers: w.auth.admin })
  t.equal(bad.statusCode, 400)
  t.match(bad.json(), { errors: [{ path: /country/ }] })
})
