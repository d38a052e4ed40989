// Small DOM helpers and the page frame (header, language switcher, sign-out). No framework: pages
// build elements with h(). Every word comes from the catalog of the page's language (i18n.js).
import { api, ApiError, signOut as endSession } from './api.js'
import { fmtDateTime, fmtInteger, fmtPercent, foreign, has, label, lang, languageSwitcher, t, tParts } from './i18n.js'

/** h('p', {class: 'x', onclick: fn}, 'text', child) → element. Strings become text nodes (never HTML). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag)
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value)
    else if (key === 'class') el.className = value
    else if (key === 'dataset') Object.assign(el.dataset, value)
    else if (value === true) el.setAttribute(key, '')
    else el.setAttribute(key, String(value))
  }
  append(el, children)
  return el
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue
    el.append(child instanceof Node ? child : document.createTextNode(String(child)))
  }
}

const SVG = 'http://www.w3.org/2000/svg'
export function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag)
  for (const [key, value] of Object.entries(attrs)) if (value !== undefined && value !== null) el.setAttribute(key, String(value))
  append(el, children)
  return el
}

export function clear(el, ...children) {
  el.replaceChildren()
  append(el, children)
  return el
}

export const STATUS_LABELS = Object.fromEntries(['draft', 'submitted', 'returned', 'validated'].map((s) => [s, t(`status.${s}`)]))

export function statusBadge(status) {
  return h('span', { class: `badge status-${status}` }, STATUS_LABELS[status] ?? status)
}

/** A score 0–100 as a whole number in the page's digits; a dash when there is none. */
export function pct(x) {
  return x === null || x === undefined ? '–' : fmtInteger(Math.round(x))
}

export function coveragePct(c) {
  return fmtPercent(c ?? 0)
}

/** An ITU-D region's name in the page's language. */
export const regionName = (region) => label('region', region)

// Country names in the page's language come from the browser's Intl.DisplayNames by ISO alpha-2
// code; English keeps the reference data's names. The code table is the public /countries list,
// fetched once per page (cached by the browser for an hour) and only when it is needed.
const displayNames = lang === 'en' ? null : new Intl.DisplayNames([lang], { type: 'region', fallback: 'none' })
let alpha2 = new Map()
export async function loadCountryNames() {
  if (!displayNames) return
  try {
    alpha2 = new Map((await api('/countries', { redirectOn401: false })).items.map((c) => [c.code, c.alpha2]))
  } catch {
    // Without the table the reference data's (English) names stand in.
  }
}
/**
 * A questionnaire version's domain titles and tier labels in the page's language (tiers are shown
 * by label, never by id), each with the attributes of its text (an English fallback is isolated).
 * The version comes by its digest, so from the browser's cache after the first time.
 */
export async function versionTexts(questionnaire, version) {
  const url = `/questionnaires/${encodeURIComponent(questionnaire)}/versions/${version}`
  const { items } = await api(`${url}/languages`)
  const entry = items.find((l) => l.lang === lang) ?? items.find((l) => l.lang === 'en')
  const body = await api(`${url}?lang=${entry.lang}&digest=${entry.digest}`)
  const fallbacks = new Set(body.fallbacks ?? [])
  const text = (value, pointer) => ({ label: value, attrs: fallbacks.has(pointer) ? foreign('en') : {} })
  return {
    body,
    tiers: new Map(body.scoring.tiers.map((tier, i) => [tier.id, text(tier.label, `/scoring/tiers/${i}/label`)])),
    domains: new Map(body.domains.map((d, i) => [d.id, text(d.title, `/domains/${i}/title`)])),
  }
}

/** A Member State's name in the page's language; `name` (English) when the browser has none. */
export function countryName(code, name) {
  const a2 = alpha2.get(code)
  return (a2 && displayNames?.of(a2)) || name
}

/**
 * What went wrong, for a person: the catalog's words for the problem's code, and where the server's
 * own detail says more (a refused value), that detail too, isolated as the English it is.
 */
export function problemText(error) {
  if (!(error instanceof ApiError)) return [t('problem.generic', { status: '–' })]
  const { status, problem } = error
  if (status === 0) return [t('problem.network')]
  if (status >= 500 && problem?.code !== 'database_unavailable') return [t('problem.server', { requestId: problem?.requestId ?? '–' })]
  const key = `problem.${problem?.code}`
  const words = has(key) ? t(key) : t('problem.generic', { status })
  const specific = status === 400 || status === 422
  return specific && problem?.detail ? [words, ' ', h('bdi', foreign('en'), problem.detail)] : [words]
}

