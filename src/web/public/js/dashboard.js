// ITU-D staff: readiness across countries. Heat map (countries × domains), per-region aggregates,
// tier distribution, filters kept in the address (so a view can be bookmarked), CSV downloads.
import { api, mapLimit } from './api.js'
import { fmtInteger, foreign, lang, t } from './i18n.js'
import { clear, countryName, frame, h, loadCountryNames, message, pct, regionName, requireSignIn, scoreStep, statusBadge, STATUS_LABELS } from './ui.js'

const main = document.getElementById('main')
const me = await requireSignIn('staff')
frame(me, { title: t('dashboard.pageTitle') })
document.body.classList.add('wide')

const REGIONS = ['Africa', 'Americas', 'Arab States', 'Asia-Pacific', 'CIS', 'Europe']
const STATUSES = ['draft', 'submitted', 'returned', 'validated']
// The default view counts what administrations have finished; drafts and returned assessments
// (with unanswered domains) only when asked for.
const FINISHED = ['submitted', 'validated']
const params = new URLSearchParams(location.search)
const [list] = await Promise.all([api(`/questionnaires?lang=${lang}`), loadCountryNames()])
const questionnaires = list.items
const titleAttrs = (i) => ((list.fallbacks ?? []).includes(`/items/${i}/title`) ? foreign('en') : {})
if (!questionnaires.length) {
  clear(main, h('h1', {}, t('dashboard.pageTitle')), message('info', t('dashboard.noQuestionnaire')))
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
// Without a version or cycle in the address: the current campaign's (GET /readiness says which).
const current = filters.version && filters.cycle ? null : await api(`/readiness?questionnaire=${encodeURIComponent(filters.questionnaire)}`).catch(() => null)
const campaign = current?.campaign && (!filters.version || String(current.campaign.version) === filters.version) ? current.campaign : null
if (!filters.version) filters.version = String(campaign?.version ?? qInfo().latestVersion)
if (!filters.cycle && (campaign || cycles.length)) filters.cycle = String(campaign?.cycle ?? cycles[0])
if (campaign && !cycles.includes(campaign.cycle)) cycles.unshift(campaign.cycle)
const statusList = filters.status ? filters.status.split(',') : FINISHED

function select(id, label, options, value) {
  const el = h(
    'select',
    { id, name: id },
    options.map(([v, text, attrs]) => h('option', { value: v, selected: String(v) === String(value), ...(attrs ?? {}) }, text)),
  )
  return h('div', { class: 'field' }, h('label', { for: id }, label), el)
}

const form = h(
  'form',
  { class: 'card filters', id: 'filters', 'aria-label': t('dashboard.filters') },
  select(
    'questionnaire',
    t('dashboard.questionnaire'),
    questionnaires.map((q, i) => [q.id, q.title, titleAttrs(i)]),
    filters.questionnaire,
  ),
  select(
    'version',
    t('dashboard.version'),
    qInfo().versions.map((v) => [v.version, t('dashboard.versionN', { version: v.version })]),
    filters.version,
  ),
  select('cycle', t('dashboard.cycle'), cycles.length ? cycles.map((c) => [c, String(c)]) : [['', t('dashboard.noCycle')]], filters.cycle),
  select('region', t('dashboard.region'), [['', t('dashboard.allRegions')], ...REGIONS.map((r) => [r, regionName(r)])], filters.region),
  select(
    'status',
    t('dashboard.status'),
    [['', t('dashboard.submittedOrValidated')], [STATUSES.join(','), t('dashboard.allStatuses')], ...STATUSES.map((s) => [s, STATUS_LABELS[s]])],
    filters.status,
  ),
  h('button', { type: 'submit', class: 'primary' }, t('dashboard.apply')),
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
  q.set('status', statusList.join(','))
  q.set('bom', '1') // spreadsheet programs then read the file as UTF-8 (Côte d'Ivoire, Türkiye)
  return q.toString()
}
const downloads = h(
  'div',
  { class: 'downloads' },
  h('a', { class: 'button', id: 'download-readiness', href: `/exports/readiness.csv?${exportQuery()}`, download: '' }, t('dashboard.downloadReadiness')),
  h('a', { class: 'button', id: 'download-answers', href: `/exports/answers.csv?${exportQuery()}`, download: '' }, t('dashboard.downloadAnswers')),
  h('span', { class: 'help' }, t('dashboard.downloadHelp')),
  h('a', { href: `scenarios.html?questionnaire=${encodeURIComponent(filters.questionnaire)}` }, t('report.scenarios.pageTitle')),
)

const campaignLine =
  campaign && String(campaign.cycle) === filters.cycle
    ? h('p', { class: 'lead', id: 'current-campaign' }, t('publication.dashboard.campaign', { title: campaign.title, cycle: String(campaign.cycle) }))
    : ''
clear(main, h('h1', {}, t('dashboard.heading')), campaignLine, form, downloads, h('p', { class: 'loading', role: 'status' }, t('dashboard.loading')))

// ---- data
const version = await api(`/questionnaires/${filters.questionnaire}/versions/${filters.version}?lang=${lang}`)
const versionFallbacks = new Set(version.fallbacks ?? [])
const domains = version.domains.map((d, i) => ({ id: d.id, title: d.title, attrs: versionFallbacks.has(`/domains/${i}/title`) ? foreign('en') : {} }))
const name = (a) => countryName(a.country, a.countryName)
const rows = everyCycle
  .filter((a) => String(a.version) === filters.version && String(a.cycle) === filters.cycle)
  .filter((a) => !filters.region || a.region === filters.region)
  .filter((a) => statusList.includes(a.status))
  .sort((a, b) => regionName(a.region).localeCompare(regionName(b.region), lang) || name(a).localeCompare(name(b), lang))
const scores = await domainScores(rows)
const aggQuery = new URLSearchParams({ questionnaire: filters.questionnaire, version: filters.version, status: statusList.join(',') })
if (filters.cycle) aggQuery.set('cycle', filters.cycle)
if (filters.region) aggQuery.set('region', filters.region)
const [byRegion, overall] = await Promise.all([api(`/readiness?${aggQuery}&groupBy=region`).catch(() => null), api(`/readiness?${aggQuery}`).catch(() => null)])

/** Minimal RFC 4180 parser (quoted fields, doubled quotes, CRLF). */
function parseCsv(text) {
  const rows = []
  let row = []
  let field = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"'
        i++
      } else if (c === '"') quoted = false
      else field += c
    } else if (c === '"') quoted = true
    else if (c === ',') {
      row.push(field)
      field = ''
    } else if (c === '\n') {
      row.push(field)
      rows.push(row)
      row = []
      field = ''
    } else if (c !== '\r') field += c
  }
  if (field || row.length) {
    row.push(field)
    rows.push(row)
  }
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
  h('span', {}, t('dashboard.legend')),
  [
    ['0', 0, 19],
    ['1', 20, 39],
    ['2', 40, 59],
    ['3', 60, 79],
    ['4', 80, 100],
  ]
    .map(([step, from, to]) => h('span', { class: `swatch step-${step}` }, `${fmtInteger(from)}–${fmtInteger(to)}`))
    .concat(h('span', { class: 'swatch step-none' }, t('score.none'))),
)
const heat = rows.length
  ? h(
      'div',
      { class: 'heatmap-wrap', tabindex: '0', role: 'region', 'aria-label': t('dashboard.heat.region') },
      h(
        'table',
        { class: 'heatmap', id: 'heatmap' },
        h('caption', { class: 'visually-hidden' }, t('dashboard.heat.caption')),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, t('dashboard.heat.country')),
            h('th', { scope: 'col' }, t('dashboard.heat.status')),
            domains.map((d) => h('th', { scope: 'col', ...d.attrs }, d.title)),
            h('th', { scope: 'col', class: 'overall' }, t('dashboard.heat.overall')),
          ),
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
              h(
                'th',
                { scope: 'row' },
                h('a', { href: `country.html?code=${a.country}&questionnaire=${filters.questionnaire}` }, name(a)),
                h('span', { class: 'region' }, regionName(a.region)),
              ),
              h('td', {}, statusBadge(a.status)),
              domains.map((d) => cell(byDomain.get(d.id)?.score ?? null, t('dashboard.heat.cell', { country: name(a), domain: d.title }))),
              h('td', { class: `cell overall step-${scoreStep(a.overallScore)}` }, a.overallScore === null ? '–' : pct(a.overallScore)),
            )
          }),
        ),
      ),
    )
  : message('info', t('dashboard.noMatch'))

