// An assessment's trail (GET /assessments/{id}/trail): who answered which question, who submitted,
// returned, validated, reopened and commented, and when, by name; older entries a page at a time.
// Folded until opened.
import { api } from './api.js'
import { t } from './i18n.js'
import { clear, fmtDate, h, problemText } from './ui.js'

const PAGE = 25
const shorten = (text) => (text.length > 90 ? `${text.slice(0, 88)}…` : text)

/**
 * questionText(id) → the question's text in the page's language (its id when there is none).
 */
export function trailSection(assessmentId, questionText = () => undefined, headingId = 'trail-h') {
  const rows = h('tbody')
  const table = h(
    'table',
    { class: 'data trail', hidden: true },
    h('caption', { class: 'visually-hidden' }, t('access.trail.caption')),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['when', 'who', 'what', 'details'].map((c) => h('th', { scope: 'col' }, t(`access.trail.col.${c}`))),
      ),
    ),
    rows,
  )
  const note = h('p', { class: 'empty', 'aria-live': 'polite' }, t('access.trail.loading'))
  const more = h('button', { type: 'button', class: 'secondary small', hidden: true }, t('access.trail.more'))
  let cursor = null

  function row(item) {
    const question = item.questionId ? h('bdi', {}, shorten(questionText(item.questionId) ?? item.questionId)) : null
    const details = [question, question && item.comment ? ': ' : null, item.comment ? h('span', { dir: 'auto' }, item.comment) : null]
    return h(
      'tr',
      {},
      h('td', { class: 'nowrap' }, h('time', { datetime: item.at }, fmtDate(item.at))),
      h('td', {}, item.by ? h('bdi', {}, item.by) : t('access.trail.nobody')),
      h('th', { scope: 'row' }, t(`access.trail.action.${item.action}`)),
      h('td', {}, details),
    )
  }

  async function load() {
    more.disabled = true
    try {
      const page = await api(`/assessments/${assessmentId}/trail?limit=${PAGE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
      for (const item of page.items) rows.append(row(item))
      cursor = page.nextCursor
      more.hidden = !cursor
      table.hidden = rows.children.length === 0
      note.hidden = rows.children.length > 0
      note.textContent = t('access.trail.empty')
    } catch (error) {
      note.hidden = false
      clear(note, problemText(error))
    } finally {
      more.disabled = false
    }
  }
  more.addEventListener('click', load)
  // Loaded when opened: most visits do not need it, and a page on a slow link should not wait for it.
  const details = h('details', {}, h('summary', {}, h('h2', { id: headingId, class: 'inline' }, t('access.trail.heading'))), table, note, more)
  details.addEventListener('toggle', () => {
    if (details.open && !rows.children.length && note.textContent === t('access.trail.loading')) void load()
  })
  return h('section', { class: 'card', 'aria-labelledby': headingId }, details)
}
