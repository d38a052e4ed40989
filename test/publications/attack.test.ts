// The attack of issue 13, played through the API. Every administration of the campaign reads all it
// may read — GET /readiness with every filter and grouping, the medians beside its assessment and
// its country's cycles, every publication — before publication, after it, after another country
// is validated, and across two corrections (one adds a country, one withdraws one). Then it tries
// to solve for any other country's score (test/helpers/disclosure-attack.ts: min/max and other
// order statistics of small groups, differencing between groups and over time, the linear system
// of every mean with its count). Under the rules (k = 5) it must fail for every country; under a
// deliberately unsafe configuration (k = 1) the same attack must succeed, so this test can fail.
import type { FastifyInstance, LightMyRequestResponse as Response } from 'fastify'
import t from 'tap'
import { build } from '../helpers/build.js'
import { attack, type SeenCell, type SeenPublication } from '../helpers/disclosure-attack.js'
import { createCampaign, publishCampaign, setCampaignState } from '../helpers/publication.js'
import { type Plan, seedAssessment } from '../helpers/readiness-seed.js'
import { tokenFor } from '../helpers/tokens.js'

// Two campaigns of fourteen assessments each are made through the API, as administrations do.
t.setTimeout(300_000)

const REGIONS = ['Africa', 'Americas', 'Arab States', 'Asia-Pacific', 'CIS', 'Europe']
const OVERALL = 'overall'

// Africa 6, Europe 5, Americas 1 (+1 validated late), CIS 1: varied scores (domains at 100 or 0).
const COUNTRIES: Record<string, Record<string, Plan>> = {
  KEN: { data: 'max', human_rights: 'max' },
  NGA: { data: 'max' },
  ZAF: { security: 'max', data: 'max', taxation: 'max' },
  GHA: { data: 'max', human_rights: 'max', security: 'max' },
  SEN: { human_rights: 'max' },
  CIV: { competition: 'max', data: 'max' },
  FRA: { data: 'max', security: 'max' },
  DEU: { taxation: 'max' },
  ITA: { data: 'max', human_rights: 'max', competition: 'max', security: 'max' },
  ESP: {},
  PRT: { data: 'max', msmes: 'max' },
  BRA: { data: 'max', employment: 'max', security: 'max' },
  RUS: { human_rights: 'max', taxation: 'max' },
}
const LATE = { ARG: { data: 'max', msmes: 'max', employment: 'max' } as Record<string, Plan> }

interface Reader {
  country: string
  admin: string
  assessment: string
}

type Stats = {
  count: number
  scored: number | null
  mean: number | null
  median: number | null
  min: number | null
  max: number | null
  q1: number | null
  q3: number | null
  suppressed: boolean
}

const get = async (app: FastifyInstance, url: string, authorization: string) => {
  const res = await app.inject({ method: 'GET', url, headers: { authorization } })
  return { status: res.statusCode, body: res.statusCode === 200 ? res.json() : null }
}

/**
 * Everything one administration may read, as cells of the publication each figure came from
 * (GET /readiness and the medians name theirs), plus its own scores per publication.
 */
