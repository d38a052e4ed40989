// The country report a minister can be handed: one assessment's tier and score, its domains against
// the region and the world, the trend over cycles, the obligations with the largest gaps, evidence
// and review. The same page is printed (its print style sheet: at most three A4 pages) and turned
// into the PDF by the server's Chromium, which waits for body[data-print-ready].
import { api } from './api.js'
import { lineChart } from './charts.js'
import { dir, fmtDateTime, fmtInteger, fmtPercent, foreign, languages, lang, t } from './i18n.js'
import { clear, countryName, frame, h, loadCountryNames, message, pct, problemText, regionName, requireSignIn, s, scoreStep, statusBadge } from './ui.js'

const main = document.getElementById('main')
document.body.classList.add('report-page')
const rtl = dir === 'rtl'
const dateOnly = new Intl.DateTimeFormat(lang, { dateStyle: 'long' })
const fmtDay = (iso) => (iso ? dateOnly.format(new Date(iso)) : '')

/** A questionnaire text ({text, lang}) in its own language, isolated when it is an English fallback. */
const text = (tag, value, attrs = {}) => h(tag, { ...attrs, ...foreign(value.lang) }, value.text)

try {
  const me = await requireSignIn()
  frame(me, { title: t('report.pageTitle') })
  const id = new URLSearchParams(location.search).get('assessment')
  if (!id) {
    clear(main, h('h1', {}, t('report.pageTitle')), message('info', t('report.missing')))
  } else {
    const [report] = await Promise.all([api(`/assessments/${encodeURIComponent(id)}/report?lang=${lang}`), loadCountryNames()])
    draw(report)
  }
  document.body.dataset.printReady = '1'
} catch (error) {
  clear(main, h('h1', {}, t('report.pageTitle')), message('error', problemText(error)))
  document.body.dataset.printError = error?.status ? `HTTP ${error.status}` : String(error?.message ?? error)
}

function draw(r) {
  const name = countryName(r.country.code, r.country.name)
  const tiers = new Map(r.tiers.map((x) => [x.id, x.label]))
  const tierOf = (id) => (id && tiers.has(id) ? text('span', tiers.get(id)) : h('span', { class: 'muted' }, t('score.none')))
  const languageName = languages.find((l) => l.code === r.lang)?.name ?? r.lang
  document.title = t('app.pageTitle', { page: t('report.titleOf', { country: name }) })

  clear(
    main,
    h(
      'header',
      { class: 'report-head' },
      h('h1', {}, t('report.titleOf', { country: name })),
      h('p', { class: 'report-sub' }, text('span', r.questionnaire.title), ' · ', t('report.cycle', { cycle: r.cycle }), ' · ', regionName(r.country.region)),
      h(
        'p',
        { class: 'report-meta' },
        t('report.dated', { date: fmtDay(r.generatedAt) }),
        ' · ',
        t('report.language', { language: languageName }),
        ' · ',
        statusBadge(r.review.status),
      ),
      h(
        'p',
        { class: 'report-actions' },
        h('button', { type: 'button', onclick: () => window.print() }, t('report.print')),
        ' ',
        h('a', { class: 'button', href: `/assessments/${encodeURIComponent(r.id)}/report.pdf?lang=${r.lang}` }, t('report.pdf')),
      ),
    ),
    overall(r, tierOf),
    domains(r, tierOf),
    gaps(r),
    h('div', { class: 'report-pair' }, trend(r, tierOf), h('div', {}, evidence(r), review(r))),
    h('p', { class: 'report-note' }, t(`report.source.${r.comparisonSource}`)),
  )
}

function overall(r, tierOf) {
  const o = r.overall
  return h(
    'section',
    { class: 'report-overall', 'aria-labelledby': 'r-overall' },
    h('h2', { id: 'r-overall' }, t('report.overall')),
    h(
      'div',
      { class: 'report-kpis' },
      h('p', { class: 'kpi' }, h('span', { class: 'kpi-label' }, t('report.tier')), h('strong', { class: 'kpi-value' }, tierOf(o.tier))),
      h(
        'p',
        { class: 'kpi' },
        h('span', { class: 'kpi-label' }, t('report.score')),
        h('strong', { class: 'kpi-value' }, t('score.outOf100', { score: pct(o.score) })),
      ),
      h(
        'p',
        { class: 'kpi' },
        h('span', { class: 'kpi-label' }, t('report.coverage')),
        h('strong', { class: 'kpi-value' }, fmtPercent(o.coverage)),
        h('span', { class: 'kpi-detail' }, t('report.answered', { answered: o.answered, applicable: o.applicable })),
      ),
      h(
        'p',
        { class: 'kpi' },
        h('span', { class: 'kpi-label' }, t('report.medians')),
        h('span', { class: 'kpi-detail' }, t('report.regionMedian'), ': ', median(o.regionMedian, o.regionCount)),
        h('span', { class: 'kpi-detail' }, t('report.worldMedian'), ': ', median(o.worldMedian, o.worldCount)),
      ),
    ),
  )
}

