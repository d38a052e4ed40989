// Scenarios through the API: saved and audited, run beside the baseline, never changing a stored
// figure, and closed to administrations.
import t from 'tap'
import { build } from '../helpers/build.js'
import { dbSnapshot } from '../helpers/assessments.js'
import { seedAssessment } from '../helpers/readiness-seed.js'
import { tokenFor } from '../helpers/tokens.js'

const app = await build(t)
const staff = await tokenFor(app, 'staff')
const admin = await tokenFor(app, 'administration', 'KEN')

// cdc v1 weighs may 0.5. Eleven domains of weight 1; taxation is may, shall, shall, may and
// access_to_technology shall, encouraged, shall, may. With "may counts 0":
// KEN: taxation's shall best, its may unknown (66.7 → 100), two domains full: 24.24 → 27.27, initial → developing.
// GHA: taxation's and access's may/encouraged best, shall unknown (33.3 → 0 and 33.3 → 20), five full:
//      51.52 → 47.27, established → developing.
// NGA full (100 either way) and ZAF empty (0 either way) keep their tier.
await seedAssessment(app, staff, 'KEN', { fallback: 'zero', plan: { taxation: 'shall', data: 'max', competition: 'max' } })
const full = { human_rights: 'max', data: 'max', competition: 'max', internet_access: 'max', msmes: 'max' } as const
await seedAssessment(app, staff, 'GHA', { fallback: 'zero', plan: { ...full, taxation: 'others', access_to_technology: 'others' }, status: 'validated' })
await seedAssessment(app, staff, 'NGA', { fallback: 'max' })
await seedAssessment(app, staff, 'ZAF', { fallback: 'zero' })

const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, auth: string, payload?: object) =>
  app.inject({ method, url, headers: { authorization: auth }, ...(payload ? { payload } : {}) })

const mayZero = { name: 'May counts 0', questionnaire: 'cdc', version: 1, definition: { forceWeights: { may: 0 } } }

t.test('one force weight moves exactly the expected countries across a tier boundary', async (t) => {
  const created = await call('POST', '/scenarios', staff, mayZero)
  t.equal(created.statusCode, 201, created.body)
  const id = created.json().id as string

  const before = await dbSnapshot(app)
  const res = await call('GET', `/scenarios/${id}/comparison`, staff)
  t.equal(res.statusCode, 200, res.body)
  const body = res.json()
  t.equal(body.cycle, 2026)
  t.strictSame(
    body.tierChanges.map((c: { country: string; from: string; to: string }) => [c.country, c.from, c.to]),
    [
      ['GHA', 'established', 'developing'],
      ['KEN', 'initial', 'developing'],
    ],
  )
  const ken = body.tierChanges.find((c: { country: string }) => c.country === 'KEN')
  t.equal(Math.round(ken.baselineScore * 100), 2424)
  t.equal(Math.round(ken.scenarioScore * 100), 2727)

  const world = body.groups[0]
  t.equal(world.region, null)
  t.strictSame(world.overall.baseline.tiers, { initial: 2, developing: 0, established: 1, advanced: 1, none: 0 })
  t.strictSame(world.overall.scenario.tiers, { initial: 1, developing: 2, established: 0, advanced: 1, none: 0 })
  const taxation = world.domains.find((d: { domain: string }) => d.domain === 'taxation')
  t.strictSame(taxation.baseline.tiers, { initial: 1, developing: 1, established: 1, advanced: 1, none: 0 })
  t.strictSame(taxation.scenario.tiers, { initial: 2, developing: 0, established: 0, advanced: 2, none: 0 }, 'KEN rises to 100, GHA falls to 0')
  t.same(
    body.groups.slice(1).map((g: { region: string }) => g.region),
    ['Africa'],
    'then one group per region',
  )
  t.equal(await dbSnapshot(app), before, 'running a scenario changes no stored figure')

  // The same comparison beside GET /readiness.
  const beside = await call('GET', `/readiness?questionnaire=cdc&version=1&scenario=${id}`, staff)
  t.equal(beside.statusCode, 200)
  t.strictSame(beside.json().scenario.tierChanges, body.tierChanges)
  t.strictSame(beside.json().groups[0].overall.tiers, world.overall.baseline.tiers, 'the baseline is the stored figures')
  t.equal(await dbSnapshot(app), before)
})

