// ITU-D staff: readiness across countries. Heat map (countries × domains), per-region aggregates,
// tier distribution, filters kept in the address (so a view can be bookmarked), CSV downloads.
import { api, mapLimit } from './api.js'
import { clear, frame, h, message, pct, requireSignIn, scoreStep, statusBadge, STATUS_LABELS } from './ui.js'

const main = document.getElementById('main')
const me = await requireSignIn('staff')
frame(me, { title: 'Dashboard' })
document.body.classList.add('wide')

// Interface words of this page that are new since the catalogs were planned; the rest move with them.
const T = { heatmapRegion: 'Heat map: countries by domain (scrolls sideways; country and overall stay in view)' }

const REGIONS = ['Africa', 'Americas', 'Arab States', 'Asia-Pacific', 'CIS', 'Europe']
const STATUSES = ['draft', 'submitted', 'returned', 'validated']
const params = new URLSearchParams(location.search)
const { items: questionnaires } = await api('/questionnaires')
if (!questionnaires.length) {
  clear(main, h('h1', {}, 'Dashboard'), message('info', 'No questionnaire is published yet.'))
  throw new Error('no questionnaires')
}

const filters = {
  questionnaire: params.get('questionnaire') || questionnaires[0].id,
  version: params.get('version') || '',
  cycle: params.get('cycle') || '',
  region: params.get('region') || '',
  status: params.get('status') || '',
}

async function allAssessments(query) {
  const out = []
  let cursor = null
  do {
    const q = new URLSearchParams({ ...query, limit: '500' })
    if (cursor) q.set('cursor', cursor)
    const page = await api(`/assessments?${q}`)
    out.push(...page.items)
    cursor = page.nextCursor
  } while (cursor && out.length < 5000)
  return out
}

const qInfo = () => questionnaires.find((q) => q.id === filters.questionnaire) ?? questionnaires[0]
const everyCycle = await allAssessments({ questionnaire: filters.questionnaire })
const cycles = [...new Set(everyCycle.map((a) => a.cycle))].sort((a, b) => b - a)
if (!filters.version) filters.version = String(qInfo().latestVersion)
if (!filters.cycle && cycles.length) filters.cycle = String(cycles[0])

function select(id, label, options, value) {
  const el = h('select', { id, name: id }, options.map(([v, text]) => h('option', { value: v, selected: String(v) === String(value) }, text)))
  return h('div', { class: 'field' }, h('label', { for: id }, label), el)
}

const form = h(
  'form',
  { class: 'card filters', id: 'filters', 'aria-label': 'Filters' },
  select('questionnaire', 'Questionnaire', questionnaires.map((q) => [q.id, q.title]), filters.questionnaire),
  select('version', 'Version', qInfo().versions.map((v) => [v.version, `Version ${v.version}`]), filters.version),
  select('cycle', 'Cycle', cycles.length ? cycles.map((c) => [c, String(c)]) : [['', 'none yet']], filters.cycle),
  select('region', 'Region', [['', 'All regions'], ...REGIONS.map((r) => [r, r])], filters.region),
  select('status', 'Status', [['', 'All statuses'], ['submitted,validated', 'Submitted or validated'], ...STATUSES.map((s) => [s, STATUS_LABELS[s]])], filters.status),
  h('button', { type: 'submit', class: 'primary' }, 'Apply filters'),
)
form.addEventListener('submit', (e) => {
  e.preventDefault()
  const next = new URLSearchParams()
  for (const key of Object.keys(filters)) {
    const v = form.elements[key].value
    if (v) next.set(key, v)
  }
  if (next.get('questionnaire') !== filters.questionnaire) {
    next.delete('version')
    next.delete('cycle')
  }
  location.search = next.toString()
})

