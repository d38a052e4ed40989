// Unsaved typing is never lost when a session ends (in Chromium): the session is ended in the
// database while a focal point types; the autosave meets a 401, the page keeps the edit (in
// sessionStorage too) and asks to sign in again in a dialog on the page itself; after signing in
// the edit is saved. A reload while signed out goes through the sign-in page and still saves it;
// an answer changed meanwhile by somebody else comes up as a conflict, not overwritten; and a person
// with a second factor is asked for its code in the same dialog.
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import type { Page } from 'playwright-core'
import t, { type Test } from 'tap'
import { generate } from 'otplib'
import { hashPassword } from '../../src/people/passwords.js'
import { newTotpSecret } from '../../src/people/second-factor.js'
import { createSession, DEFAULT_SESSION_POLICY } from '../../src/people/sessions.js'
import { createAssessment } from '../helpers/assessments.js'
import { build } from '../helpers/build.js'
import { launchChromium, NO_CHROMIUM } from '../helpers/chromium.js'
import { testToken } from '../helpers/tokens.js'

// biome-ignore lint/suspicious/noExplicitAny: the page's own globals, used only inside page.evaluate
declare const sessionStorage: any

const skip = NO_CHROMIUM
t.setTimeout(300_000)

const PASSWORD = 'a long passphrase of mine'
const EMAIL = 'amina@ict.go.ke'
const KOFI = 'kofi@moc.gov.gh'
const CONDITION = 'cdc.human_rights.restriction_instrument'
const TEXT = 'cdc.human_rights.instrument_citation'
const dom = (id: string) => `q-${id.replace(/[^a-zA-Z0-9_-]/g, '-')}`

