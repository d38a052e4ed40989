// Inline SVG charts: horizontal bars (domain scores) and a small line chart (trend across cycles).
// Each chart has a title and a text alternative; the numbers are also printed beside the bars.
// In a right-to-left page the charts are mirrored: labels on the right, bars growing leftwards.
import { dir, fmtInteger, t } from './i18n.js'
import { s, scoreStep } from './ui.js'

// SVG's text-anchor start/end follow the text's direction, which the page gives: mirrored
// positions keep the same anchors. Only an English label in an Arabic page runs the other way.
const rtl = dir === 'rtl'
const value = (v) => (v === null ? t('score.none') : fmtInteger(Math.round(v)))

let counter = 0

/** rows: [{label, value (0–100 or null), marker?: number (e.g. region median), foreign?: label is an English fallback}] */
export function barChart(rows, { title, markerLabel } = {}) {
  const id = `chart-${++counter}`
  const rowH = 30
  const labelW = 270
  const barW = 300
  const width = labelW + barW + 60
  const height = rows.length * rowH + 26
  const X = (x) => (rtl ? width - x : x)
  const svg = s('svg', {
    class: 'chart',
    viewBox: `0 0 ${width} ${height}`,
    role: 'img',
    'aria-labelledby': `${id}-t ${id}-d`,
    width: '100%',
    preserveAspectRatio: 'xMinYMin meet',
  })
  svg.append(s('title', { id: `${id}-t` }, title ?? t('chart.scores')))
  svg.append(s('desc', { id: `${id}-d` }, rows.map((r) => t('chart.point', { label: r.label, value: value(r.value) })).join('; ')))
  for (const x of [0, 25, 50, 75, 100]) {
    const gx = X(labelW + (barW * x) / 100)
    svg.append(s('line', { x1: gx, x2: gx, y1: 0, y2: rows.length * rowH, class: 'grid' }))
    svg.append(s('text', { x: gx, y: rows.length * rowH + 16, class: 'axis', 'text-anchor': 'middle' }, fmtInteger(x)))
  }
  rows.forEach((r, i) => {
    const y = i * rowH
    const label = r.label.length > 40 ? `${r.label.slice(0, 39)}…` : r.label
    svg.append(
      s(
        'text',
        {
          x: X(labelW - 8),
          y: y + rowH / 2 + 4,
          class: 'bar-label',
          ...(r.foreign && rtl ? { direction: 'ltr', 'unicode-bidi': 'isolate', 'text-anchor': 'start' } : { 'text-anchor': 'end' }),
        },
        label,
      ),
    )
    const w = r.value === null ? 0 : (barW * Math.max(0, Math.min(100, r.value))) / 100
    const bw = Math.max(w, r.value === null ? 0 : 1)
    svg.append(s('rect', { x: rtl ? X(labelW) - bw : labelW, y: y + 6, width: bw, height: rowH - 12, rx: 3, class: `bar step-${scoreStep(r.value)}` }))
    if (typeof r.marker === 'number') {
      const mx = X(labelW + (barW * r.marker) / 100)
      svg.append(
        s(
          'line',
          { x1: mx, x2: mx, y1: y + 3, y2: y + rowH - 3, class: 'marker' },
          s('title', {}, t('chart.point', { label: markerLabel ?? t('chart.median'), value: value(r.marker) })),
        ),
      )
    }
    svg.append(s('text', { x: X(labelW + w + 6), y: y + rowH / 2 + 4, class: 'bar-value' }, value(r.value)))
  })
  return svg
}

/** points: [{label (cycle), value}] */
export function lineChart(points, { title } = {}) {
  const id = `chart-${++counter}`
  const width = 420
  const height = 170
  const pad = { l: 36, r: 16, t: 12, b: 28 }
  const X = (x) => (rtl ? width - x : x)
  const svg = s('svg', { class: 'chart', viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-labelledby': `${id}-t ${id}-d`, width: '100%' })
  svg.append(s('title', { id: `${id}-t` }, title ?? t('chart.trend')))
  svg.append(s('desc', { id: `${id}-d` }, points.map((p) => t('chart.point', { label: p.label, value: value(p.value) })).join('; ')))
  const iw = width - pad.l - pad.r
  const ih = height - pad.t - pad.b
  const xAt = (i) => X(pad.l + (points.length === 1 ? iw / 2 : (iw * i) / (points.length - 1)))
  const yAt = (v) => pad.t + ih - (ih * v) / 100
  for (const v of [0, 50, 100]) {
    svg.append(s('line', { x1: X(pad.l), x2: X(width - pad.r), y1: yAt(v), y2: yAt(v), class: 'grid' }))
    svg.append(s('text', { x: X(pad.l - 6), y: yAt(v) + 4, class: 'axis', 'text-anchor': 'end' }, fmtInteger(v)))
  }
  const scored = points.map((p, i) => ({ ...p, i })).filter((p) => p.value !== null)
  if (scored.length > 1) {
    svg.append(s('polyline', { points: scored.map((p) => `${xAt(p.i)},${yAt(p.value)}`).join(' '), class: 'trend' }))
  }
  points.forEach((p, i) => {
    svg.append(s('text', { x: xAt(i), y: height - 8, class: 'axis', 'text-anchor': 'middle' }, String(p.label)))
    if (p.value !== null) {
      svg.append(s('circle', { cx: xAt(i), cy: yAt(p.value), r: 4, class: 'trend-dot' }))
      svg.append(s('text', { x: xAt(i), y: yAt(p.value) - 8, class: 'bar-value', 'text-anchor': 'middle' }, value(p.value)))
    }
  })
  return svg
}
