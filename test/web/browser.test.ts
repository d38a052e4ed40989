// The web interface in a real browser (Debian's chromium through playwright-core): an administration
// signs in, starts an assessment, answers (and sees "saved"), meets a conflict and resolves it,
// completes and submits; ITU-D staff find the country on the heat map, validate, download the CSV.
// Screenshots of each main page go to test-output/screenshots/ (gitignored).
import { needsEvidence } from '../../src/evidence/rules.js'
import { mkdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { launchChromium, NO_CHROMIUM, signInWithToken } from '../helpers/chromium.js'
import type { AddressInfo } from 'node:net'
import { createRequire } from 'node:module'
import type { BrowserContext, Page } from 'playwright-core'
import t, { type Test } from 'tap'
import { t as translate } from '../../src/i18n/catalogs.js'
import type { FastifyInstance } from 'fastify'
import { inventAnswer } from '../../src/cli/demo.js'
import { applies, type StoredAnswer } from '../../src/questionnaires/answers.js'
import type { Question } from '../../src/questionnaires/schema.js'
import { answerAll, createAssessment } from '../helpers/assessments.js'
import { ensureOpenCampaign } from '../helpers/assessments.js'
import { build } from '../helpers/build.js'
import { testToken } from '../helpers/tokens.js'

// Names of the page's own world, used inside page.evaluate callbacks (the project's tsconfig has no DOM library).
// biome-ignore lint/suspicious/noExplicitAny: the page's own globals, used only inside page.evaluate
declare const document: any, window: any, innerWidth: number, innerHeight: number, Node: { DOCUMENT_POSITION_FOLLOWING: number }
declare function scrollBy(x: number, y: number): void

const SHOTS = path.resolve('test-output/screenshots')
const AXE = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

t.setTimeout(600_000)

const skip = NO_CHROMIUM

/** A chromium with a profile of its own (so an empty cache), closed with the test. */
async function browser(t: Test, viewport = { width: 1366, height: 900 }): Promise<{ context: BrowserContext; page: Page; pageErrors: string[] }> {
  const context = await launchChromium(t, [], { viewport, acceptDownloads: true })
  const page = context.pages()[0] ?? (await context.newPage())
  const pageErrors: string[] = []
  page.on('pageerror', (e) => pageErrors.push(e.message))
  return { context, page, pageErrors }
}

const shot = (page: Page, name: string, fullPage = false) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage })

