// ITU-D staff: one country's profile: domain scores (with the regional median), trend across cycles,
// its assessments with links to the answers, and review actions.
import { api } from './api.js'
import { barChart, lineChart } from './charts.js'
import { historySection } from './history.js'
import { reviewPanel } from './review.js'
import { clear, coveragePct, frame, h, message, pct, requireSignIn, setFlash, statusBadge, takeFlash } from './ui.js'

// Interface words of this page that are new since the catalogs were planned; the rest move with them.
const T = { answersColumn: 'Answers' }

const main = document.getElementById('main')
const me = await requireSignIn('staff')
frame(me, { title: 'Country profile' })
const params = new URLSearchParams(location.search)
const code = (params.get('code') || '').toUpperCase()
const { items: questionnaires } = await api('/questionnaires')
const questionnaire = params.get('questionnaire') || questionnaires[0]?.id
const profile = await api(`/countries/${code}/readiness?questionnaire=${encodeURIComponent(questionnaire)}`)
const cycles = [...profile.cycles].sort((a, b) => a.cycle - b.cycle)
const latest = cycles.at(-1)

document.title = `${profile.name} – Treaty readiness`
const back = h('p', { class: 'crumbs' }, h('a', { href: `dashboard.html?questionnaire=${questionnaire}` }, '← Dashboard'))
if (!latest) {
  clear(main, back, h('h1', {}, profile.name), message('info', 'This country has no assessment of this questionnaire yet.'))
} else {
  const detail = await api(`/assessments/${latest.id}`)
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
    h('h1', {}, `${profile.name} `, h('span', { class: 'muted' }, `(${profile.country}, ${profile.region})`)),
    h(
      'p',
      { class: 'status-line' },
      statusBadge(latest.status),
      ` Cycle ${latest.cycle} · overall ${pct(latest.overall.score)} / 100${latest.overall.tier ? ` (${latest.overall.tier})` : ''} · ${coveragePct(latest.overall.coverage)} coverage · `,
      h('a', { href: `assessment.html?id=${latest.id}` }, 'Read the answers'),
    ),
    h(
      'div',
      { class: 'grid-2' },
      h(
        'section',
        { class: 'card', 'aria-labelledby': 'dom-h' },
        h('h2', { id: 'dom-h' }, `Domain scores, cycle ${latest.cycle}`),
        h('p', { class: 'help' }, 'The dark line marks the regional median (submitted and validated assessments).'),
        barChart(latest.domains.map((d) => ({ label: d.title, value: d.score, marker: d.regionMedian ?? undefined })), { title: `Domain scores of ${profile.name}`, markerLabel: `${profile.region} median` }),
      ),
      h(
        'div',
        {},
        h('section', { class: 'card', 'aria-labelledby': 'trend-h' }, h('h2', { id: 'trend-h' }, 'Overall score across cycles'), lineChart(cycles.map((c) => ({ label: c.cycle, value: c.overall.score })), { title: `Overall readiness of ${profile.name} by cycle` })),
        h('section', { class: 'card', 'aria-labelledby': 'review-h' }, h('h2', { id: 'review-h' }, `Review of cycle ${latest.cycle}`), review),
        historySection(detail.transitions),
      ),
    ),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'cycles-h' },
      h('h2', { id: 'cycles-h' }, 'Assessments'),
      h(
        'table',
        { class: 'data' },
        h('thead', {}, h('tr', {}, ['Cycle', 'Version', 'Status', 'Overall', 'Region median', 'Answered', T.answersColumn].map((c) => h('th', { scope: 'col' }, c)))),
        h(
          'tbody',
          {},
          [...cycles].reverse().map((c) =>
            h(
              'tr',
              {},
              h('th', { scope: 'row' }, String(c.cycle)),
              h('td', {}, String(c.version)),
              h('td', {}, statusBadge(c.status)),
              h('td', { class: 'num' }, pct(c.overall.score)),
              h('td', { class: 'num' }, pct(c.overall.regionMedian)),
              h('td', { class: 'num' }, `${c.overall.answered} / ${c.overall.applicable}`),
              h('td', {}, h('a', { href: `assessment.html?id=${c.id}` }, `Answers of ${c.cycle}`)),
            ),
          ),
        ),
      ),
    ),
  )
}
