// A campaign's status board, for staff: counts at the top, one row per invited country (focal points
// and whether they signed in, last activity, progress per domain, status and flags), filters and
// sorting kept in the address, the CSV of what is shown, and reminders to the chosen countries.
import { api } from './api.js'
import { fmtDateTime, fmtInteger, fmtPercent, label, t } from './i18n.js'
import { clear, countryName, frame, h, loadCountryNames, message, problemText, regionName, requireSignIn, statusBadge } from './ui.js'

const me = await requireSignIn()
if (me.role === 'administration') location.replace('assessments.html')
const params = new URLSearchParams(location.search)
const id = params.get('id') ?? ''
frame(me, { title: t('campaigns.board.pageTitle') })
await loadCountryNames().catch(() => undefined)
const runs = me.memberships.some((m) => m.role === 'reviewer' || m.role === 'admin')
const main = document.getElementById('main')
const status = h('div', { 'aria-live': 'polite' })

const FILTERS = ['status', 'region', 'overdue', 'q', 'sort', 'order']
const query = () => {
  const q = new URLSearchParams()
  for (const key of FILTERS) if (params.get(key)) q.set(key, params.get(key))
  return q.toString()
}

function select(id, key, options) {
  const el = h(
    'select',
    { id },
    options.map(([value, text]) => h('option', { value, selected: (params.get(key) ?? '') === value }, text)),
  )
  el.addEventListener('change', () => {
    if (el.value) params.set(key, el.value)
    else params.delete(key)
    history.replaceState(null, '', `?${params}`)
    void draw()
  })
  return el
}

function filters() {
  const search = h('input', { id: 'f-q', type: 'search', value: params.get('q') ?? '' })
  search.addEventListener('change', () => {
    if (search.value.trim()) params.set('q', search.value.trim())
    else params.delete('q')
    history.replaceState(null, '', `?${params}`)
    void draw()
  })
  const statuses = ['not_started', 'draft', 'submitted', 'returned', 'validated']
  return h(
    'form',
    { class: 'filters', role: 'search', onsubmit: (e) => e.preventDefault() },
    h('div', { class: 'field' }, h('label', { for: 'f-q' }, t('campaigns.board.search')), search),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'f-status' }, t('campaigns.board.status')),
      select('f-status', 'status', [['', t('campaigns.board.any')], ...statuses.map((s) => [s, label('campaigns.status', s)])]),
    ),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'f-region' }, t('campaigns.board.region')),
      select('f-region', 'region', [
        ['', t('campaigns.board.any')],
        ...['Africa', 'Americas', 'Arab States', 'Asia-Pacific', 'CIS', 'Europe'].map((r) => [r, regionName(r)]),
      ]),
    ),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'f-overdue' }, t('campaigns.board.overdue')),
      select('f-overdue', 'overdue', [
        ['', t('campaigns.board.any')],
        ['true', t('campaigns.board.overdueOnly')],
        ['false', t('campaigns.board.notOverdue')],
      ]),
    ),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'f-sort' }, t('campaigns.board.sort')),
      select(
        'f-sort',
        'sort',
        ['country', 'name', 'region', 'status', 'progress', 'lastActivity'].map((s) => [s, t(`campaigns.board.sort.${s}`)]),
      ),
    ),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'f-order' }, t('campaigns.board.order')),
      select('f-order', 'order', [
        ['asc', t('campaigns.board.asc')],
        ['desc', t('campaigns.board.desc')],
      ]),
    ),
  )
}

const COUNTS = ['invited', 'started', 'submitted', 'validated', 'overdue', 'returned', 'late']

function countsBox(counts) {
  return h(
    'dl',
    { class: 'counts' },
    COUNTS.map((c) => h('div', {}, h('dt', {}, t(`campaigns.board.count.${c}`)), h('dd', {}, fmtInteger(counts[c])))),
  )
}

function focalPoints(row) {
  if (!row.focalPoints.length) return h('span', { class: 'help' }, t('campaigns.board.noFocalPoint'))
  return h(
    'ul',
    { class: 'plain' },
    row.focalPoints.map((f) =>
      h(
        'li',
        {},
        h('bdi', {}, f.name),
        ' — ',
        f.signedIn ? t('campaigns.board.signedIn', { date: fmtDateTime(f.lastSignInAt) }) : t('campaigns.board.neverSignedIn'),
      ),
    ),
  )
}

function domains(row) {
  return h(
    'ul',
    { class: 'plain domain-progress' },
    row.domains.map((d) =>
      h('li', {}, h('bdi', {}, d.title), ': ', t('campaigns.board.answered', { answered: fmtInteger(d.answered), applicable: fmtInteger(d.applicable) })),
    ),
  )
}