// ---- aggregates
function regionTable(data) {
  if (!data) return message('info', t('dashboard.regions.unavailable'))
  return h(
    'table',
    { class: 'data' },
    h('caption', { class: 'visually-hidden' }, t('dashboard.regions.caption')),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['region', 'countries', 'median', 'mean', 'lowest', 'highest'].map((c, i) =>
          h('th', { scope: 'col', class: i ? 'num' : '' }, t(`dashboard.regions.${c}`)),
        ),
      ),
    ),
    h(
      'tbody',
      {},
      data.groups.map((g) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, g.region ? regionName(g.region) : t('dashboard.regions.all')),
          h('td', { class: 'num' }, fmtInteger(g.overall.count)),
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
  if (!tiers) return message('info', t('dashboard.tiers.unavailable'))
  // Tiers by their label in the page's language, never by id.
  const labels = new Map(
    version.scoring.tiers.map((tier, i) => [tier.id, { label: tier.label, attrs: versionFallbacks.has(`/scoring/tiers/${i}/label`) ? foreign('en') : {} }]),
  )
  const total = Object.values(tiers).reduce((s, n) => s + n, 0) || 1
  return h(
    'ul',
    { class: 'tier-bars' },
    [...data.tiers, 'none'].map((tier) =>
      h(
        'li',
        {},
        tier === 'none' ? h('span', {}, t('score.noneYet')) : h('span', labels.get(tier)?.attrs ?? {}, labels.get(tier)?.label ?? tier),
        h('span', { class: 'track', 'aria-hidden': 'true' }, h('span', { class: 'fill', style: `display:block;width:${(100 * (tiers[tier] ?? 0)) / total}%` })),
        h('span', { class: 'num' }, fmtInteger(tiers[tier] ?? 0)),
      ),
    ),
  )
}

main.querySelector('.loading')?.remove()
main.append(
  h(
    'section',
    { 'aria-labelledby': 'heat-h' },
    h('h2', { id: 'heat-h' }, t('dashboard.heat.heading', { cycle: filters.cycle || '–', version: filters.version })),
    legend,
    heat,
  ),
  h(
    'div',
    { class: 'grid-2' },
    h('section', { class: 'card', 'aria-labelledby': 'reg-h' }, h('h2', { id: 'reg-h' }, t('dashboard.regions.heading')), regionTable(byRegion)),
    h('section', { class: 'card', 'aria-labelledby': 'tier-h' }, h('h2', { id: 'tier-h' }, t('dashboard.tiers.heading')), tierBars(overall)),
  ),
)
