// The pages in ITU's six languages, in a real browser (Debian's chromium through playwright-core):
// the form in Arabic runs right to left, with an English fallback text in an element of its own
// direction (its punctuation stays where English puts it); the switcher turns the interface into
// Chinese and remembers it; axe finds nothing critical or serious on the main pages in any language.
/// <reference lib="dom" />
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { launchChromium, NO_CHROMIUM, signInWithToken } from '../helpers/chromium.js'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { BrowserContext, Page } from 'playwright-core'
import t, { type Test } from 'tap'
import { t as translate } from '../../src/i18n/catalogs.js'
import { LANGUAGES, type Language } from '../../src/i18n/languages.js'
import { createAssessment } from '../helpers/assessments.js'
import { build } from '../helpers/build.js'
import { testToken } from '../helpers/tokens.js'

const AXE = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')
const skip = NO_CHROMIUM
t.setTimeout(1_200_000)

// The first question of cdc v1, translated into Arabic by this test's own translation file; its
// guidance stays English (a fallback), and ends with a full stop an Arabic paragraph would move.
const FIRST = 'cdc.human_rights.restriction_instrument'
const SECOND = 'cdc.human_rights.restriction_safeguards'
const ARABIC_TEXT = 'هل يوجد في بلدك صك ملزم قانوناً ونافذ يسمح بتقييد حرية التعبير وسرية الاتصالات والخصوصية لأغراض يحددها القانون تحديداً دقيقاً فحسب؟'

async function browser(t: Test): Promise<BrowserContext> {
  const context = await launchChromium(t, [], { locale: 'en-US' })
  return context
}

/** axe-core's critical and serious violations (run through the devtools protocol: the CSP does not apply). */
async function axe(page: Page): Promise<string[]> {
  await page.evaluate(AXE)
  return page.evaluate(async () => {
    type Result = { violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }
    const result: Result = await (window as unknown as { axe: { run(): Promise<Result> } }).axe.run()
    return result.violations
      .filter((v) => v.impact === 'critical' || v.impact === 'serious')
      .map(
        (v) =>
          `${v.id} (${v.impact}): ${v.nodes
            .map((n) => n.target.join(' '))
            .slice(0, 3)
            .join(', ')}`,
      )
  })
}

const dom = (id: string) => `q-${id.replace(/[^a-zA-Z0-9_-]/g, '-')}`

