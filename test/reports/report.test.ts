// The country report's data: what a minister is handed, who may see it, and in which language.
import t from 'tap'
import { ensureOpenCampaign } from '../helpers/assessments.js'
import { answersFor, seedAssessment } from '../helpers/readiness-seed.js'
import { build } from '../helpers/build.js'
import { tokenFor } from '../helpers/tokens.js'

const app = await build(t, { chromiumPath: '/nonexistent/chromium' })
const staff = await tokenFor(app, 'staff')
const ken = await tokenFor(app, 'administration', 'KEN')
const gha = await tokenFor(app, 'administration', 'GHA')

// Kenya: data and human rights full, everything else "unknown" (0), two answers citing evidence.
await ensureOpenCampaign(app, { questionnaire: 'cdc', version: 1, country: 'KEN', cycle: 2026 })
const created = await app.inject({
  method: 'POST',
  url: '/assessments',
  headers: { authorization: ken },
  payload: { questionnaire: 'cdc', version: 1, country: 'KEN', cycle: 2026 },
})
const id = created.json().assessment.id as string
const items = (await answersFor(app, { data: 'max', human_rights: 'max' }, 'zero')).map((a, i) =>
  i < 2
    ? { ...a, evidence: [{ title: 'Act', url: 'https://example.org/act' }, ...(i === 0 ? [{ title: 'Decree', url: 'https://example.org/decree' }] : [])] }
    : a,
)
const patched = await app.inject({ method: 'PATCH', url: `/assessments/${id}/answers`, headers: { authorization: ken }, payload: { answers: items } })
if (patched.statusCode !== 200) throw new Error(patched.body)
for (const [who, action] of [
  [ken, 'submit'],
  [staff, 'validate'],
] as const) {
  const res = await app.inject({ method: 'POST', url: `/assessments/${id}/transitions`, headers: { authorization: who }, payload: { action } })
  if (res.statusCode !== 200) throw new Error(res.body)
}
// Two more African countries: a region of three, so an administration sees the regional medians.
await seedAssessment(app, staff, 'GHA', { fallback: 'max' })
await seedAssessment(app, staff, 'NGA', { fallback: 'zero' })

const get = (url: string, auth?: string) => app.inject({ method: 'GET', url, headers: auth ? { authorization: auth } : {} })

t.test("the country's administration gets its report; staff too", async (t) => {
  for (const auth of [ken, staff]) {
    const res = await get(`/assessments/${id}/report?lang=en`, auth)
    t.equal(res.statusCode, 200, res.body)
    t.equal(res.headers['cache-control'], 'private, no-store')
    const r = res.json()
    t.match(r, { id, lang: 'en', dir: 'ltr', cycle: 2026, status: 'validated', country: { code: 'KEN', alpha2: 'KE', region: 'Africa' } })
    t.equal(r.overall.tier, 'initial')
    t.equal(Math.round(r.overall.score * 100), Math.round((200 / 11) * 100), 'two domains of eleven at 100')
    t.equal(r.domains.length, 11)
    const data = r.domains.find((d: { domain: string }) => d.domain === 'data')
    t.match(data, { title: { text: 'Data', lang: 'en' }, score: 100, tier: 'advanced' })
    if (auth === staff) {
      t.equal(data.regionMedian, 100, 'staff: live, KEN 100, GHA 100, NGA 0')
      t.equal(r.comparisonSource, 'live')
    } else {
      t.equal(data.regionMedian, null, 'the administration: nothing published yet, no median')
      t.equal(r.comparisonSource, 'published')
    }
    t.match(r.review, { status: 'validated', comments: 0 })
    t.ok(r.review.submittedAt && r.review.validatedAt, 'when it was submitted and validated')
    t.strictSame(r.evidence, { answersWithEvidence: 2, links: 3, documents: null })
    t.strictSame(
      r.trend.map((c: { cycle: number; tier: string }) => [c.cycle, c.tier]),
      [[2026, 'initial']],
    )
    t.strictSame(
      r.tiers.map((x: { id: string }) => x.id),
      ['initial', 'developing', 'established', 'advanced'],
    )
  }
})