function exportQuery() {
  const q = new URLSearchParams({ questionnaire: filters.questionnaire, version: filters.version })
  if (filters.cycle) q.set('cycle', filters.cycle)
  if (filters.region) q.set('region', filters.region)
  q.set('status', (filters.status || STATUSES.join(',')))
  return q.toString()
}
const downloads = h(
  'div',
  { class: 'downloads' },
  h('a', { class: 'button', id: 'download-readiness', href: `/exports/readiness.csv?${exportQuery()}`, download: '' }, 'Download readiness (CSV)'),
  h('a', { class: 'button', id: 'download-answers', href: `/exports/answers.csv?${exportQuery()}`, download: '' }, 'Download answers (CSV)'),
  h('span', { class: 'help' }, 'Both files use the filters above.'),
)

clear(main, h('h1', {}, 'Readiness across countries'), form, downloads, h('p', { class: 'loading', role: 'status' }, 'Loading figures…'))

// ---- data
const statusList = filters.status ? filters.status.split(',') : STATUSES
const version = await api(`/questionnaires/${filters.questionnaire}/versions/${filters.version}`)
const domains = version.domains.map((d) => ({ id: d.id, title: d.title }))
const rows = everyCycle
  .filter((a) => String(a.version) === filters.version && String(a.cycle) === filters.cycle)
  .filter((a) => !filters.region || a.region === filters.region)
  .filter((a) => statusList.includes(a.status))
  .sort((a, b) => a.region.localeCompare(b.region) || a.countryName.localeCompare(b.countryName))
const scores = await domainScores(rows)
const aggQuery = new URLSearchParams({ questionnaire: filters.questionnaire, version: filters.version, status: statusList.join(',') })
if (filters.cycle) aggQuery.set('cycle', filters.cycle)
if (filters.region) aggQuery.set('region', filters.region)
const [byRegion, overall] = await Promise.all([
  api(`/readiness?${aggQuery}&groupBy=region`).catch(() => null),
  api(`/readiness?${aggQuery}`).catch(() => null),
])

/** Minimal RFC 4180 parser (quoted fields, doubled quotes, CRLF). */
function parseCsv(text) {
  const rows = []
  let row = []
  let field = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++
      else if (c === '"') quoted = false
      else field += c
    } else if (c === '"') quoted = true
    else if (c === ',') row.push(field), (field = '')
    else if (c === '\n') row.push(field), rows.push(row), (row = []), (field = '')
    else if (c !== '\r') field += c
  }
  if (field || row.length) row.push(field), rows.push(row)
  return rows
}

/**
 * Domain scores of every row: one request (the readiness CSV export, same filters) rather than one
 * per assessment; falls back to GET /assessments/{id}/readiness if the export is unavailable.
 */
async function domainScores(rows) {
  try {
    const res = await fetch(`/exports/readiness.csv?${exportQuery()}`, { credentials: 'same-origin' })
    if (!res.ok) throw new Error(String(res.status))
    const [header, ...lines] = parseCsv((await res.text()).replace(/^\uFEFF/, ''))
    const code = header.indexOf('country code')
    const byCountry = new Map(lines.map((l) => [l[code], l]))
    return rows.map((a) => {
      const line = byCountry.get(a.country)
      if (!line) return null
      return {
        domains: domains.map((d) => {
          const cell = line[header.indexOf(d.id)]
          return { domain: d.id, score: cell === '' || cell === undefined ? null : Number(cell) }
        }),
      }
    })
  } catch {
    return mapLimit(rows, 6, (a) => api(`/assessments/${a.id}/readiness`).catch(() => null))
  }
}