/** A median, or why there is none: withheld for too few countries, or nothing to compare with. */
function median(value, count) {
  return value === null ? h('span', { class: 'muted' }, count > 0 ? t('report.withheld') : t('score.none')) : pct(value)
}

function domains(r, tierOf) {
  return h(
    'section',
    { class: 'report-domains', 'aria-labelledby': 'r-domains' },
    h('h2', { id: 'r-domains' }, t('report.domains')),
    benchmarkChart(r.domains),
    h(
      'table',
      { class: 'report-table' },
      h('caption', { class: 'visually-hidden' }, t('report.domains')),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['report.col.domain', 'report.col.score', 'report.col.tier', 'report.regionMedian', 'report.worldMedian', 'report.coverage'].map((k) =>
            h('th', { scope: 'col' }, t(k)),
          ),
        ),
      ),
      h(
        'tbody',
        {},
        r.domains.map((d) =>
          h(
            'tr',
            {},
            text('th', d.title, { scope: 'row' }),
            h('td', { class: 'num' }, pct(d.score)),
            h('td', {}, tierOf(d.tier)),
            h('td', { class: 'num' }, median(d.regionMedian, d.regionCount)),
            h('td', { class: 'num' }, median(d.worldMedian, d.worldCount)),
            h('td', { class: 'num' }, fmtPercent(d.coverage)),
          ),
        ),
      ),
    ),
  )
}

/** Bars of the domain scores, each with the region's median (▲) and the world's (◆): shapes, not only colours. */
function benchmarkChart(rows) {
  const rowH = 22
  const labelW = 250
  const barW = 330
  const width = labelW + barW + 50
  const legendH = 22
  const height = legendH + rows.length * rowH + 22
  const X = (x) => (rtl ? width - x : x)
  const at = (v) => X(labelW + (barW * Math.max(0, Math.min(100, v))) / 100)
  const value = (v) => (v === null ? t('score.none') : fmtInteger(Math.round(v)))
  const svg = s('svg', { class: 'chart report-chart', viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-labelledby': 'rc-t rc-d', width: '100%' })
  svg.append(s('title', { id: 'rc-t' }, t('report.chartTitle')))
  svg.append(
    s(
      'desc',
      { id: 'rc-d' },
      rows
        .map((r) => t('report.chartPoint', { domain: r.title.text, score: value(r.score), region: value(r.regionMedian), world: value(r.worldMedian) }))
        .join('; '),
    ),
  )
  const triangle = (x, y) => s('path', { d: `M${x} ${y - 5} L${x + 5} ${y + 4} L${x - 5} ${y + 4} Z`, class: 'mark-region' })
  const diamond = (x, y) => s('path', { d: `M${x} ${y - 5} L${x + 5} ${y} L${x} ${y + 5} L${x - 5} ${y} Z`, class: 'mark-world' })
  const legend = s('g', { class: 'legend' })
  legend.append(triangle(X(labelW + 8), 10), s('text', { x: X(labelW + 18), y: 14, class: 'axis' }, t('report.regionMedian')))
  legend.append(diamond(X(labelW + 168), 10), s('text', { x: X(labelW + 178), y: 14, class: 'axis' }, t('report.worldMedian')))
  svg.append(legend)
  const top = legendH
  for (const x of [0, 25, 50, 75, 100]) {
    svg.append(s('line', { x1: at(x), x2: at(x), y1: top, y2: top + rows.length * rowH, class: 'grid' }))
    svg.append(s('text', { x: at(x), y: top + rows.length * rowH + 15, class: 'axis', 'text-anchor': 'middle' }, fmtInteger(x)))
  }
  rows.forEach((r, i) => {
    const y = top + i * rowH
    const label = r.title.text.length > 38 ? `${r.title.text.slice(0, 37)}…` : r.title.text
    const isolate = r.title.lang !== lang && rtl ? { direction: 'ltr', 'unicode-bidi': 'isolate', 'text-anchor': 'start' } : { 'text-anchor': 'end' }
    svg.append(s('text', { x: X(labelW - 8), y: y + rowH / 2 + 4, class: 'bar-label', ...isolate }, label))
    const w = r.score === null ? 0 : Math.max(1, (barW * Math.max(0, Math.min(100, r.score))) / 100)
    svg.append(s('rect', { x: rtl ? X(labelW) - w : labelW, y: y + 4, width: w, height: rowH - 8, rx: 2, class: `bar step-${scoreStep(r.score)}` }))
    if (r.regionMedian !== null) svg.append(triangle(at(r.regionMedian), y + rowH / 2))
    if (r.worldMedian !== null) svg.append(diamond(at(r.worldMedian), y + rowH / 2))
    svg.append(s('text', { x: X(labelW + barW + 8), y: y + rowH / 2 + 4, class: 'bar-value' }, value(r.score)))
  })
  return svg
}

function gaps(r) {
  return h(
    'section',
    { class: 'report-gaps', 'aria-labelledby': 'r-gaps' },
    h('h2', { id: 'r-gaps' }, t('report.gaps')),
    h('p', { class: 'help' }, t('report.gapsIntro')),
    r.gaps.length === 0
      ? message('info', t('report.noGaps'))
      : h(
          'table',
          { class: 'report-table' },
          h('caption', { class: 'visually-hidden' }, t('report.gaps')),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['report.col.provision', 'report.col.obligation', 'report.col.domain', 'report.col.score'].map((k) => h('th', { scope: 'col' }, t(k))),
            ),
          ),
          h(
            'tbody',
            {},
            r.gaps.map((g) => {
              const domain = r.domains.find((d) => d.domain === g.domain)
              return h(
                'tr',
                {},
                h('td', { class: 'nowrap' }, h('bdi', { dir: 'ltr' }, g.sourceRef)),
                text('td', g.text),
                domain ? text('td', domain.title) : h('td', {}, g.domain),
                h(
                  'td',
                  { class: 'num' },
                  pct(g.raw * 100),
                  g.status === 'answered' ? null : h('span', { class: 'kpi-detail' }, t(`report.gapStatus.${g.status}`)),
                ),
              )
            }),
          ),
        ),
  )
}

