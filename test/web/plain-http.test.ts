// The pages over plain HTTP on a host other than localhost (a ministry's closed network, the
// Docker image without TLS): the browser must load the CSS and the scripts over http, so the
// sign-in form appears. With upgrade-insecure-requests in the policy, Chromium asked for them as
// https:// and the page stayed blank.
import type { AddressInfo } from 'node:net'
import t from 'tap'
import { build } from '../helpers/build.js'
import { launchChromium, NO_CHROMIUM } from '../helpers/chromium.js'

const HOST = 'readiness.ministry.test'

t.test(`the sign-in page works over http://${HOST}`, { timeout: 300_000, skip: NO_CHROMIUM }, async (t) => {
  const app = await build(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as AddressInfo).port
  // A name that is not localhost (which browsers treat as secure) resolving to this server.
  const context = await launchChromium(t, [`--host-resolver-rules=MAP ${HOST} 127.0.0.1`])
  const page = context.pages()[0] ?? (await context.newPage())
  const failed: string[] = []
  page.on('requestfailed', (r) => failed.push(`${r.url()}: ${r.failure()?.errorText}`))
  const requested: string[] = []
  page.on('request', (r) => requested.push(r.url()))

  const res = await page.goto(`http://${HOST}:${port}/app/index.html`)
  t.equal(res?.status(), 200)
  t.notMatch(res?.headers()['content-security-policy'], /upgrade-insecure-requests/)
  await page.getByLabel('E-mail address').waitFor({ timeout: 30_000 })
  t.same(failed, [], 'no request failed')
  t.ok(
    requested.some((u) => u === `http://${HOST}:${port}/app/css/app.css`),
    'the stylesheet was fetched over http',
  )
  t.notOk(
    requested.some((u) => u.startsWith('https:')),
    'nothing was upgraded to https',
  )
  const styled = await page.evaluate('getComputedStyle(document.querySelector(".skip-link")).position')
  t.equal(styled, 'absolute', 'the stylesheet applies')
})
