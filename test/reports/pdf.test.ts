// The country report's PDF, printed by Chromium from the print page: A4, at most three pages, in
// English, Arabic (shaped, right to left, in logical order in the text layer) and Chinese (its own
// embedded font, no missing-glyph boxes); checked with poppler's pdfinfo, pdftotext, pdffonts, pdftoppm.
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { t as translate } from '../../src/i18n/catalogs.js'
import { build } from '../helpers/build.js'
import { launchChromium, NO_CHROMIUM } from '../helpers/chromium.js'
import { seedAssessment } from '../helpers/readiness-seed.js'
import { tokenFor } from '../helpers/tokens.js'

const run = promisify(execFile)

// Words of the gaps heading. In Arabic, only words without a lam-alef ligature: poppler's text layer
// gives that ligature's two letters in drawing order (a known limit of pdftotext, not of the PDF).
const GAPS_HEADING: Record<string, string> = {
  en: translate('en', 'report.gaps'),
  ar: 'ذات الفجوات',
  zh: translate('zh', 'report.gaps'),
  ru: translate('ru', 'report.gaps'),
}
t.setTimeout(300_000)

t.test('the report as a PDF', { skip: NO_CHROMIUM, timeout: 300_000 }, async (t) => {
  const app = await build(t)
  const staff = await tokenFor(app, 'staff')
  // Three cycles of Kenya (a trend), and neighbours for the medians.
  for (const [cycle, plan] of [
    [2024, { data: 'max' }],
    [2025, { data: 'max', human_rights: 'max', taxation: 'shall' }],
  ] as const) {
    await seedAssessment(app, staff, 'KEN', { cycle, fallback: 'zero', plan, status: 'validated' })
  }
  const ken = await seedAssessment(app, staff, 'KEN', {
    cycle: 2026,
    fallback: 'zero',
    plan: { data: 'max', human_rights: 'max', competition: 'shall', taxation: 'others' },
  })
  await seedAssessment(app, staff, 'GHA', { fallback: 'max' })
  await seedAssessment(app, staff, 'NGA', { fallback: 'zero', plan: { security: 'max' } })
  const dir = await mkdtemp(path.join(tmpdir(), 'tr-report-pdf-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))

  async function pdf(lang: string): Promise<string> {
    const res = await app.inject({ method: 'GET', url: `/assessments/${ken.id}/report.pdf?lang=${lang}`, headers: { authorization: ken.admin } })
    t.equal(res.statusCode, 200, `${lang}: ${res.statusCode === 200 ? 'printed' : res.body}`)
    t.equal(res.headers['content-type'], 'application/pdf')
    t.match(res.headers['content-disposition'], `readiness-ken-cdc-2026-${lang}.pdf`)
    t.equal(res.rawPayload.subarray(0, 5).toString(), '%PDF-')
    const file = path.join(dir, `report-${lang}.pdf`)
    await writeFile(file, res.rawPayload)
    return file
  }

  /** Pages and page size (points) from pdfinfo. */
  async function info(file: string) {
    const { stdout } = await run('pdfinfo', [file])
    const pages = Number(/^Pages:\s+(\d+)/m.exec(stdout)?.[1])
    const [w, h] = (/^Page size:\s+([\d.]+) x ([\d.]+)/m.exec(stdout) ?? []).slice(1).map(Number)
    return { pages, w: Math.round(w!), h: Math.round(h!) }
  }

  const text = async (file: string) => (await run('pdftotext', ['-enc', 'UTF-8', file, '-'])).stdout

  /** The share of dark pixels on the first page rendered at 30 dpi in grey (PGM): 0 for a blank page. */
  async function ink(file: string): Promise<number> {
    const base = path.join(dir, `${path.basename(file, '.pdf')}-page`)
    await run('pdftoppm', ['-f', '1', '-l', '1', '-r', '30', '-gray', '-singlefile', file, base])
    const pgm = await readFile(`${base}.pgm`)
    const header = /^P5\s+(\d+)\s+(\d+)\s+255\s/.exec(pgm.subarray(0, 40).toString('latin1'))!
    const pixels = pgm.subarray(header[0].length)
    let dark = 0
    for (const p of pixels) if (p < 160) dark++
    return dark / pixels.length
  }

  for (const lang of ['en', 'ar', 'zh', 'ru']) {
    await t.test(`${lang}: A4, one to three pages, not blank`, async (t) => {
      const file = await pdf(lang)
      const { pages, w, h } = await info(file)
      t.ok(pages >= 1 && pages <= 3, `${pages} page(s)`)
      t.strictSame([w, h], [595, 842], 'A4 portrait')
      t.ok((await ink(file)) > 0.01, 'the first page has text and charts on it')
      const words = await text(file)
      t.match(words, GAPS_HEADING[lang]!, 'the gaps section is there')
      t.match(words, '§3.', 'with treaty references')
    })
  }

  await t.test('English text layer', async (t) => {
    const words = await text(path.join(dir, 'report-en.pdf'))
    t.match(words, 'Kenya: readiness report')
    t.match(words, 'Regional median')
    t.match(words, 'Trend over cycles')
  })

  await t.test('Arabic: shaped, right to left, words in logical order', async (t) => {
    const words = await text(path.join(dir, 'report-ar.pdf'))
    // pdftotext gives the words of a right-to-left line in reading order when the PDF's text layer is.
    t.match(words, 'تقرير الجاهزية', 'the title, in logical order')
    t.match(words, 'ذات الفجوات', 'the gaps heading')
    t.match(words, 'الوسيط العالمي', 'the world median')
    t.match(words, 'كينيا', "the country's Arabic name")
    t.notMatch(words, /[\uFE70-\uFEFF]/u, 'no presentation forms in the text layer: shaped for display, logical in text')
    const { stdout: fonts } = await run('pdffonts', [path.join(dir, 'report-ar.pdf')])
    t.match(fonts, /Arabic.*\byes\b/i, 'an Arabic font is embedded')
  })

  await t.test('Chinese: drawn with a CJK font (no missing-glyph boxes), its glyphs embedded, the words in the text layer', async (t) => {
    const file = path.join(dir, 'report-zh.pdf')
    // Chromium embeds the OpenType (CFF) Noto CJK glyphs as Type 3 fonts: outlines in the file itself.
    const { stdout: fonts } = await run('pdffonts', [file])
    t.match(fonts, /Type 3\s+Custom\s+yes/, 'glyph outlines embedded')
    t.notMatch(fonts, /\bno\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$/m, 'no font left out of the file')
    const words = await text(file)
    t.match(words, '准备情况报告')
    t.match(words, '差距最大的义务')
    // The fonts Chromium drew the Chinese heading with (DevTools' own answer): a CJK font for every
    // glyph, so none fell back to a missing-glyph box.
    await app.listen({ port: 0, host: '127.0.0.1' })
    const { port } = app.server.address() as AddressInfo
    const context = await launchChromium(t)
    await context.setExtraHTTPHeaders({ authorization: ken.admin })
    const page = await context.newPage()
    await page.goto(`http://127.0.0.1:${port}/app/report.html?assessment=${ken.id}&lang=zh`)
    await page.locator('body[data-print-ready]').waitFor()
    const cdp = await context.newCDPSession(page)
    await cdp.send('DOM.enable')
    await cdp.send('CSS.enable')
    const { root } = await cdp.send('DOM.getDocument')
    for (const selector of ['h1', '#r-gaps']) {
      const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector })
      const { fonts: used } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId })
      t.ok(
        used.some((f) => /CJK/.test(f.familyName) && f.glyphCount > 0),
        `${selector}: ${used.map((f) => `${f.familyName} (${f.glyphCount})`).join(', ')}`,
      )
      t.notOk(
        used.some((f) => /Last ?Resort|Tofu/i.test(f.familyName)),
        'no missing-glyph font',
      )
    }
  })

  await t.test('the PDF of another country is never printed', async (t) => {
    const res = await app.inject({
      method: 'GET',
      url: `/assessments/${ken.id}/report.pdf`,
      headers: { authorization: await tokenFor(app, 'administration', 'GHA') },
    })
    t.equal(res.statusCode, 404)
  })
})
