// The web interface in a real browser (Debian's chromium through playwright-core): an administration
// signs in, starts an assessment, answers (and sees "saved"), meets a conflict and resolves it,
// completes and submits; ITU-D staff find the country on the heat map, validate, download the CSV.
// Screenshots of each main page go to test-output/screenshots/ (gitignored).
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { AddressInfo } from 'node:net'
import { chromium, type Page } from 'playwright-core'
import t from 'tap'
import { inventAnswer } from '../../src/cli/demo.js'
import { applies, type StoredAnswer } from '../../src/questionnaires/answers.js'
import { build } from '../helpers/build.js'
import { testToken } from '../helpers/tokens.js'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const SHOTS = path.resolve('test-output/screenshots')

t.setTimeout(300_000)

const skip = existsSync(CHROMIUM) ? false : `no chromium at ${CHROMIUM} (apt-get install -y chromium)`
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
    const profile = await mkdtemp(path.join(tmpdir(), 'tr-chromium-'))
    t.teardown(() => rm(profile, { recursive: true, force: true }))
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      acceptDownloads: true,
      viewport: { width: 1366, height: 900 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
    })
    t.teardown(() => context.close())
    const page = context.pages()[0] ?? (await context.newPage())
    const pageErrors: string[] = []
    page.on('pageerror', (e) => pageErrors.push(e.message))
    const shot = (name: string, fullPage = false) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage })

    // The page starts an assessment on the latest version.
    const version = (await app.questionnaires.get('cdc', (await app.questionnaires.latestVersion('cdc'))!))!
    const questions = [...version.questions.values()]
    const dom = (id: string) => `q-${id.replace(/[^a-zA-Z0-9_-]/g, '-')}`
    const first = questions[0]!
    t.equal(first.type, 'maturity', 'the first question is a maturity ladder')
    // Two required questions nothing depends on, answered in the page at the end.
    const dependedOn = new Set(questions.flatMap((q) => (q.applies_if ? [q.applies_if.question] : [])))
    const byPage = questions
      .filter((q) => q.required && !q.applies_if && !dependedOn.has(q.id) && (q.type === 'yes_no_partial' || q.type === 'single_choice') && q.id !== first.id)
      .slice(-2)
    t.equal(byPage.length, 2)

    async function signIn(page: Page, token: string) {
      await page.goto(`${base}/app/`)
      await page.getByLabel('Access token').fill(token)
      await page.getByRole('button', { name: 'Sign in' }).click()
    }

    // ---- sign-in: a wrong token is explained
    await page.goto(`${base}/app/`)
    await shot('01-sign-in')
    await page.getByLabel('Access token').fill('tr_not-a-real-token')
    await page.keyboard.press('Enter')
    await page.getByText('This token is not valid').waitFor()

    // ---- the administration signs in and starts an assessment
    await signIn(page, admin.token)
    await page.waitForURL(/assessments\.html/)
    await page.getByText('You have not started an assessment yet').waitFor()
    await page.getByLabel('Cycle (year)').fill('2026')
    await shot('02-assessments')
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
    await shot('03-assessment')

    // ---- someone else changes the same answer meanwhile → 412 in the page → explained, resolved
    res = await api('PUT', `/assessments/${id}/answers/${first.id}`, { value: 1 }, { 'if-match': '"1"' })
    t.equal(res.statusCode, 200, 'the other writer changes the answer to level 1')
    await page.locator(`#${dom(first.id)}-value-4`).check()
    const conflict = q1.locator('.conflict')
    await conflict.getByText('changed by someone else').waitFor()
    t.match(await conflict.locator('.theirs').textContent(), /^1 – /, 'their answer is shown')
    t.match(await conflict.locator('.mine').textContent(), /^4 – /, 'my answer is kept on screen')
    await conflict.scrollIntoViewIfNeeded()
    await shot('04-conflict')
    await conflict.getByRole('button', { name: 'Overwrite with mine' }).click()
    await q1.locator('.save-status.saved').waitFor()
    t.ok(await conflict.isHidden(), 'the conflict box goes away')
    res = await api('GET', `/assessments/${id}`)
    t.match(res.json().answers.find((a: { questionId: string }) => a.questionId === first.id), { value: 4, revision: 3 })

    // ---- the API fills most required answers; the page answers the last two
    const answers = new Map<string, StoredAnswer>([[first.id, { value: 4, special: null }]])
    const random = (() => {
      let x = 7
      return () => ((x = (x * 48271) % 2147483647) / 2147483647)
    })()
    const reserved = new Set(byPage.map((q) => q.id))
    for (const q of questions) {
      if (answers.has(q.id) || reserved.has(q.id) || !applies(q, answers, version.questions)) continue
      answers.set(q.id, inventAnswer(q, 0.7, random))
    }
    answers.delete(first.id)
    res = await api('PATCH', `/assessments/${id}/answers`, {
      answers: [...answers].map(([questionId, a]) => (a.special ? { questionId, special: a.special } : { questionId, value: a.value })),
    })
    t.equal(res.statusCode, 200, `the API fills ${answers.size} answers`)
    await page.reload()
    await page.getByRole('heading', { name: 'Still missing (2)' }).waitFor()
    const submit = page.getByRole('button', { name: 'Submit for review' })
    t.ok(await submit.isDisabled(), 'submit is disabled while answers are missing')
    t.match(await page.locator('.review .help').textContent(), /You cannot submit yet: 2 required questions are not answered/)
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
    await shot('05-ready-to-submit')
    await submit.click()
    await page.locator('.status-line .status-submitted').waitFor()
    res = await api('GET', `/assessments/${id}`)
    t.equal(res.json().status, 'submitted')

    // ---- the questionnaire in Arabic, right to left
    await page.goto(`${base}/app/assessment.html?id=${id}&lang=ar`)
    await page.locator('fieldset.question').first().waitFor()
    t.equal(await page.locator('#questionnaire-text').getAttribute('dir'), 'rtl', 'the Arabic texts run right to left')
    t.equal(await page.locator('#questionnaire-text').getAttribute('lang'), 'ar')
    await shot('06-assessment-arabic')

    // ---- staff: dashboard heat map, country profile, validate, CSV download
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.waitForURL(/index\.html/)
    await signIn(page, staff.token)
    await page.waitForURL(/dashboard\.html/)
    const row = page.locator('#heatmap tbody tr[data-country="KEN"]')
    await row.waitFor()
    t.match(await row.textContent(), /Kenya/)
    t.ok((await row.locator('td.cell').count()) >= version.content.domains.length, 'a cell per domain')
    t.match(await row.locator('td.cell').first().textContent(), /^\d+$|^–$/, 'each cell shows its number')
    await shot('07-dashboard', true)
    await row.getByRole('link', { name: 'Kenya' }).click()
    await page.waitForURL(/country\.html/)
    await page.getByRole('heading', { name: /Domain scores/ }).waitFor()
    await shot('08-country', true)
    await page.getByRole('button', { name: 'Validate' }).click()
    await page.locator('.status-line .status-validated').waitFor()
    res = await api('GET', `/assessments/${id}`)
    t.equal(res.json().status, 'validated')

    await page.goto(`${base}/app/dashboard.html`)
    await row.waitFor()
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#download-readiness').click()])
    const csv = await readFile((await download.path())!, 'utf8')
    const lines = csv.trim().split(/\r?\n/)
    t.match(lines[0], /^country code,country name,region,questionnaire,version,cycle,status,/)
    t.ok(lines.some((l) => l.startsWith(`KEN,Kenya,Africa,cdc,${version.content.version},2026,validated,`)), 'the download has Kenya, validated')
    t.same(pageErrors, [], 'no script errors in the pages')
  })
}
