// Which of the six languages a reader gets: an explicit ?lang= (exactly one of the six, anything
// else is refused rather than silently replaced), then the person's own preference, then the
// browser's Accept-Language, then English. Pure.
import { isLanguage, type Language } from './languages.js'

export type LanguageSource = 'query' | 'preference' | 'accept-language' | 'default'

export type Negotiated = { ok: true; lang: Language; source: LanguageSource } | { ok: false; given: string }

export interface LanguageWish {
  /** The `lang` query parameter, when the request has one. */
  query?: string | undefined
  /** The person's saved choice (today the switcher's cookie); ignored when it is not one of the six. */
  preference?: string | undefined
  acceptLanguage?: string | undefined
}

export function negotiate({ query, preference, acceptLanguage }: LanguageWish): Negotiated {
  if (query !== undefined) {
    const lang = query.trim().toLowerCase()
    return isLanguage(lang) ? { ok: true, lang, source: 'query' } : { ok: false, given: query }
  }
  const preferred = preference?.trim().toLowerCase()
  if (isLanguage(preferred)) return { ok: true, lang: preferred, source: 'preference' }
  const accepted = fromAcceptLanguage(acceptLanguage)
  return accepted ? { ok: true, lang: accepted, source: 'accept-language' } : { ok: true, lang: 'en', source: 'default' }
}

/**
 * The best of the six in an Accept-Language header (RFC 9110 §12.5.4): by q-value, then order.
 * A regional tag counts for its language (fr-CA → fr); "*" and q=0 choose nothing.
 */
export function fromAcceptLanguage(header: string | undefined): Language | undefined {
  if (!header) return undefined
  const ranked = header
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';')
      const q = params.map((p) => p.trim()).find((p) => p.toLowerCase().startsWith('q='))
      return { primary: tag.trim().toLowerCase().split('-')[0] ?? '', q: q ? Number(q.slice(2)) : 1, index }
    })
    .filter((r) => Number.isFinite(r.q) && r.q > 0 && r.q <= 1)
    .sort((a, b) => b.q - a.q || a.index - b.index)
  return ranked.map((r) => r.primary).find(isLanguage)
}
