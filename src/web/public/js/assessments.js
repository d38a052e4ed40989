// A national administration's assessments: status and progress; start a new one.
import { api, ApiError } from './api.js'
import { foreign, lang, t } from './i18n.js'
import {
  clear,
  countryName,
  fmtDate,
  frame,
  h,
  loadCountryNames,
  message,
  pct,
  problemText,
  requireSignIn,
  STATUS_LABELS,
  statusBadge,
  versionTexts,
} from './ui.js'
import { publishedComparison } from './published-comparison.js'

const main = document.getElementById('main')
const me = await requireSignIn('administration')
frame(me, { title: t('assessments.pageTitle') })

const [{ items }, list, country] = await Promise.all([
  api(`/assessments?country=${me.country}&limit=200`),
  api(`/questionnaires?lang=${lang}`),
  api(`/countries/${me.country}`),
  loadCountryNames(),
])
const questionnaires = list.items
// Titles in the page's language; one still in English is marked as such (lang, dir).
const titleAttrs = new Map(questionnaires.map((q, i) => [q.id, (list.fallbacks ?? []).includes(`/items/${i}/title`) ? foreign('en') : {}]))
const titles = new Map(questionnaires.map((q) => [q.id, q.title]))
const titleOf = (id) => h('span', titleAttrs.get(id) ?? {}, titles.get(id) ?? id)
// Tier labels of each version that has a scored assessment here.
const tiers = new Map(
  await Promise.all(
    [...new Set(items.filter((a) => a.tier).map((a) => `${a.questionnaire}@${a.version}`))].map(async (key) => {
      const [q, v] = key.split('@')
      return [
        key,
        await versionTexts(q, v).then(
          (texts) => texts.tiers,
          () => new Map(),
        ),
      ]
    }),
  ),
)
const tierOf = (a) => tiers.get(`${a.questionnaire}@${a.version}`)?.get(a.tier) ?? { label: a.tier, attrs: {} }

function progress(a) {
  const share = a.applicable ? a.answered / a.applicable : 0
  return h(
    'div',
    { class: 'progress-cell' },
    h('progress', { max: a.applicable || 1, value: a.answered, 'aria-label': t('assessments.progress', { answered: a.answered, applicable: a.applicable }) }),
    h('span', { class: 'nowrap' }, t('assessments.progressShare', { answered: a.answered, applicable: a.applicable, share })),
  )
}

const table = items.length
  ? h(
      'table',
      { class: 'data' },
      h('caption', { class: 'visually-hidden' }, t('assessments.caption')),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['questionnaire', 'cycle', 'status', 'progress', 'readiness', 'updated'].map((c) => h('th', { scope: 'col' }, t(`assessments.col.${c}`))),
        ),
      ),
      h(
        'tbody',
        {},
        items.map((a) =>
          h(
            'tr',
            {},
            h(
              'th',
              { scope: 'row' },
              h('a', { href: `assessment.html?id=${a.id}` }, titleOf(a.questionnaire), ` (${t('assessments.versionTag', { version: a.version })})`),
              ' · ',
              h('a', { href: `report.html?assessment=${a.id}`, class: 'small' }, t('report.pageTitle')),
            ),
            h('td', {}, String(a.cycle)),
            h('td', {}, statusBadge(a.status)),
            h('td', {}, progress(a)),
            h(
              'td',
              { class: 'num' },
              a.overallScore === null ? '–' : t('score.outOf100', { score: pct(a.overallScore) }),
              a.tier ? h('span', { class: 'tier' }, ' ', h('span', tierOf(a).attrs, tierOf(a).label)) : '',
            ),
            h('td', {}, fmtDate(a.updatedAt)),
          ),
        ),
      ),
    )
  : h('p', { class: 'empty' }, t('assessments.empty'))

// ---- start a new assessment
const thisYear = new Date().getFullYear()
const nextCycle = Math.max(thisYear, ...items.map((a) => a.cycle + 1))
const status = h('div', { 'aria-live': 'polite' })
const qSelect = h(
  'select',
  { id: 'new-questionnaire', name: 'questionnaire', required: true },
  questionnaires.map((q) => h('option', { value: q.id, ...(titleAttrs.get(q.id) ?? {}) }, q.title)),
)
const cycleInput = h('input', {
  id: 'new-cycle',
  name: 'cycle',
  type: 'number',
  min: 2000,
  max: 2100,
  step: 1,
  value: nextCycle,
  required: true,
  inputmode: 'numeric',
})
const fromSelect = h('select', { id: 'new-from', name: 'from' })
// The latest earlier cycle is offered first, until the person picks a starting point themselves:
// from then on their choice stays as long as it is still offered (editing the year must not undo it).
let chosenFrom
fromSelect.addEventListener('change', () => (chosenFrom = fromSelect.value))
function refreshFrom() {
  const previous = items.filter((a) => a.questionnaire === qSelect.value && a.cycle < Number(cycleInput.value)).sort((a, b) => b.cycle - a.cycle)
  clear(
    fromSelect,
    h('option', { value: '' }, t('assessments.new.empty')),
    previous.map((a) => h('option', { value: a.id }, t('assessments.new.copy', { cycle: String(a.cycle), status: STATUS_LABELS[a.status] ?? a.status }))),
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
  h('h2', {}, t('assessments.new.heading')),
  h(
    'div',
    { class: 'form-row' },
    h('div', { class: 'field' }, h('label', { for: 'new-questionnaire' }, t('assessments.new.questionnaire')), qSelect),
    h('div', { class: 'field narrow' }, h('label', { for: 'new-cycle' }, t('assessments.new.cycle')), cycleInput),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'new-from' }, t('assessments.new.from')),
      fromSelect,
      h('p', { class: 'help' }, t('assessments.new.fromHelp')),
    ),
  ),
  h('button', { type: 'submit', class: 'primary' }, t('assessments.new.submit')),
  status,
)
form.addEventListener('submit', async (event) => {
  event.preventDefault()
  const body = { questionnaire: qSelect.value, country: me.country, cycle: Number(cycleInput.value) }
  if (fromSelect.value) body.from = fromSelect.value
  clear(status, message('info', t('assessments.new.working')))
  try {
    const created = await api('/assessments', { method: 'POST', body })
    location.assign(`assessment.html?id=${created.assessment.id}`)
  } catch (error) {
    const text = error instanceof ApiError && error.status === 409 ? t('assessments.new.exists', { cycle: String(body.cycle) }) : problemText(error)
    clear(status, message('error', text))
  }
})

clear(
  main,
  h('h1', {}, t('assessments.heading', { country: countryName(country.code, country.name) })),
  h('p', { class: 'lead' }, t('assessments.lead')),
  h('section', { 'aria-labelledby': 'list-h' }, h('h2', { id: 'list-h', class: 'visually-hidden' }, t('assessments.listHeading')), table),
  form,
)
main.append(await publishedComparison(items, country))
