// Debian's Chromium through playwright-core, launched as test/web/browser.test.ts does, for the
// browser tests that need a page of their own.
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { chromium, type BrowserContext } from 'playwright-core'

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
/** A tap `skip` value: false when Chromium is there, otherwise why the test cannot run. */
export const NO_CHROMIUM = existsSync(CHROMIUM) ? false : `no chromium at ${CHROMIUM} (apt-get install -y chromium)`

export async function launchChromium(t: { teardown(fn: () => unknown): void }, extraArgs: string[] = []): Promise<BrowserContext> {
  const profile = await mkdtemp(path.join(tmpdir(), 'tr-chromium-'))
  t.teardown(() => rm(profile, { recursive: true, force: true }))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1366, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
      ...extraArgs,
    ],
  })
  t.teardown(() => context.close())
  return context
}
