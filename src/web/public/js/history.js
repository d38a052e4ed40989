// The workflow history of an assessment: who started, submitted, returned, reopened and validated
// it, when, and with which comment (GET /assessments/{id} → transitions).
import { label, t, tParts } from './i18n.js'
import { fmtDate, h, STATUS_LABELS } from './ui.js'

// Interface words of this module, from the catalog of the page's language.
const T = {
  heading: t('history.heading'),
  caption: t('history.caption'),
  columns: [t('history.col.when'), t('history.col.change'), t('history.col.by'), t('history.col.comment')],
  started: (to) => t('history.started', { status: STATUS_LABELS[to] ?? to }),
  change: (from, to) => t('history.change', { from: STATUS_LABELS[from] ?? from, to: STATUS_LABELS[to] ?? to }),
  // Labels and names are typed by people, in any script: isolated.
  by: (who, role) =>
    who ? (role ? tParts('history.by', { label: h('bdi', {}, who), role: label('role', role) }) : h('bdi', {}, who)) : t('history.removedToken'),
  empty: t('history.empty'),
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
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              T.columns.map((c) => h('th', { scope: 'col' }, c)),
            ),
          ),
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
