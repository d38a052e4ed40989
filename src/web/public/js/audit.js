// The audit trail (admin): who did what to whom, when and from where; filtered by person, action,
// dates and country, newest first, a page at a time ("Older" goes on where the page stopped).
import { api } from './api.js'
import { fmtDateTime, foreign, label, t } from './i18n.js'
import { clear, frame, h, message, problemText, requireSignIn } from './ui.js'

const ACTIONS = [
  'sign_in',
  'sign_in_failed',
  'sign_out',
  'person_invited',
  'invitation_resent',
  'invitation_accepted',
  'invitation_revoked',
  'person_changed',
  'membership_granted',
  'membership_changed',
  'membership_withdrawn',
  'sessions_ended',
  'token_created',
  'token_revoked',
  'second_factor_enabled',
  'second_factor_disabled',
  'recovery_code_used',
  'recovery_codes_renewed',
  'password_changed',
  'password_reset_requested',
  'password_reset',
]
const PAGE = 50

const me = await requireSignIn()
if (!me.memberships.some((m) => m.role === 'admin')) location.replace('account.html')
frame(me, { title: t('account.audit.pageTitle') })
const main = document.getElementById('main')
const status = h('div', { 'aria-live': 'polite' })

const persons = await api('/persons')
  .then((r) => r.items)
  .catch(() => [])
const person = h(
  'select',
  { id: 'audit-person' },
  h('option', { value: '' }, t('account.audit.anyone')),
  persons.map((p) => h('option', { value: p.id }, p.email ? `${p.name} <${p.email}>` : p.name)),
)
const action = h(
  'select',
  { id: 'audit-action' },
  h('option', { value: '' }, t('account.audit.anyAction')),
  ACTIONS.map((a) => h('option', { value: a }, label('account.audit.action', a))),
)
const from = h('input', { id: 'audit-from', type: 'date', dir: 'ltr' })
const to = h('input', { id: 'audit-to', type: 'date', dir: 'ltr' })
const country = h('input', { id: 'audit-country', maxlength: 3, size: 4, dir: 'ltr', autocomplete: 'off', spellcheck: 'false' })
const field = (input, key) => h('div', { class: 'field' }, h('label', { for: input.id }, t(key)), input)
const filters = h(
  'form',
  { class: 'filters card', id: 'audit-filters', novalidate: true },
  field(person, 'account.audit.person'),
  field(action, 'account.audit.actionLabel'),
  field(from, 'account.audit.from'),
  field(to, 'account.audit.to'),
  field(country, 'account.audit.country'),
  h('button', { type: 'submit' }, t('account.audit.apply')),
)

const tbody = h('tbody')
const older = h('button', { type: 'button', hidden: true }, t('account.audit.older'))
let next = null

function query() {
  const q = new URLSearchParams({ limit: String(PAGE) })
  if (person.value) q.set('person', person.value)
  if (action.value) q.set('action', action.value)
  // Dates are the reader's own days: from the start of the first to the end of the last.
  if (from.value) q.set('since', new Date(`${from.value}T00:00:00`).toISOString())
  if (to.value) q.set('until', new Date(new Date(`${to.value}T00:00:00`).getTime() + 86_400_000).toISOString())
  if (country.value.trim()) q.set('country', country.value.trim().toUpperCase())
  return q
}

const who = (p) => (p ? h('bdi', {}, p.name) : '—')
function details(d) {
  const entries = Object.entries(d ?? {})
  if (!entries.length) return ''
  return h('code', { ...foreign('en'), class: 'details' }, entries.map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`).join('; '))
}

async function load(append) {
  clear(status)
  try {
    const q = query()
    if (append && next) q.set('before', next)
    const page = await api(`/audit?${q}`)
    const rows = page.items.map((e) =>
      h(
        'tr',
        {},
        h('td', {}, fmtDateTime(e.at)),
        h('td', {}, label('account.audit.action', e.action)),
        h('td', {}, who(e.actor), e.token ? [' ', h('span', { class: 'badge' }, t('account.audit.viaToken'))] : null),
        h('td', {}, who(e.subject)),
        h('td', { dir: 'ltr' }, e.address ?? '—'),
        h('td', {}, details(e.details)),
      ),
    )
    if (append) tbody.append(...rows)
    else clear(tbody, rows.length ? rows : h('tr', {}, h('td', { colspan: 6 }, t('account.audit.none'))))
    next = page.next
    older.hidden = !next
  } catch (error) {
    clear(status, message('error', problemText(error)))
  }
}

filters.addEventListener('submit', (event) => {
  event.preventDefault()
  load(false)
})
older.addEventListener('click', () => load(true))

clear(
  main,
  h('h1', {}, t('account.audit.heading')),
  h('p', { class: 'lead' }, t('account.audit.lead')),
  filters,
  status,
  h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'data', id: 'audit' },
      h('caption', {}, t('account.audit.caption')),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['at', 'action', 'actor', 'subject', 'address', 'details'].map((c) => h('th', { scope: 'col' }, t(`account.audit.col.${c}`))),
        ),
      ),
      tbody,
    ),
  ),
  older,
)
await load(false)
