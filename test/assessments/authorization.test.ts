// Who may do what, cell by cell: every assessment route × every kind of caller, with the exact
// status, and after every refused write the database unchanged. Then an attacker's probes.
//
// Rules (README "Who may do what"): no, invalid or revoked token → 401; an administration asking
// about another country's assessment gets exactly what it would get for one that does not exist;
// a role acting beyond its rights → 403; admin tokens manage tokens only.
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { revokeToken } from '../../src/auth/tokens.js'
import { answerAll, createAssessment, dbSnapshot, ensureOpenCampaign } from '../helpers/assessments.js'
import { build } from '../helpers/build.js'
import { testToken } from '../helpers/tokens.js'

type Who = 'none' | 'garbage' | 'revoked' | 'owner' | 'other' | 'staff' | 'admin'
const WHO: Who[] = ['none', 'garbage', 'revoked', 'owner', 'other', 'staff', 'admin']
const OWNER = 'KEN'
const OTHER = 'GHA'
const Q = 'cdc.data.law_conformity'
const MISSING_ID = '00000000-0000-4000-8000-000000000000'

interface Request {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH'
  url: string
  payload?: object
  headers?: Record<string, string>
}

interface Row {
  route: string
  /** The state the victim assessment must be in for this row, and the request against it. */
  state?: 'draft' | 'answered' | 'submitted' | 'returned'
  request: (id: string, cycle: () => number) => Request
  expect: Record<Who, number>
  write: boolean
}

const unauth = { none: 401, garbage: 401, revoked: 401 } as const

const ROWS: Row[] = [
  {
    route: 'POST /assessments',
    request: (_id, cycle) => ({ method: 'POST', url: '/assessments', payload: { questionnaire: 'cdc', version: 1, country: OWNER, cycle: cycle() } }),
    expect: { ...unauth, owner: 201, other: 403, staff: 201, admin: 403 },
    write: true,
  },
  {
    route: 'GET /assessments',
    request: () => ({ method: 'GET', url: '/assessments' }),
    expect: { ...unauth, owner: 200, other: 200, staff: 200, admin: 403 },
    write: false,
  },
  {
    route: 'GET /assessments/{id}',
    state: 'draft',
    request: (id) => ({ method: 'GET', url: `/assessments/${id}` }),
    expect: { ...unauth, owner: 200, other: 404, staff: 200, admin: 403 },
    write: false,
  },
  {
    route: 'PUT /assessments/{id}/answers/{q}',
    state: 'draft',
    request: (id) => ({ method: 'PUT', url: `/assessments/${id}/answers/${Q}`, payload: { value: 2 }, headers: { 'if-match': '"1"' } }),
    expect: { ...unauth, owner: 200, other: 404, staff: 403, admin: 403 },
    write: true,
  },
  {
    route: 'PATCH /assessments/{id}/answers',
    state: 'draft',
    request: (id) => ({ method: 'PATCH', url: `/assessments/${id}/answers`, payload: { answers: [{ questionId: Q, value: 2, ifMatch: '"1"' }] } }),
    expect: { ...unauth, owner: 200, other: 404, staff: 403, admin: 403 },
    write: true,
  },
  {
    route: 'GET /assessments/{id}/answers/{q}/history',
    state: 'draft',
    request: (id) => ({ method: 'GET', url: `/assessments/${id}/answers/${Q}/history` }),
    expect: { ...unauth, owner: 200, other: 404, staff: 200, admin: 403 },
    write: false,
  },
  {
    route: 'POST transitions submit',
    state: 'answered',
    request: (id) => ({ method: 'POST', url: `/assessments/${id}/transitions`, payload: { action: 'submit' } }),
    expect: { ...unauth, owner: 200, other: 404, staff: 403, admin: 403 },
    write: true,
  },
  {
    route: 'POST transitions return',
    state: 'submitted',
    request: (id) => ({ method: 'POST', url: `/assessments/${id}/transitions`, payload: { action: 'return', comment: 'incomplete' } }),
    expect: { ...unauth, owner: 403, other: 404, staff: 200, admin: 403 },
    write: true,
  },
  {
    route: 'POST transitions validate',
    state: 'submitted',
    request: (id) => ({ method: 'POST', url: `/assessments/${id}/transitions`, payload: { action: 'validate' } }),
    expect: { ...unauth, owner: 403, other: 404, staff: 200, admin: 403 },
    write: true,
  },
  {
    route: 'POST transitions reopen',
    state: 'returned',
    request: (id) => ({ method: 'POST', url: `/assessments/${id}/transitions`, payload: { action: 'reopen' } }),
    expect: { ...unauth, owner: 200, other: 404, staff: 403, admin: 403 },
    write: true,
  },
  {
    // Only cdc v1 is published: the owner gets as far as the version check (422).
    route: 'POST /assessments/{id}/version',
    state: 'draft',
    request: (id) => ({ method: 'POST', url: `/assessments/${id}/version`, payload: { version: 1 } }),
    expect: { ...unauth, owner: 422, other: 404, staff: 403, admin: 403 },
    write: true,
  },
  {
    // Refused on role before any lookup: the other country's 403 is the same for any id (checked below).
    route: 'POST /assessments/{id}/comments',
    state: 'submitted',
    request: (id) => ({ method: 'POST', url: `/assessments/${id}/comments`, payload: { questionId: Q, body: 'cite the law' } }),
    expect: { ...unauth, owner: 403, other: 403, staff: 201, admin: 403 },
    write: true,
  },
  {
    route: 'GET /assessments/{id}/readiness',
    state: 'draft',
    request: (id) => ({ method: 'GET', url: `/assessments/${id}/readiness` }),
    expect: { ...unauth, owner: 200, other: 404, staff: 200, admin: 403 },
    write: false,
  },
  {
    route: 'GET /countries/{code}/readiness',
    request: () => ({ method: 'GET', url: `/countries/${OWNER}/readiness?questionnaire=cdc` }),
    expect: { ...unauth, owner: 200, other: 404, staff: 200, admin: 403 },
    write: false,
  },
  {
    route: 'GET /readiness (published)',
    request: () => ({ method: 'GET', url: '/readiness?questionnaire=cdc' }),
    expect: { ...unauth, owner: 200, other: 200, staff: 200, admin: 403 },
    write: false,
  },
  {
    route: 'GET /readiness?status=draft',
    request: () => ({ method: 'GET', url: '/readiness?questionnaire=cdc&status=draft' }),
    expect: { ...unauth, owner: 403, other: 403, staff: 200, admin: 403 },
    write: false,
  },
  {
    route: 'GET /countries',
    request: () => ({ method: 'GET', url: '/countries' }),
    expect: { none: 200, garbage: 200, revoked: 200, owner: 200, other: 200, staff: 200, admin: 200 },
    write: false,
  },
  {
    route: 'GET /questionnaires',
    request: () => ({ method: 'GET', url: '/questionnaires' }),
    expect: { none: 200, garbage: 200, revoked: 200, owner: 200, other: 200, staff: 200, admin: 200 },
    write: false,
  },
]

