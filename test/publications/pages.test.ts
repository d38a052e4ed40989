// The pages in a real browser: an administration sees, after publication, its country against the
// published region and world medians (and before it, that none are published yet); staff's
// dashboard opens on the current campaign with submitted and validated assessments only, drafts
// when asked for.
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import { build } from '../helpers/build.js'
import { launchChromium, NO_CHROMIUM, signInWithToken } from '../helpers/chromium.js'
import { createCampaign, publishCampaign, setCampaignState } from '../helpers/publication.js'
import { seedAssessment } from '../helpers/readiness-seed.js'
import { testToken } from '../helpers/tokens.js'

t.setTimeout(300_000)

async function serve(t: Test): Promise<{ app: FastifyInstance; base: string }> {
  const app = await build(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  return { app, base: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` }
}

t.test('administration: published medians beside its scores; staff: current campaign, finished assessments', { skip: NO_CHROMIUM }, async (t) => {
  const { app, base } = await serve(t)
  const staff = await testToken(app, 'staff')
  const campaign = await createCampaign(app, { cycle: 2026, state: 'open', title: 'CDC readiness 2026' })
  await seedAssessment(app, staff.authorization, 'KEN', { plan: { data: 'max' }, fallback: 'zero', status: 'validated' })
  for (const c of ['NGA', 'ZAF', 'GHA', 'SEN']) await seedAssessment(app, staff.authorization, c, { fallback: 'max', status: 'validated' })
  await seedAssessment(app, staff.authorization, 'EGY', { fallback: 'max', status: 'draft' })
  const admin = await testToken(app, 'administration', 'KEN')

  const context = await launchChromium(t, [], { viewport: { width: 1280, height: 900 } })
  const page = context.pages()[0] ?? (await context.newPage())
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(e.message))

  await signInWithToken(page, base, admin.token)
  const section = page.locator('#published-comparison')
  await section.waitFor()
  t.match(await section.textContent(), /once ITU-D publishes/, 'before publication: says when figures come')

  await setCampaignState(app, campaign.id, 'closed')
  const res = await publishCampaign(app, staff.authorization, campaign.id)
  t.equal(res.statusCode, 201)
  await page.reload()
  await page.locator('#published-comparison table').waitFor()
  const rows = await page.locator('#published-comparison tbody tr').allInnerTexts()
  // Africa: KEN data 100, the four others 100 → median 100; KEN overall 100/11, others 100.
  const data = rows.find((r) => /^Data\s/.test(r))!
  t.match(data, /100\s+100\s+100/, 'data: own score, region median, world median')
  t.match(await section.textContent(), /publication 1/i)

  await context.clearCookies()
  await signInWithToken(page, base, staff.token)
  await page.goto(`${base}/app/dashboard.html`)
  await page.locator('#heatmap').waitFor()
  t.match(await page.locator('#current-campaign').textContent(), /CDC readiness 2026/)
  const countries = await page
    .locator('#heatmap tbody tr')
    .evaluateAll((trs) => trs.map((tr) => (tr as unknown as { dataset: { country: string } }).dataset.country))
  t.same(countries.sort(), ['GHA', 'KEN', 'NGA', 'SEN', 'ZAF'], 'the draft is not in the default view')
  await page.goto(`${base}/app/dashboard.html?questionnaire=cdc&status=draft,submitted,returned,validated`)
  await page.locator('#heatmap').waitFor()
  t.equal(await page.locator('#heatmap tbody tr[data-country="EGY"]').count(), 1, 'drafts when asked for')
  t.same(errors, [], 'no page errors')
})
