// The page's language: its catalog (GET /i18n/messages, chosen by ?lang=, the saved choice,
// Accept-Language, then English), ICU formatting through the same library the server uses, and
// Intl for numbers, dates and lists. Loaded before anything else draws (top-level await), so t()
// is synchronous everywhere.
//
// Text in another language than the page's (a questionnaire text not yet translated, an English
// detail from the server) goes through foreign(): its own element with lang and dir, so Arabic
// pages never reorder its punctuation.
import { IntlMessageFormat } from '/i18n/intl-messageformat.js'
import { api } from './api.js'

export const PREFERENCE_COOKIE = 'tr_lang'

async function load() {
  const asked = new URLSearchParams(location.search).get('lang')
  const get = (query) => fetch(`/i18n/messages${query}`, { credentials: 'same-origin', headers: { accept: 'application/json' } })
  let res = await get(asked ? `?lang=${encodeURIComponent(asked)}` : '')
  // An address with an unsupported ?lang= still opens, in the reader's own language.
  if (res.status === 400) res = await get('')
  if (!res.ok) throw new Error(`the interface texts could not be loaded (${res.status})`)
  return res.json()
}

const catalog = await load()
export const lang = catalog.lang
export const dir = catalog.dir
export const languages = catalog.languages
document.documentElement.lang = lang
document.documentElement.dir = dir

const compiled = new Map()
function formatter(key) {
  let format = compiled.get(key)
  if (!format) {
    const message = catalog.messages[key]
    if (message === undefined) return undefined
    format = new IntlMessageFormat(message, lang, undefined, { ignoreTag: true })
    compiled.set(key, format)
  }
  return format
}

/** The message `key` of the page's language with `values` filled in. */
export function t(key, values) {
  const format = formatter(key)
  if (!format) {
    console.error(`no message "${key}"`)
    return key
  }
  return String(format.format(values))
}

/** Like t(), but values may be elements (an isolated name, a link): the parts, in the language's order. */
export function tParts(key, values) {
  const format = formatter(key)
  if (!format) return [key]
  const out = format.format(values)
  return Array.isArray(out) ? out : [out]
}

const integer = new Intl.NumberFormat(lang, { maximumFractionDigits: 0 })
const percent = new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 0 })
const dateTime = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' })
const time = new Intl.DateTimeFormat(lang, { timeStyle: 'short' })
const conjunction = new Intl.ListFormat(lang, { type: 'conjunction' })

/** A whole number in the page's digits and grouping. */
export const fmtInteger = (n) => integer.format(n)
/** A share 0–1 as a percentage. */
export const fmtPercent = (share) => percent.format(share)
/** Any number as the language writes it (decimals kept). */
export const fmtNumber = (n) => new Intl.NumberFormat(lang, { maximumFractionDigits: 6 }).format(n)
export const fmtDateTime = (value) => (value ? dateTime.format(new Date(value)) : '')
export const fmtTime = (value) => time.format(new Date(value))
export const fmtList = (items) => conjunction.format(items)

export const has = (key) => Object.hasOwn(catalog.messages, key)

/** A label of a code (status, region, role) from the catalog, or the code itself when there is none. */
export function label(prefix, code) {
  const key = `${prefix}.${code}`
  return has(key) ? t(key) : code
}

/**
 * Attributes for an element holding text in `textLang` (English fallbacks, server details): its
 * language for screen readers and hyphenation, and its own direction, isolated from the page's.
 */
export function foreign(textLang = 'en') {
  if (textLang === lang) return {}
  const entry = languages.find((l) => l.code === textLang)
  // An element with a dir attribute is bidi-isolated by the browser's own style sheet.
  return { lang: textLang, dir: entry?.dir ?? 'ltr' }
}

/**
 * The switcher: remembers the choice in this browser (cookie, one year) and, when someone is signed
 * in, as their own language (PUT /me/language: their other devices and their mails follow), then
 * reloads the page in it.
 */
export function languageSwitcher(h) {
  const select = h(
    'select',
    { id: 'language-switch', name: 'language' },
    languages.map((l) => h('option', { value: l.code, lang: l.code, selected: l.code === lang }, l.name)),
  )
  select.addEventListener('change', async () => {
    // biome-ignore lint/suspicious/noDocumentCookie: the Cookie Store API is not in every browser the ministries use; this cookie holds only the language.
    document.cookie = `${PREFERENCE_COOKIE}=${select.value}; Path=/; Max-Age=31536000; SameSite=Lax`
    // Signed out (the sign-in page) this is a 401, and the cookie alone keeps the choice.
    await api('/me/language', { method: 'PUT', body: { language: select.value }, redirectOn401: false }).catch(() => undefined)
    const params = new URLSearchParams(location.search)
    params.delete('lang')
    const query = params.toString()
    location.assign(`${location.pathname}${query ? `?${query}` : ''}${location.hash}`)
  })
  return h('div', { class: 'language-switch' }, h('label', { for: 'language-switch' }, t('language.label')), select)
}

/** Static words of the HTML pages (skip link, loading, footer) carry data-i18n="key". */
for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n)
