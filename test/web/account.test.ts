// My account and the admin's pages in a real browser (Debian's chromium): a focal point signs in
// with its password, changes the interface language, sets up a second factor with a code computed
// by otplib, and ends its session on another device; an admin withdraws an invitation on the
// Invitations page and finds it on the Audit page.
import type { AddressInfo } from 'node:net'
import { generate } from 'otplib'
import type { Page } from 'playwright-core'
import t, { type Test } from 'tap'
import { t as translate } from '../../src/i18n/catalogs.js'
import { build } from '../helpers/build.js'
import { launchChromium, NO_CHROMIUM } from '../helpers/chromium.js'
import { FETCH, makePerson, PASSWORD, signIn } from '../helpers/people.js'
import { testToken } from '../helpers/tokens.js'

const skip = NO_CHROMIUM
t.setTimeout(300_000)

async function newPage(t: Test): Promise<{ page: Page; errors: string[] }> {
  const context = await launchChromium(t, [], { locale: 'en-US' })
  const page = context.pages()[0] ?? (await context.newPage())
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(e.message))
  return { page, errors }
}

t.test('my account: language, second factor, another session ended', { skip }, async (t) => {
  const app = await build(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  const person = await makePerson(app, [{ role: 'focal_point', country: 'KEN' }], { name: 'Amina Wanjiru', email: 'amina@ict.go.ke' })
  const elsewhere = await signIn(app, person, 'Phone in the office')

  const { page, errors } = await newPage(t)
  await page.goto(`${base}/app/`)
  await page.getByLabel('E-mail address').fill(person.email)
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD)
  await page.getByRole('button', { name: 'Sign in', exact: true }).click()
  await page.waitForURL(/assessments\.html/)
  await page.getByRole('link', { name: 'My account' }).click()
  await page.waitForURL(/account\.html/)
  await page.getByText('Signed in as Amina Wanjiru (amina@ict.go.ke).').waitFor()

  await t.test('the language follows the person', async (t) => {
    await page.getByLabel('Language of the interface and of your e-mails').selectOption('fr')
    await page.getByRole('button', { name: 'Save the language' }).click()
    await page.waitForFunction(() => document.documentElement.lang === 'fr')
    await page.getByRole('heading', { name: translate('fr', 'account.heading'), level: 1 }).waitFor()
    const stored = await app.db.selectFrom('persons').select('language').where('id', '=', person.id).executeTakeFirstOrThrow()
    t.equal(stored.language, 'fr', 'kept as the person’s language (mails follow it)')
    await page.getByLabel(translate('fr', 'account.language.label')).selectOption('en')
    await page.getByRole('button', { name: translate('fr', 'account.language.save') }).click()
    await page.waitForFunction(() => document.documentElement.lang === 'en')
    await page.getByRole('heading', { name: 'My account', level: 1 }).waitFor()
  })

  await t.test('a second factor set up with a code from the authenticator', async (t) => {
    await page.getByRole('button', { name: 'Set up a second factor' }).click()
    const secret = ((await page.locator('#factor-secret').textContent()) ?? '').replace(/\s/g, '')
    t.match(secret, /^[A-Z2-7]{16,}$/, 'the key is shown')
    t.match(await page.getByRole('link', { name: 'Open in an authenticator app' }).getAttribute('href'), /^otpauth:\/\/totp\//)
    await page.getByLabel('Code from your authenticator app').fill(await generate({ secret }))
    await page.getByRole('button', { name: 'Confirm' }).click()
    await page.getByText('The second factor is set up.').waitFor()
    t.equal(await page.locator('.recovery-codes li').count(), 10, 'ten recovery codes, shown once')
    const stored = await app.db.selectFrom('persons').select(['totp_secret', 'totp_enabled_at']).where('id', '=', person.id).executeTakeFirstOrThrow()
    t.equal(stored.totp_secret, secret)
    t.ok(stored.totp_enabled_at)
    const plain = await app.inject({ method: 'POST', url: '/session', headers: FETCH, payload: { email: person.email, password: PASSWORD } })
    t.equal(plain.json().code, 'second_factor_required', 'signing in now needs the code')
  })

  await t.test('the session on another device is ended', async (t) => {
    const rows = page.locator('#sessions tbody tr')
    await rows.filter({ hasText: 'Phone in the office' }).waitFor()
    t.equal(await rows.count(), 2)
    t.equal(await rows.filter({ hasText: 'This session' }).count(), 1, 'this one is marked')
    await rows.filter({ hasText: 'Phone in the office' }).getByRole('button', { name: 'End' }).click()
    await page.getByText('The session has ended.').waitFor()
    t.equal(await rows.count(), 1)
    t.equal((await app.inject({ method: 'GET', url: '/me', cookies: { tr_session: elsewhere } })).statusCode, 401, 'its cookie is refused')
    await page.reload()
    await page.getByRole('heading', { name: 'My account', level: 1 }).waitFor()
    t.ok(await page.getByText('Signing in needs a code from your authenticator app.').isVisible(), 'this session goes on')
  })
  t.same(errors, [], 'no script error')
})

t.test('admin pages: an invitation withdrawn, then found in the audit trail', { skip }, async (t) => {
  const app = await build(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  const admin = await testToken(app, 'admin', undefined, { label: 'Ada Admin' })
  const invited = await app.inject({
    method: 'POST',
    url: '/persons',
    headers: { authorization: admin.authorization },
    payload: { name: 'Grace Reviewer', email: 'grace@itu.example', memberships: [{ role: 'reviewer' }] },
  })
  t.equal(invited.statusCode, 201)
  const graceId = invited.json().person.id

  const { page, errors } = await newPage(t)
  page.on('dialog', (dialog) => void dialog.accept())
  await page.goto(`${base}/app/`)
  await page.getByText('Sign in with an access token instead').click()
  await page.getByLabel('Access token').fill(admin.token)
  await page.getByLabel('Access token').press('Enter')
  await page.waitForURL(/people\.html/)
  // The header is drawn once the page knows who is signed in (GET /me): wait for it before counting.
  await page.getByRole('navigation').getByRole('link', { name: 'My account', exact: true }).waitFor()
  for (const name of ['Invitations', 'Tokens', 'Audit trail', 'My account']) {
    t.equal(await page.getByRole('navigation').getByRole('link', { name, exact: true }).count(), 1, `${name} in the header`)
  }

  await page.getByRole('navigation').getByRole('link', { name: 'Invitations' }).click()
  await page.waitForURL(/invitations\.html/)
  const row = page.locator('#invitations tbody tr', { hasText: 'Grace Reviewer' })
  await row.waitFor()
  t.equal(await row.locator('td').nth(1).textContent(), 'Pending')
  await row.getByRole('button', { name: 'Withdraw' }).click()
  await page.getByText('The invitation of Grace Reviewer was withdrawn.').waitFor()
  t.equal(await row.count(), 0, 'no longer pending')
  await page.getByLabel('Show').selectOption('revoked')
  await row.waitFor()
  const open = await app.db.selectFrom('invitations').select('revoked_at').where('person_id', '=', graceId).executeTakeFirstOrThrow()
  t.ok(open.revoked_at, 'withdrawn in the database')

  await page.getByRole('navigation').getByRole('link', { name: 'Audit trail' }).click()
  await page.waitForURL(/audit\.html/)
  await page.locator('#audit tbody tr').first().waitFor()
  await page.getByLabel('Action', { exact: true }).selectOption('invitation_revoked')
  const filtered = page.waitForResponse((r) => r.url().includes('action=invitation_revoked'))
  await page.getByRole('button', { name: 'Show', exact: true }).click()
  await filtered
  const event = page.locator('#audit tbody tr', { hasText: 'Invitation withdrawn' })
  await event.waitFor()
  // The unfiltered rows (the invitation, the sign-in…) go when the filtered answer is drawn.
  await page.waitForFunction(() => document.querySelectorAll('#audit tbody tr').length <= 1, undefined, { timeout: 5000 }).catch(() => {})
  t.equal(await page.locator('#audit tbody tr').count(), 1, 'only the withdrawal')
  t.match(await event.textContent(), /Ada Admin.*Grace Reviewer/, 'by whom, concerning whom')

  await page.getByRole('navigation').getByRole('link', { name: 'Tokens' }).click()
  await page.waitForURL(/tokens\.html/)
  await page.locator('#all-tokens tbody tr', { hasText: 'Ada Admin' }).first().waitFor()
  t.pass('the tokens page lists the admin’s token with its owner')
  t.same(errors, [], 'no script error')
})
