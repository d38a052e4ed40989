// Publishing a campaign through the API, reading publications, and what administrations read of
// readiness before and after. Validated assessments (k = 5):
//   Africa   KEN NGA ZAF GHA SEN   5  → shown
//   Europe   FRA DEU ITA           3  → withheld (group_too_small)
//   Americas BRA ARG               2  → withheld (group_too_small); 3 + 2 = 5 withheld countries, so
//                                        world − Africa is a sum over five: the world is shown
//   Americas CHL submitted only (not published)
import t from 'tap'
import { build } from '../helpers/build.js'
import { createCampaign, publishCampaign, setCampaignState } from '../helpers/publication.js'
import { type Plan, seedAssessment } from '../helpers/readiness-seed.js'
import { tokenFor } from '../helpers/tokens.js'

const app = await build(t)
const staff = await tokenFor(app, 'staff')
const admin = await tokenFor(app, 'admin')
const campaign = await createCampaign(app, { state: 'open' })
const plans: Record<string, Record<string, Plan>> = {
  KEN: { data: 'max', human_rights: 'max' },
  NGA: { data: 'max' },
  ZAF: {},
  GHA: { data: 'max', human_rights: 'max', cybercrime: 'max' },
  SEN: { human_rights: 'max' },
  FRA: { data: 'max' },
  DEU: {},
  ITA: { data: 'max' },
  BRA: { data: 'max' },
  ARG: {},
}
const seeded: Record<string, { id: string; admin: string }> = {}
for (const [country, plan] of Object.entries(plans))
  seeded[country] = await seedAssessment(app, staff, country, { plan, fallback: 'zero', status: 'validated' })
const chl = await seedAssessment(app, staff, 'CHL', { fallback: 'max', status: 'submitted' })
const ken = seeded.KEN!