async function readEverything(app: FastifyInstance, campaign: string, cycle: number, reader: Reader) {
  const cells = new Map<number, SeenCell[]>()
  const add = (number: number, cell: SeenCell) => cells.set(number, [...(cells.get(number) ?? []), cell])
  const figures: unknown[] = []
  const statsCell = (group: string, table: string, s: Stats): SeenCell => ({ group, table, ...s })

  for (const query of ['', `&cycle=${cycle}`, `&version=1&cycle=${cycle}`, '&groupBy=region', ...REGIONS.map((r) => `&region=${encodeURIComponent(r)}`)]) {
    const { status, body } = await get(app, `/readiness?questionnaire=cdc${query}`, reader.admin)
    if (status !== 200) throw new Error(`readiness ${query}: ${status}`)
    figures.push(body)
    if (!body.publication) continue
    for (const g of body.groups) {
      const group = g.region ?? 'world'
      add(body.publication.number, statsCell(group, OVERALL, g.overall))
      for (const d of g.domains) add(body.publication.number, statsCell(group, d.domain, d))
    }
  }
  const beside = await get(app, `/assessments/${reader.assessment}/readiness`, reader.admin)
  const cycles = await get(app, `/countries/${reader.country}/readiness?questionnaire=cdc`, reader.admin)
  figures.push(beside.body, cycles.body)

  const list = await get(app, `/campaigns/${campaign}/publications`, reader.admin)
  const publications = []
  for (const item of list.body?.items ?? []) {
    const p = (await get(app, `/campaigns/${campaign}/publications/${item.number}`, reader.admin)).body
    figures.push(p)
    publications.push(p)
    for (const c of p.cells) add(p.number, c)
  }
  // The medians beside an assessment come from the latest publication.
  const latest = publications.at(-1)
  if (latest) {
    const region = beside.body.region
    const median = (table: string, m: { regionMedian: number | null; regionCount: number; worldMedian: number | null; worldCount: number }) => {
      for (const [group, value, n] of [
        [region, m.regionMedian, m.regionCount],
        ['world', m.worldMedian, m.worldCount],
      ] as const) {
        add(latest.number, { group, table, count: n, scored: n, mean: null, median: value, q1: null, q3: null, suppressed: value === null })
      }
    }
    median(OVERALL, beside.body.overall)
    for (const d of beside.body.domains) median(d.domain, d)
  }
  return { cells, publications, figures }
}

interface Scenario {
  app: FastifyInstance
  cycle: number
  readers: Reader[]
  /** Every reading of every reader, at every stage. */
  readings: Map<string, Awaited<ReturnType<typeof readEverything>>[]>
  campaign: string
  truth: Map<string, Map<string, number>>
}

async function play(app: FastifyInstance, cycle: number): Promise<Scenario> {
  const staff = await tokenFor(app, 'staff')
  const campaign = await createCampaign(app, { cycle, state: 'open' })
  const readers: Reader[] = []
  for (const [country, plan] of Object.entries(COUNTRIES)) {
    const s = await seedAssessment(app, staff, country, { plan, fallback: 'zero', status: 'validated', cycle })
    readers.push({ country, admin: s.admin, assessment: s.id })
  }
  const late = await seedAssessment(app, staff, 'ARG', { plan: LATE.ARG, fallback: 'zero', status: 'submitted', cycle })
  readers.push({ country: 'ARG', admin: late.admin, assessment: late.id })
  const readings = new Map<string, Awaited<ReturnType<typeof readEverything>>[]>()
  // One administration reads at every stage; all of them at the end, when every publication is
  // still there to read (GET /readiness shows the latest, whose cells the publications hold too).
  const readAll = async (everybody = false) => {
    for (const r of everybody ? readers : readers.slice(0, 1)) {
      readings.set(r.country, [...(readings.get(r.country) ?? []), await readEverything(app, campaign.id, cycle, r)])
    }
  }
  const ok = (res: Response) => {
    if (res.statusCode !== 201) throw new Error(`publish: ${res.statusCode} ${res.body}`)
    return res.json()
  }

  await setCampaignState(app, campaign.id, 'closed')
  await readAll() // before publication
  const first = ok(await publishCampaign(app, staff, campaign.id))
  await readAll()
  const validated = await app.inject({
    method: 'POST',
    url: `/assessments/${late.id}/transitions`,
    headers: { authorization: staff },
    payload: { action: 'validate' },
  })
  if (validated.statusCode !== 200) throw new Error(`validate ARG: ${validated.body}`)
  await readAll() // another country validated, nothing published yet
  ok(await publishCampaign(app, staff, campaign.id, { note: 'Argentina validated after the deadline' }))
  await readAll()
  const withoutNga = first.scores.filter((s: { country: string }) => s.country !== 'NGA').map((s: { country: string }) => s.country)
  const ids = readers.filter((r) => withoutNga.includes(r.country) || r.country === 'ARG').map((r) => r.assessment)
  ok(await publishCampaign(app, staff, campaign.id, { assessments: ids, note: "Nigeria's figures withdrawn pending review" }))
  await readAll(true)

  // The truth, from staff: every country's published score per table.
  const staffView = (await get(app, `/campaigns/${campaign.id}/publications/2`, staff)).body
  const truth = new Map<string, Map<string, number>>()
  for (const s of staffView.scores) {
    const m = new Map<string, number>([[OVERALL, s.overall]])
    for (const d of s.domains) m.set(d.domain, d.score)
    truth.set(s.country, m)
  }
  return { app, cycle, readers, readings, campaign: campaign.id, truth }
}

