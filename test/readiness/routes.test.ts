// Readiness through the API, on assessments seeded through the API. Domain scores are 100 ('max')
// or 0 ('zero'), so every figure below is worked out by hand:
//   KEN Africa  submitted  every domain 100                 overall 100
//   NGA Africa  submitted  every domain 0                   overall 0
//   ZAF Africa  validated  human_rights 100, the other 10 0 overall 100/11 (11 domains of weight 1)
//   FRA Europe  submitted  every domain 100                 overall 100
//   DEU Europe  draft      every domain 100                 (not published)
import t from 'tap'
import { build } from '../helpers/build.js'
import { ensureOpenCampaign } from '../helpers/assessments.js'
import { seedAssessment } from '../helpers/readiness-seed.js'
import { tokenFor } from '../helpers/tokens.js'

const app = await build(t)
const staff = await tokenFor(app, 'staff')
const ken = await seedAssessment(app, staff, 'KEN', { fallback: 'max' })
const nga = await seedAssessment(app, staff, 'NGA', { fallback: 'zero' })
const zaf = await seedAssessment(app, staff, 'ZAF', { fallback: 'zero', plan: { human_rights: 'max' }, status: 'validated' })
const fra = await seedAssessment(app, staff, 'FRA', { fallback: 'max' })
const deu = await seedAssessment(app, staff, 'DEU', { fallback: 'max', status: 'draft' })

const get = (url: string, authorization: string) => app.inject({ method: 'GET', url, headers: { authorization } })
type Stats = {
  count: number
  mean: number | null
  median: number | null
  min: number | null
  max: number | null
  q1: number | null
  q3: number | null
  tiers: Record<string, number>
  suppressed: boolean
}
type Group = { region: string | null; overall: Stats; domains: (Stats & { domain: string })[] }
const domainOf = (g: Group, d: string) => g.domains.find((x) => x.domain === d)!

t.test('stored figures are what the plans give', async (t) => {
  const res = await get(`/assessments/${zaf.id}/readiness`, staff)
  t.equal(res.statusCode, 200)
  const body = res.json()
  t.equal(body.domains.length, 11)
  t.equal(body.domains.find((d: { domain: string }) => d.domain === 'human_rights').score, 100)
  t.equal(body.domains.find((d: { domain: string }) => d.domain === 'data').score, 0)
  t.ok(Math.abs(body.overall.score - 100 / 11) < 1e-9)
  t.equal(body.overall.tier, 'initial')
  t.equal(body.status, 'validated')
})

t.test('world aggregate: published only, per-domain medians, quartiles and tiers', async (t) => {
  const res = await get('/readiness?questionnaire=cdc&version=1&cycle=2026', staff)
  t.equal(res.statusCode, 200, res.body)
  const body = res.json()
  t.same(body.statuses, ['submitted', 'validated'])
  t.equal(body.version, 1)
  t.equal(body.groups.length, 1)
  const g: Group = body.groups[0]
  // human_rights: 0 100 100 100 → median 100, q1 = 0 + 0.75·100 = 75, q3 100, mean 75
  t.match(domainOf(g, 'human_rights'), { count: 4, mean: 75, median: 100, min: 0, max: 100, q1: 75, q3: 100, suppressed: false })
  t.same(domainOf(g, 'human_rights').tiers, { initial: 1, developing: 0, established: 0, advanced: 3, none: 0 })
  // data: 0 0 100 100 → median 50, q1 0, q3 100, mean 50
  t.match(domainOf(g, 'data'), { count: 4, mean: 50, median: 50, min: 0, max: 100, q1: 0, q3: 100 })
  t.same(domainOf(g, 'data').tiers, { initial: 2, developing: 0, established: 0, advanced: 2, none: 0 })
  // overall: 0, 100/11, 100, 100 → median (100/11 + 100)/2, mean (200 + 100/11)/4
  t.ok(Math.abs(g.overall.median! - (100 / 11 + 100) / 2) < 1e-9)
  t.ok(Math.abs(g.overall.mean! - (200 + 100 / 11) / 4) < 1e-9)
  t.equal(g.overall.count, 4)
  t.same(g.overall.tiers, { initial: 2, developing: 0, established: 0, advanced: 2, none: 0 })
})

t.test('cycle defaults to the latest published one', async (t) => {
  const res = await get('/readiness?questionnaire=cdc&version=1', staff)
  t.equal(res.json().cycle, 2026)
})

