// /docs in a real browser: the API reference renders from this origin under its own Content
// Security Policy without a single violation, and axe finds nothing critical or serious.
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import { build } from '../helpers/build.js'
import { launchChromium, NO_CHROMIUM } from '../helpers/chromium.js'

const require = createRequire(import.meta.url)
const AXE_SOURCE: string = (require('axe-core') as { source: string }).source

interface AxeViolation {
  id: string
  impact: string | null
  help: string
  nodes: { target: unknown[]; html: string; any: { message: string }[] }[]
}

t.test('/docs renders without CSP violations and passes axe', { timeout: 300_000, skip: NO_CHROMIUM }, async (t) => {
  const app = await build(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  const context = await launchChromium(t)
  const page = context.pages()[0] ?? (await context.newPage())
  const problems: string[] = []
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) problems.push(m.text())
  })
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`))
  const offOrigin: string[] = []
  page.on('request', (r) => {
    if (!r.url().startsWith(base) && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) offOrigin.push(r.url())
  })

  const res = await page.goto(`${base}/docs`)
  t.equal(res?.status(), 200)
  t.match(res?.headers()['content-security-policy'], /script-src 'self' 'sha256-/, 'the page has a policy of its own')
  // The reference is rendered: an operation of ours is on the page.
  await page.getByText('Sign in from a browser').first().waitFor({ timeout: 60_000 })
  await page.waitForLoadState('networkidle')
  t.same(problems, [], 'no CSP violation or page error in the console')
  t.same(offOrigin, [], 'nothing is loaded from another origin')

  await page.evaluate(AXE_SOURCE)
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(o: unknown): Promise<{ violations: AxeViolation[] }> } }).axe
    const result = await axe.run({ resultTypes: ['violations'] })
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target, html: n.html.slice(0, 200), why: n.any.map((c) => c.message) })),
    }))
  })
  const grave = violations.filter((v) => v.impact === 'critical' || v.impact === 'serious')
  t.same(grave, [], 'axe: no critical or serious finding')
  const minor = violations.filter((v) => !grave.includes(v))
  if (minor.length) t.comment(`axe, moderate/minor: ${minor.map((v) => `${v.id} (${v.impact})`).join(', ')}`)
})
