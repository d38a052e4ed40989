// Persons in a real browser (Debian's chromium), with mail through a real SMTP receiver: an admin
// invites a focal point on the People page; the focal point opens the link from the captured mail,
// sets a password and lands on its assessments; it invites a contributor for the taxation domain
// (§3.4) only; the contributor answers a §3.4 question and is refused on §3.3; the focal point
// submits; after sign-out the old cookie is refused.
import { createServer, type AddressInfo } from 'node:net'
import type { BrowserContext, Page } from 'playwright-core'
import { launchChromium, NO_CHROMIUM } from '../helpers/chromium.js'
import t, { type Test } from 'tap'
import { answerAll, createAssessment } from '../helpers/assessments.js'
import { build } from '../helpers/build.js'
import { smtpReceiver } from '../helpers/smtp.js'
import { testToken } from '../helpers/tokens.js'

declare const fetch: (url: string, init?: object) => Promise<{ status: number }>

const skip = NO_CHROMIUM
t.setTimeout(300_000)

async function context(t: Test): Promise<{ context: BrowserContext; page: Page }> {
  const ctx = await launchChromium(t)
  return { context: ctx, page: ctx.pages()[0] ?? (await ctx.newPage()) }
}

/** An answer written from inside the page, with the page's own session cookie. */
function putFromPage(page: Page, assessment: string, question: string, value: unknown): Promise<number> {
  return page.evaluate(
    async ([a, q, v]) =>
      (
        await fetch(`/assessments/${a}/answers/${q}`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json', 'if-match': '*', 'x-requested-with': 'fetch' },
          body: JSON.stringify({ value: v }),
        })
      ).status,
    [assessment, question, value] as const,
  )
}

t.test('invite, accept, delegate a domain, answer, submit, sign out', { skip }, async (t) => {
  const smtp = await smtpReceiver(t)
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as AddressInfo).port
      s.close(() => resolve(p))
    })
  })
  const base = `http://127.0.0.1:${port}`
  const app = await build(t, { smtpUrl: smtp.url, publicUrl: base })
  await app.listen({ port, host: '127.0.0.1' })
  const admin = await testToken(app, 'admin')
  const kenya = await testToken(app, 'administration', 'KEN')
  const assessment = (await createAssessment(app, kenya.authorization, { questionnaire: 'cdc', country: 'KEN', cycle: 2027 })).id

  // The admin invites the focal point on the People page.
  const { page: adminPage } = await context(t)
  await adminPage.goto(`${base}/app/`)
  await adminPage.getByText('Sign in with an access token instead').click()
  await adminPage.getByLabel('Access token').fill(admin.token)
  await adminPage.getByLabel('Access token').press('Enter')
  await adminPage.waitForURL(/people\.html/)
  await adminPage.getByLabel('Name', { exact: true }).fill('Amina Wanjiru')
  await adminPage.getByLabel('E-mail address').fill('amina@ict.go.ke')
  await adminPage.getByLabel('Role').selectOption('focal_point')
  await adminPage.getByLabel('Country (ISO code, e.g. KEN)').fill('KEN')
  await adminPage.getByRole('button', { name: 'Send the invitation' }).click()
  await adminPage.getByText('Invitation sent to amina@ict.go.ke.').waitFor()
  const mail = await smtp.next()
  const link = /(http:\/\/\S+invitation\.html#[A-Za-z0-9_-]{43})/.exec(mail.text)?.[1]
  t.ok(link, 'the focal point is mailed a link')

  // The focal point sets a password from the link and lands on its assessments.
  const { context: focalContext, page: focal } = await context(t)
  await focal.goto(link!)
  await focal.getByText('Welcome, Amina Wanjiru').waitFor()
  await focal.getByLabel('New password').fill('a long passphrase of mine')
  await focal.getByLabel('Repeat the password').fill('a long passphrase of mine')
  await focal.getByRole('button', { name: 'Set the password and sign in' }).click()
  await focal.waitForURL(/assessments\.html/)
  t.notMatch(focal.url(), /#/, 'the secret left the address bar')

  // It invites a contributor for the taxation domain of cdc only.
  await focal.goto(`${base}/app/people.html`)
  await focal.getByLabel('Name', { exact: true }).fill('Kenya Revenue Authority')
  await focal.getByLabel('E-mail address').fill('tax@kra.go.ke')
  await focal.locator('#d-cdc-taxation').check()
  await focal.getByRole('button', { name: 'Send the invitation' }).click()
  await focal.getByText('Invitation sent to tax@kra.go.ke.').waitFor()
  await focal.getByRole('rowheader', { name: 'Kenya Revenue Authority' }).waitFor()
  const contributorMail = await smtp.next()
  const contributorLink = /(http:\/\/\S+invitation\.html#[A-Za-z0-9_-]{43})/.exec(contributorMail.text)![1]!

  const { page: contributor } = await context(t)
  await contributor.goto(contributorLink)
  await contributor.getByLabel('New password').fill('revenue authority passphrase')
  await contributor.getByLabel('Repeat the password').fill('revenue authority passphrase')
  await contributor.getByRole('button', { name: 'Set the password and sign in' }).click()
  await contributor.waitForURL(/assessments\.html/)
  t.equal(await putFromPage(contributor, assessment, 'cdc.taxation.mutual_assistance_convention', 3), 200, 'the contributor answers a §3.4 question')
  t.equal(await putFromPage(contributor, assessment, 'cdc.competition.competition_law', 3), 403, 'and is refused on §3.3')

  // The rest answered, the focal point submits.
  await answerAll(app, kenya.authorization, assessment)
  const submitted = await focal.evaluate(
    async (a) =>
      (
        await fetch(`/assessments/${a}/transitions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-requested-with': 'fetch' },
          body: JSON.stringify({ action: 'submit' }),
        })
      ).status,
    assessment,
  )
  t.equal(submitted, 200, 'the focal point submits')

  // Sign out: the old cookie is refused afterwards.
  const [cookie] = (await focalContext.cookies()).filter((c) => c.name === 'tr_session')
  t.ok(cookie, 'signed in with a session cookie')
  await focal.goto(`${base}/app/assessments.html`)
  await focal.getByRole('button', { name: 'Sign out' }).click()
  await focal.waitForURL(/index\.html/)
  const replay = await app.inject({ method: 'GET', url: '/me', cookies: { tr_session: cookie!.value } })
  t.equal(replay.statusCode, 401, 'the old cookie is refused after sign-out')
})