async function principals(app: FastifyInstance): Promise<Record<Who, string | undefined>> {
  const revoked = await testToken(app, 'administration', OWNER, { label: 'revoked owner' })
  await revokeToken(app.db, revoked.principal.tokenId!)
  return {
    none: undefined,
    garbage: `Bearer tr_${'A'.repeat(43)}`,
    revoked: revoked.authorization,
    owner: (await testToken(app, 'administration', OWNER)).authorization,
    other: (await testToken(app, 'administration', OTHER)).authorization,
    staff: (await testToken(app, 'staff')).authorization,
    admin: (await testToken(app, 'admin')).authorization,
  }
}

t.test('authorization matrix', async (t) => {
  const app = await build(t, { authRateLimit: 100_000 })
  const auth = await principals(app)
  let cycle = 2030
  const nextCycle = () => cycle++

  /** A fresh victim assessment of OWNER in the state a row needs. */
  async function victim(state: NonNullable<Row['state']>): Promise<string> {
    const a = await createAssessment(app, auth.owner!, { questionnaire: 'cdc', version: 1, country: OWNER, cycle: nextCycle() })
    if (state === 'draft') {
      const put = await app.inject({ method: 'PUT', url: `/assessments/${a.id}/answers/${Q}`, headers: { authorization: auth.owner! }, payload: { value: 1 } })
      if (put.statusCode !== 200) throw new Error(put.body)
      return a.id
    }
    await answerAll(app, auth.owner!, a.id)
    const steps: [string, string][] =
      state === 'answered'
        ? []
        : state === 'submitted'
          ? [['owner', 'submit']]
          : [
              ['owner', 'submit'],
              ['staff', 'return'],
            ]
    for (const [who, action] of steps) {
      const res = await app.inject({
        method: 'POST',
        url: `/assessments/${a.id}/transitions`,
        headers: { authorization: auth[who as Who]! },
        payload: { action, comment: 'setup' },
      })
      if (res.statusCode !== 200) throw new Error(res.body)
    }
    return a.id
  }

  const matrix: string[] = []
  for (const row of ROWS) {
    // Successful principals go last, so refusals are all tried against the same state.
    const order = [...WHO].sort((x, y) => Number(row.expect[x] < 300) - Number(row.expect[y] < 300))
    let id = row.state ? await victim(row.state) : MISSING_ID
    const cells: string[] = []
    for (const who of order) {
      const req = row.request(id, nextCycle)
      const headers: Record<string, string> = { ...(req.headers ?? {}) }
      if (auth[who]) headers.authorization = auth[who]!
      // Assessments start only in an open campaign: the campaign is there, so the rights decide.
      if (req.method === 'POST' && req.url === '/assessments')
        await ensureOpenCampaign(app, req.payload as { questionnaire: string; cycle: number; country: string })
      const before = row.write ? await dbSnapshot(app) : ''
      const res = await app.inject({ ...req, headers })
      const expected = row.expect[who]
      t.equal(res.statusCode, expected, `${row.route} as ${who}: ${res.body.slice(0, 200)}`)
      cells.push(`${who}=${res.statusCode}`)
      if (res.statusCode >= 400) {
        t.match(res.headers['content-type'], /^application\/problem\+json/, `${row.route} as ${who}: a problem document`)
        t.equal(res.json().status, res.statusCode)
        if (res.statusCode === 401) t.match(res.headers['www-authenticate'], /^Bearer realm="treaty-readiness"/)
        if (row.write) t.equal(await dbSnapshot(app), before, `${row.route} as ${who}: nothing changed`)
      }
      // Another country's administration learns nothing: the same answer as for an id that does not exist.
      if (who === 'other' && row.state) {
        const probe = row.request(MISSING_ID, nextCycle)
        const ghost = await app.inject({ ...probe, headers: { ...(probe.headers ?? {}), authorization: auth.other! } })
        t.equal(ghost.statusCode, res.statusCode, `${row.route}: other country's answer equals the one for a missing id`)
        t.equal(ghost.json().detail.replaceAll(MISSING_ID, 'ID'), res.json().detail.replaceAll(id, 'ID'))
      }
      // A success changes the state: later principals would need a fresh victim (none follow a success in the same state).
      if (res.statusCode < 300 && row.write && row.state && row.state !== 'draft') id = await victim(row.state)
    }
    matrix.push(`${row.route.padEnd(42)} ${WHO.map((w) => `${w}=${row.expect[w]}`).join(' ')}`)
  }
  t.comment(`\n${matrix.join('\n')}`)
})

