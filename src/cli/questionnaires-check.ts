// npm run questionnaires:check [dir]: validates the questionnaire files (default: questionnaires/ at
// the repository root) and prints, per questionnaire, its id, version, title, hash prefix and a
// table of question counts per domain. Exits 1 with every problem found when a file is invalid.
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { CatalogError, formatCatalogError, loadCatalog, type Catalog } from '../questionnaires/catalog.js'
import { FORCES, LANGUAGES } from '../questionnaires/schema.js'
import { checkTranslation, translatableTexts } from '../questionnaires/translations.js'

export const DEFAULT_DIR = fileURLToPath(new URL('../../questionnaires/', import.meta.url))

/** The report printed on success: one block per questionnaire, columns aligned. */
export function summarize(catalog: Catalog): string {
  const blocks: string[] = []
  for (const { file, content, hash } of catalog.questionnaires) {
    const header = ['domain', 'questions', ...FORCES, 'unscored', 'conditional']
    const rows = content.domains.map((d) => {
      const count = (f: string) => d.questions.filter((q) => q.force === f).length
      return [
        d.id,
        d.questions.length,
        ...FORCES.map(count),
        d.questions.filter((q) => q.type === 'text' || q.scored === false).length,
        d.questions.filter((q) => q.applies_if).length,
      ].map(String)
    })
    const total = ['total', ...header.slice(1).map((_, i) => String(rows.reduce((s, r) => s + Number(r[i + 1]), 0)))]
    const table = [header, ...rows, total]
    const widths = header.map((_, c) => Math.max(...table.map((r) => (r[c] ?? '').length)))
    const line = (r: string[]) => `  ${r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join('  ')}`
    const rule = `  ${widths.map((w) => '-'.repeat(w)).join('  ')}`
    blocks.push(
      [
        `${content.id} v${content.version}  ${content.title.en}`,
        `  file ${file}  sha256 ${hash.slice(0, 12)}`,
        line(header),
        rule,
        ...rows.map(line),
        rule,
        line(total),
        `  translations (texts still missing or English, of ${translatableTexts(content).length}):`,
        ...LANGUAGES.filter((l) => l !== 'en').map((lang) => {
          const doc = catalog.translations.get(`${content.id}@${content.version}`)?.[lang]
          const gaps = doc ? checkTranslation(content, lang, doc).filter((p) => p.severity === 'gap') : undefined
          const first = gaps?.[0]
          return `    ${lang}: ${gaps === undefined ? 'no file' : gaps.length === 0 ? 'complete' : `${gaps.length} (first: ${first?.path}: ${first?.message})`}`
        }),
      ].join('\n'),
    )
  }
  const n = catalog.questionnaires.length
  const questions = catalog.questionnaires.reduce((s, q) => s + q.content.domains.reduce((t, d) => t + d.questions.length, 0), 0)
  blocks.push(`${n} questionnaire${n === 1 ? '' : 's'}, ${questions} questions: OK`)
  return blocks.join('\n\n')
}

export async function main(argv: string[]): Promise<number> {
  const dir = argv[0] ? path.resolve(argv[0]) : DEFAULT_DIR
  try {
    const catalog = await loadCatalog(dir)
    process.stdout.write(`questionnaires in ${dir}\n\n${summarize(catalog)}\n`)
    return 0
  } catch (error) {
    if (error instanceof CatalogError) {
      process.stderr.write(`questionnaires in ${dir}\n${formatCatalogError(error)}\n`)
      return 1
    }
    throw error
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2))
}
