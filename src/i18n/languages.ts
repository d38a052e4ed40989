// ITU's six official languages as the interface knows them: code, own name, writing direction.
import { LANGUAGES, type Language } from '../questionnaires/schema.js'

export { LANGUAGES, type Language }

/** Each language's name in itself, as a switcher shows it (never translated: a reader looks for their own). */
export const LANGUAGE_NAMES: Readonly<Record<Language, string>> = {
  ar: 'العربية',
  en: 'English',
  es: 'Español',
  fr: 'Français',
  ru: 'Русский',
  zh: '中文',
}

export const RIGHT_TO_LEFT: ReadonlySet<Language> = new Set(['ar'])

export function direction(lang: Language): 'rtl' | 'ltr' {
  return RIGHT_TO_LEFT.has(lang) ? 'rtl' : 'ltr'
}

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value)
}
