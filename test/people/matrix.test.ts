// Who may do what, cell by cell: EVERY route of the API (read from the OpenAPI document, so a new
// route without rows here fails) × every kind of caller — the five membership roles signed in with
// a session cookie, a contributor limited to one domain, another country's focal point and
// contributor, a person holding several memberships, a person's own API token, a disabled person's
// cookie and token, and no, garbage or revoked credentials — with the exact status, and after every
// refusal the database unchanged. Then the person's token after a membership is withdrawn.
//
// Rules (README "Who may do what"): no, invalid, revoked credentials, or a disabled person's → 401;
// another country's assessment is a 404 exactly like a missing one; beyond one's memberships → 403.
import type { FastifyInstance } from 'fastify'
import { sql } from 'kysely'
import t, { type Test } from 'tap'
import { createToken, revokeToken } from '../../src/auth/tokens.js'
import type { MembershipRole, PersonStatus } from '../../src/db/schema.js'
import { createSession, DEFAULT_SESSION_POLICY } from '../../src/people/sessions.js'
import { answerAll, createAssessment, dbSnapshot, ensureOpenCampaign } from '../helpers/assessments.js'
import { build } from '../helpers/build.js'
import { testToken } from '../helpers/tokens.js'

// Every route × every caller with a database snapshot after each refusal: minutes, not seconds.
t.setTimeout(900_000)

const WHO = [
  'none',
  'garbage',
  'revoked',
  'disabledCookie',
  'disabledToken',
  'focal',
  'focalToken',
  'contributor',
  'foreign',
  'foreignContributor',
  'reviewer',
  'analyst',
  'admin',
  'multi',
] as const
type Who = (typeof WHO)[number]

const OWNER = 'KEN'
const OTHER = 'GHA'
/** In the data domain, which the contributor answers. */
const Q = 'cdc.data.law_conformity'
/** In the taxation domain, which the contributor does not. */
const OUTSIDE = 'cdc.taxation.mutual_assistance_convention'
const MISSING_ID = '00000000-0000-4000-8000-000000000000'
const UNKNOWN_SECRET = 'A'.repeat(43)
const FETCH = { 'x-requested-with': 'fetch' }

interface Request {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  url: string
  payload?: object | string
  headers?: Record<string, string>
}

type Ids = Record<string, string>

interface Row {
  /** "METHOD /openapi/path", as the OpenAPI document names the operation. */
  route: string
  /** Tells rows of one route apart. */
  label?: string
  /** Makes what the request acts on (again after every success of a write: each success gets a fresh one). */
  setup?: () => Promise<Ids>
  request: (ids: Ids, n: number) => Request
  expect: Record<Who, number>
  write: boolean
  /** More to check of a response. */
  check?: (t: Test, who: Who, body: string) => void
}

type Expect = Partial<Record<Who, number>>
const REFUSED = { none: 401, garbage: 401, revoked: 401, disabledCookie: 401, disabledToken: 401 }
/** A route for signed-in callers: the refused five get 401, the rest `base` unless named. */
const signedIn = (base: number, cells: Expect = {}): Record<Who, number> =>
  Object.fromEntries(WHO.map((w) => [w, cells[w] ?? (w in REFUSED ? 401 : base)])) as Record<Who, number>
/** A public route: everybody gets `status`. */
const everybody = (status: number): Record<Who, number> => Object.fromEntries(WHO.map((w) => [w, status])) as Record<Who, number>

/** The matrix's own snapshot: the assessment tables and tokens, everything about persons, and the features' tables. */
async function snapshot(app: FastifyInstance): Promise<string> {
  const people: Record<string, unknown[]> = {}
  for (const [table, columns, order] of [
    ['persons', '*', 'id'],
    ['memberships', '*', 'id'],
    ['invitations', '*', 'id'],
    // last_seen_at is touched by reading (at most once a minute).
    ['sessions', 'id, person_id, token_id, created_at, expires_at', 'id'],
    ['audit_events', '*', 'id'],
    ['password_resets', '*', 'secret_hash'],
    ['recovery_codes', '*', 'person_id, code_hash'],
  ] as const) {
    people[table] = (await sql<Record<string, unknown>>`select ${sql.raw(columns)} from ${sql.table(table)} order by ${sql.raw(order)}`.execute(app.db)).rows
  }
  // The tables of campaigns, publications, evidence and scenarios, and the jobs and mails they queue.
  for (const table of [
    'campaigns',
    'campaign_countries',
    'jobs',
    'sent_messages',
    'publications',
    'publication_countries',
    'publication_domain_scores',
    'evidence_documents',
    'evidence_chunks',
    'evidence_attachments',
    'evidence_reviews',
    'scenarios',
  ]) {
    people[table] = (await sql<Record<string, unknown>>`select * from ${sql.table(table)} as t order by t::text`.execute(app.db)).rows
  }
  return (await dbSnapshot(app)) + JSON.stringify(people, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('hex') : v))
}