function flags(row) {
  const out = []
  if (row.overdue) out.push(h('span', { class: 'badge flag-overdue' }, t('campaigns.board.flag.overdue')))
  if (row.late) out.push(h('span', { class: 'badge flag-late' }, t('campaigns.board.flag.late')))
  if (row.returnedWaiting) out.push(h('span', { class: 'badge' }, t('campaigns.board.flag.returned')))
  return out.length ? out.flatMap((f, i) => (i ? [' ', f] : [f])) : '—'
}

const chosen = new Set()

function boardRow(row, campaign) {
  const name = countryName(row.country, row.countryName)
  const pick =
    runs && campaign.state === 'open' && ['not_started', 'draft', 'returned'].includes(row.status)
      ? h('input', {
          type: 'checkbox',
          id: `pick-${row.country}`,
          checked: chosen.has(row.country),
          'aria-label': t('campaigns.board.pick', { country: name }),
          onchange: (e) => (e.target.checked ? chosen.add(row.country) : chosen.delete(row.country)),
        })
      : ''
  return h(
    'tr',
    {},
    h('td', {}, pick),
    h(
      'th',
      { scope: 'row' },
      row.assessmentId ? h('a', { href: `assessment.html?id=${row.assessmentId}` }, name) : name,
      ' ',
      h('span', { class: 'help', dir: 'ltr' }, row.country),
    ),
    h('td', {}, regionName(row.region)),
    h('td', {}, focalPoints(row)),
    h('td', {}, row.status === 'not_started' ? label('campaigns.status', row.status) : statusBadge(row.status)),
    h('td', {}, flags(row)),
    h('td', {}, fmtPercent(row.progress), domains(row)),
    h('td', {}, row.lastActivity ? fmtDateTime(row.lastActivity) : t('campaigns.board.never')),
    h('td', {}, row.lastRemindedAt ? fmtDateTime(row.lastRemindedAt) : '—'),
  )
}

async function remind(countries) {
  try {
    const r = await api(`/campaigns/${id}/reminders`, { method: 'POST', body: countries ? { countries } : {} })
    const names = r.withoutFocalPoint.map((c) => countryName(c, c)).join(', ')
    clear(
      status,
      message('success', t('campaigns.board.reminded', { countries: fmtInteger(r.countries.length), recipients: fmtInteger(r.recipients) })),
      names ? message('info', t('campaigns.board.withoutFocalPoint', { countries: names })) : null,
    )
    chosen.clear()
    await draw()
  } catch (error) {
    clear(status, message('error', problemText(error)))
  }
}

const body = h('div')
async function draw() {
  try {
    const board = await api(`/campaigns/${id}/board?${query()}`)
    const c = board.campaign
    const table = h(
      'table',
      { class: 'data board' },
      h('caption', {}, t('campaigns.board.caption', { shown: fmtInteger(board.rows.length), invited: fmtInteger(board.counts.invited) })),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, t('campaigns.board.col.pick'))),
          ['country', 'region', 'focalPoints', 'status', 'flags', 'progress', 'lastActivity', 'lastReminded'].map((k) =>
            h('th', { scope: 'col' }, t(`campaigns.board.col.${k}`)),
          ),
        ),
      ),
      h(
        'tbody',
        {},
        board.rows.map((r) => boardRow(r, c)),
      ),
    )
    const remindButtons =
      runs && c.state === 'open'
        ? h(
            'div',
            { class: 'button-row' },
            h(
              'button',
              {
                type: 'button',
                onclick: () => {
                  if (!chosen.size) return clear(status, message('error', t('campaigns.board.pickFirst')))
                  void remind([...chosen])
                },
              },
              t('campaigns.board.remindChosen'),
            ),
            h('button', { type: 'button', onclick: () => remind(null) }, t('campaigns.board.remindAll')),
          )
        : null
    clear(
      body,
      h(
        'p',
        { class: 'lead' },
        t('campaigns.board.lead', { state: label('campaigns.state', c.state), deadline: fmtDateTime(c.deadline), cycle: String(c.cycle) }),
      ),
      countsBox(board.counts),
      h('p', {}, h('a', { href: `/campaigns/${id}/board.csv?${query()}`, download: '' }, t('campaigns.board.csv'))),
      remindButtons,
      h('div', { class: 'table-wrap' }, table),
    )
    document.getElementById('board-title').textContent = c.title
  } catch (error) {
    clear(status, message('error', problemText(error)))
  }
}

clear(
  main,
  h('p', { class: 'crumbs' }, h('a', { href: 'campaigns.html' }, t('app.back', { page: t('campaigns.pageTitle') }))),
  h('h1', { id: 'board-title' }, t('campaigns.board.pageTitle')),
  filters(),
  status,
  body,
)
await draw()