t.test("an attacker's probes (another country's administration)", async (t) => {
  const app = await build(t, { authRateLimit: 100_000 })
  const auth = await principals(app)
  const victimA = await createAssessment(app, auth.owner!, { questionnaire: 'cdc', version: 1, country: OWNER, cycle: 2026 })
  const own = await createAssessment(app, auth.other!, { questionnaire: 'cdc', version: 1, country: OTHER, cycle: 2026 })

  // Filtering by the victim's country: an empty list, not a 403.
  const byCountry = await app.inject({ method: 'GET', url: `/assessments?country=${OWNER}`, headers: { authorization: auth.other! } })
  t.equal(byCountry.statusCode, 200)
  t.same(byCountry.json(), { items: [], nextCursor: null })
  const byLower = await app.inject({ method: 'GET', url: `/assessments?country=ken&status=draft&cycle=2026`, headers: { authorization: auth.other! } })
  t.same(byLower.json().items, [])

  // Its own list holds only its own country.
  const mine = await app.inject({ method: 'GET', url: '/assessments', headers: { authorization: auth.other! } })
  t.same(
    mine.json().items.map((x: { id: string }) => x.id),
    [own.id],
  )

  // A cursor crafted from the victim's row (and ones just before it) shows nothing of the victim.
  const craft = (row: unknown) => Buffer.from(JSON.stringify(row)).toString('base64url')
  for (const cursor of [
    craft([OWNER, 'cdc', 2026, victimA.id]),
    craft(['AAA', 'cdc', 2000, victimA.id]),
    craft([OWNER, 'cdc', 2025, '00000000-0000-4000-8000-000000000000']),
  ]) {
    const res = await app.inject({ method: 'GET', url: `/assessments?cursor=${cursor}&limit=1`, headers: { authorization: auth.other! } })
    t.equal(res.statusCode, 200)
    t.notMatch(res.body, victimA.id)
    t.notMatch(res.body, `"country":"${OWNER}"`)
  }
  // Page through everything with limit=1: never the victim.
  let cursor: string | null = null
  const seen: string[] = []
  do {
    const res: { json(): { items: { id: string; country: string }[]; nextCursor: string | null } } = await app.inject({
      method: 'GET',
      url: `/assessments?limit=1${cursor ? `&cursor=${cursor}` : ''}`,
      headers: { authorization: auth.other! },
    })
    seen.push(...res.json().items.map((x) => `${x.country}:${x.id}`))
    cursor = res.json().nextCursor
  } while (cursor && seen.length < 10)
  t.same(seen, [`${OTHER}:${own.id}`])
  // Cursors that are not ours: 400, not 500.
  for (const bad of ['not-base64!', craft(['KEN', 'cdc', 2026, "1' or 1=1"]), craft({ a: 1 }), 'e30']) {
    const res = await app.inject({ method: 'GET', url: `/assessments?cursor=${encodeURIComponent(bad)}`, headers: { authorization: auth.other! } })
    t.equal(res.statusCode, 400, `cursor ${bad}: ${res.body}`)
    t.equal(res.json().errors[0].path, '/querystring/cursor')
  }

  for (const country of [OWNER, OTHER]) await ensureOpenCampaign(app, { questionnaire: 'cdc', version: 1, country, cycle: 2027 })
  const before = await dbSnapshot(app)
  // Creating for the victim's country: 403.
  const create = await app.inject({
    method: 'POST',
    url: '/assessments',
    headers: { authorization: auth.other! },
    payload: { questionnaire: 'cdc', version: 1, country: OWNER, cycle: 2027 },
  })
  t.equal(create.statusCode, 403, create.body)
  // Even for a cycle the victim already has: 403, not a 409 that would point at the victim's assessment.
  const dup = await app.inject({
    method: 'POST',
    url: '/assessments',
    headers: { authorization: auth.other! },
    payload: { questionnaire: 'cdc', version: 1, country: OWNER, cycle: 2026 },
  })
  t.equal(dup.statusCode, 403, dup.body)
  t.notMatch(dup.body, victimA.id)
  // Carrying forward from the victim's assessment: 404, as for one that does not exist.
  const from = await app.inject({
    method: 'POST',
    url: '/assessments',
    headers: { authorization: auth.other! },
    payload: { questionnaire: 'cdc', version: 1, country: OTHER, cycle: 2027, from: victimA.id },
  })
  t.equal(from.statusCode, 404, from.body)
  const fromGhost = await app.inject({
    method: 'POST',
    url: '/assessments',
    headers: { authorization: auth.other! },
    payload: { questionnaire: 'cdc', version: 1, country: OTHER, cycle: 2027, from: MISSING_ID },
  })
  t.equal(fromGhost.statusCode, 404)
  t.equal(from.json().detail.replace(victimA.id, 'ID'), fromGhost.json().detail.replace(MISSING_ID, 'ID'))
  t.equal(await dbSnapshot(app), before, 'nothing changed')

  // Path traversal and SQL-ish ids: 400 problems, whoever asks.
  for (const path of [
    '/assessments/1%27%20or%201=1',
    "/assessments/1'%20or%20'1'='1",
    '/assessments/..%2F..%2Fetc%2Fpasswd',
    '/assessments/%00',
    '/assessments/1%27%20or%201=1/answers/x/history',
    `/assessments/${victimA.id}%27--`,
  ]) {
    for (const who of ['other', 'owner', 'staff'] as const) {
      const res = await app.inject({ method: 'GET', url: path, headers: { authorization: auth[who]! } })
      t.equal(res.statusCode, 400, `${path} as ${who}: ${res.body}`)
      t.match(res.headers['content-type'], /^application\/problem\+json/)
      t.match(res.json(), { status: 400, errors: [{ path: '/params/id' }] })
    }
  }
  const put = await app.inject({
    method: 'PUT',
    url: '/assessments/1%27%20or%201=1/answers/x',
    headers: { authorization: auth.owner! },
    payload: { value: 1 },
  })
  t.equal(put.statusCode, 400)
  // A question id with traversal or quotes is just an unknown question.
  const q = await app.inject({
    method: 'PUT',
    url: `/assessments/${victimA.id}/answers/..%2F..%2F${encodeURIComponent("x' or 1=1--")}`,
    headers: { authorization: auth.owner! },
    payload: { value: 1 },
  })
  t.equal(q.statusCode, 422, q.body)
  t.equal(await dbSnapshot(app), before, 'nothing changed')
})
