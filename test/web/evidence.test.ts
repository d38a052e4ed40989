// Evidence documents on the assessment page, in a real browser: a focal point attaches a PDF to an
// answer (picked, uploaded with progress), sees a disguised file refused with the reason, reuses the
// document for another answer and detaches it; a reviewer marks it insufficient with a comment and
// the focal point sees the verdict. axe runs on the page with the evidence open.
import { createRequire } from 'node:module'
import { readFile } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import type { Page } from 'playwright-core'
import t, { type Test } from 'tap'
import { answerAll, createAssessment } from '../helpers/assessments.js'
import { build } from '../helpers/build.js'
import { launchChromium, NO_CHROMIUM } from '../helpers/chromium.js'
import { testToken } from '../helpers/tokens.js'

const AXE = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')
const LAW = 'cdc.competition.competition_law'
const OTHER = 'cdc.competition.data_sharing_law'
const dom = (id: string) => `q-${id.replace(/[^a-zA-Z0-9_-]/g, '-')}`

t.setTimeout(600_000)

async function signedIn(t: Test, base: string, token: string): Promise<Page> {
  const context = await launchChromium(t, [], { viewport: { width: 1366, height: 900 } })
  const page = context.pages()[0] ?? (await context.newPage())
  await page.goto(`${base}/app/`)
  if (!(await page.getByLabel('Access token').isVisible())) await page.getByText('Sign in with an access token instead').click()
  await page.getByLabel('Access token').fill(token)
  await page.getByLabel('Access token').press('Enter')
  await page.waitForURL(/(assessments|dashboard)\.html/)
  return page
}

t.test('attach, refuse, reuse, detach; a reviewer finds it insufficient', { skip: NO_CHROMIUM, timeout: 500_000 }, async (t) => {
  const app = await build(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  const admin = await testToken(app, 'administration', 'KEN')
  const staff = await testToken(app, 'staff')
  const a = await createAssessment(app, admin.authorization, { questionnaire: 'cdc', country: 'KEN', cycle: 2026 })
  await app.inject({ method: 'PUT', url: `/assessments/${a.id}/answers/${LAW}`, headers: { authorization: admin.authorization }, payload: { value: 3 } })

  const page = await signedIn(t, base, admin.token)
  await page.goto(`${base}/app/assessment.html?id=${a.id}`)
  const law = page.locator(`#${dom(LAW)}`)
  await law.getByText('Comment and evidence').click()
  await law.getByText(/asks for evidence .* “Adopted” or above\. This answer has none yet/).waitFor()

  const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(300_000, 0x20), Buffer.from('\n%%EOF\n')])
  await law.getByLabel('Attach a file').setInputFiles({ name: 'Competition Act 2010.pdf', mimeType: 'application/pdf', buffer: pdf })
  await law.locator('.evidence-files a', { hasText: 'Competition Act 2010.pdf' }).waitFor()
  t.match(await law.locator('.evidence-files li').first().textContent(), /Not reviewed yet/)
  t.notOk(await law.getByText('This answer has none yet').isVisible(), 'the answer no longer lacks evidence')

  await law
    .getByLabel('Attach a file')
    .setInputFiles({ name: 'scan.pdf', mimeType: 'application/pdf', buffer: Buffer.from('<html><script>alert(1)</script></html>') })
  await law.getByText(/“scan\.pdf” was not attached: .*HTML/).waitFor()

  const other = page.locator(`#${dom(OTHER)}`)
  await other.getByText('Comment and evidence').click()
  await other.getByLabel('Or attach a document already uploaded for this assessment').selectOption({ label: 'Competition Act 2010.pdf' })
  await other.getByRole('button', { name: 'Attach', exact: true }).click()
  await other.locator('.evidence-files a', { hasText: 'Competition Act 2010.pdf' }).waitFor()

  await page.evaluate(AXE)
  const violations = await page.evaluate(async () => {
    // biome-ignore lint/suspicious/noExplicitAny: axe's global in the page
    const result = await (globalThis as any).axe.run()
    return result.violations.map((v: { id: string }) => v.id)
  })
  t.same(violations, [], 'axe finds nothing with the evidence open')

  await other.getByRole('button', { name: 'Remove “Competition Act 2010.pdf” from this answer' }).click()
  await other.getByText('No document attached yet.').waitFor()

  await answerAll(app, admin.authorization, a.id)
  const submit = await app.inject({
    method: 'POST',
    url: `/assessments/${a.id}/transitions`,
    headers: { authorization: admin.authorization },
    payload: { action: 'submit' },
  })
  t.equal(submit.statusCode, 200, submit.body)

  const reviewer = await signedIn(t, base, staff.token)
  await reviewer.goto(`${base}/app/assessment.html?id=${a.id}`)
  const reviewed = reviewer.locator(`#${dom(LAW)}`)
  // Open already: the answer has evidence.
  t.ok((await reviewed.locator('details.extras').first().getAttribute('open')) !== null, 'the evidence is shown open')
  await reviewed.getByLabel('Review comment on “Competition Act 2010.pdf”').fill('This is the 2010 act; the amended act of 2024 is needed.')
  await reviewed.locator('.evidence-files li').first().getByRole('button', { name: 'Mark as insufficient' }).click()
  await reviewed.locator('.badge.evidence-insufficient').first().waitFor()

  await page.reload()
  await law.locator('.evidence-files li').first().waitFor()
  t.match(await law.locator('.evidence-files li').first().textContent(), /Insufficient.*the amended act of 2024 is needed/)
})
