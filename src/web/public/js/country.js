// ITU-D staff: one country's profile: domain scores (with the regional median), trend across cycles,
// its assessments with links to the answers, and review actions.
import { api } from './api.js'
import { barChart, lineChart } from './charts.js'
import { historySection } from './history.js'
import { trailSection } from './trail.js'
import { reviewPanel } from './review.js'
import { fmtNumber, t, tParts } from './i18n.js'
import {
  clear,
  countryName,
  frame,
  h,
  loadCountryNames,
  message,
  pct,
  regionName,
  requireSignIn,
  setFlash,
  statusBadge,
  takeFlash,
  versionTexts,
} from './ui.js'

const main = document.getElementById('main')
const me = await requireSignIn('staff')
frame(me, { title: t('country.pageTitle') })
const params = new URLSearchParams(location.search)
const code = (params.get('code') || '').toUpperCase()
const { items: questionnaires } = await api('/questionnaires')
const questionnaire = params.get('questionnaire') || questionnaires[0]?.id
const [profile] = await Promise.all([api(`/countries/${code}/readiness?questionnaire=${encodeURIComponent(questionnaire)}`), loadCountryNames()])
const cycles = [...profile.cycles].sort((a, b) => a.cycle - b.cycle)
const latest = cycles.at(-1)
const name = countryName(profile.country, profile.name)

document.title = t('app.pageTitle', { page: name })
const back = h('p', { class: 'crumbs' }, h('a', { href: `dashboard.html?questionnaire=${questionnaire}` }, t('app.back', { page: t('dashboard.pageTitle') })))
if (!latest) {
  clear(main, back, h('h1', {}, name), message('info', t('country.none')))
} else {
  const [detail, texts] = await Promise.all([api(`/assessments/${latest.id}`), versionTexts(questionnaire, latest.version)])
  const tier = latest.overall.tier ? (texts.tiers.get(latest.overall.tier) ?? { label: latest.overall.tier, attrs: {} }) : null
  const domain = (d) => texts.domains.get(d.domain) ?? { label: d.title, attrs: {} }
  const review = reviewPanel(detail, {
    onDone: (_row, text) => {
      setFlash(text)
      location.reload()
    },
  })
  clear(
    main,
    back,
    takeFlash(),
    h('h1', {}, `${name} `, h('span', { class: 'muted' }, `(${profile.country}, ${regionName(profile.region)})`)),
    h(
      'p',
      { class: 'status-line' },
      statusBadge(latest.status),
      ' ',
      tier
        ? tParts('country.statusLineTier', {
            cycle: String(latest.cycle),
            score: pct(latest.overall.score),
            tier: h('span', tier.attrs, tier.label),
            coverage: latest.overall.coverage ?? 0,
          })
        : t('country.statusLine', { cycle: String(latest.cycle), score: pct(latest.overall.score), coverage: latest.overall.coverage ?? 0 }),
      ' · ',
      h('a', { href: `assessment.html?id=${latest.id}` }, t('country.readAnswers')),
      ' · ',
      h('a', { href: `report.html?assessment=${latest.id}` }, t('report.pageTitle')),
    ),
    h(
      'div',
      { class: 'grid-2' },
      h(
        'section',
        { class: 'card', 'aria-labelledby': 'dom-h' },
        h('h2', { id: 'dom-h' }, t('country.domains.heading', { cycle: String(latest.cycle) })),
        h('p', { class: 'help' }, t('country.domains.help')),
        barChart(
          latest.domains.map((d) => ({ label: domain(d).label, foreign: Boolean(domain(d).attrs.lang), value: d.score, marker: d.regionMedian ?? undefined })),
          { title: t('country.domains.chart', { country: name }), markerLabel: t('country.median', { region: regionName(profile.region) }) },
        ),
      ),
      h(
        'div',
        {},
        h(
          'section',
          { class: 'card', 'aria-labelledby': 'trend-h' },
          h('h2', { id: 'trend-h' }, t('country.trend.heading')),
          lineChart(
            cycles.map((c) => ({ label: c.cycle, value: c.overall.score })),
            { title: t('country.trend.chart', { country: name }) },
          ),
        ),
        h(
          'section',
          { class: 'card', 'aria-labelledby': 'review-h' },
          h('h2', { id: 'review-h' }, t('country.review.heading', { cycle: String(latest.cycle) })),
          review,
        ),
        historySection(detail.transitions),
        trailSection(detail.id, (id) => texts.body.domains.flatMap((d) => d.questions).find((q) => q.id === id)?.text),
      ),
    ),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'cycles-h' },
      h('h2', { id: 'cycles-h' }, t('country.cycles.heading')),
      h(
        'table',
        { class: 'data' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['cycle', 'version', 'status', 'overall', 'median', 'answered', 'link'].map((c) => h('th', { scope: 'col' }, t(`country.col.${c}`))),
          ),
        ),
        h(
          'tbody',
          {},
          [...cycles]
            .reverse()
            .map((c) =>
              h(
                'tr',
                {},
                h('th', { scope: 'row' }, String(c.cycle)),
                h('td', {}, fmtNumber(c.version)),
                h('td', {}, statusBadge(c.status)),
                h('td', { class: 'num' }, pct(c.overall.score)),
                h('td', { class: 'num' }, pct(c.overall.regionMedian)),
                h('td', { class: 'num' }, t('country.answered', { answered: c.overall.answered, applicable: c.overall.applicable })),
                h('td', {}, h('a', { href: `assessment.html?id=${c.id}` }, t('country.answersOf', { cycle: String(c.cycle) }))),
              ),
            ),
        ),
      ),
    ),
  )
}
