// Prints a page of this service to PDF with Chromium (playwright-core), the way a person's browser
// would print it, so the PDF and the print page can never differ.
//
// Chromium never reaches the network, not even this server's port: every request of the page is
// answered in-process by `fetch` (app.inject with the asking person's credentials), and anything
// else is refused. One browser is started on first use and shared; at most `concurrency` pages print
// at once, the rest wait their turn. A browser that dies is started again on the next request.
import { existsSync } from 'node:fs'
// playwright-core is ~80 MB of memory once loaded: only a server that prints loads it.
import type { Browser } from 'playwright-core'

/** The origin the page is loaded under; it exists only inside the printer. */
export const PRINT_ORIGIN = 'http://report.invalid'

export interface LocalResponse {
  status: number
  headers: Record<string, string>
  body: Buffer
}

export type LocalFetch = (request: { method: string; url: string; headers: Record<string, string> }) => Promise<LocalResponse>

export class ChromiumMissing extends Error {
  override name = 'ChromiumMissing'
}

export class PrintFailed extends Error {
  override name = 'PrintFailed'
}

/** How long a page may take to draw itself before the print fails. */
const DRAW_TIMEOUT_MS = 30_000

export class ReportPrinter {
  private browser: Promise<Browser> | undefined
  private running = 0
  private readonly waiting: (() => void)[] = []

  constructor(
    private readonly executablePath: string,
    private readonly concurrency: number,
  ) {}

  get available(): boolean {
    return existsSync(this.executablePath)
  }

  /**
   * `path` (e.g. /app/report.html?assessment=…) printed to an A4 PDF once the page marks itself
   * ready (`body[data-print-ready]`); a page that marks `data-print-error` fails the print.
   */
  async print(path: string, fetch: LocalFetch, locale: string): Promise<Buffer> {
    if (!this.available) throw new ChromiumMissing(`no Chromium at ${this.executablePath}`)
    await this.turn()
    try {
      const browser = await this.launch()
      const context = await browser.newContext({ locale, serviceWorkers: 'block' })
      try {
        const page = await context.newPage()
        await page.route('**/*', async (route) => {
          const request = route.request()
          const url = new URL(request.url())
          if (url.origin !== PRINT_ORIGIN) return route.abort('blockedbyclient')
          const res = await fetch({ method: request.method(), url: url.pathname + url.search, headers: await request.allHeaders() })
          return route.fulfill({ status: res.status, headers: res.headers, body: res.body })
        })
        await page.goto(PRINT_ORIGIN + path, { waitUntil: 'load' })
        const state = await page.waitForSelector('body[data-print-ready], body[data-print-error]', { timeout: DRAW_TIMEOUT_MS })
        const error = await state.getAttribute('data-print-error')
        if (error !== null) throw new PrintFailed(`the page could not draw itself: ${error}`)
        return await page.pdf({ preferCSSPageSize: true, printBackground: true, tagged: true })
      } finally {
        await context.close()
      }
    } finally {
      this.release()
    }
  }

  async close(): Promise<void> {
    const browser = this.browser
    this.browser = undefined
    if (browser) await (await browser.catch(() => undefined))?.close()
  }

  private launch(): Promise<Browser> {
    if (!this.browser) {
      const started = import('playwright-core').then(({ chromium }) =>
        chromium.launch({
          executablePath: this.executablePath,
          headless: true,
          // --no-sandbox: containers run without the user namespaces Chromium's sandbox needs; the
          // pages it loads are this service's own, served in-process, with every other request refused.
          args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--no-first-run', '--disable-component-update'],
        }),
      )
      this.browser = started
      const forget = () => {
        if (this.browser === started) this.browser = undefined
      }
      started.then((b) => b.on('disconnected', forget), forget)
    }
    return this.browser
  }

  private async turn(): Promise<void> {
    if (this.running < this.concurrency) {
      this.running++
      return
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve))
  }

  private release(): void {
    const next = this.waiting.shift()
    if (next) next()
    else this.running--
  }
}