/** A score 0–100 → a colour class step (0–4), for the heat map and bars. Numbers are always shown too. */
export function scoreStep(score) {
  if (score === null || score === undefined) return 'none'
  return String(Math.min(4, Math.floor(score / 20)))
}

export function message(kind, text) {
  return h('p', { class: `notice notice-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text)
}

/** The signed-in principal, or a redirect to the sign-in page. */
export async function requireSignIn(role) {
  const me = await api('/me')
  if (role && me.role !== role) {
    location.assign(me.role === 'administration' ? 'assessments.html' : me.role === 'admin' ? 'people.html' : 'dashboard.html')
    throw new Error('wrong page for this role')
  }
  return me
}

/** Header with the service name, who is signed in, the role's main link, the language switcher and sign-out. */
export function frame(me, { title }) {
  document.title = t('app.pageTitle', { page: title })
  const header = document.getElementById('site-header')
  const home =
    me.role === 'administration'
      ? ['assessments.html', t('assessments.pageTitle')]
      : me.role === 'admin'
        ? ['people.html', t('people.pageTitle')]
        : ['dashboard.html', t('dashboard.pageTitle')]
  // Beside the role's own page: what each person may manage (people/invitations for admins and focal
  // points; tokens and the audit trail for admins), and everybody's own account.
  // A session opened with an admin token acts as admin (its role) even where it lists no admin membership.
  const holds = (role) => me.memberships?.some((m) => m.role === role) || (role === 'admin' && me.role === 'admin')
  const manager = holds('admin') || holds('focal_point')
  const links = [
    // Staff run cycles as campaigns.
    me.role === 'administration' ? null : ['campaigns.html', t('campaigns.pageTitle')],
    home[0] !== 'people.html' && manager ? ['people.html', t('people.pageTitle')] : null,
    manager ? ['invitations.html', t('account.invitations.pageTitle')] : null,
    holds('admin') ? ['tokens.html', t('account.tokens.pageTitle')] : null,
    holds('admin') ? ['audit.html', t('account.audit.pageTitle')] : null,
    ['account.html', t('account.pageTitle')],
  ]
  const here = location.pathname.split('/').pop()
  const people = links.filter(Boolean).map(([href, text]) => h('a', { href, ...(href === here ? { 'aria-current': 'page' } : {}) }, text))
  const signOut = h(
    'button',
    {
      type: 'button',
      class: 'link-button',
      onclick: () => endSession(),
    },
    t('app.signOut'),
  )
  clear(
    header,
    h(
      'div',
      { class: 'header-inner' },
      h('a', { class: 'brand', href: home[0] }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }, 'TR'), t('app.name')),
      h('nav', { 'aria-label': t('app.mainNav') }, h('a', { href: home[0] }, home[1]), people),
      languageSwitcher(h),
      h(
        'div',
        { class: 'who' },
        // The token's label is whatever its creator typed, in any script: isolated.
        h('span', {}, tParts(me.country ? 'app.whoCountry' : 'app.who', { label: h('bdi', {}, me.label), country: me.country, role: label('role', me.role) })),
        signOut,
      ),
    ),
  )
}

export const fmtDate = fmtDateTime

export function debounce(fn, ms) {
  let timer
  const wrapped = (...args) => {
    clearTimeout(timer)
    timer = setTimeout(() => fn(...args), ms)
  }
  wrapped.flush = (...args) => {
    clearTimeout(timer)
    return fn(...args)
  }
  return wrapped
}

// A message that must outlive the reload that follows an action (e.g. "Done: … validated"):
// kept for this tab only, shown once by the next page.
const FLASH_KEY = 'tr-flash'
export function setFlash(text) {
  try {
    sessionStorage.setItem(FLASH_KEY, text)
  } catch {
    /* storage refused: the page still shows the new state */
  }
}
export function takeFlash() {
  try {
    const text = sessionStorage.getItem(FLASH_KEY)
    sessionStorage.removeItem(FLASH_KEY)
    return text ? message('success', text) : null
  } catch {
    return null
  }
}
