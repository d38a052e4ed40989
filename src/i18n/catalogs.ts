// The interface catalogs shipped with the code (src/i18n/messages/<lang>.json), read once, and the
// translator everything on the server uses: API labels, later mails and exports.
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { LANGUAGES, type Language } from './languages.js'
import { createTranslator, type Catalog, type Catalogs, type MessageValues } from './messages.js'

/** The keys of the English catalog: a typo in a key is a compile error. */
export type MessageKey = keyof typeof import('./messages/en.json')

function read(lang: Language): Catalog {
  const parsed: unknown = JSON.parse(readFileSync(new URL(`./messages/${lang}.json`, import.meta.url), 'utf8'))
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed) || Object.values(parsed).some((v) => typeof v !== 'string')) {
    throw new Error(`src/i18n/messages/${lang}.json must be an object of strings`)
  }
  return Object.freeze(parsed as Record<string, string>)
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