function trend(r, tierOf) {
  const points = r.trend.map((c) => ({ label: String(c.cycle), value: c.score }))
  return h(
    'section',
    { class: 'report-trend', 'aria-labelledby': 'r-trend' },
    h('h2', { id: 'r-trend' }, t('report.trend')),
    r.trend.length < 2 ? h('p', { class: 'help' }, t('report.firstCycle')) : lineChart(points, { title: t('report.trend') }),
    h(
      'ul',
      { class: 'report-list' },
      r.trend.map((c) => h('li', {}, t('report.cycle', { cycle: c.cycle }), ': ', pct(c.score), ' · ', tierOf(c.tier), ' · ', statusBadge(c.status))),
    ),
  )
}

function evidence(r) {
  const e = r.evidence
  return h(
    'section',
    { class: 'report-evidence', 'aria-labelledby': 'r-evidence' },
    h('h2', { id: 'r-evidence' }, t('report.evidence')),
    h(
      'ul',
      { class: 'report-list' },
      h('li', {}, t('report.evidenceAnswers', { count: e.answersWithEvidence })),
      h('li', {}, t('report.evidenceLinks', { count: e.links })),
      e.documents === null ? null : h('li', {}, t('report.evidenceDocuments', { count: e.documents })),
    ),
  )
}

function review(r) {
  const v = r.review
  return h(
    'section',
    { class: 'report-review', 'aria-labelledby': 'r-review' },
    h('h2', { id: 'r-review' }, t('report.review')),
    h(
      'ul',
      { class: 'report-list' },
      h('li', {}, statusBadge(v.status), ' ', t('report.lastChange', { date: fmtDateTime(v.updatedAt) })),
      h('li', {}, v.submittedAt ? t('report.submitted', { date: fmtDay(v.submittedAt) }) : t('report.notSubmitted')),
      v.validatedAt ? h('li', {}, t('report.validated', { date: fmtDay(v.validatedAt) })) : null,
      v.returnedAt ? h('li', {}, t('report.returned', { date: fmtDay(v.returnedAt) })) : null,
      h('li', {}, t('report.comments', { count: v.comments })),
    ),
  )
}
