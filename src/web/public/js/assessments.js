// A national administration's assessments: status and progress; start a new one.
import { api, ApiError } from './api.js'
import { clear, fmtDate, frame, h, message, pct, requireSignIn, statusBadge } from './ui.js'

const main = document.getElementById('main')
const me = await requireSignIn('administration')
frame(me, { title: 'My assessments' })

const [{ items }, { items: questionnaires }, country] = await Promise.all([
  api(`/assessments?country=${me.country}&limit=200`),
  api('/questionnaires'),
  api(`/countries/${me.country}`),
])
const titles = new Map(questionnaires.map((q) => [q.id, q.title]))

function progress(a) {
  const share = a.applicable ? a.answered / a.applicable : 0
  return h(
    'div',
    { class: 'progress-cell' },
    h('progress', { max: a.applicable || 1, value: a.answered, 'aria-label': `${a.answered} of ${a.applicable} questions answered` }),
    h('span', { class: 'nowrap' }, `${a.answered} of ${a.applicable} (${Math.round(share * 100)}%)`),
  )
}

const table = items.length
  ? h(
      'table',
      { class: 'data' },
      h('caption', { class: 'visually-hidden' }, 'Assessments of your administration'),
      h(
        'thead',
        {},
        h('tr', {}, ['Questionnaire', 'Cycle', 'Status', 'Progress', 'Readiness', 'Last change'].map((c) => h('th', { scope: 'col' }, c))),
      ),
      h(
        'tbody',
        {},
        items.map((a) =>
          h(
            'tr',
            {},
            h('th', { scope: 'row' }, h('a', { href: `assessment.html?id=${a.id}` }, titles.get(a.questionnaire) ?? a.questionnaire, ` (v${a.version})`)),
            h('td', {}, String(a.cycle)),
            h('td', {}, statusBadge(a.status)),
            h('td', {}, progress(a)),
            h('td', { class: 'num' }, a.overallScore === null ? '–' : `${pct(a.overallScore)} / 100`, a.tier ? h('span', { class: 'tier' }, ` ${a.tier}`) : ''),
            h('td', {}, fmtDate(a.updatedAt)),
          ),
        ),
      ),
    )
  : h('p', { class: 'empty' }, 'You have not started an assessment yet. Start one below.')

// ---- start a new assessment
const thisYear = new Date().getFullYear()
const nextCycle = Math.max(thisYear, ...items.map((a) => a.cycle + 1))
const status = h('div', { 'aria-live': 'polite' })
const qSelect = h('select', { id: 'new-questionnaire', name: 'questionnaire', required: true }, questionnaires.map((q) => h('option', { value: q.id }, q.title)))
const cycleInput = h('input', { id: 'new-cycle', name: 'cycle', type: 'number', min: 2000, max: 2100, step: 1, value: nextCycle, required: true, inputmode: 'numeric' })
const fromSelect = h('select', { id: 'new-from', name: 'from' })
// The latest earlier cycle is offered first, until the person picks a starting point themselves:
// from then on their choice stays as long as it is still offered (editing the year must not undo it).
let chosenFrom
fromSelect.addEventListener('change', () => (chosenFrom = fromSelect.value))
function refreshFrom() {
  const previous = items.filter((a) => a.questionnaire === qSelect.value && a.cycle < Number(cycleInput.value)).sort((a, b) => b.cycle - a.cycle)
  clear(
    fromSelect,
    h('option', { value: '' }, 'Start empty'),
    previous.map((a) => h('option', { value: a.id }, `Copy answers from cycle ${a.cycle} (${a.status})`)),
  )
  const offered = chosenFrom !== undefined && (chosenFrom === '' || previous.some((a) => a.id === chosenFrom))
  fromSelect.value = offered ? chosenFrom : (previous[0]?.id ?? '')
}
qSelect.addEventListener('change', refreshFrom)
cycleInput.addEventListener('change', refreshFrom)
refreshFrom()

const form = h(
  'form',
  { class: 'card', id: 'new-assessment' },
  h('h2', {}, 'Start a new assessment'),
  h(
    'div',
    { class: 'form-row' },
    h('div', { class: 'field' }, h('label', { for: 'new-questionnaire' }, 'Questionnaire'), qSelect),
    h('div', { class: 'field narrow' }, h('label', { for: 'new-cycle' }, 'Cycle (year)'), cycleInput),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'new-from' }, 'Starting point'),
      fromSelect,
      h('p', { class: 'help' }, 'Copied answers are marked “carried forward” until you confirm or change them.'),
    ),
  ),
  h('button', { type: 'submit', class: 'primary' }, 'Start assessment'),
  status,
)
form.addEventListener('submit', async (event) => {
  event.preventDefault()
  const body = { questionnaire: qSelect.value, country: me.country, cycle: Number(cycleInput.value) }
  if (fromSelect.value) body.from = fromSelect.value
  clear(status, message('info', 'Starting…'))
  try {
    const created = await api('/assessments', { method: 'POST', body })
    location.assign(`assessment.html?id=${created.assessment.id}`)
  } catch (error) {
    const text = error instanceof ApiError && error.status === 409 ? `There is already an assessment of this questionnaire for cycle ${body.cycle}.` : error.message
    clear(status, message('error', text))
  }
})

clear(
  main,
  h('h1', {}, `Assessments of ${country.name}`),
  h('p', { class: 'lead' }, 'Answer each questionnaire for your administration. Answers are saved as you go; submit when every required question is answered.'),
  h('section', { 'aria-labelledby': 'list-h' }, h('h2', { id: 'list-h', class: 'visually-hidden' }, 'Your assessments'), table),
  form,
)
