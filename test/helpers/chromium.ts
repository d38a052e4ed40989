// Debian's Chromium through playwright-core, with a profile of its own (so an empty cache), closed
// with the test: every browser test launches it here.
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { chromium, type BrowserContext, type LaunchOptions, type Page } from 'playwright-core'

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
/** A tap `skip` value: false when Chromium is there, otherwise why the test cannot run. */
export const NO_CHROMIUM = existsSync(CHROMIUM) ? false : `no chromium at ${CHROMIUM} (apt-get install -y chromium)`

type ContextOptions = NonNullable<Parameters<typeof chromium.launchPersistentContext>[1]>

export async function launchChromium(
  t: { teardown(fn: () => unknown): void },
  extraArgs: string[] = [],
  options: Pick<ContextOptions, 'viewport' | 'acceptDownloads' | 'locale'> & Pick<LaunchOptions, 'env'> = {},
): Promise<BrowserContext> {
  const profile = await mkdtemp(path.join(tmpdir(), 'tr-chromium-'))
  t.teardown(() => rm(profile, { recursive: true, force: true }))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1366, height: 900 },
    ...options,
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

/** Signs in on the page with an API token (the sign-in page's token form), landing on the role's first page. */
export async function signInWithToken(page: Page, base: string, token: string): Promise<void> {
  await page.goto(`${base}/app/`)
  if (!(await page.getByLabel('Access token').isVisible())) await page.getByText('Sign in with an access token instead').click()
  await page.getByLabel('Access token').fill(token)
  await page.getByLabel('Access token').press('Enter')
  await page.waitForURL(/(assessments|dashboard)\.html/)
}