const get = (url: string, authorization?: string) => app.inject({ method: 'GET', url, headers: authorization ? { authorization } : {} })
type Cell = { group: string; table: string; count: number; median: number | null; mean: number | null; suppressed: boolean; reason: string | null }
const cellOf = (cells: Cell[], group: string, table: string) => cells.find((c) => c.group === group && c.table === table)!
const count = async (table: 'publications' | 'audit_events') =>
  Number(
    (
      await app.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  )

t.test('before publication administrations read no figures; staff read live ones', async (t) => {
  const res = await get('/readiness?questionnaire=cdc&version=1', ken.admin)
  t.equal(res.statusCode, 200)
  t.match(res.json(), { groups: [], publication: null, cycle: null })
  const beside = (await get(`/assessments/${ken.id}/readiness`, ken.admin)).json()
  t.match(beside.overall, { regionMedian: null, regionCount: 0, worldMedian: null, worldCount: 0 })
  t.ok(beside.domains.every((d: { regionMedian: number | null; worldMedian: number | null }) => d.regionMedian === null && d.worldMedian === null))
  const live = (await get('/readiness?questionnaire=cdc&version=1&cycle=2026', staff)).json()
  t.equal(live.groups[0].overall.count, 11, 'staff: submitted and validated, live')
  t.not(live.groups[0].overall.max, null)
  t.equal(live.publication, null)
})

t.test('only reviewers and admins publish, a closed campaign, validated assessments; a refusal changes nothing', async (t) => {
  t.equal((await publishCampaign(app, ken.admin, campaign.id)).statusCode, 403)
  t.equal((await app.inject({ method: 'POST', url: `/campaigns/${campaign.id}/publications`, payload: {} })).statusCode, 401)
  const open = await publishCampaign(app, staff, campaign.id)
  t.equal(open.statusCode, 409)
  t.match(open.json().detail, /close it before publishing/)
  await setCampaignState(app, campaign.id, 'closed')
  const wrong = await publishCampaign(app, staff, campaign.id, { assessments: [chl.id, ken.id, '00000000-0000-4000-8000-000000000000'] })
  t.equal(wrong.statusCode, 422)
  t.match(wrong.json().errors, [{ path: '/body/assessments/0' }, { path: '/body/assessments/2' }])
  t.equal((await publishCampaign(app, staff, '00000000-0000-4000-8000-000000000000')).statusCode, 404)
  t.equal((await publishCampaign(app, staff, campaign.id, { note: 'x'.repeat(4001) })).statusCode, 400)
  t.equal(await count('publications'), 0)
  const state = await app.db.selectFrom('campaigns').select('state').where('id', '=', campaign.id).executeTakeFirstOrThrow()
  t.equal(state.state, 'closed')
})

t.test('publication: snapshot, disclosure rules applied, campaign published, recorded', async (t) => {
  const auditBefore = await count('audit_events')
  const res = await publishCampaign(app, admin, campaign.id)
  t.equal(res.statusCode, 201, res.statusCode === 201 ? 'created' : res.body)
  const body = res.json()
  t.equal(res.headers.location, `/campaigns/${campaign.id}/publications/1`)
  t.match(body, { number: 1, minGroupSize: 5, note: null, changes: null, campaign: { id: campaign.id, cycle: 2026, version: 1 } })
  t.equal(body.countries.length, 10)
  t.notOk(
    body.countries.some((c: { country: string }) => c.country === 'CHL'),
    'submitted but not validated: not published',
  )
  const cells: Cell[] = body.cells
  t.match(cellOf(cells, 'world', 'data'), { count: 10, suppressed: false, mean: 60, median: 100 })
  t.match(cellOf(cells, 'Africa', 'data'), { count: 5, suppressed: false, mean: 60 })
  t.match(cellOf(cells, 'Europe', 'data'), { count: 3, suppressed: true, mean: null, median: null, reason: 'group_too_small' })
  t.match(cellOf(cells, 'Americas', 'overall'), { count: 2, suppressed: true, reason: 'group_too_small' })
  t.equal(cellOf(cells, 'world', 'overall').mean, null, 'no overall mean is published')
  t.ok(
    cells.every((c) => !('min' in c) && !('max' in c)),
    'no minimum or maximum',
  )
  t.equal(body.scores.length, 10, 'staff see every country')
  const state = await app.db.selectFrom('campaigns').select('state').where('id', '=', campaign.id).executeTakeFirstOrThrow()
  t.equal(state.state, 'published')
  t.equal(await count('audit_events'), auditBefore + 1)
  const event = await app.db.selectFrom('audit_events').selectAll().orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow()
  t.match(event, { action: 'publication_made', details: { number: 1, countries: 10 } })
})

t.test('anybody reads publications; a country sees its own scores only', async (t) => {
  const list = await get(`/campaigns/${campaign.id}/publications`)
  t.equal(list.statusCode, 200)
  t.match(list.json(), { campaign: { id: campaign.id }, items: [{ number: 1, countries: 10, note: null }] })
  const anonymous = (await get(`/campaigns/${campaign.id}/publications/1`)).json()
  t.same(anonymous.scores, [])
  t.equal(anonymous.cells.length, 4 * 12, 'world and three regions, eleven domains and overall')
  const own = (await get(`/campaigns/${campaign.id}/publications/1`, ken.admin)).json()
  t.same(
    own.scores.map((s: { country: string }) => s.country),
    ['KEN'],
  )
  t.equal(own.scores[0].domains.find((d: { domain: string }) => d.domain === 'data').score, 100)
  t.equal((await get(`/campaigns/${campaign.id}/publications/2`)).statusCode, 404)
  t.equal((await get('/campaigns/not-a-uuid/publications/1')).statusCode, 400)
  const other = await createCampaign(app, { cycle: 2027, state: 'open' })
  t.equal((await get(`/campaigns/${other.id}/publications`)).statusCode, 404, 'nothing published: not found to the public')
  t.equal((await get(`/campaigns/${other.id}/publications`, staff)).statusCode, 200)
})

t.test('after publication administrations read the published figures, never min or max', async (t) => {
  const res = (await get('/readiness?questionnaire=cdc', ken.admin)).json()
  t.match(res, { cycle: 2026, version: 1, statuses: ['validated'], minGroupSize: 5, publication: { campaign: campaign.id, number: 1 } })
  const world = res.groups[0]
  t.equal(world.region, null)
  t.match(
    world.domains.find((d: { domain: string }) => d.domain === 'data'),
    { count: 10, mean: 60, median: 100, min: null, max: null, suppressed: false },
  )
  const byRegion = (await get('/readiness?questionnaire=cdc&groupBy=region', ken.admin)).json()
  t.same(
    byRegion.groups.map((g: { region: string }) => g.region),
    ['Africa', 'Americas', 'Europe'],
  )
  t.match(byRegion.groups[2].overall, { count: 3, median: null, suppressed: true })
  const europe = (await get('/readiness?questionnaire=cdc&region=Europe', seeded.FRA!.admin)).json()
  t.match(europe.groups[0], { region: 'Europe', overall: { suppressed: true, median: null } })
  t.equal((await get('/readiness?questionnaire=cdc&status=draft', ken.admin)).statusCode, 403)

  const beside = (await get(`/assessments/${ken.id}/readiness`, ken.admin)).json()
  const data = beside.domains.find((d: { domain: string }) => d.domain === 'data')
  // Africa data: KEN, NGA, GHA 100; ZAF, SEN 0 → median 100. World: 6 of 10 → 100.
  t.match(data, { score: 100, regionMedian: 100, regionCount: 5, worldMedian: 100, worldCount: 10 })
  const fra = (await get(`/assessments/${seeded.FRA!.id}/readiness`, seeded.FRA!.admin)).json()
  t.match(fra.overall, { regionMedian: null, regionCount: 3 })
  t.not(fra.overall.worldMedian, null)
  const staffView = (await get(`/assessments/${seeded.FRA!.id}/readiness`, staff)).json()
  t.not(staffView.overall.regionMedian, null, 'staff still read live medians')
})

t.test('a correction needs a note; it is dated, numbered and says what changed', async (t) => {
  const missing = await publishCampaign(app, staff, campaign.id)
  t.equal(missing.statusCode, 422)
  t.match(missing.json().errors, [{ path: '/body/note' }])
  const validated = await app.inject({
    method: 'POST',
    url: `/assessments/${chl.id}/transitions`,
    headers: { authorization: staff },
    payload: { action: 'validate' },
  })
  t.equal(validated.statusCode, 200)
  const res = await publishCampaign(app, staff, campaign.id, { note: 'Chile validated after the deadline' })
  t.equal(res.statusCode, 201, res.statusCode === 201 ? 'created' : res.body)
  const body = res.json()
  t.match(body, { number: 2, note: 'Chile validated after the deadline' })
  t.match(body.changes, { countriesAdded: ['CHL'], countriesRemoved: [], countriesRevised: [] })
  // One added country: the world's figures before and after would give its score; withheld.
  t.match(cellOf(body.cells, 'world', 'data'), { count: 11, suppressed: true, reason: 'complementary' })
  t.match(cellOf(body.cells, 'Africa', 'data'), { suppressed: false, mean: 60 })
  const worldChange = body.changes.cells.find((c: { group: string; table: string }) => c.group === 'world' && c.table === 'data')
  t.match(worldChange, { before: { mean: 60, suppressed: false }, after: { mean: null, suppressed: true } })
  t.ok(body.changes.scores.some((s: { country: string }) => s.country === 'CHL'))
  const forKen = (await get(`/campaigns/${campaign.id}/publications/2`, ken.admin)).json()
  t.same(forKen.changes.scores, [], "a country does not see others' scores in the changes")
  const latest = (await get('/readiness?questionnaire=cdc', ken.admin)).json()
  t.match(latest.publication, { number: 2 })
  t.match(latest.groups[0].overall, { count: 11, suppressed: true })
  const list = (await get(`/campaigns/${campaign.id}/publications`)).json()
  t.same(
    list.items.map((i: { number: number }) => i.number),
    [1, 2],
  )
})

t.test("staff dashboards default to the current campaign's version and cycle, not to any cycle someone started", async (t) => {
  // A draft campaign far ahead changes nothing.
  await createCampaign(app, { cycle: 2099, state: 'draft' })
  const res = (await get('/readiness?questionnaire=cdc', staff)).json()
  // The 2027 campaign (open) opened last.
  t.match(res, { cycle: 2027, version: 1, campaign: { cycle: 2027, state: 'open', title: 'CDC readiness 2027' } })
  t.same(res.statuses, ['submitted', 'validated'])
  const explicit = (await get('/readiness?questionnaire=cdc&cycle=2026', staff)).json()
  t.equal(explicit.cycle, 2026)
  t.equal(explicit.groups[0].overall.count, 11)
})