async function serve(t: Test): Promise<{ app: FastifyInstance; base: string }> {
  const app = await build(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  return { app, base: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` }
}

async function signInPage(page: Page) {
  await page.getByLabel('E-mail address').fill(EMAIL)
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD)
  await page.getByRole('button', { name: 'Sign in' }).first().click()
}

t.test('an ended session: the typing is kept, signed in again in place, then saved', { skip }, async (t) => {
  const { app, base } = await serve(t)
  const person = await app.db
    .insertInto('persons')
    .values({ name: 'Amina Wanjiru', email: EMAIL, status: 'active', password_hash: await hashPassword(PASSWORD) })
    .returning('id')
    .executeTakeFirstOrThrow()
  await app.db.insertInto('memberships').values({ person_id: person.id, role: 'focal_point', country: 'KEN', questionnaire: null, domains: null }).execute()
  const kenya = await testToken(app, 'administration', 'KEN', { label: 'Ministry script' })
  const a = await createAssessment(app, kenya.authorization, { questionnaire: 'cdc', country: 'KEN', cycle: 2026 })
  // The text question applies once the instrument is a law.
  const put = await app.inject({
    method: 'PUT',
    url: `/assessments/${a.id}/answers/${CONDITION}`,
    headers: { authorization: kenya.authorization },
    payload: { value: 3 },
  })
  t.equal(put.statusCode, 200)
  const stored = async () =>
    (
      (await app.inject({ url: `/assessments/${a.id}`, headers: { authorization: kenya.authorization } })).json().answers as {
        questionId: string
        value: unknown
        etag: string
      }[]
    ).find((x) => x.questionId === TEXT)
  const endSessions = () => app.db.deleteFrom('sessions').where('person_id', '=', person.id).execute()

  const context = await launchChromium(t)
  const page = context.pages()[0] ?? (await context.newPage())
  const pageErrors: string[] = []
  page.on('pageerror', (e) => pageErrors.push(e.message))
  const navigations: string[] = []
  page.on('framenavigated', (f) => {
    if (f === page.mainFrame()) navigations.push(f.url())
  })
  await page.goto(`${base}/app/`)
  await signInPage(page)
  await page.waitForURL(/assessments\.html/)
  await page.goto(`${base}/app/assessment.html?id=${a.id}`)
  const block = page.locator(`#${dom(TEXT)}`)
  const field = block.locator('textarea').first()
  const status = block.locator('.save-status')
  const type = async (text: string) => {
    await field.click()
    await page.keyboard.press('End')
    await page.keyboard.type(text)
  }
  /** Waits until the stored answer is `value` (saves are debounced: several may go out while typing). */
  const savedAs = async (value: string) => {
    for (let i = 0; i < 300 && (await stored())?.value !== value; i++) await page.waitForTimeout(100)
    return (await stored())?.value
  }

  // ---- typing, the session ends in the middle, typing goes on
  await type('Data Protection Act')
  t.equal(await savedAs('Data Protection Act'), 'Data Protection Act')
  await block.locator('.save-status.saved').waitFor()
  const firstEtag = (await stored())!.etag
  await endSessions()
  const visited = navigations.length
  await type(' No. 24 of 2019, sections 25-30')
  const dialog = page.getByRole('dialog', { name: 'Your session has ended' })
  await dialog.waitFor()
  t.match(await status.textContent(), /Not saved yet/)
  t.equal(navigations.length, visited, 'the page stayed where it was: no navigation away')
  const kept = JSON.parse(
    await page.evaluate(() => Object.entries(sessionStorage).find(([k]) => (k as string).startsWith('tr-unsent:'))?.[1] as string),
  ) as Record<string, { body: { value: string }; ifMatch: string }>
  t.equal(kept[TEXT]?.body.value, 'Data Protection Act No. 24 of 2019, sections 25-30', 'the unsent edit is kept in sessionStorage')
  t.equal(kept[TEXT]?.ifMatch, firstEtag, 'with the ETag it was made on')
  t.equal((await stored())?.value, 'Data Protection Act', 'nothing was saved without a session')

  // ---- a wrong password first, then the right one: the edit goes out
  await dialog.getByLabel('E-mail address').fill(EMAIL)
  await dialog.getByLabel('Password', { exact: true }).fill('not my passphrase at all')
  await dialog.getByRole('button', { name: 'Sign in' }).click()
  await dialog.getByText('not right').waitFor()
  await dialog.getByLabel('Password', { exact: true }).fill(PASSWORD)
  await dialog.getByRole('button', { name: 'Sign in' }).click()
  await dialog.waitFor({ state: 'detached' })
  t.equal(
    await savedAs('Data Protection Act No. 24 of 2019, sections 25-30'),
    'Data Protection Act No. 24 of 2019, sections 25-30',
    'the edit is saved after signing in again',
  )
  await block.locator('.save-status.saved').waitFor()
  t.equal(navigations.length, visited, 'still without leaving the page')
  t.equal(await field.inputValue(), 'Data Protection Act No. 24 of 2019, sections 25-30')
  t.equal(await page.evaluate(() => Object.keys(sessionStorage).filter((k) => k.startsWith('tr-unsent:')).length), 0, 'nothing is left unsent')

  // ---- ended again; this time the person reloads: through the sign-in page, the edit is still saved
  await endSessions()
  await type(' and 45')
  await dialog.waitFor()
  await page.reload()
  await page.waitForURL(/index\.html/)
  // The signed-out page stopped at its first request and sent the person to sign in (its only error).
  t.same(pageErrors.splice(0), ['a valid bearer token is required'])
  await signInPage(page)
  await page.waitForURL(/assessment\.html/)
  t.equal(
    await savedAs('Data Protection Act No. 24 of 2019, sections 25-30 and 45'),
    'Data Protection Act No. 24 of 2019, sections 25-30 and 45',
    'kept across the reload and saved',
  )
  await block.locator('.save-status.saved').waitFor()

  // ---- ended again while somebody else changes the answer: a conflict to resolve, not an overwrite
  await endSessions()
  await type('.')
  await dialog.waitFor()
  const current = await stored()
  const theirs = await app.inject({
    method: 'PUT',
    url: `/assessments/${a.id}/answers/${TEXT}`,
    headers: { authorization: kenya.authorization, 'if-match': current!.etag },
    payload: { value: 'Cybersecurity Act 2018' },
  })
  t.equal(theirs.statusCode, 200)
  await dialog.getByLabel('E-mail address').fill(EMAIL)
  await dialog.getByLabel('Password', { exact: true }).fill(PASSWORD)
  await dialog.getByRole('button', { name: 'Sign in' }).click()
  await block.getByText('This answer was changed by someone else while you were editing.').waitFor()
  t.equal((await stored())?.value, 'Cybersecurity Act 2018', 'their answer was not overwritten')
  await block.getByRole('button', { name: /overwrite/i }).click()
  t.equal(
    await savedAs('Data Protection Act No. 24 of 2019, sections 25-30 and 45.'),
    'Data Protection Act No. 24 of 2019, sections 25-30 and 45.',
    'until the person chooses to',
  )

  // ---- the trail names the person for each of these saves
  const trail = page.getByRole('region', { name: 'Who did what' })
  await page.reload()
  await trail.getByRole('heading', { name: 'Who did what' }).click()
  await trail.getByRole('row').nth(1).waitFor()
  t.ok(await trail.getByRole('cell', { name: 'Amina Wanjiru' }).first().isVisible(), 'the trail names the person')
  t.ok(await trail.getByRole('cell', { name: 'Ministry script' }).first().isVisible(), 'and the one who changed it meanwhile')
  t.same(pageErrors, [], 'no script errors')
})

t.test('signing in again in place asks for the second factor when the person has one', { skip }, async (t) => {
  const { app, base } = await serve(t)
  const secret = newTotpSecret()
  const person = await app.db
    .insertInto('persons')
    .values({
      name: 'Kofi Mensah',
      email: KOFI,
      status: 'active',
      password_hash: await hashPassword(PASSWORD),
      totp_secret: secret,
      totp_enabled_at: new Date(),
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  await app.db.insertInto('memberships').values({ person_id: person.id, role: 'focal_point', country: 'GHA', questionnaire: null, domains: null }).execute()
  const ghana = await testToken(app, 'administration', 'GHA')
  const a = await createAssessment(app, ghana.authorization, { questionnaire: 'cdc', country: 'GHA', cycle: 2026 })
  const context = await launchChromium(t)
  // Signed in already (a session made in the database): this test is about the dialog.
  const key = await createSession(app.db, DEFAULT_SESSION_POLICY, { personId: person.id })
  await context.addCookies([{ name: 'tr_session', value: key, url: base }])
  const page = context.pages()[0] ?? (await context.newPage())
  await page.goto(`${base}/app/assessment.html?id=${a.id}`)
  const block = page.locator(`#${dom(CONDITION)}`)
  await block.waitFor()
  await app.db.deleteFrom('sessions').where('person_id', '=', person.id).execute()
  await block.locator(`#${dom(CONDITION)}-value-2`).check()
  const dialog = page.getByRole('dialog', { name: 'Your session has ended' })
  await dialog.waitFor()
  await dialog.getByLabel('E-mail address').fill(KOFI)
  await dialog.getByLabel('Password', { exact: true }).fill(PASSWORD)
  await dialog.getByRole('button', { name: 'Sign in' }).click()
  await dialog.getByText('Enter the code from your authenticator app.').waitFor()
  await dialog.getByLabel('Code from your authenticator app').fill(await generate({ secret }))
  await dialog.getByRole('button', { name: 'Sign in' }).click()
  await dialog.waitFor({ state: 'detached' })
  await block.locator('.save-status.saved').waitFor()
  const answers = (await app.inject({ url: `/assessments/${a.id}`, headers: { authorization: ghana.authorization } })).json().answers as {
    questionId: string
    value: unknown
  }[]
  t.equal(answers.find((x) => x.questionId === CONDITION)?.value, 2, 'saved after the password and the code')
})
