// npm run questionnaires:translate -- <id> <version> <lang> [<from version>]: writes (or completes)
// the translation file questionnaires/translations/<id>.v<version>.<lang>.yaml. Texts not yet
// translated are taken from <from version>'s translation where their English did not change, and
// otherwise filled with the English for a translator to replace; the check lists what is still English.
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { stringify } from 'yaml'
import { CatalogError, formatCatalogError, loadCatalog, TRANSLATIONS_DIR } from '../questionnaires/catalog.js'
import { LANGUAGES, type Language } from '../questionnaires/schema.js'
import { carryOver, skeleton, type TranslationDoc } from '../questionnaires/translations.js'
import { DEFAULT_DIR } from './questionnaires-check.js'

export async function main(argv: string[]): Promise<number> {
  const [id, version, lang, fromVersion] = argv
  if (!id || !version || !lang || !(LANGUAGES as readonly string[]).includes(lang) || lang === 'en') {
    process.stderr.write(`usage: npm run questionnaires:translate -- <id> <version> <${LANGUAGES.filter((l) => l !== 'en').join('|')}> [<from version>]\n`)
    return 2
  }
  try {
    const catalog = await loadCatalog(DEFAULT_DIR)
    const loaded = catalog.questionnaires.find((q) => q.content.id === id && String(q.content.version) === version)
    if (!loaded) {
      process.stderr.write(`no questionnaire ${id} v${version}\n`)
      return 1
    }
    let current: TranslationDoc | undefined = catalog.translations.get(`${id}@${version}`)?.[lang as Language]
    if (!current && fromVersion) {
      const from = catalog.questionnaires.find((q) => q.content.id === id && String(q.content.version) === fromVersion)
      const fromDoc = catalog.translations.get(`${id}@${fromVersion}`)?.[lang as Language]
      if (!from || !fromDoc) {
        process.stderr.write(`no ${lang} translation of ${id} v${fromVersion} to start from\n`)
        return 1
      }
      current = carryOver(from.content, fromDoc, loaded.content)
    }
    const doc = skeleton(loaded.content, lang as Language, current)
    const file = path.join(DEFAULT_DIR, TRANSLATIONS_DIR, `${id}.v${version}.${lang}.yaml`)
    await mkdir(path.dirname(file), { recursive: true })
    const header = `# ${loaded.content.title.en}, version ${version}: texts in ${lang}. Keys follow the version file (ids);\n# src/questionnaires/translations.ts lists them. Not part of the version's content hash.\n`
    await writeFile(file, header + stringify(doc, { lineWidth: 0 }))
    process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`)
    return 0
  } catch (error) {
    if (error instanceof CatalogError) {
      process.stderr.write(`${formatCatalogError(error)}\n`)
      return 1
    }
    throw error
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2))
}