t.test('the largest gaps are the lowest-scoring shall obligations, with their treaty reference', async (t) => {
  const r = (await get(`/assessments/${id}/report?lang=en`, ken)).json()
  const version = (await app.questionnaires.get('cdc', 1))!
  const question = new Map(version.content.domains.flatMap((d) => d.questions.map((q) => [q.id, q] as const)))
  t.equal(r.gaps.length, 8)
  for (const g of r.gaps) {
    const q = question.get(g.questionId)!
    t.equal(q.force, 'shall', `${g.questionId} is binding`)
    t.equal(g.sourceRef, q.source.ref)
    t.match(g.sourceRef, /^§3\.\d+/)
    t.equal(g.raw, 0, 'unknown scores 0: the largest gap there is')
    t.equal(g.status, 'unknown')
    t.notOk(['data', 'human_rights'].includes(g.domain), 'full domains have no gap')
    t.equal(g.text.text, q.text.en)
  }
})

t.test('in Arabic: right to left, with the questionnaire texts translated', async (t) => {
  const res = await get(`/assessments/${id}/report?lang=ar`, ken)
  t.equal(res.headers['content-language'], 'ar')
  const r = res.json()
  t.match(r, { lang: 'ar', dir: 'rtl' })
  t.equal(r.tiers[0].label.text, 'أولي')
  t.equal(r.tiers[0].label.lang, 'ar')
  t.equal(r.gaps[0].text.lang, 'ar', 'the obligation in Arabic (cdc v1 is translated)')
  t.match(r.gaps[0].text.text, /\p{Script=Arabic}/u)
})

t.test('another country, unknown ids and no credentials: nothing is given away', async (t) => {
  const other = await get(`/assessments/${id}/report`, gha)
  t.equal(other.statusCode, 404, "another country's report does not exist for Ghana")
  t.notMatch(other.body, /KEN|Kenya/)
  t.equal((await get(`/assessments/${id}/report.pdf`, gha)).statusCode, 404, 'nor its PDF')
  t.equal((await get(`/assessments/${id}/report`)).statusCode, 401)
  t.equal((await get('/assessments/00000000-0000-4000-8000-000000000000/report', staff)).statusCode, 404)
  const bad = await get('/assessments/nope/report', staff)
  t.equal(bad.statusCode, 400)
  t.match(bad.json().detail, /assessment id/)
  t.equal((await get(`/assessments/${id}/report?lang=de`, staff)).statusCode, 400, 'one of the six languages')
  t.equal((await get(`/assessments/${id}/report`, await tokenFor(app, 'admin'))).statusCode, 403)
})

t.test('an administration sees no live median, only published ones', async (t) => {
  // Europe has no other assessment and nothing is published: France's report shows no median at all.
  const fra = await seedAssessment(app, staff, 'FRA', { fallback: 'max' })
  const asFrance = (await get(`/assessments/${fra.id}/report`, fra.admin)).json()
  t.match(asFrance.overall, { regionMedian: null, worldMedian: null })
  const asStaff = (await get(`/assessments/${fra.id}/report`, staff)).json()
  t.equal(asStaff.overall.regionMedian, 100, 'staff see live figures')
})

t.test('without Chromium the PDF is a 503 problem naming the print page', async (t) => {
  const res = await get(`/assessments/${id}/report.pdf?lang=fr`, ken)
  t.equal(res.statusCode, 503)
  t.match(res.headers['content-type'], /application\/problem\+json/)
  const body = res.json()
  t.equal(body.code, 'pdf_unavailable')
  t.equal(body.printPage, `/app/report.html?assessment=${id}&lang=fr`)
  t.match(body.detail, body.printPage)
})