t.test('groupBy=region and region filter', async (t) => {
  const res = await get('/readiness?questionnaire=cdc&version=1&cycle=2026&groupBy=region', staff)
  const groups: Group[] = res.json().groups
  t.same(
    groups.map((g) => g.region),
    ['Africa', 'Europe'],
  )
  const africa = groups[0]!
  // Africa: KEN 100, NGA 0, ZAF 100 (human_rights) / 0 (data)
  t.match(domainOf(africa, 'human_rights'), { count: 3, median: 100, q1: 50, q3: 100 })
  t.match(domainOf(africa, 'data'), { count: 3, median: 0, q1: 0, q3: 50, mean: 100 / 3 })
  // Europe: FRA alone (DEU is a draft): staff see its figures
  t.match(domainOf(groups[1]!, 'data'), { count: 1, median: 100, suppressed: false })

  const only = (await get('/readiness?questionnaire=cdc&version=1&cycle=2026&region=Europe', staff)).json()
  t.equal(only.groups[0].region, 'Europe')
  t.equal(only.groups[0].overall.count, 1)
})

t.test('staff may include drafts; administrations get 403', async (t) => {
  const res = await get('/readiness?questionnaire=cdc&version=1&cycle=2026&status=draft,submitted,validated', staff)
  const g: Group = res.json().groups[0]
  // data with DEU: 0 0 100 100 100 → median 100
  t.match(domainOf(g, 'data'), { count: 5, median: 100 })
  t.equal((await get('/readiness?questionnaire=cdc&version=1&status=draft', ken.admin)).statusCode, 403)
  t.equal((await get('/readiness?questionnaire=cdc&version=1&status=submitted', ken.admin)).statusCode, 200)
  t.equal((await get('/readiness?questionnaire=cdc&version=1&status=bogus', staff)).statusCode, 400)
})

t.test('administrations read no live aggregates: nothing before a publication (test/publications)', async (t) => {
  const res = await get('/readiness?questionnaire=cdc&version=1&cycle=2026&groupBy=region', ken.admin)
  t.equal(res.statusCode, 200)
  t.match(res.json(), { groups: [], publication: null, cycle: null })
})

t.test('one assessment beside its region and the world', async (t) => {
  const res = await get(`/assessments/${ken.id}/readiness`, staff)
  t.equal(res.statusCode, 200)
  const data = res.json().domains.find((d: { domain: string }) => d.domain === 'data')
  // Africa published data scores 100, 0, 0 → 0; world 100, 0, 0, 100 → 50
  t.match(data, { score: 100, regionMedian: 0, regionCount: 3, worldMedian: 50, worldCount: 4 })
  const hr = res.json().domains.find((d: { domain: string }) => d.domain === 'human_rights')
  t.match(hr, { regionMedian: 100, worldMedian: 100 })

  // An administration sees its own figures; medians only from a publication (none yet)
  const own = (await get(`/assessments/${ken.id}/readiness`, ken.admin)).json()
  t.match(
    own.domains.find((d: { domain: string }) => d.domain === 'data'),
    { score: 100, regionMedian: null, regionCount: 0, worldMedian: null },
  )
  const fraStaff = (await get(`/assessments/${fra.id}/readiness`, staff)).json()
  t.match(fraStaff.overall, { regionMedian: 100, regionCount: 1 })

  // a draft sees its own figures and the published medians
  const draft = (await get(`/assessments/${deu.id}/readiness`, staff)).json()
  t.match(draft, { status: 'draft', overall: { score: 100, regionCount: 1 } })
})

t.test('administrations cannot see other countries', async (t) => {
  t.equal((await get(`/assessments/${ken.id}/readiness`, nga.admin)).statusCode, 404)
  t.equal((await get('/countries/KEN/readiness?questionnaire=cdc', nga.admin)).statusCode, 404)
  t.equal((await get('/countries/NGA/readiness?questionnaire=cdc', nga.admin)).statusCode, 200)
  t.equal((await get(`/assessments/${ken.id}/readiness`, 'Bearer nope')).statusCode, 401)
})

t.test('a country over its cycles', async (t) => {
  await ensureOpenCampaign(app, { questionnaire: 'cdc', cycle: 2027, country: 'KEN', version: 1 })
  const next = await app.inject({
    method: 'POST',
    url: '/assessments',
    headers: { authorization: ken.admin },
    payload: { questionnaire: 'cdc', country: 'KEN', cycle: 2027 },
  })
  t.equal(next.statusCode, 201, next.body)
  const res = await get('/countries/ken/readiness?questionnaire=cdc', staff)
  t.equal(res.statusCode, 200)
  const body = res.json()
  t.match(body, { country: 'KEN', name: 'Kenya', region: 'Africa' })
  t.same(
    body.cycles.map((c: { cycle: number }) => c.cycle),
    [2026, 2027],
  )
  const data2026 = body.cycles[0].domains.find((d: { domain: string }) => d.domain === 'data')
  t.match(data2026, { score: 100, regionMedian: 0, worldMedian: 50 })
  // 2027 has nothing published: no medians
  t.match(body.cycles[1].overall, { regionMedian: null, regionCount: 0, worldMedian: null, worldCount: 0 })
  t.equal((await get('/countries/XXX/readiness?questionnaire=cdc', staff)).statusCode, 404)
})
