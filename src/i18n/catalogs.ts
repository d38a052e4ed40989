// The interface catalogs shipped with the code, read once, and the translator everything on the
// server uses: pages, API labels, mails and exports. Each language's catalog is the core file
// (src/i18n/messages/<lang>.json) plus one file per feature area (src/i18n/messages/<area>/<lang>.json),
// so that features grow their texts without touching each other's; a key defined twice is an error.
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { LANGUAGES, type Language } from './languages.js'
import { createTranslator, type Catalog, type Catalogs, type MessageValues } from './messages.js'

/** Feature areas with a catalog file of their own per language. */
export const CATALOG_AREAS = ['account', 'access', 'campaigns', 'publication', 'evidence', 'exports', 'report'] as const

/** The keys of the English catalogs: a typo in a key is a compile error. */
export type MessageKey =
  | keyof typeof import('./messages/en.json')
  | keyof typeof import('./messages/account/en.json')
  | keyof typeof import('./messages/access/en.json')
  | keyof typeof import('./messages/campaigns/en.json')
  | keyof typeof import('./messages/publication/en.json')
  | keyof typeof import('./messages/evidence/en.json')
  | keyof typeof import('./messages/exports/en.json')
  | keyof typeof import('./messages/report/en.json')

function readFile(relative: string): Record<string, string> {
  const parsed: unknown = JSON.parse(readFileSync(new URL(`./messages/${relative}`, import.meta.url), 'utf8'))
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed) || Object.values(parsed).some((v) => typeof v !== 'string')) {
    throw new Error(`src/i18n/messages/${relative} must be an object of strings`)
  }
  return parsed as Record<string, string>
}

/** One language's catalog from its core file and its area files; a key defined twice is an error. */
export function mergeCatalog(core: Readonly<Record<string, string>>, areas: Readonly<Record<string, Readonly<Record<string, string>>>>): Catalog {
  const catalog: Record<string, string> = { ...core }
  for (const [area, texts] of Object.entries(areas)) {
    for (const [key, text] of Object.entries(texts)) {
      if (Object.hasOwn(catalog, key)) throw new Error(`messages/${area}: "${key}" is already defined elsewhere`)
      catalog[key] = text
    }
  }
  return Object.freeze(catalog)
}

function read(lang: Language): Catalog {
  return mergeCatalog(readFile(`${lang}.json`), Object.fromEntries(CATALOG_AREAS.map((area) => [area, readFile(`${area}/${lang}.json`)])))
}

export const CATALOGS: Catalogs = Object.freeze(Object.fromEntries(LANGUAGES.map((lang) => [lang, read(lang)])) as Record<Language, Catalog>)

/** A strong validator per catalog, so browsers revalidate with a 304 instead of downloading again. */
export const CATALOG_ETAGS: Readonly<Record<Language, string>> = Object.freeze(
  Object.fromEntries(
    LANGUAGES.map((lang) => [lang, `"${createHash('sha256').update(JSON.stringify(CATALOGS[lang])).digest('base64url').slice(0, 22)}"`]),
  ) as Record<Language, string>,
)

const translate = createTranslator(CATALOGS)

/** The message `key` in `lang`, with `values` filled in (ICU: plurals, selects, numbers, dates). */
export function t(lang: Language, key: MessageKey, values?: MessageValues): string {
  return translate(lang, key, values)
}
