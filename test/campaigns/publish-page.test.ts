// Publishing from the campaigns page, in a real browser: a reviewer closes the campaign, publishes
// it (five validated assessments) after a confirmation that says what publication means, then
// publishes a correction, which needs its note; an analyst (no reviewer membership) is offered none
// of these.
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import type { Page } from 'playwright-core'
import t from 'tap'
import { build } from '../helpers/build.js'
import { launchChromium, NO_CHROMIUM, signInWithToken } from '../helpers/chromium.js'
import { makePerson, tokenOf } from '../helpers/people.js'
import { seedAssessment } from '../helpers/readiness-seed.js'
import { testToken } from '../helpers/tokens.js'

t.setTimeout(300_000)

const AXE = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

/** axe-core's violations (run through the devtools protocol: the CSP does not apply). */
async function axe(page: Page): Promise<string[]> {
  await page.evaluate(AXE)
  return page.evaluate(async () => {
    const run = (window as unknown as { axe: { run(): Promise<{ violations: { id: string }[] }> } }).axe.run
    return (await run()).violations.map((v) => v.id)
  })
}

t.test('a reviewer publishes a closed campaign and then a correction; an analyst cannot', { skip: NO_CHROMIUM }, async (t) => {
  const app = await build(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`

  const reviewer = await testToken(app, 'staff', undefined, { label: 'ITU-D reviewer' })
  for (const c of ['KEN', 'NGA', 'ZAF', 'GHA', 'SEN']) await seedAssessment(app, reviewer.authorization, c, { fallback: 'max', status: 'validated' })
  // Seeding opens the cycle's campaign (assessments start only in an open one).
  const campaign = await app.db
    .selectFrom('campaigns')
    .select(['id', 'title'])
    .where('questionnaire', '=', 'cdc')
    .where('cycle', '=', 2026)
    .executeTakeFirstOrThrow()
  const analystPerson = await makePerson(app, [{ role: 'analyst' }], { name: 'ITU-D analyst' })
  const analyst = await tokenOf(app, analystPerson.id, 'staff')

  const get = async (authorization: string, url: string) => {
    const res = await app.inject({ method: 'GET', url, headers: { authorization } })
    t.equal(res.statusCode, 200, `GET ${url}`)
    return res.json()
  }
  // What the page decides on: the caller's memberships (GET /me) and the campaign's state and counts (GET /campaigns).
  t.ok(
    (await get(reviewer.authorization, '/me')).memberships.some((m: { role: string }) => m.role === 'reviewer'),
    'the staff token is a reviewer',
  )
  t.same(
    (await get(analyst, '/me')).memberships.map((m: { role: string }) => m.role),
    ['analyst'],
    'the analyst is no reviewer',
  )
  const listed = (await get(reviewer.authorization, '/campaigns')).items.find((c: { id: string }) => c.id === campaign.id)
  t.match(listed, { state: 'open', validated: 5 }, 'the page lists the campaign open, with five validated assessments')

  const context = await launchChromium(t, [], { viewport: { width: 1280, height: 900 } })
  const page = context.pages()[0] ?? (await context.newPage())
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(e.message))
  const row = page.locator('tbody tr', { hasText: campaign.title })
  const status = page.locator('#main > [aria-live]')

  await t.test('a reviewer closes the open campaign', async (t) => {
    await signInWithToken(page, base, reviewer.token)
    await page.goto(`${base}/app/campaigns.html`)
    await row.getByRole('button', { name: 'Close' }).click()
    t.match(await row.getByRole('alertdialog').textContent(), /can no longer submit/)
    await row.getByRole('button', { name: 'Yes, close it' }).click()
    await status.getByRole('status').waitFor()
    t.equal(await status.textContent(), 'The campaign is closed.')
    t.equal((await get(reviewer.authorization, `/campaigns/${campaign.id}`)).state, 'closed')
    await context.clearCookies()
  })

  await t.test('an analyst sees the closed campaign without a Publish action', async (t) => {
    await signInWithToken(page, base, analyst.replace('Bearer ', ''))
    await page.goto(`${base}/app/campaigns.html`)
    await row.waitFor()
    t.match(await row.textContent(), /Closed/)
    t.equal(await row.getByRole('button').count(), 0, 'no action at all on the row')
    t.equal(await page.getByRole('button', { name: /publish/i }).count(), 0, 'no publishing action anywhere on the page')
    await context.clearCookies()
  })

  await t.test('a reviewer publishes after a confirmation that states the consequence', async (t) => {
    await signInWithToken(page, base, reviewer.token)
    await page.goto(`${base}/app/campaigns.html`)
    await row.waitFor()
    await row.getByRole('button', { name: 'Publish', exact: true }).click()
    const dialog = row.getByRole('alertdialog')
    const question = (await dialog.textContent()) ?? ''
    t.match(question, /final/, 'publication is final')
    t.match(question, /administrations and the public will see the published figures of its validated assessments \(5\)/)
    t.match(question, /disclosure rules/)
    t.match(question, /dated correction/)
    t.same(await axe(page), [], 'axe: no violations with the confirmation open')
    await dialog.getByRole('button', { name: 'Yes, publish it' }).click()
    await status.getByRole('status').waitFor()
    t.equal(await status.textContent(), 'The campaign is published: publication 1. Countries published: 5.')

    const { items } = await get(reviewer.authorization, `/campaigns/${campaign.id}/publications`)
    t.match(items, [{ number: 1, countries: 5, note: null }], 'publication 1 exists')
    t.equal((await get(reviewer.authorization, `/campaigns/${campaign.id}`)).state, 'published')
    await row.getByRole('button', { name: 'Publish a correction' }).waitFor()
    t.match(await row.textContent(), /Published.*Latest: publication 1 of /, 'the row shows the latest publication')
    t.equal(await row.getByRole('button', { name: 'Publish', exact: true }).count(), 0, 'no second first publication')
  })

  await t.test('a correction needs its note, and carries it', async (t) => {
    await row.getByRole('button', { name: 'Publish a correction' }).click()
    const dialog = row.getByRole('alertdialog')
    t.match(await dialog.textContent(), /new dated publication carrying your note/)
    const note = dialog.getByLabel('What the correction changes and why (published with it)')
    t.equal(await note.getAttribute('required'), '', 'the note is required')
    t.same(await axe(page), [], 'axe: no violations with the note asked for')

    await dialog.getByRole('button', { name: 'Yes, publish the correction' }).click()
    await status.getByRole('alert').waitFor()
    t.equal(await status.textContent(), 'Say what the correction changes and why.')
    t.ok(
      await note.evaluate((el) => el === (globalThis as unknown as { document: { activeElement: unknown } }).document.activeElement),
      'the note has the focus',
    )
    t.equal((await get(reviewer.authorization, `/campaigns/${campaign.id}/publications`)).items.length, 1, 'nothing published without a note')

    const text = "Ghana's answers on data protection were validated again after a transcription error."
    await note.fill(text)
    await dialog.getByRole('button', { name: 'Yes, publish the correction' }).click()
    await status.getByRole('status').waitFor()
    t.equal(await status.textContent(), 'The correction is published: publication 2. Countries published: 5.')
    const { items } = await get(reviewer.authorization, `/campaigns/${campaign.id}/publications`)
    t.match(items, [{ number: 1 }, { number: 2, note: text, countries: 5 }], 'publication 2 carries the note')
    await row.getByText(/Latest: publication 2 of /).waitFor()
  })

  t.same(errors, [], 'no page errors')
})
