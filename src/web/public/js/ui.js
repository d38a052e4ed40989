// Small DOM helpers and the page frame (header, sign-out). No framework: pages build elements with h().
import { api } from './api.js'

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

export const STATUS_LABELS = { draft: 'Draft', submitted: 'Submitted', returned: 'Returned for changes', validated: 'Validated' }

export function statusBadge(status) {
  return h('span', { class: `badge status-${status}` }, STATUS_LABELS[status] ?? status)
}

export function pct(x) {
  return x === null || x === undefined ? '–' : `${Math.round(x)}`
}

export function coveragePct(c) {
  return `${Math.round((c ?? 0) * 100)} %`
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
  if (role && me.role !== role && !(role === 'staff' && me.role === 'admin')) {
    location.assign(me.role === 'administration' ? 'assessments.html' : 'dashboard.html')
    throw new Error('wrong page for this role')
  }
  return me
}

/** Header with the service name, who is signed in, the role's main link and sign-out. */
export function frame(me, { title }) {
  document.title = `${title} – Treaty readiness`
  const header = document.getElementById('site-header')
  const home = me.role === 'administration' ? ['assessments.html', 'My assessments'] : ['dashboard.html', 'Dashboard']
  const signOut = h(
    'button',
    {
      type: 'button',
      class: 'link-button',
      onclick: async () => {
        await api('/session', { method: 'DELETE' })
        location.assign('index.html')
      },
    },
    'Sign out',
  )
  clear(
    header,
    h(
      'div',
      { class: 'header-inner' },
      h('a', { class: 'brand', href: home[0] }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }, 'TR'), 'Treaty readiness'),
      h('nav', { 'aria-label': 'Main' }, h('a', { href: home[0] }, home[1])),
      h('div', { class: 'who' }, h('span', {}, me.label, me.country ? ` · ${me.country}` : '', ` (${me.role})`), signOut),
    ),
  )
}

export function fmtDate(iso) {
  if (!iso) return ''
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })
}

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
