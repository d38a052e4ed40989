// The workflow history of an assessment: who started, submitted, returned, reopened and validated
// it, when, and with which comment (GET /assessments/{id} → transitions).
import { fmtDate, h, STATUS_LABELS } from './ui.js'

// Interface words of this module, kept together so they can move into the message catalogs.
const T = {
  heading: 'History',
  caption: 'Every change of state of this assessment, oldest first',
  columns: ['When', 'Change', 'By', 'Comment'],
  started: (to) => `Started (${STATUS_LABELS[to] ?? to})`,
  change: (from, to) => `${STATUS_LABELS[from] ?? from} → ${STATUS_LABELS[to] ?? to}`,
  by: (label, role) => `${label ?? 'a removed token'}${role ? ` (${role})` : ''}`,
  empty: 'Nothing has happened yet.',
}

export function historySection(transitions, headingId = 'history-h') {
  return h(
    'section',
    { class: 'card', 'aria-labelledby': headingId },
    h('h2', { id: headingId }, T.heading),
    transitions.length
      ? h(
          'table',
          { class: 'data history' },
          h('caption', { class: 'visually-hidden' }, T.caption),
          h('thead', {}, h('tr', {}, T.columns.map((c) => h('th', { scope: 'col' }, c)))),
          h(
            'tbody',
            {},
            transitions.map((x) =>
              h(
                'tr',
                {},
                h('td', { class: 'nowrap' }, h('time', { datetime: x.at }, fmtDate(x.at))),
                h('th', { scope: 'row' }, x.from ? T.change(x.from, x.to) : T.started(x.to)),
                h('td', {}, T.by(x.by, x.role)),
                h('td', { dir: 'auto' }, x.comment ?? ''),
              ),
            ),
          ),
        )
      : h('p', { class: 'empty' }, T.empty),
  )
}