// ---- heat map
function cell(score, label) {
  return h('td', { class: `cell step-${scoreStep(score)}`, title: label }, score === null || score === undefined ? '–' : pct(score))
}
const legend = h(
  'div',
  { class: 'legend', 'aria-hidden': 'true' },
  h('span', {}, 'Score:'),
  [['0', '0–19'], ['1', '20–39'], ['2', '40–59'], ['3', '60–79'], ['4', '80–100'], ['none', 'no score']].map(([s, t]) => h('span', { class: `swatch step-${s}` }, t)),
)
const heat = rows.length
  ? h(
      'div',
      { class: 'heatmap-wrap', tabindex: '0', role: 'region', 'aria-label': T.heatmapRegion },
      h(
        'table',
        { class: 'heatmap', id: 'heatmap' },
        h('caption', { class: 'visually-hidden' }, 'Readiness score (0–100) per country and domain; colour repeats the number'),
        h(
          'thead',
          {},
          h('tr', {}, h('th', { scope: 'col' }, 'Country'), h('th', { scope: 'col' }, 'Status'), domains.map((d) => h('th', { scope: 'col' }, d.title)), h('th', { scope: 'col', class: 'overall' }, 'Overall')),
        ),
        h(
          'tbody',
          {},
          rows.map((a, i) => {
            const r = scores[i]
            const byDomain = new Map((r?.domains ?? []).map((d) => [d.domain, d]))
            return h(
              'tr',
              { dataset: { country: a.country } },
              h('th', { scope: 'row' }, h('a', { href: `country.html?code=${a.country}&questionnaire=${filters.questionnaire}` }, a.countryName), h('span', { class: 'region' }, a.region)),
              h('td', {}, statusBadge(a.status)),
              domains.map((d) => cell(byDomain.get(d.id)?.score ?? null, `${a.countryName}, ${d.title}`)),
              h('td', { class: `cell overall step-${scoreStep(a.overallScore)}` }, a.overallScore === null ? '–' : pct(a.overallScore)),
            )
          }),
        ),
      ),
    )
  : message('info', 'No assessment matches these filters.')

// ---- aggregates
function regionTable(data) {
  if (!data) return message('info', 'Regional figures are not available.')
  return h(
    'table',
    { class: 'data' },
    h('caption', { class: 'visually-hidden' }, 'Overall readiness per ITU-D region'),
    h('thead', {}, h('tr', {}, ['Region', 'Countries', 'Median', 'Mean', 'Lowest', 'Highest'].map((c, i) => h('th', { scope: 'col', class: i ? 'num' : '' }, c)))),
    h(
      'tbody',
      {},
      data.groups.map((g) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, g.region ?? 'All'),
          h('td', { class: 'num' }, String(g.overall.count)),
          h('td', { class: 'num' }, pct(g.overall.median)),
          h('td', { class: 'num' }, pct(g.overall.mean)),
          h('td', { class: 'num' }, pct(g.overall.min)),
          h('td', { class: 'num' }, pct(g.overall.max)),
        ),
      ),
    ),
  )
}
function tierBars(data) {
  const tiers = data?.groups?.[0]?.overall?.tiers
  if (!tiers) return message('info', 'Tier figures are not available.')
  const total = Object.values(tiers).reduce((s, n) => s + n, 0) || 1
  return h(
    'ul',
    { class: 'tier-bars' },
    [...data.tiers, 'none'].map((t) =>
      h(
        'li',
        {},
        h('span', {}, t === 'none' ? 'No score yet' : t[0].toUpperCase() + t.slice(1)),
        h('span', { class: 'track', 'aria-hidden': 'true' }, h('span', { class: 'fill', style: `display:block;width:${(100 * (tiers[t] ?? 0)) / total}%` })),
        h('span', { class: 'num' }, String(tiers[t] ?? 0)),
      ),
    ),
  )
}

main.querySelector('.loading')?.remove()
main.append(
  h('section', { 'aria-labelledby': 'heat-h' }, h('h2', { id: 'heat-h' }, `Readiness by country and domain — cycle ${filters.cycle || '–'}, version ${filters.version}`), legend, heat),
  h(
    'div',
    { class: 'grid-2' },
    h('section', { class: 'card', 'aria-labelledby': 'reg-h' }, h('h2', { id: 'reg-h' }, 'By region (overall score)'), regionTable(byRegion)),
    h('section', { class: 'card', 'aria-labelledby': 'tier-h' }, h('h2', { id: 'tier-h' }, 'Tier distribution'), tierBars(overall)),
  ),
)