async function serve(t: Test): Promise<{ app: FastifyInstance; base: string }> {
  const app = await build(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  return { app, base: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` }
}

/** axe-core's violations on the page as it stands (evaluated through the devtools protocol, so the CSP does not apply). */
async function axe(page: Page): Promise<{ id: string; nodes: number }[]> {
  await page.evaluate(AXE)
  const result = await page.evaluate(async () => {
    const run = (window as unknown as { axe: { run(): Promise<{ violations: { id: string; nodes: unknown[] }[] }> } }).axe.run
    return (await run()).violations.map((v) => ({ id: v.id, nodes: v.nodes.length }))
  })
  return result
}

const dom = (id: string) => `q-${id.replace(/[^a-zA-Z0-9_-]/g, '-')}`

/** A submitted assessment of `country` (every required question answered through the API). */
async function submitted(app: FastifyInstance, country: string, cycle: number) {
  const admin = await testToken(app, 'administration', country, { label: `Ministry of ICT, ${country}` })
  const a = await createAssessment(app, admin.authorization, { questionnaire: 'cdc', country, cycle })
  await answerAll(app, admin.authorization, a.id)
  const res = await app.inject({
    method: 'POST',
    url: `/assessments/${a.id}/transitions`,
    headers: { authorization: admin.authorization },
    payload: { action: 'submit' },
  })
  if (res.statusCode !== 200) throw new Error(res.body)
  return { admin, id: a.id }
}
// biome-ignore lint/complexity/noUselessLoneBlockStatements: the block keeps this long test's names out of the file's scope
{
  t.test('administration and staff work through the pages', { timeout: 300_000, skip }, async (t) => {
    const app = await build(t)
    await app.listen({ port: 0, host: '127.0.0.1' })
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
    const admin = await testToken(app, 'administration', 'KEN', { label: 'Ministry of ICT, Kenya' })
    const staff = await testToken(app, 'staff', undefined, { label: 'ITU-D analyst' })
    const api = async (method: 'GET' | 'PUT' | 'PATCH' | 'POST', url: string, payload?: unknown, headers: Record<string, string> = {}) =>
      app.inject({ method, url, headers: { authorization: admin.authorization, ...headers }, ...(payload === undefined ? {} : { payload: payload as object }) })

    await mkdir(SHOTS, { recursive: true })
    const { page, pageErrors } = await browser(t)
    const shotMain = (name: string, fullPage = false) => shot(page, name, fullPage)

    // The page starts an assessment on the latest version.
    const version = (await app.questionnaires.get('cdc', (await app.questionnaires.latestVersion('cdc'))!))!
    const questions = [...version.questions.values()]
    const first = questions[0]!
    t.equal(first.type, 'maturity', 'the first question is a maturity ladder')
    // Two required questions nothing depends on, answered in the page at the end.
    const dependedOn = new Set(questions.flatMap((q) => (q.applies_if ? [q.applies_if.question] : [])))
    const byPage = questions
      .filter((q) => q.required && !q.applies_if && !dependedOn.has(q.id) && (q.type === 'yes_no_partial' || q.type === 'single_choice') && q.id !== first.id)
      .slice(-2)
    t.equal(byPage.length, 2)

    // ---- sign-in: a wrong token is explained
    await page.goto(`${base}/app/`)
    await shotMain('01-sign-in')
    await page.getByText('Sign in with an access token instead').click()
    await page.getByLabel('Access token').fill('tr_not-a-real-token')
    await page.keyboard.press('Enter')
    await page.getByText('This token is not valid').waitFor()

    // ---- the administration signs in and starts an assessment (in the campaign staff opened)
    await ensureOpenCampaign(app, { questionnaire: 'cdc', country: admin.principal.country!, cycle: 2026 })
    await signInWithToken(page, base, admin.token)
    await page.waitForURL(/assessments\.html/)
    await page.getByText('You have not started an assessment yet').waitFor()
    await page.getByLabel('Cycle (year)').fill('2026')
    await shotMain('02-assessments')
    await page.getByRole('button', { name: 'Start assessment' }).click()
    await page.waitForURL(/assessment\.html\?id=/)
    const id = new URL(page.url()).searchParams.get('id')!
    const q1 = page.locator(`#${dom(first.id)}`)
    await q1.waitFor()

    // ---- answer with the keyboard-reachable radio group; "saved" appears
    await page.locator(`#${dom(first.id)}-value-3`).check()
    await q1.locator('.save-status.saved').waitFor()
    t.match(await q1.locator('.save-status').textContent(), /Saved/)
    // A conditional question appears once level 3 is chosen.
    const dependent = questions.find((q) => q.applies_if?.question === first.id)!
    await page.locator(`#${dom(dependent.id)}`).waitFor({ state: 'visible' })
    let res = await api('GET', `/assessments/${id}`)
    t.match(res.json().answers, [{ questionId: first.id, value: 3 }])
    await shotMain('03-assessment')

    // ---- someone else changes the same answer meanwhile → 412 in the page → explained, resolved
    res = await api('PUT', `/assessments/${id}/answers/${first.id}`, { value: 1 }, { 'if-match': '"1"' })
    t.equal(res.statusCode, 200, 'the other writer changes the answer to level 1')
    await page.locator(`#${dom(first.id)}-value-4`).check()
    const conflict = q1.locator('.conflict')
    await conflict.getByText('changed by someone else').waitFor()
    t.match(await conflict.locator('.theirs').textContent(), /^1 – /, 'their answer is shown')
    t.match(await conflict.locator('.mine').textContent(), /^4 – /, 'my answer is kept on screen')
    await conflict.scrollIntoViewIfNeeded()
    await shotMain('04-conflict')
    await conflict.getByRole('button', { name: 'Overwrite with mine' }).click()
    await q1.locator('.save-status.saved').waitFor()
    t.ok(await conflict.isHidden(), 'the conflict box goes away')
    res = await api('GET', `/assessments/${id}`)
    t.match(
      res.json().answers.find((a: { questionId: string }) => a.questionId === first.id),
      { value: 4, revision: 3 },
    )

    // ---- the API fills most required answers; the page answers the last two
    const answers = new Map<string, StoredAnswer>([[first.id, { value: 4, special: null }]])
    const random = (() => {
      let x = 7
      return () => {
        x = (x * 48271) % 2147483647
        return x / 2147483647
      }
    })()
    const reserved = new Set(byPage.map((q) => q.id))
    for (const q of questions) {
      if (answers.has(q.id) || reserved.has(q.id) || !applies(q, answers, version.questions)) continue
      answers.set(q.id, inventAnswer(q, 0.7, random))
    }
    answers.delete(first.id)
    res = await api('PATCH', `/assessments/${id}/answers`, {
      answers: [...answers].map(([questionId, a]) =>
        a.special
          ? { questionId, special: a.special }
          : needsEvidence(version.questions.get(questionId)!, a)
            ? { questionId, value: a.value, evidence: [{ title: 'Official gazette', url: 'https://example.org/gazette.pdf' }] }
            : { questionId, value: a.value },
      ),
    })
    t.equal(res.statusCode, 200, `the API fills ${answers.size} answers`)
    await page.reload()
    await page.getByRole('heading', { name: 'Still missing (2)' }).waitFor()
    const submit = page.getByRole('button', { name: 'Submit for review' })
    t.ok(await submit.isDisabled(), 'submit is disabled while answers are missing')
    t.match(await page.locator('.review .help').textContent(), /You cannot submit yet: 2 required questions are not answered/)
    // The Submit area leads to what is missing: the first missing question (focused, on screen) and the whole list.
    const firstMissing = [...questions].find((q) => reserved.has(q.id))!
    await page.locator('.review').getByRole('link', { name: 'Go to the first missing question' }).click()
    const firstBlock = page.locator(`#${dom(firstMissing.id)}`)
    t.ok(await firstBlock.evaluate((el) => el.contains(document.activeElement)), 'the first missing question has the focus')
    t.ok(await firstBlock.locator('legend').isVisible(), 'and is on screen')
    t.ok(
      await page.locator(`#${dom(firstMissing.id)} legend`).evaluate((el) => {
        const r = el.getBoundingClientRect()
        return r.top >= 0 && r.bottom <= innerHeight
      }),
      'within the viewport',
    )
    await page
      .locator('.review')
      .getByRole('link', { name: /See all 2 missing questions/ })
      .click()
    t.ok(await page.locator('#missing-list').evaluate((el) => el === document.activeElement || el.contains(document.activeElement)), 'the list takes the focus')
    t.ok(
      await page.getByRole('heading', { name: 'Still missing (2)' }).evaluate((el) => {
        const r = el.getBoundingClientRect()
        return r.top >= 0 && r.bottom <= innerHeight
      }),
      'and is on screen',
    )
    for (const [i, q] of byPage.entries()) {
      const block = page.locator(`#${dom(q.id)}`)
      if (i === 0) {
        // Keyboard only: focus the radio group, then Space selects the focused choice.
        await block.locator('input[type=radio]').first().focus()
        await page.keyboard.press('Space')
      } else {
        await block.locator('input[type=radio]').first().check()
      }
      await block.locator('.save-status.saved').waitFor()
    }
    await page.getByRole('heading', { name: 'Still missing (0)' }).waitFor()
    await submit.waitFor({ state: 'visible' })
    await page.locator('.review button.primary:not([disabled])').waitFor()
    await shotMain('05-ready-to-submit')
    await submit.click()
    await page.locator('.status-line .status-submitted').waitFor()
    res = await api('GET', `/assessments/${id}`)
    t.equal(res.json().status, 'submitted')

    // ---- the questionnaire in Arabic, right to left
    await page.goto(`${base}/app/assessment.html?id=${id}&lang=ar`)
    await page.locator('fieldset.question').first().waitFor()
    t.same(await page.evaluate(() => [document.documentElement.dir, document.documentElement.lang]), ['rtl', 'ar'], 'the Arabic page runs right to left')
    await shotMain('06-assessment-arabic')

    // ---- staff: dashboard heat map, country profile, validate, CSV download
    await page.getByRole('button', { name: translate('ar', 'app.signOut') }).click()
    await page.waitForURL(/index\.html/)
    await signInWithToken(page, base, staff.token)
    await page.waitForURL(/dashboard\.html/)
    const row = page.locator('#heatmap tbody tr[data-country="KEN"]')
    await row.waitFor()
    t.match(await row.textContent(), /Kenya/)
    t.ok((await row.locator('td.cell').count()) >= version.content.domains.length, 'a cell per domain')
    t.match(await row.locator('td.cell').first().textContent(), /^\d+$|^–$/, 'each cell shows its number')
    await shotMain('07-dashboard', true)
    await row.getByRole('link', { name: 'Kenya' }).click()
    await page.waitForURL(/country\.html/)
    await page.getByRole('heading', { name: /Domain scores/ }).waitFor()
    await shotMain('08-country', true)
    await page.getByRole('button', { name: 'Validate' }).click()
    const ask = page.getByRole('alertdialog')
    await ask.waitFor()
    await shotMain('08b-validate-confirm')
    t.match(await ask.textContent(), /final/, 'validating asks first and says it is final')
    t.equal((await api('GET', `/assessments/${id}`)).json().status, 'submitted', 'nothing happens before the confirmation')
    await ask.getByRole('button', { name: 'Yes, validate' }).click()
    await page.locator('.status-line .status-validated').waitFor()
    await page.getByText('Done: the assessment is now validated.').waitFor()
    res = await api('GET', `/assessments/${id}`)
    t.equal(res.json().status, 'validated')
    await page.waitForTimeout(1500)
    t.ok(await page.getByText('Done: the assessment is now validated.').isVisible(), 'the result stays visible')
    // The workflow history: who, when, with which comment.
    const history = page.locator('table.history')
    t.match(await history.textContent(), /Submitted[\s\S]*Ministry of ICT, Kenya[\s\S]*Validated[\s\S]*ITU-D analyst/)
    await page.reload()
    await page.locator('table.history').getByText('ITU-D analyst').waitFor()

    await page.goto(`${base}/app/dashboard.html`)
    await row.waitFor()
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#download-readiness').click()])
    const csv = await readFile((await download.path())!, 'utf8')
    const lines = csv.trim().split(/\r?\n/)
    t.match(lines[0], /^country code,country name,region,questionnaire,version,cycle,status,/)
    t.ok(
      lines.some((l) => l.startsWith(`KEN,Kenya,Africa,cdc,${version.content.version},2026,validated,`)),
      'the download has Kenya, validated',
    )
    t.same(pageErrors, [], 'no script errors in the pages')
  })

  t.test('a new cycle from the previous one: the starting point stays as chosen, carried answers must be confirmed', { skip }, async (t) => {
    const { app, base } = await serve(t)
    const admin = await testToken(app, 'administration', 'TZA', { label: 'Ministry of ICT, Tanzania' })
    const prev = await createAssessment(app, admin.authorization, { questionnaire: 'cdc', country: 'TZA', cycle: 2025 })
    const answered = await answerAll(app, admin.authorization, prev.id)
    await ensureOpenCampaign(app, { questionnaire: 'cdc', country: 'TZA', cycle: 2026 })
    const { page, pageErrors } = await browser(t)
    await signInWithToken(page, base, admin.token)

    // ---- the start form keeps the person's choice of starting point when the year changes
    const from = page.getByLabel('Starting point')
    const cycle = page.getByLabel('Cycle (year)')
    await from.waitFor()
    t.equal(await from.inputValue(), prev.id, 'the previous cycle is offered first')
    await from.selectOption({ label: 'Start empty' })
    await cycle.fill('2027')
    await cycle.press('Tab')
    t.equal(await from.inputValue(), '', 'editing the year keeps "Start empty"')
    await cycle.fill('2026')
    await cycle.press('Tab')
    t.equal(await from.inputValue(), '', 'and so does editing it back')
    await from.selectOption(prev.id)
    await page.getByRole('button', { name: 'Start assessment' }).click()
    await page.waitForURL(/assessment\.html\?id=/)
    const id = new URL(page.url()).searchParams.get('id')!

    // ---- carried-forward answers do not count until confirmed: submit waits, says why, lists them
    await page.getByRole('heading', { name: `To confirm (${answered.length})` }).waitFor()
    const submit = page.getByRole('button', { name: 'Submit for review' })
    t.ok(await submit.isDisabled(), 'submit waits for the carried-forward answers')
    t.match(
      await page.locator('.review .help').textContent(),
      new RegExp(`${answered.length} answers carried forward from the previous cycle are not confirmed`),
    )
    await page.locator('.review').getByRole('link', { name: 'Go to the first answer to confirm' }).waitFor()

    // ---- "confirm all in this domain" comes after the domain's questions, so they are seen first
    const confirmAll = page.getByRole('button', { name: /^Confirm (all|the) \d+ carried-forward answers? in this domain$/ })
    const domains = await confirmAll.count()
    t.ok(domains >= 2, `a button in each domain with carried-forward answers (${domains})`)
    t.ok(
      await confirmAll.first().evaluate((button) => {
        const questions = button.closest('section.domain')!.querySelectorAll('fieldset.question')
        return questions.length > 0 && Boolean(questions[questions.length - 1]!.compareDocumentPosition(button) & Node.DOCUMENT_POSITION_FOLLOWING)
      }),
      'the button follows the questions it confirms',
    )
    await shot(page, '09-carried-forward')
    t.same(await axe(page), [], 'axe: no violations on the form with answers to confirm')
    // One answer confirmed on its own (saved again as it is).
    await page.getByRole('button', { name: 'Confirm this answer' }).first().click()
    await page.getByRole('heading', { name: `To confirm (${answered.length - 1})` }).waitFor()
    for (let left = domains; left > 0; left--) {
      await confirmAll.first().click()
      await page.waitForFunction((n) => document.querySelectorAll('button.confirm-domain').length === n, left - 1)
    }
    await page.getByRole('heading', { name: 'To confirm (0)' }).waitFor()
    t.equal(await page.getByText('Carried forward – please confirm').count(), 0, 'no answer is marked carried forward any more')
    await page.locator('.review button.primary:not([disabled])').waitFor()
    await submit.click()
    await page.locator('.status-line .status-submitted').waitFor()
    const detail = (await app.inject({ url: `/assessments/${id}`, headers: { authorization: admin.authorization } })).json()
    t.equal(detail.status, 'submitted')
    t.ok(detail.answers.every((a: { carriedForward: boolean }) => !a.carriedForward))
    t.same(pageErrors, [], 'no script errors in the pages')
  })

  t.test('the form says what a number may be, and never says Saved for what it did not save', { skip }, async (t) => {
    const { app, base } = await serve(t)
    const admin = await testToken(app, 'administration', 'UGA')
    const a = await createAssessment(app, admin.authorization, { questionnaire: 'cdc', country: 'UGA', cycle: 2026 })
    const stored = async () =>
      (await app.inject({ url: `/assessments/${a.id}`, headers: { authorization: admin.authorization } })).json().answers as {
        questionId: string
        value: unknown
        evidence: unknown
      }[]
    const version = (await app.questionnaires.get('cdc', a.version))!
    const numberQ = [...version.questions.values()].find((q) => q.type === 'number' && q.integer && q.min !== undefined && !q.applies_if) as Extract<
      Question,
      { type: 'number' }
    >
    t.ok(numberQ, 'a whole-number question with a minimum')
    const { page, pageErrors } = await browser(t)
    await signInWithToken(page, base, admin.token)
    await page.goto(`${base}/app/assessment.html?id=${a.id}`)

    // ---- −3 and 2.5 in a whole-number field: what is allowed, beside the field; nothing saved
    const block = page.locator(`#${dom(numberQ.id)}`)
    const input = block.locator('input[type=number]')
    const error = block.locator('.field-error[id]')
    await input.fill('-3')
    await error.filter({ hasText: `${numberQ.min} or more` }).waitFor()
    t.match(await input.getAttribute('aria-describedby'), new RegExp(String(await error.getAttribute('id'))), 'the message describes the field')
    t.equal(await input.getAttribute('aria-invalid'), 'true')
    await input.fill('2.5')
    await error.filter({ hasText: 'whole number' }).waitFor()
    await block.scrollIntoViewIfNeeded()
    await shot(page, '11-number-error')
    await page.waitForTimeout(2000)
    t.notMatch(await block.locator('.save-status').textContent(), /Saved/)
    t.same(await stored(), [], 'nothing was stored')
    await input.fill('4')
    await block.locator('.save-status.saved').waitFor()
    t.ok(await error.isHidden(), 'the message goes once the number is allowed')
    t.equal(await input.getAttribute('aria-invalid'), null)

    // ---- an evidence address without a scheme is saved as https://, visibly
    const first = version.content.domains[0]!.questions[0]!
    const q1 = page.locator(`#${dom(first.id)}`)
    await page.locator(`#${dom(first.id)}-value-2`).check()
    await q1.locator('.save-status.saved').waitFor()
    await q1.getByText('Comment and evidence').click()
    await q1.getByRole('button', { name: 'Add a document' }).click()
    await q1.getByLabel('Document 1 title').fill('Cybersecurity Act')
    const url = q1.getByLabel('Document 1 address (URL)')
    await url.fill('www.parliament.go.tz/c.pdf')
    await q1.locator('.save-status.pending').waitFor()
    await q1.locator('.save-status.saved').waitFor()
    t.equal(await url.inputValue(), 'https://www.parliament.go.tz/c.pdf', 'the address shows the https:// it is saved with')
    t.same((await stored()).find((x) => x.questionId === first.id)?.evidence, [{ title: 'Cybersecurity Act', url: 'https://www.parliament.go.tz/c.pdf' }])

    // ---- an address that is not one is refused with a message, and not called saved
    await url.fill('see the gazette')
    await q1.locator('.save-status.failed').waitFor()
    t.match(await q1.locator('.save-status').textContent(), /Not saved: .*address/)
    t.match(await q1.locator('.field-error:visible').textContent(), /web address/)
    t.same(await axe(page), [], 'axe: no violations on the form with errors beside fields')
    t.same(
      (await stored()).find((x) => x.questionId === first.id)?.evidence,
      [{ title: 'Cybersecurity Act', url: 'https://www.parliament.go.tz/c.pdf' }],
      'the stored evidence is unchanged',
    )
    // A title without an address (or the reverse) is not silently dropped either.
    await url.fill('')
    await q1.locator('.save-status.failed').filter({ hasText: 'address' }).waitFor()
    t.same(pageErrors, [], 'no script errors in the pages')
  })

  t.test('the dashboard fits a laptop screen; the staff pages pass axe', { skip }, async (t) => {
    const { app, base } = await serve(t)
    await submitted(app, 'NGA', 2026)
    const staff = await testToken(app, 'staff', undefined, { label: 'ITU-D analyst' })
    // A long name and the longest status make the widest row a real dashboard has.
    const vct = await submitted(app, 'VCT', 2026)
    const returned = await app.inject({
      method: 'POST',
      url: `/assessments/${vct.id}/transitions`,
      headers: { authorization: staff.authorization },
      payload: { action: 'return', comment: 'Evidence missing.' },
    })
    t.equal(returned.statusCode, 200, returned.body)
    const { page, pageErrors } = await browser(t, { width: 1366, height: 768 })
    await signInWithToken(page, base, staff.token)
    // Returned assessments are shown when asked for (the default view has finished ones only).
    await page.goto(`${base}/app/dashboard.html?questionnaire=cdc&status=draft,submitted,returned,validated`)
    await page.locator('#heatmap tbody tr[data-country="VCT"]').waitFor()
    const row = page.locator('#heatmap tbody tr[data-country="NGA"]')
    await row.waitFor()
    await page.evaluate(() => {
      const r = document.querySelector('#heatmap tbody tr[data-country="NGA"]')!.getBoundingClientRect()
      scrollBy(0, r.top - 200)
    })
    // biome-ignore lint/suspicious/noExplicitAny: an element of the page's own world
    const onScreen = (el: any) => {
      const r = el.getBoundingClientRect()
      const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2)
      return r.left >= 0 && r.right <= innerWidth && hit !== null && el.contains(hit)
    }
    t.ok(await page.locator('#heatmap thead th', { hasText: 'Overall' }).evaluate(onScreen), 'the Overall heading is visible at 1366 × 768')
    t.ok(await row.locator('td.overall').evaluate(onScreen), "and so is the country's overall score")
    t.ok(await row.locator('th').evaluate(onScreen), 'and its name')
    await shot(page, '10-dashboard-1366')
    t.same(await axe(page), [], 'axe: no violations on the dashboard')

    await row.getByRole('link', { name: 'Nigeria' }).click()
    await page.waitForURL(/country\.html/)
    await page.getByRole('heading', { name: /Domain scores/ }).waitFor()
    t.same(await axe(page), [], 'axe: no violations on the country page')
    t.same(pageErrors, [], 'no script errors in the pages')
  })

  t.test('the form is light on the wire: first load under 150 kB, a repeat visit under 20 kB', { skip }, async (t) => {
    const { app, base } = await serve(t)
    const admin = await testToken(app, 'administration', 'RWA')
    const a = await createAssessment(app, admin.authorization, { questionnaire: 'cdc', version: 1, country: 'RWA', cycle: 2026 })
    await answerAll(app, admin.authorization, a.id)
    const { context, page, pageErrors } = await browser(t)
    // Signed in without opening a page, so the measured load starts from an empty cache.
    const session = await context.request.post(`${base}/session`, { data: { token: admin.token }, headers: { 'x-requested-with': 'fetch' } })
    t.equal(session.status(), 200)
    const cdp = await context.newCDPSession(page)
    await cdp.send('Network.enable')
    let bytes = 0
    const urls = new Map<string, string>()
    const fetched: string[] = []
    cdp.on('Network.requestWillBeSent', (e) => urls.set(e.requestId, e.request.url))
    cdp.on('Network.loadingFinished', (e) => {
      bytes += e.encodedDataLength
      fetched.push(`${urls.get(e.requestId)} ${e.encodedDataLength}`)
    })
    const url = `${base}/app/assessment.html?id=${a.id}`
    await page.goto(url, { waitUntil: 'networkidle' })
    await page.locator('fieldset.question').first().waitFor()
    await page.getByLabel('Language', { exact: true }).waitFor()
    t.ok(fetched.filter((f) => /\/questionnaires\/cdc\/versions\/1\?/.test(f)).length <= 1, 'the questionnaire comes once, not once per language')
    const firstLoad = bytes
    bytes = 0
    fetched.length = 0
    await page.goto(`${base}/app/assessments.html`, { waitUntil: 'networkidle' })
    bytes = 0
    fetched.length = 0
    await page.goto(url, { waitUntil: 'networkidle' })
    await page.locator('fieldset.question').first().waitFor()
    const repeat = bytes
    t.comment(`the form over the wire: first load ${firstLoad} bytes, repeat visit ${repeat} bytes`)
    t.comment(`repeat visit:\n${fetched.join('\n')}`)
    t.ok(firstLoad < 150_000, `first load under 150 kB (${firstLoad} bytes)`)
    t.ok(repeat < 20_000, `repeat visit under 20 kB (${repeat} bytes)`)
    t.same(pageErrors, [], 'no script errors in the pages')
  })
}