async function person(
  app: FastifyInstance,
  name: string,
  memberships: { role: MembershipRole; country?: string; domains?: string[] }[],
  status: PersonStatus = 'active',
) {
  const row = await app.db
    .insertInto('persons')
    .values({
      name,
      email: `${name.toLowerCase().replaceAll(' ', '.')}@example.org`,
      status,
      password_hash: null,
      // An admin's session carries admin rights only with a second factor.
      totp_enabled_at: memberships.some((m) => m.role === 'admin') ? new Date() : null,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  await app.db
    .insertInto('memberships')
    .values(
      memberships.map((m) => ({
        person_id: row.id,
        role: m.role,
        country: m.country ?? null,
        questionnaire: m.domains ? 'cdc' : null,
        domains: m.domains ?? null,
      })),
    )
    .execute()
  return row.id
}

async function signedInCookie(app: FastifyInstance, personId: string): Promise<Record<string, string>> {
  const secret = await createSession(app.db, DEFAULT_SESSION_POLICY, { personId })
  return { cookie: `tr_session=${secret}`, ...FETCH }
}

async function callers(app: FastifyInstance): Promise<Record<Who, Record<string, string>>> {
  const focal = await person(app, 'Focal Kenya', [{ role: 'focal_point', country: OWNER }])
  const focalToken = await createToken(app.db, { role: 'administration', country: OWNER, label: "the focal point's script", personId: focal })
  const revoked = await createToken(app.db, { role: 'administration', country: OWNER, label: 'revoked', personId: focal })
  await revokeToken(app.db, revoked.row.id)
  const disabled = await person(app, 'Disabled Kenya', [{ role: 'focal_point', country: OWNER }])
  const disabledCookie = await signedInCookie(app, disabled)
  const disabledToken = await createToken(app.db, { role: 'administration', country: OWNER, label: 'disabled', personId: disabled })
  await app.db.updateTable('persons').set({ status: 'disabled' }).where('id', '=', disabled).execute()
  // The first use of the dead session deletes its row; from then on nothing changes.
  await app.inject({ method: 'GET', url: '/me', headers: disabledCookie })
  return {
    none: { ...FETCH },
    garbage: { authorization: `Bearer tr_${'A'.repeat(43)}`, ...FETCH },
    revoked: { authorization: `Bearer ${revoked.token}`, ...FETCH },
    disabledCookie,
    disabledToken: { authorization: `Bearer ${disabledToken.token}`, ...FETCH },
    focal: await signedInCookie(app, focal),
    focalToken: { authorization: `Bearer ${focalToken.token}`, ...FETCH },
    contributor: await signedInCookie(app, await person(app, 'Data Kenya', [{ role: 'contributor', country: OWNER, domains: ['data'] }])),
    foreign: await signedInCookie(app, await person(app, 'Focal Ghana', [{ role: 'focal_point', country: OTHER }])),
    foreignContributor: await signedInCookie(app, await person(app, 'Data Ghana', [{ role: 'contributor', country: OTHER, domains: ['data'] }])),
    reviewer: await signedInCookie(app, await person(app, 'Reviewer', [{ role: 'reviewer' }])),
    analyst: await signedInCookie(app, await person(app, 'Analyst', [{ role: 'analyst' }])),
    admin: await signedInCookie(app, await person(app, 'Admin', [{ role: 'admin' }])),
    multi: await signedInCookie(app, await person(app, 'Many Hats', [{ role: 'reviewer' }, { role: 'analyst' }, { role: 'admin' }])),
  }
}

/** Every operation of the OpenAPI document, as "METHOD /path". */
async function operations(app: FastifyInstance): Promise<string[]> {
  const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, Record<string, unknown>> }
  return Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
}

t.test('authorization matrix: every route × every kind of caller', async (t) => {
  const app = await build(t, { authRateLimit: 100_000 })
  const who = await callers(app)
  // Set-up goes through tokens of its own, never through the callers under test.
  const kenya = (await testToken(app, 'administration', OWNER)).authorization
  const staff = (await testToken(app, 'staff')).authorization
  // Cycles run from 2000 to 2100; assessments (cdc) and the matrix's own campaigns (res174) count apart.
  let cycle = 2000
  let campaignCycle = 2000
  let n = 0

  async function assessment(state: 'draft' | 'answered' | 'submitted' | 'returned'): Promise<Ids> {
    const a = await createAssessment(app, kenya, { questionnaire: 'cdc', version: 1, country: OWNER, cycle: cycle++ })
    const put = (q: string) => app.inject({ method: 'PUT', url: `/assessments/${a.id}/answers/${q}`, headers: { authorization: kenya }, payload: { value: 1 } })
    if (state === 'draft') {
      for (const q of [Q, OUTSIDE]) if ((await put(q)).statusCode !== 200) throw new Error(`answer ${q}`)
      return { id: a.id }
    }
    await answerAll(app, kenya, a.id)
    const steps: [string, string][] = {
      answered: [],
      submitted: [[kenya, 'submit']],
      returned: [
        [kenya, 'submit'],
        [staff, 'return'],
      ],
    }[state] as [string, string][]
    for (const [auth, action] of steps) {
      const res = await app.inject({
        method: 'POST',
        url: `/assessments/${a.id}/transitions`,
        headers: { authorization: auth },
        payload: { action, comment: 'set-up' },
      })
      if (res.statusCode !== 200) throw new Error(res.body)
    }
    return { id: a.id }
  }
  /** A contributor of Kenya (managed by Kenya's focal point), active or only invited. */
  async function kenyanContributor(status: 'active' | 'invited' = 'active'): Promise<Ids> {
    const id = await person(app, `Contributor ${n++}`, [{ role: 'contributor', country: OWNER }], status)
    const m = await app.db.selectFrom('memberships').select('id').where('person_id', '=', id).executeTakeFirstOrThrow()
    return { id, membership: m.id }
  }
  const draft = () => assessment('draft')
  const read = { ...signedIn(200, { foreign: 404, foreignContributor: 404, admin: 403 }) }
  const answer = signedIn(403, { focal: 200, focalToken: 200, contributor: 200, foreign: 404, foreignContributor: 404 })
  const onlyAdmin = signedIn(403, { admin: 200, multi: 200 })
  const managesKenyans = signedIn(403, { focal: 200, focalToken: 200, admin: 200, multi: 200 })
  const review = signedIn(403, { reviewer: 200, multi: 200, foreign: 404, foreignContributor: 404 })
  const staffRead = signedIn(403, { reviewer: 200, analyst: 200, admin: 200, multi: 200 })
  /** Reviewers and admins run campaigns and publish; an analyst reads only. */
  const runs = (status: number) => signedIn(403, { reviewer: status, admin: status, multi: status })
  /** Staff only: an admin alone is refused like an administration. */
  const staffOnly = (status: number) => signedIn(403, { reviewer: status, analyst: status, multi: status })
  const admin = (await testToken(app, 'admin')).authorization
  const campaignInput = () => ({
    questionnaire: 'res174',
    version: 1,
    cycle: campaignCycle++,
    title: 'Matrix campaign',
    opensAt: '2027-05-01T00:00:00Z',
    deadline: '2027-06-30T00:00:00Z',
    countries: [OWNER, OTHER],
  })
  /** A campaign (made by staff), moved on as far as `state`. */
  async function campaign(state: 'draft' | 'open' | 'closed' | 'published' = 'draft'): Promise<Ids> {
    const steps = { draft: [], open: ['open'], closed: ['open', 'validated', 'close'], published: ['open', 'validated', 'close', 'publications'] }[state]
    const input = campaignInput()
    const made = await app.inject({ method: 'POST', url: '/campaigns', headers: { authorization: staff }, payload: input })
    if (made.statusCode !== 201) throw new Error(made.body)
    const id = made.json().id as string
    for (const step of steps) {
      if (step === 'validated') {
        // Something to publish: Kenya's assessment of the campaign, validated.
        const a = await app.db
          .selectFrom('assessments')
          .select('id')
          .where('country', '=', OWNER)
          .where('questionnaire', '=', input.questionnaire)
          .where('cycle', '=', input.cycle)
          .executeTakeFirstOrThrow()
        await answerAll(app, kenya, a.id)
        for (const [auth, action] of [
          [kenya, 'submit'],
          [staff, 'validate'],
        ] as const) {
          const res = await app.inject({ method: 'POST', url: `/assessments/${a.id}/transitions`, headers: { authorization: auth }, payload: { action } })
          if (res.statusCode !== 200) throw new Error(res.body)
        }
        continue
      }
      const res = await app.inject({
        method: 'POST',
        url: `/campaigns/${id}/${step}`,
        headers: { authorization: staff },
        ...(step === 'publications' ? { payload: {} } : {}),
      })
      if (res.statusCode >= 300) throw new Error(res.body)
    }
    return { id }
  }
  /** An assessment with a document in its library, attached to `question` when one is named. */
  async function withDocument(question?: string, state: 'draft' | 'submitted' = 'draft'): Promise<Ids> {
    const { id } = await assessment(state === 'draft' ? 'draft' : 'answered')
    const res = await app.inject({
      method: 'POST',
      url: `/assessments/${id}/evidence/documents?name=evidence-${n++}.txt${question ? `&questionId=${question}` : ''}`,
      headers: { authorization: kenya, 'content-type': 'application/octet-stream' },
      payload: 'The act, as published in the gazette.',
    })
    if (res.statusCode !== 201) throw new Error(res.body)
    const body = res.json() as { document: { id: string }; attachmentId: string | null }
    if (state === 'submitted') {
      const submit = await app.inject({
        method: 'POST',
        url: `/assessments/${id}/transitions`,
        headers: { authorization: kenya },
        payload: { action: 'submit' },
      })
      if (submit.statusCode !== 200) throw new Error(submit.body)
    }
    return { id: id!, document: body.document.id, ...(body.attachmentId ? { attachment: body.attachmentId } : {}) }
  }
  const scenarioInput = { name: 'May counts 0', questionnaire: 'cdc', version: 1, definition: { forceWeights: { may: 0 } } }
  async function scenario(): Promise<Ids> {
    const res = await app.inject({
      method: 'POST',
      url: '/scenarios',
      headers: { authorization: staff },
      payload: { ...scenarioInput, name: `Scenario ${n++}` },
    })
    if (res.statusCode !== 201) throw new Error(res.body)
    return { id: res.json().id }
  }
  const namesDomain = (t: Test, w: Who, body: string) => {
    if (w === 'contributor') t.match(JSON.parse(body).detail, /taxation/, 'the refusal names the domain')
  }

  const ROWS: Row[] = [
    // Public.
    ...['GET /healthz', 'GET /readyz', 'GET /questionnaires', 'GET /countries', 'GET /i18n/messages'].map(
      (route): Row => ({ route, request: () => ({ method: 'GET', url: route.slice(4) }), expect: everybody(200), write: false }),
    ),
    { route: 'GET /countries/{code}', request: () => ({ method: 'GET', url: `/countries/${OWNER}` }), expect: everybody(200), write: false },
    {
      route: 'GET /questionnaires/{id}/versions/{version}',
      request: () => ({ method: 'GET', url: '/questionnaires/cdc/versions/1' }),
      expect: everybody(200),
      write: false,
    },
    {
      route: 'GET /questionnaires/{id}/versions/{version}/languages',
      request: () => ({ method: 'GET', url: '/questionnaires/cdc/versions/1/languages' }),
      expect: everybody(200),
      write: false,
    },
    {
      route: 'GET /questionnaires/{id}/versions/{version}/questions/{questionId}',
      request: () => ({ method: 'GET', url: `/questionnaires/cdc/versions/1/questions/${Q}` }),
      expect: everybody(200),
      write: false,
    },
    { route: 'GET /i18n/messages/{lang}', request: () => ({ method: 'GET', url: '/i18n/messages/fr' }), expect: everybody(200), write: false },
    {
      route: 'GET /invitations/{secret}',
      request: () => ({ method: 'GET', url: `/invitations/${UNKNOWN_SECRET}` }),
      expect: everybody(404),
      write: true,
    },
    {
      route: 'POST /invitations/{secret}/accept',
      request: () => ({ method: 'POST', url: `/invitations/${UNKNOWN_SECRET}/accept`, payload: { password: 'a long enough passphrase' } }),
      expect: everybody(404),
      write: true,
    },
    {
      route: 'POST /password-reset',
      request: () => ({ method: 'POST', url: '/password-reset', payload: { email: 'nobody@example.org' } }),
      expect: everybody(202),
      write: false,
    },
    {
      route: 'POST /password-reset/{secret}',
      request: () => ({ method: 'POST', url: `/password-reset/${UNKNOWN_SECRET}`, payload: { password: 'a long enough passphrase' } }),
      expect: everybody(404),
      write: true,
    },
    {
      // A wrong token signs nobody in, whoever sends it.
      route: 'POST /session',
      request: () => ({ method: 'POST', url: '/session', payload: { token: `tr_${'B'.repeat(43)}` } }),
      expect: everybody(401),
      write: false,
    },

    // The caller's own account.
    { route: 'GET /me', request: () => ({ method: 'GET', url: '/me' }), expect: signedIn(200), write: false },
    { route: 'PUT /me/language', request: () => ({ method: 'PUT', url: '/me/language', payload: { language: 'en' } }), expect: signedIn(204), write: true },
    {
      // Before "start": nobody has a pending secret yet.
      route: 'POST /me/second-factor/confirm',
      request: () => ({ method: 'POST', url: '/me/second-factor/confirm', payload: { code: '123456' } }),
      expect: signedIn(409),
      write: true,
    },
    {
      route: 'POST /me/second-factor',
      request: () => ({ method: 'POST', url: '/me/second-factor' }),
      expect: signedIn(200, { admin: 409, multi: 409 }),
      write: true,
    },
    {
      route: 'DELETE /me/second-factor',
      request: () => ({ method: 'DELETE', url: '/me/second-factor', payload: { code: '123456' } }),
      expect: signedIn(422, { admin: 409, multi: 409 }),
      write: true,
    },

    // Tokens (admin).
    {
      route: 'POST /tokens',
      request: () => ({ method: 'POST', url: '/tokens', payload: { role: 'staff', label: 'matrix' } }),
      expect: signedIn(403, { admin: 201, multi: 201 }),
      write: true,
    },
    { route: 'GET /tokens', request: () => ({ method: 'GET', url: '/tokens' }), expect: onlyAdmin, write: false },
    {
      route: 'DELETE /tokens/{id}',
      setup: async () => ({ id: (await testToken(app, 'staff')).principal.tokenId! }),
      request: (ids) => ({ method: 'DELETE', url: `/tokens/${ids.id}` }),
      expect: signedIn(403, { admin: 204, multi: 204 }),
      write: true,
    },

    // Persons.
    {
      route: 'GET /persons',
      request: () => ({ method: 'GET', url: '/persons' }),
      expect: signedIn(403, { focal: 200, focalToken: 200, foreign: 200, admin: 200, multi: 200 }),
      write: false,
    },
    {
      route: 'POST /persons',
      label: 'a contributor of Kenya',
      request: (_ids, i) => ({
        method: 'POST',
        url: '/persons',
        payload: { name: `Invitee ${i}`, email: `invitee${i}@example.org`, memberships: [{ role: 'contributor', country: OWNER }] },
      }),
      expect: signedIn(403, { focal: 201, focalToken: 201, admin: 201, multi: 201 }),
      write: true,
    },
    {
      route: 'POST /persons',
      label: 'a reviewer',
      request: (_ids, i) => ({
        method: 'POST',
        url: '/persons',
        payload: { name: `Staff ${i}`, email: `staff${i}@example.org`, memberships: [{ role: 'reviewer' }] },
      }),
      expect: signedIn(403, { admin: 201, multi: 201 }),
      write: true,
    },
    {
      route: 'POST /persons/{id}/invitations',
      setup: () => kenyanContributor('invited'),
      request: (ids) => ({ method: 'POST', url: `/persons/${ids.id}/invitations` }),
      expect: signedIn(403, { focal: 201, focalToken: 201, admin: 201, multi: 201 }),
      write: true,
    },
    {
      route: 'PATCH /persons/{id}',
      setup: () => kenyanContributor(),
      request: (ids) => ({ method: 'PATCH', url: `/persons/${ids.id}`, payload: { name: 'Renamed', status: 'disabled' } }),
      expect: managesKenyans,
      write: true,
    },
    {
      route: 'POST /persons/{id}/memberships',
      label: "to Kenya's contributor",
      setup: () => kenyanContributor(),
      request: (ids) => ({ method: 'POST', url: `/persons/${ids.id}/memberships`, payload: { role: 'contributor', country: OWNER } }),
      expect: managesKenyans,
      write: true,
    },
    {
      // A focal point cannot pull staff (or anybody not its contributor) into its country, nor end their sessions so.
      route: 'POST /persons/{id}/memberships',
      label: 'to a reviewer',
      setup: async () => ({ id: await person(app, `Target reviewer ${n++}`, [{ role: 'reviewer' }]) }),
      request: (ids) => ({ method: 'POST', url: `/persons/${ids.id}/memberships`, payload: { role: 'contributor', country: OWNER } }),
      expect: signedIn(403, { admin: 200, multi: 200 }),
      write: true,
    },
    {
      route: 'DELETE /persons/{id}/memberships/{membershipId}',
      setup: () => kenyanContributor(),
      request: (ids) => ({ method: 'DELETE', url: `/persons/${ids.id}/memberships/${ids.membership}` }),
      expect: managesKenyans,
      write: true,
    },
    {
      route: 'GET /persons/{id}/sessions',
      setup: () => kenyanContributor(),
      request: (ids) => ({ method: 'GET', url: `/persons/${ids.id}/sessions` }),
      expect: onlyAdmin,
      write: false,
    },
    {
      route: 'DELETE /persons/{id}/sessions',
      setup: () => kenyanContributor(),
      request: (ids) => ({ method: 'DELETE', url: `/persons/${ids.id}/sessions` }),
      expect: onlyAdmin,
      write: true,
    },
    { route: 'GET /audit', request: () => ({ method: 'GET', url: '/audit' }), expect: onlyAdmin, write: false },

    // Assessments.
    {
      // Assessments start only in an open campaign that invites the country.
      route: 'POST /assessments',
      setup: async () => {
        const c = cycle++
        await ensureOpenCampaign(app, { questionnaire: 'cdc', version: 1, country: OWNER, cycle: c })
        return { cycle: String(c) }
      },
      request: (ids) => ({ method: 'POST', url: '/assessments', payload: { questionnaire: 'cdc', version: 1, country: OWNER, cycle: Number(ids.cycle) } }),
      expect: signedIn(201, { contributor: 403, foreign: 403, foreignContributor: 403, admin: 403 }),
      write: true,
    },
    { route: 'GET /assessments', request: () => ({ method: 'GET', url: '/assessments' }), expect: signedIn(200, { admin: 403 }), write: false },
    { route: 'GET /assessments/{id}', setup: draft, request: (ids) => ({ method: 'GET', url: `/assessments/${ids.id}` }), expect: read, write: false },
    {
      route: 'GET /assessments/{id}/trail',
      setup: draft,
      request: (ids) => ({ method: 'GET', url: `/assessments/${ids.id}/trail` }),
      expect: read,
      write: false,
    },
    {
      route: 'PUT /assessments/{id}/answers/{questionId}',
      label: "in the contributor's domain",
      setup: draft,
      request: (ids) => ({ method: 'PUT', url: `/assessments/${ids.id}/answers/${Q}`, payload: { value: 2 }, headers: { 'if-match': '"1"' } }),
      expect: answer,
      write: true,
    },
    {
      route: 'PUT /assessments/{id}/answers/{questionId}',
      label: "outside the contributor's domain",
      setup: draft,
      request: (ids) => ({ method: 'PUT', url: `/assessments/${ids.id}/answers/${OUTSIDE}`, payload: { value: 2 }, headers: { 'if-match': '"1"' } }),
      expect: { ...answer, contributor: 403 },
      write: true,
      check: namesDomain,
    },
    {
      route: 'PATCH /assessments/{id}/answers',
      label: "in the contributor's domain",
      setup: draft,
      request: (ids) => ({ method: 'PATCH', url: `/assessments/${ids.id}/answers`, payload: { answers: [{ questionId: Q, value: 2, ifMatch: '"1"' }] } }),
      expect: answer,
      write: true,
    },
    {
      route: 'PATCH /assessments/{id}/answers',
      label: 'partly outside it',
      setup: draft,
      request: (ids) => ({
        method: 'PATCH',
        url: `/assessments/${ids.id}/answers`,
        payload: {
          answers: [
            { questionId: Q, value: 2, ifMatch: '"1"' },
            { questionId: OUTSIDE, value: 2, ifMatch: '"1"' },
          ],
        },
      }),
      expect: { ...answer, contributor: 403 },
      write: true,
      check: namesDomain,
    },
    {
      route: 'POST /assessments/{id}/import',
      label: "in the contributor's domain",
      setup: draft,
      request: (ids) => ({
        method: 'POST',
        url: `/assessments/${ids.id}/import`,
        payload: `question id,value\n${Q},3\n`,
        headers: { 'content-type': 'text/csv' },
      }),
      expect: answer,
      write: true,
    },
    {
      route: 'POST /assessments/{id}/import',
      label: "outside the contributor's domain",
      setup: draft,
      request: (ids) => ({
        method: 'POST',
        url: `/assessments/${ids.id}/import`,
        payload: `question id,value\n${OUTSIDE},3\n`,
        headers: { 'content-type': 'text/csv' },
      }),
      expect: { ...answer, contributor: 403 },
      write: true,
      check: namesDomain,
    },
    {
      route: 'GET /assessments/{id}/answers/{questionId}/history',
      setup: draft,
      request: (ids) => ({ method: 'GET', url: `/assessments/${ids.id}/answers/${Q}/history` }),
      expect: read,
      write: false,
    },
    {
      route: 'POST /assessments/{id}/transitions',
      label: 'submit',
      setup: () => assessment('answered'),
      request: (ids) => ({ method: 'POST', url: `/assessments/${ids.id}/transitions`, payload: { action: 'submit' } }),
      expect: signedIn(403, { focal: 200, focalToken: 200, foreign: 404, foreignContributor: 404 }),
      write: true,
    },
    {
      route: 'POST /assessments/{id}/transitions',
      label: 'return',
      setup: () => assessment('submitted'),
      request: (ids) => ({ method: 'POST', url: `/assessments/${ids.id}/transitions`, payload: { action: 'return', comment: 'incomplete' } }),
      expect: review,
      write: true,
    },
    {
      route: 'POST /assessments/{id}/transitions',
      label: 'validate',
      setup: () => assessment('submitted'),
      request: (ids) => ({ method: 'POST', url: `/assessments/${ids.id}/transitions`, payload: { action: 'validate' } }),
      expect: review,
      write: true,
    },
    {
      route: 'POST /assessments/{id}/transitions',
      label: 'reopen',
      setup: () => assessment('returned'),
      request: (ids) => ({ method: 'POST', url: `/assessments/${ids.id}/transitions`, payload: { action: 'reopen' } }),
      expect: signedIn(403, { focal: 200, focalToken: 200, foreign: 404, foreignContributor: 404 }),
      write: true,
    },
    {
      // The focal point gets as far as the version check: the assessment is on version 1 already (422).
      route: 'POST /assessments/{id}/version',
      setup: draft,
      request: (ids) => ({ method: 'POST', url: `/assessments/${ids.id}/version`, payload: { version: 1 } }),
      expect: signedIn(403, { focal: 422, focalToken: 422, foreign: 404, foreignContributor: 404 }),
      write: true,
    },
    {
      // Refused on membership before any lookup: the same 403 for any id.
      route: 'POST /assessments/{id}/comments',
      setup: () => assessment('submitted'),
      request: (ids) => ({ method: 'POST', url: `/assessments/${ids.id}/comments`, payload: { questionId: Q, body: 'cite the law' } }),
      expect: signedIn(403, { reviewer: 201, multi: 201 }),
      write: true,
    },
    {
      route: 'GET /assessments/{id}/readiness',
      setup: draft,
      request: (ids) => ({ method: 'GET', url: `/assessments/${ids.id}/readiness` }),
      expect: read,
      write: false,
    },
    {
      route: 'GET /countries/{code}/readiness',
      request: () => ({ method: 'GET', url: `/countries/${OWNER}/readiness?questionnaire=cdc` }),
      expect: read,
      write: false,
    },
    {
      route: 'GET /readiness',
      request: () => ({ method: 'GET', url: '/readiness?questionnaire=cdc' }),
      expect: signedIn(200, { admin: 403 }),
      write: false,
    },
    {
      route: 'GET /exports/readiness.csv',
      request: () => ({ method: 'GET', url: '/exports/readiness.csv?questionnaire=cdc' }),
      expect: signedIn(403, { analyst: 200, multi: 200 }),
      write: false,
    },
    {
      route: 'GET /exports/answers.csv',
      request: () => ({ method: 'GET', url: '/exports/answers.csv?questionnaire=cdc' }),
      expect: signedIn(403, { analyst: 200, multi: 200 }),
      write: false,
    },

    // Account, continued.
    {
      // Nobody here has a password yet: a reset link chooses the first one.
      route: 'PUT /me/password',
      request: () => ({ method: 'PUT', url: '/me/password', payload: { currentPassword: 'not the password', newPassword: 'a long enough passphrase' } }),
      expect: signedIn(409),
      write: true,
    },
    {
      route: 'POST /me/second-factor/recovery-codes',
      request: () => ({ method: 'POST', url: '/me/second-factor/recovery-codes', payload: { code: '123456' } }),
      // Without a second factor there is nothing to renew; with one (the admins), the code is wrong.
      expect: signedIn(409, { admin: 422, multi: 422 }),
      write: true,
    },
    { route: 'GET /me/tokens', request: () => ({ method: 'GET', url: '/me/tokens' }), expect: signedIn(200), write: false },
    {
      route: 'POST /me/tokens',
      request: () => ({ method: 'POST', url: '/me/tokens', payload: { label: 'matrix', expiresAt: new Date(Date.now() + 30 * 86_400_000).toISOString() } }),
      expect: signedIn(201),
      write: true,
    },
    {
      // Somebody else's token: as unknown as a missing one, to everybody.
      route: 'DELETE /me/tokens/{id}',
      setup: async () => ({ id: (await testToken(app, 'staff')).principal.tokenId! }),
      request: (ids) => ({ method: 'DELETE', url: `/me/tokens/${ids.id}` }),
      expect: signedIn(404),
      write: true,
    },
    {
      route: 'GET /invitations',
      request: () => ({ method: 'GET', url: '/invitations' }),
      expect: signedIn(403, { focal: 200, focalToken: 200, foreign: 200, admin: 200, multi: 200 }),
      write: false,
    },
    {
      route: 'DELETE /persons/{id}/invitations',
      setup: async () => {
        const ids = await kenyanContributor('invited')
        const res = await app.inject({ method: 'POST', url: `/persons/${ids.id}/invitations`, headers: { authorization: admin } })
        if (res.statusCode !== 201) throw new Error(res.body)
        return ids
      },
      request: (ids) => ({ method: 'DELETE', url: `/persons/${ids.id}/invitations` }),
      expect: signedIn(403, { focal: 204, focalToken: 204, foreign: 404, admin: 204, multi: 204 }),
      write: true,
    },
    {
      route: 'PATCH /persons/{id}/memberships/{membershipId}',
      setup: () => kenyanContributor(),
      request: (ids) => ({ method: 'PATCH', url: `/persons/${ids.id}/memberships/${ids.membership}`, payload: { questionnaire: 'cdc', domains: ['data'] } }),
      expect: managesKenyans,
      write: true,
    },
    {
      route: 'DELETE /persons/{id}/sessions/{sessionId}',
      setup: async () => {
        const ids = await kenyanContributor()
        await createSession(app.db, DEFAULT_SESSION_POLICY, { personId: ids.id! })
        const s = await app.db.selectFrom('sessions').select('public_id').where('person_id', '=', ids.id!).executeTakeFirstOrThrow()
        return { ...ids, session: s.public_id }
      },
      request: (ids) => ({ method: 'DELETE', url: `/persons/${ids.id}/sessions/${ids.session}` }),
      expect: signedIn(403, { admin: 204, multi: 204 }),
      write: true,
    },

    // Campaigns: staff and admins read; reviewers and admins run them.
    { route: 'GET /campaigns', request: () => ({ method: 'GET', url: '/campaigns' }), expect: staffRead, write: false },
    { route: 'GET /campaigns/{id}', setup: campaign, request: (ids) => ({ method: 'GET', url: `/campaigns/${ids.id}` }), expect: staffRead, write: false },
    {
      route: 'GET /campaigns/{id}/board',
      setup: campaign,
      request: (ids) => ({ method: 'GET', url: `/campaigns/${ids.id}/board` }),
      expect: staffRead,
      write: false,
    },
    {
      route: 'GET /campaigns/{id}/board.csv',
      setup: campaign,
      request: (ids) => ({ method: 'GET', url: `/campaigns/${ids.id}/board.csv` }),
      expect: staffRead,
      write: false,
    },
    {
      route: 'POST /campaigns',
      request: () => ({ method: 'POST', url: '/campaigns', payload: campaignInput() }),
      expect: runs(201),
      write: true,
    },
    {
      route: 'PATCH /campaigns/{id}',
      setup: campaign,
      request: (ids) => ({ method: 'PATCH', url: `/campaigns/${ids.id}`, payload: { title: 'Renamed' } }),
      expect: runs(200),
      write: true,
    },
    {
      route: 'POST /campaigns/{id}/open',
      setup: campaign,
      request: (ids) => ({ method: 'POST', url: `/campaigns/${ids.id}/open` }),
      expect: runs(200),
      write: true,
    },
    {
      route: 'POST /campaigns/{id}/reminders',
      setup: () => campaign('open'),
      request: (ids) => ({ method: 'POST', url: `/campaigns/${ids.id}/reminders`, payload: {} }),
      expect: runs(202),
      write: true,
    },
    {
      route: 'POST /campaigns/{id}/close',
      setup: () => campaign('open'),
      request: (ids) => ({ method: 'POST', url: `/campaigns/${ids.id}/close` }),
      expect: runs(200),
      write: true,
    },

    // Publications: reviewers and admins publish; anybody reads what was published.
    {
      route: 'POST /campaigns/{id}/publications',
      setup: () => campaign('closed'),
      request: (ids) => ({ method: 'POST', url: `/campaigns/${ids.id}/publications`, payload: {} }),
      expect: runs(201),
      write: true,
    },
    {
      route: 'GET /campaigns/{id}/publications',
      setup: () => campaign('published'),
      request: (ids) => ({ method: 'GET', url: `/campaigns/${ids.id}/publications` }),
      expect: everybody(200),
      write: false,
    },
    {
      route: 'GET /campaigns/{id}/publications/{number}',
      setup: () => campaign('published'),
      request: (ids) => ({ method: 'GET', url: `/campaigns/${ids.id}/publications/1` }),
      expect: everybody(200),
      write: false,
    },

    // Evidence: the country's administration adds it (a contributor for its domains), reviewers review it.
    {
      route: 'GET /assessments/{id}/evidence',
      setup: draft,
      request: (ids) => ({ method: 'GET', url: `/assessments/${ids.id}/evidence` }),
      expect: read,
      write: false,
    },
    {
      route: 'GET /assessments/{id}/evidence/documents/{documentId}',
      setup: () => withDocument(),
      request: (ids) => ({ method: 'GET', url: `/assessments/${ids.id}/evidence/documents/${ids.document}` }),
      expect: read,
      write: false,
    },
    {
      route: 'POST /assessments/{id}/evidence/documents',
      label: "for a question of the contributor's domain",
      setup: draft,
      request: (ids, i) => ({
        method: 'POST',
        url: `/assessments/${ids.id}/evidence/documents?name=law-${i}.txt&questionId=${Q}`,
        payload: `The data protection act, copy ${i}.`,
        headers: { 'content-type': 'application/octet-stream' },
      }),
      expect: signedIn(403, { focal: 201, focalToken: 201, contributor: 201, foreign: 404, foreignContributor: 404 }),
      write: true,
    },
    {
      route: 'POST /assessments/{id}/evidence/documents',
      label: "for a question outside the contributor's domain",
      setup: draft,
      request: (ids, i) => ({
        method: 'POST',
        url: `/assessments/${ids.id}/evidence/documents?name=treaty-${i}.txt&questionId=${OUTSIDE}`,
        payload: `The mutual assistance convention, copy ${i}.`,
        headers: { 'content-type': 'application/octet-stream' },
      }),
      expect: signedIn(403, { focal: 201, focalToken: 201, foreign: 404, foreignContributor: 404 }),
      write: true,
      check: namesDomain,
    },
    {
      // Only the focal point (or whoever uploaded it) removes a document from the library.
      route: 'DELETE /assessments/{id}/evidence/documents/{documentId}',
      setup: () => withDocument(),
      request: (ids) => ({ method: 'DELETE', url: `/assessments/${ids.id}/evidence/documents/${ids.document}` }),
      expect: signedIn(403, { focal: 204, focalToken: 204, foreign: 404, foreignContributor: 404 }),
      write: true,
    },
    {
      route: 'POST /assessments/{id}/evidence/attachments',
      setup: () => withDocument(),
      request: (ids) => ({ method: 'POST', url: `/assessments/${ids.id}/evidence/attachments`, payload: { questionId: Q, documentId: ids.document } }),
      expect: signedIn(403, { focal: 201, focalToken: 201, contributor: 201, foreign: 404, foreignContributor: 404 }),
      write: true,
    },
    {
      route: 'DELETE /assessments/{id}/evidence/attachments/{attachmentId}',
      setup: () => withDocument(OUTSIDE),
      request: (ids) => ({ method: 'DELETE', url: `/assessments/${ids.id}/evidence/attachments/${ids.attachment}` }),
      expect: signedIn(403, { focal: 204, focalToken: 204, foreign: 404, foreignContributor: 404 }),
      write: true,
      check: namesDomain,
    },
    {
      route: 'PUT /assessments/{id}/evidence/reviews',
      setup: () => withDocument(Q, 'submitted'),
      request: (ids) => ({
        method: 'PUT',
        url: `/assessments/${ids.id}/evidence/reviews`,
        payload: { questionId: Q, attachmentId: ids.attachment, status: 'accepted' },
      }),
      expect: signedIn(403, { reviewer: 204, multi: 204 }),
      write: true,
    },

    // Country reports: the country's own administration and staff.
    {
      route: 'GET /assessments/{id}/report',
      setup: draft,
      request: (ids) => ({ method: 'GET', url: `/assessments/${ids.id}/report` }),
      expect: read,
      write: false,
    },
    {
      route: 'GET /assessments/{id}/report.pdf',
      setup: draft,
      request: (ids) => ({ method: 'GET', url: `/assessments/${ids.id}/report.pdf` }),
      expect: read,
      write: false,
    },

    // Exports, continued: analysts only.
    ...['codebook.csv', 'readiness-long.csv', 'package.zip', 'data.xlsx'].map(
      (file): Row => ({
        route: `GET /exports/${file}`,
        request: () => ({ method: 'GET', url: `/exports/${file}?questionnaire=cdc` }),
        expect: signedIn(403, { analyst: 200, multi: 200 }),
        write: false,
      }),
    ),

    // What-if scenarios: staff only.
    { route: 'GET /scenarios', request: () => ({ method: 'GET', url: '/scenarios' }), expect: staffOnly(200), write: false },
    { route: 'GET /scenarios/{id}', setup: scenario, request: (ids) => ({ method: 'GET', url: `/scenarios/${ids.id}` }), expect: staffOnly(200), write: false },
    {
      route: 'GET /scenarios/{id}/comparison',
      setup: scenario,
      request: (ids) => ({ method: 'GET', url: `/scenarios/${ids.id}/comparison` }),
      expect: staffOnly(200),
      write: false,
    },
    {
      route: 'POST /scenarios',
      request: (_ids, i) => ({ method: 'POST', url: '/scenarios', payload: { ...scenarioInput, name: `What if ${i}` } }),
      expect: staffOnly(201),
      write: true,
    },
    {
      route: 'PUT /scenarios/{id}',
      setup: scenario,
      request: (ids, i) => ({ method: 'PUT', url: `/scenarios/${ids.id}`, payload: { name: `Renamed ${i}`, definition: { forceWeights: { may: 0 } } } }),
      expect: staffOnly(200),
      write: true,
    },
    {
      route: 'DELETE /scenarios/{id}',
      setup: scenario,
      request: (ids) => ({ method: 'DELETE', url: `/scenarios/${ids.id}` }),
      expect: staffOnly(204),
      write: true,
    },

    // Last: it ends the callers' sessions.
    { route: 'DELETE /session', request: () => ({ method: 'DELETE', url: '/session' }), expect: everybody(204), write: false },
  ]

  const routes = await operations(app)
  t.same(
    routes.filter((r) => !ROWS.some((row) => row.route === r)),
    [],
    'every route of the API has rows in the matrix (add them for a new route)',
  )
  t.same(
    ROWS.map((r) => r.route).filter((r) => !routes.includes(r)),
    [],
    'every row names a route of the API',
  )

  const lines: string[] = []
  for (const row of ROWS) {
    const name = `${row.route}${row.label ? ` (${row.label})` : ''}`
    // Refusals first, all against the same state; each success then gets a fresh subject.
    const order = [...WHO].sort((x, y) => Number(row.expect[x] < 300) - Number(row.expect[y] < 300))
    let ids = row.setup ? await row.setup() : {}
    for (const w of order) {
      const req = row.request(ids, n++)
      const before = row.write ? await snapshot(app) : ''
      const res = await app.inject({ ...req, headers: { ...who[w], ...(req.headers ?? {}) }, remoteAddress: `10.77.${n % 250}.${(n >> 8) % 250}` })
      t.equal(res.statusCode, row.expect[w], `${name} as ${w}: ${res.body.slice(0, 300)}`)
      if (res.statusCode >= 400) {
        t.match(res.headers['content-type'], /^application\/problem\+json/, `${name} as ${w}: a problem document`)
        if (res.statusCode === 401 && row.expect[w] === 401 && !['POST /session'].includes(row.route)) {
          t.match(res.headers['www-authenticate'], /^Bearer realm="treaty-readiness"/)
        }
        if (row.write) t.equal(await snapshot(app), before, `${name} as ${w}: nothing changed`)
      }
      row.check?.(t, w, res.body)
      // Another country learns nothing: the same answer as for an assessment that does not exist.
      if ((w === 'foreign' || w === 'foreignContributor') && ids.id && row.route.startsWith('GET /assessments/{id}')) {
        const probe = row.request({ ...ids, id: MISSING_ID }, n++)
        const ghost = await app.inject({ ...probe, headers: { ...who[w], ...(probe.headers ?? {}) } })
        t.equal(ghost.statusCode, res.statusCode, `${name}: ${w}'s answer equals the one for a missing id`)
        t.equal(ghost.json().detail.replaceAll(MISSING_ID, 'ID'), res.json().detail.replaceAll(ids.id, 'ID'))
      }
      if (res.statusCode < 300 && row.write && row.setup) ids = await row.setup()
    }
    lines.push(`${name.padEnd(70)} ${WHO.map((w) => `${w}=${row.expect[w]}`).join(' ')}`)
  }
  t.comment(`\n${lines.join('\n')}`)
})

t.test("a person's token carries at most the person's rights, and loses one the moment its membership goes", async (t) => {
  const app = await build(t, { authRateLimit: 100_000 })
  const admin = (await testToken(app, 'admin')).authorization
  const kenya = (await testToken(app, 'administration', OWNER)).authorization
  const id = await person(app, 'Two Hats Kenya', [{ role: 'focal_point', country: OWNER }])
  await app.db
    .insertInto('memberships')
    .values({ person_id: id, role: 'contributor', country: OTHER, questionnaire: 'cdc', domains: ['data'] })
    .execute()
  const { token } = await createToken(app.db, { role: 'administration', country: OWNER, label: 'script', personId: id })
  const auth = { authorization: `Bearer ${token}` }
  const a = await createAssessment(app, kenya, { questionnaire: 'cdc', version: 1, country: OWNER, cycle: 2100 })
  const put = (q: string, value: number, etag?: string) =>
    app.inject({ method: 'PUT', url: `/assessments/${a.id}/answers/${q}`, headers: { ...auth, ...(etag ? { 'if-match': etag } : {}) }, payload: { value } })

  // Its role names Kenya: the person's Ghanaian membership is not the token's.
  const ghana = await createAssessment(app, (await testToken(app, 'administration', OTHER)).authorization, {
    questionnaire: 'cdc',
    version: 1,
    country: OTHER,
    cycle: 2100,
  })
  t.equal((await app.inject({ method: 'GET', url: `/assessments/${ghana.id}`, headers: auth })).statusCode, 404, 'the token acts for Kenya only')
  // No staff or admin rights the person does not have.
  t.equal((await app.inject({ method: 'GET', url: '/tokens', headers: auth })).statusCode, 403)
  await t.rejects(createToken(app.db, { role: 'staff', label: 'x', personId: id }), /holds no staff rights/, 'nor can it be given a role the person lacks')

  const first = await put(OUTSIDE, 1)
  t.equal(first.statusCode, 200, 'as focal point it answers every domain')
  const focal = await app.db.selectFrom('memberships').select('id').where('person_id', '=', id).where('role', '=', 'focal_point').executeTakeFirstOrThrow()
  // A contributor membership of Kenya remains after the focal point's goes.
  await app.db
    .insertInto('memberships')
    .values({ person_id: id, role: 'contributor', country: OWNER, questionnaire: 'cdc', domains: ['data'] })
    .execute()
  const withdraw = await app.inject({ method: 'DELETE', url: `/persons/${id}/memberships/${focal.id}`, headers: { authorization: admin } })
  t.equal(withdraw.statusCode, 200, withdraw.body)

  const before = await dbSnapshot(app)
  const outside = await put(OUTSIDE, 2, first.headers.etag as string)
  t.equal(outside.statusCode, 403, 'at once: outside its domain now')
  t.match(outside.json().detail, /taxation/)
  t.equal((await put(Q, 2)).statusCode, 200, 'inside it still')
  await answerAll(app, kenya, a.id)
  const after = await dbSnapshot(app)
  const submit = await app.inject({ method: 'POST', url: `/assessments/${a.id}/transitions`, headers: auth, payload: { action: 'submit' } })
  t.equal(submit.statusCode, 403, 'and it can no longer submit')
  t.equal(await dbSnapshot(app), after, 'nothing changed')
  t.not(before, after)

  // Without any Kenyan membership the token stands for nobody.
  const rest = await app.db.selectFrom('memberships').select('id').where('person_id', '=', id).where('country', '=', OWNER).execute()
  for (const m of rest) await app.inject({ method: 'DELETE', url: `/persons/${id}/memberships/${m.id}`, headers: { authorization: admin } })
  const me = await app.inject({ method: 'GET', url: '/me', headers: auth })
  t.equal(me.statusCode, 401, me.body)
})