t.test('the pages in six languages', { skip, timeout: 1_200_000 }, async (t) => {
  const questionnairesDir = await mkdtemp(path.join(tmpdir(), 'tr-questionnaires-'))
  t.teardown(() => rm(questionnairesDir, { recursive: true, force: true }))
  await mkdir(path.join(questionnairesDir, 'translations'))
  await writeFile(path.join(questionnairesDir, 'translations', 'cdc.v1.ar.yaml'), `questions:\n  ${FIRST}:\n    text: "${ARABIC_TEXT}"\n`)
  const app = await build(t, { questionnairesDir })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  const admin = await testToken(app, 'administration', 'KEN', { label: 'Ministry of ICT, Kenya' })
  const staff = await testToken(app, 'staff', undefined, { label: 'ITU-D analyst' })
  const itAdmin = await testToken(app, 'admin', undefined, { label: 'ITU-D administrator' })
  // Version 1, whose texts this test's translation file gives (and leaves out).
  const assessment = await createAssessment(app, admin.authorization, { questionnaire: 'cdc', version: 1, country: 'KEN', cycle: 2026 })
  const campaign = await app.db.selectFrom('campaigns').select('id').where('questionnaire', '=', 'cdc').where('cycle', '=', 2026).executeTakeFirstOrThrow()

  const adminContext = await browser(t)
  const page = adminContext.pages()[0] ?? (await adminContext.newPage())
  const pageErrors: string[] = []
  page.on('pageerror', (e) => pageErrors.push(e.message))
  await signInWithToken(page, base, admin.token)

  await t.test('the form in Arabic: right to left, English fallbacks isolated', async (t) => {
    await page.goto(`${base}/app/assessment.html?id=${assessment.id}&lang=ar`)
    const q1 = page.locator(`#${dom(FIRST)}`)
    await q1.waitFor()
    t.same(await page.evaluate(() => [document.documentElement.lang, document.documentElement.dir]), ['ar', 'rtl'])
    t.equal(await q1.evaluate((el) => getComputedStyle(el).direction), 'rtl', 'the questions run right to left')
    t.equal(await q1.locator('.q-text').textContent(), ARABIC_TEXT, 'the translated question text')
    t.equal(await q1.locator('.q-text').getAttribute('dir'), null, 'in the page direction')
    t.equal(await q1.locator('.badge.untranslated').count(), 0, 'not marked untranslated')
    await q1.locator('summary', { hasText: translate('ar', 'assessment.guidance') }).click()

    const guidance = q1.locator('details.guidance p')
    t.equal(await guidance.getAttribute('lang'), 'en', 'the English guidance says it is English')
    t.equal(await guidance.getAttribute('dir'), 'ltr', 'and has its own direction')
    t.equal(await guidance.evaluate((el) => getComputedStyle(el).direction), 'ltr')
    // Where the final full stop is drawn: right after the last word, as in English. Left to the
    // Arabic paragraph's bidi rules, it would be drawn on the other side of that word (mirrored).
    const ends = await guidance.evaluate((el) => {
      const node = el.firstChild as Text
      const box = (at: number) => {
        const range = document.createRange()
        range.setStart(node, at)
        range.setEnd(node, at + 1)
        return range.getClientRects()[0]!
      }
      const n = node.data.length
      const [word, stop] = [box(n - 2), box(n - 1)]
      return { text: node.data.slice(-2), stopLeft: stop.left, wordRight: word.right, sameLine: Math.abs(stop.top - word.top) < 2 }
    })
    t.match(ends, { text: /\p{L}\.$/u, sameLine: true })
    t.ok(ends.stopLeft >= ends.wordRight - 0.5, `the full stop follows the last word on the right (${ends.stopLeft} ≥ ${ends.wordRight})`)

    // What people type takes the direction of its own text (an English comment in an Arabic page
    // keeps its full stop at its end), and web addresses always run left to right.
    const comment = q1.locator('textarea').first()
    t.equal(await comment.evaluate((el) => getComputedStyle(el).unicodeBidi), 'plaintext', 'a comment follows its own text')
    const addressDirection = await q1.evaluate((el) => {
      const input = Object.assign(document.createElement('input'), { type: 'url' })
      el.append(input)
      const direction = getComputedStyle(input).direction
      input.remove()
      return direction
    })
    t.equal(addressDirection, 'ltr', 'an address runs left to right')

    // A question with no Arabic text at all: marked, and its text isolated as English.
    const second = page.locator(`#${dom(SECOND)}`)
    t.equal(await second.locator('.q-text').getAttribute('dir'), 'ltr')
    t.equal(await second.locator('.badge.untranslated').textContent(), translate('ar', 'language.notTranslatedShort'))
    t.equal(await page.locator('h2', { hasText: translate('ar', 'assessment.workflow') }).count(), 1, 'interface words in Arabic')
    t.equal(await page.title(), translate('ar', 'app.pageTitle', { page: translate('ar', 'assessment.titleOf', { country: 'كينيا', cycle: '2026' }) }))
  })

  await t.test('the switcher turns the page into Chinese and is remembered', async (t) => {
    await page.locator('#language-switch').selectOption('zh')
    await page.waitForFunction(() => document.documentElement.lang === 'zh')
    await page.locator(`#${dom(FIRST)}`).waitFor()
    t.notMatch(page.url(), /lang=/, 'the address no longer forces a language')
    t.equal(await page.evaluate(() => document.documentElement.dir), 'ltr')
    t.equal(await page.locator('h2', { hasText: translate('zh', 'assessment.workflow') }).count(), 1, '工作流程')
    t.equal(await page.getByRole('button', { name: translate('zh', 'app.signOut') }).count(), 1, '退出登录')
    t.equal(
      await page
        .locator(`#${dom(FIRST)} summary`)
        .first()
        .textContent(),
      translate('zh', 'assessment.guidance'),
    )
    await page.goto(`${base}/app/assessments.html`)
    await page.waitForFunction(() => document.documentElement.lang === 'zh')
    // The title is set once the page has drawn its frame.
    const title = translate('zh', 'app.pageTitle', { page: translate('zh', 'assessments.pageTitle') })
    await page.waitForFunction((expected) => document.title === expected, title, { timeout: 10_000 }).catch(() => undefined)
    t.equal(await page.title(), title, 'another page follows the saved choice')
  })

  await t.test('axe: nothing critical or serious on the main pages in any language', async (t) => {
    const staffContext = await browser(t)
    const staffPage = staffContext.pages()[0] ?? (await staffContext.newPage())
    staffPage.on('pageerror', (e) => pageErrors.push(e.message))
    await signInWithToken(staffPage, base, staff.token)
    const adminPageContext = await browser(t)
    const adminPage = adminPageContext.pages()[0] ?? (await adminPageContext.newPage())
    adminPage.on('pageerror', (e) => pageErrors.push(e.message))
    await adminPage.goto(`${base}/app/`)
    await adminPage.getByText('Sign in with an access token instead').click()
    await adminPage.getByLabel('Access token').fill(itAdmin.token)
    await adminPage.getByLabel('Access token').press('Enter')
    await adminPage.waitForURL(/people\.html/)
    const anonymous = await adminContext.browser()?.newContext()
    const signInPage = anonymous ? await anonymous.newPage() : await (await browser(t)).newPage()
    t.teardown(() => anonymous?.close())

    const pages: { name: string; page: Page; url: string; ready: string }[] = [
      { name: 'sign-in', page: signInPage, url: '/app/index.html', ready: '#email' },
      { name: 'password reset', page: signInPage, url: '/app/reset.html', ready: '#email' },
      { name: 'people', page, url: '/app/people.html', ready: '#invite-name' },
      { name: 'assessments', page, url: '/app/assessments.html', ready: '#published-comparison' },
      { name: 'assessment', page, url: `/app/assessment.html?id=${assessment.id}`, ready: `#${dom(FIRST)}` },
      { name: 'dashboard', page: staffPage, url: '/app/dashboard.html', ready: '#filters' },
      { name: 'country', page: staffPage, url: '/app/country.html?code=KEN&questionnaire=cdc', ready: 'h1' },
      { name: 'my account', page, url: '/app/account.html', ready: '#sessions tbody tr' },
      { name: 'invitations', page, url: '/app/invitations.html', ready: '#invitations tbody tr' },
      { name: 'tokens', page: adminPage, url: '/app/tokens.html', ready: '#all-tokens tbody tr' },
      { name: 'audit trail', page: adminPage, url: '/app/audit.html', ready: '#audit tbody tr' },
      { name: 'report', page, url: `/app/report.html?assessment=${assessment.id}`, ready: 'body[data-print-ready]' },
      { name: 'scenarios', page: staffPage, url: '/app/scenarios.html?questionnaire=cdc', ready: 'body[data-print-ready]' },
      { name: 'campaigns', page: staffPage, url: '/app/campaigns.html', ready: '#c-title' },
      { name: 'campaign board', page: staffPage, url: `/app/campaign.html?id=${campaign.id}`, ready: 'table.board' },
    ]
    for (const lang of LANGUAGES as readonly Language[]) {
      for (const p of pages) {
        await p.page.goto(`${base}${p.url}${p.url.includes('?') ? '&' : '?'}lang=${lang}`)
        await p.page.locator(p.ready).first().waitFor()
        await p.page
          .locator('.loading')
          .waitFor({ state: 'detached' })
          .catch(() => undefined)
        t.equal(await p.page.evaluate(() => document.documentElement.lang), lang, `${p.name} is in ${lang}`)
        t.same(await axe(p.page), [], `${p.name} in ${lang}`)
      }
    }
  })

  t.same(pageErrors, [], 'no script error on any page')
})
