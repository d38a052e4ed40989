// Which of ITU's six languages a request wants: ?lang=, else Accept-Language, else English.
import { LANGUAGES, type Language } from './schema.js'

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value)
}

export function negotiateLanguage(lang: string | undefined, acceptLanguage: string | undefined): Language {
  if (lang !== undefined) {
    const primary = lang.toLowerCase().split('-')[0]
    return isLanguage(primary) ? primary : 'en'
  }
  if (!acceptLanguage) return 'en'
  const ranked = acceptLanguage
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';')
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='))
      return { tag: tag.toLowerCase().split('-')[0] ?? '', q: q ? Number(q.slice(2)) : 1, index }
    })
    .filter((r) => r.q > 0 && !Number.isNaN(r.q))
    .sort((a, b) => b.q - a.q || a.index - b.index)
  return ranked.map((r) => r.tag).find(isLanguage) ?? 'en'
}