/** What each reader can solve for, from all its readings (the last one holds every publication). */
function attackAll(s: Scenario) {
  const leaks: { attacker: string; victim: string; table: string; value: number; truth: number | undefined }[] = []
  for (const reader of s.readers) {
    const readings = s.readings.get(reader.country)!
    const last = readings.at(-1)!
    const cells = new Map<number, SeenCell[]>()
    for (const r of readings) for (const [n, list] of r.cells) cells.set(n, [...(cells.get(n) ?? []), ...list])
    const seen: SeenPublication[] = last.publications.map((p) => ({
      members: p.countries,
      revised: p.changes?.countriesRevised ?? [],
      cells: cells.get(p.number) ?? [],
    }))
    const own = (i: number, table: string) => {
      const mine = last.publications[i]?.scores.find((x: { country: string }) => x.country === reader.country)
      if (!mine) return null
      return table === OVERALL ? mine.overall : (mine.domains.find((d: { domain: string }) => d.domain === table)?.score ?? null)
    }
    for (const [table, values] of attack(seen, { country: reader.country, own })) {
      for (const [victim, value] of values) leaks.push({ attacker: reader.country, victim, table, value, truth: s.truth.get(victim)?.get(table) })
    }
  }
  return leaks
}

t.test('under the disclosure rules (k = 5) no administration can solve for another country', async (t) => {
  const app = await build(t)
  const s = await play(app, 2026)
  const first = s.readings.get('KEN')![0]!
  t.same(first.publications, [], 'nothing to read before publication')
  t.ok(
    first.figures.every((f) => !JSON.stringify(f).match(/"(regionMedian|worldMedian|median|mean)":\d/)),
    'no figure of anybody else before publication',
  )
  // The reads before and after ARG's validation are the same: live figures never reach them.
  const ken = s.readings.get('KEN')!
  t.same(ken[2]!.figures, ken[1]!.figures, "another country's validation changes nothing an administration reads")
  for (const reading of s.readings.values()) {
    for (const f of reading.flatMap((r) => r.figures)) {
      const text = JSON.stringify(f)
      if (/"(min|max)":\d/.test(text)) t.fail(`a minimum or maximum was read: ${text.slice(0, 200)}`)
    }
  }
  t.equal(ken.length, 5, 'read before, after the publication, after a validation, after each correction')
  t.equal(ken.at(-1)!.publications.length, 3, 'the publication and two corrections were read')
  const leaks = attackAll(s)
  t.same(leaks, [], 'no country solved for any other')
})

t.test('the same attack succeeds against an unsafe configuration (k = 1)', async (t) => {
  const app = await build(t, { publicationMinGroupSize: 1 })
  const s = await play(app, 2027)
  const leaks = attackAll(s)
  t.ok(leaks.length > 0, 'the attacker solves for some countries')
  for (const victim of ['BRA', 'RUS', 'NGA', 'ARG']) {
    t.ok(
      leaks.some((l) => l.victim === victim),
      `${victim} solved for`,
    )
  }
  for (const l of leaks.filter((l) => l.truth !== undefined)) {
    if (Math.abs(l.value - l.truth!) > 1e-6) t.fail(`${l.attacker} solved ${l.victim} ${l.table} wrongly: ${l.value} ≠ ${l.truth}`)
  }
  t.ok(
    leaks.some((l) => l.victim === 'BRA' && l.truth !== undefined && Math.abs(l.value - l.truth) < 1e-6),
    "a lone region's country, exactly",
  )
})
