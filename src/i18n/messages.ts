// Interface messages in ICU MessageFormat (intl-messageformat): one catalog per language, a
// translator over them, and the checks that keep the six catalogs in step with English. Pure:
// catalogs.ts reads the files.
import { IntlMessageFormat } from 'intl-messageformat'
import { LANGUAGES, type Language } from './languages.js'

/** Message key → ICU message. */
export type Catalog = Readonly<Record<string, string>>
export type Catalogs = Readonly<Record<Language, Catalog>>
export type MessageValues = Record<string, string | number | Date | null | undefined>
export type Translate = (lang: Language, key: string, values?: MessageValues) => string

/**
 * A translator over the catalogs. A key missing in a language (the catalog test forbids it) falls
 * back to English; a key missing in English is a programming error and throws.
 */
export function createTranslator(catalogs: Catalogs): Translate {
  const compiled = new Map<string, IntlMessageFormat>()
  return (lang, key, values) => {
    const source = catalogs[lang][key] !== undefined ? lang : 'en'
    const message = catalogs[source][key]
    if (message === undefined) throw new Error(`no message "${key}" in the English catalog`)
    const id = `${source}\u0000${key}`
    let format = compiled.get(id)
    if (!format) {
      format = new IntlMessageFormat(message, source, undefined, { ignoreTag: true })
      compiled.set(id, format)
    }
    return String(format.format(values))
  }
}

// Element kinds of the ICU parser's AST (@formatjs/icu-messageformat-parser TYPE).
const LITERAL = 0
const SELECT = 5
const PLURAL = 6
const POUND = 7

interface AstElement {
  type: number
  value?: string
  options?: Record<string, { value: AstElement[] }>
  pluralType?: 'cardinal' | 'ordinal'
}

export interface MessageShape {
  /** Every argument name the message uses, sorted. */
  arguments: string[]
  plurals: { argument: string; type: 'cardinal' | 'ordinal'; categories: string[] }[]
}

/** What a message needs from its caller: the arguments it reads and the plural categories it gives. */
export function messageShape(message: string, lang: Language): MessageShape {
  const ast = new IntlMessageFormat(message, lang, undefined, { ignoreTag: true }).getAst() as unknown as AstElement[]
  const args = new Set<string>()
  const plurals: MessageShape['plurals'] = []
  const walk = (elements: AstElement[]) => {
    for (const el of elements) {
      if (el.type === LITERAL || el.type === POUND) continue
      if (el.value) args.add(el.value)
      if (el.options) {
        if (el.type === PLURAL)
          plurals.push({ argument: el.value ?? '', type: el.pluralType ?? 'cardinal', categories: Object.keys(el.options).filter((k) => !k.startsWith('=')) })
        for (const option of Object.values(el.options)) walk(option.value)
      }
      if (el.type === SELECT && el.options && !('other' in el.options)) args.add(`${el.value}:select-without-other`)
    }
  }
  walk(ast)
  return { arguments: [...args].sort(), plurals }
}

/** What is wrong with the catalogs, one line each; empty when every language is complete and consistent. */
export function catalogProblems(catalogs: Catalogs): string[] {
  const problems: string[] = []
  const english = catalogs.en
  for (const lang of LANGUAGES) {
    const catalog = catalogs[lang]
    const needed = new Intl.PluralRules(lang).resolvedOptions().pluralCategories as string[]
    const neededOrdinal = new Intl.PluralRules(lang, { type: 'ordinal' }).resolvedOptions().pluralCategories as string[]
    for (const key of Object.keys(english)) {
      const message = catalog[key]
      if (typeof message !== 'string' || message.trim() === '') {
        problems.push(`${lang}: "${key}" is missing`)
        continue
      }
      let shape: MessageShape
      let englishShape: MessageShape
      try {
        shape = messageShape(message, lang)
        englishShape = messageShape(english[key] as string, 'en')
      } catch (error) {
        problems.push(`${lang}: "${key}" is not a valid ICU message (${(error as Error).message})`)
        continue
      }
      if (shape.arguments.join(',') !== englishShape.arguments.join(',')) {
        problems.push(`${lang}: "${key}" uses {${shape.arguments.join('}, {')}}, English uses {${englishShape.arguments.join('}, {')}}`)
      }
      for (const plural of shape.plurals) {
        const want = plural.type === 'ordinal' ? neededOrdinal : needed
        const lacking = want.filter((c) => !plural.categories.includes(c))
        if (lacking.length) problems.push(`${lang}: "${key}" plural of {${plural.argument}} lacks ${lacking.join(', ')}`)
      }
    }
    for (const key of Object.keys(catalog)) {
      if (!(key in english)) problems.push(`${lang}: "${key}" is not in the English catalog`)
    }
  }
  return problems
}