t.test('the baseline of the empty scenario is the scenario', async (t) => {
  const created = await call('POST', '/scenarios', staff, { name: 'Nothing changed', questionnaire: 'cdc', version: 1, definition: {} })
  t.equal(created.statusCode, 201, created.body)
  const body = (await call('GET', `/scenarios/${created.json().id}/comparison`, staff)).json()
  t.strictSame(body.tierChanges, [])
  for (const g of body.groups) {
    t.strictSame(g.overall.scenario, g.overall.baseline)
    for (const d of g.domains) t.strictSame(d.scenario, d.baseline, d.domain)
  }
})

t.test('per-question changes: force, weight, exclusion; checked against the questionnaire', async (t) => {
  const bad = await call('POST', '/scenarios', staff, {
    name: 'Bad',
    questionnaire: 'cdc',
    version: 1,
    definition: { questions: [{ id: 'cdc.nope', exclude: true }, { id: 'cdc.nope2' }] },
  })
  t.equal(bad.statusCode, 422)
  t.strictSame(
    bad.json().errors.map((e: { path: string }) => e.path),
    ['/body/definition/questions/0/id', '/body/definition/questions/1/id', '/body/definition/questions/1'],
  )
  const range = await call('POST', '/scenarios', staff, { ...mayZero, name: 'x', definition: { forceWeights: { may: 11 } } })
  t.equal(range.statusCode, 400)
  t.match(range.json().detail, /forceWeights\/may/)
  const dup = await call('POST', '/scenarios', staff, { ...mayZero, name: 'MAY COUNTS 0' })
  t.equal(dup.statusCode, 409, 'names are unique per version, whatever the case')

  const version = (await app.questionnaires.get('cdc', 1))!
  const taxation = version.content.domains.find((d) => d.id === 'taxation')!
  const mays = taxation.questions.filter((q) => q.force === 'may').map((q) => q.id)
  // Excluding taxation's may questions is "may counts 0" for taxation; doing the same to access's may
  // (encouraged stays) changes the same countries' tiers.
  const access = version.content.domains.find((d) => d.id === 'access_to_technology')!
  const accessMay = access.questions.filter((q) => q.force === 'may').map((q) => q.id)
  const created = await call('POST', '/scenarios', staff, {
    name: 'Drop the may bullets',
    questionnaire: 'cdc',
    version: 1,
    definition: { questions: [...mays, ...accessMay].map((id) => ({ id, exclude: true })) },
  })
  t.equal(created.statusCode, 201, created.body)
  const body = (await call('GET', `/scenarios/${created.json().id}/comparison`, staff)).json()
  t.strictSame(
    body.tierChanges.map((c: { country: string }) => c.country),
    ['GHA', 'KEN'],
  )

  // "If taxation's may bullets became shall, of weight 3": taxation of KEN (may unknown) falls from
  // 66.7 to 2/8 = 25, of GHA (may best) rises from 33.3 to 6/8 = 75.
  const forced = await call('PUT', `/scenarios/${created.json().id}`, staff, {
    name: 'Taxation may → shall',
    definition: { questions: mays.map((id) => ({ id, force: 'shall', weight: 3 })) },
  })
  t.equal(forced.statusCode, 200, forced.body)
  t.equal(forced.json().name, 'Taxation may → shall')
  const after = (await call('GET', `/scenarios/${created.json().id}/comparison`, staff)).json()
  const taxed = after.groups[0].domains.find((d: { domain: string }) => d.domain === 'taxation')
  t.strictSame(taxed.scenario.tiers, { initial: 1, developing: 1, established: 0, advanced: 2, none: 0 })
  t.equal(taxed.scenario.min, 0)
  t.equal(taxed.scenario.q1, 18.75, 'ZAF 0, KEN 25, GHA 75, NGA 100')
})

t.test('saved, listed, changed and deleted by staff, each audited', async (t) => {
  const created = await call('POST', '/scenarios', staff, { ...mayZero, name: 'Audited' })
  const id = created.json().id as string
  const list = await call('GET', '/scenarios?questionnaire=cdc', staff)
  t.ok(list.json().scenarios.some((s: { id: string }) => s.id === id))
  t.equal((await call('GET', `/scenarios/${id}`, staff)).json().definition.forceWeights.may, 0)
  t.equal((await call('DELETE', `/scenarios/${id}`, staff)).statusCode, 204)
  t.equal((await call('GET', `/scenarios/${id}`, staff)).statusCode, 404)
  const events = (await app.db.selectFrom('audit_events').select(['action', 'details', 'actor_token']).orderBy('at').execute()).filter(
    (e) => (e.details as { scenario?: string }).scenario === id,
  )
  t.ok(
    events.every((e) => e.actor_token !== null),
    'the person who did it is recorded',
  )
  t.strictSame(
    events.map((e) => e.action),
    ['scenario_created', 'scenario_deleted'],
  )
})

t.test('an administration can neither run nor read a scenario', async (t) => {
  const id = (await call('GET', '/scenarios', staff)).json().scenarios[0].id as string
  const before = await dbSnapshot(app)
  for (const [method, url, payload] of [
    ['GET', '/scenarios'],
    ['GET', `/scenarios/${id}`],
    ['GET', `/scenarios/${id}/comparison`],
    ['POST', '/scenarios', { ...mayZero, name: 'Mine' }],
    ['PUT', `/scenarios/${id}`, { name: 'Mine', definition: {} }],
    ['DELETE', `/scenarios/${id}`],
    ['GET', `/readiness?questionnaire=cdc&scenario=${id}`],
  ] as const) {
    const res = await call(method, url, admin, payload)
    t.equal(res.statusCode, 403, `${method} ${url}`)
    t.notMatch(res.body, /May counts 0|tierChanges/, 'nothing of the scenario is given away')
  }
  t.equal((await call('GET', `/scenarios/${id}`, staff)).json().name, 'May counts 0', 'unchanged')
  t.equal(await dbSnapshot(app), before)
})

t.test('a scenario of another questionnaire version beside /readiness is a 400 naming it', async (t) => {
  const id = (await call('GET', '/scenarios', staff)).json().scenarios[0].id as string
  const res = await call('GET', `/readiness?questionnaire=cdc&version=2&scenario=${id}`, staff)
  t.equal(res.statusCode, 400)
  t.match(res.json().errors[0].path, '/querystring/scenario')
})

t.test('the readiness export with ?scenario= gives each figure beside the baseline', async (t) => {
  const id = (await call('GET', '/scenarios?questionnaire=cdc', staff)).json().scenarios.find((s: { name: string }) => s.name === 'May counts 0').id
  const before = await dbSnapshot(app)
  const res = await call('GET', `/exports/readiness.csv?questionnaire=cdc&scenario=${id}`, staff)
  t.equal(res.statusCode, 200, res.body)
  t.match(res.headers['content-type'], /text\/csv/)
  const [header, ...rows] = res.body
    .trim()
    .split('\r\n')
    .map((l) => l.split(','))
  t.strictSame(header!.slice(0, 10), [
    'country code',
    'country name',
    'region',
    'questionnaire',
    'version',
    'cycle',
    'status',
    'scenario',
    'human_rights baseline',
    'human_rights scenario',
  ])
  t.strictSame(header!.slice(-5), ['overall baseline', 'overall scenario', 'tier baseline', 'tier scenario', 'tier changes'])
  const byCountry = new Map(rows.map((r) => [r[0], r]))
  t.strictSame(byCountry.get('KEN')!.slice(-3), ['initial', 'developing', 'true'])
  t.strictSame(byCountry.get('NGA')!.slice(-3), ['advanced', 'advanced', 'false'])
  t.equal(await dbSnapshot(app), before)
  t.equal((await call('GET', `/exports/readiness.csv?questionnaire=cdc&scenario=${id}`, admin)).statusCode, 403, 'staff only')
  const other = await call('GET', `/exports/readiness.csv?questionnaire=res174&scenario=${id}`, staff)
  t.equal(other.statusCode, 400)
})
