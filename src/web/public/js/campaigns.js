// Campaigns, for staff: the list with each campaign's progress, a form to create one (a draft), and
// the actions that move it on (open, close, publish, correct), each saying what it will do and asking first.
import { api, mapLimit } from './api.js'
import { fmtDateTime, fmtInteger, label, t } from './i18n.js'
import { clear, frame, h, message, problemText, regionName, requireSignIn } from './ui.js'

const me = await requireSignIn()
if (me.role === 'administration') location.replace('assessments.html')
frame(me, { title: t('campaigns.pageTitle') })
const runs = me.memberships.some((m) => m.role === 'reviewer' || m.role === 'admin')
const main = document.getElementById('main')
const status = h('div', { 'aria-live': 'polite' })
const tbody = h('tbody')

/** `fields`: what the action needs said first (a correction's note), shown between the question and its buttons. */
function confirmThen(row, question, yes, action, ...fields) {
  const cell = row.lastElementChild
  const before = [...cell.childNodes]
  const cancel = h('button', { type: 'button', onclick: () => clear(cell, ...before) }, t('review.cancel'))
  clear(
    cell,
    h(
      'div',
      { class: 'confirm', role: 'alertdialog', 'aria-label': question },
      h('p', {}, question),
      ...fields,
      h('div', { class: 'button-row' }, h('button', { type: 'button', class: 'primary', onclick: action }, yes), cancel),
    ),
  )
  cancel.focus()
}

// `body`: the JSON a route with a body schema needs (publishing takes `{}` or `{ note }`); the open
// and close routes take none.
async function act(path, done, body) {
  try {
    const result = await api(path, { method: 'POST', body })
    clear(status, message('success', done(result)))
    await refresh()
  } catch (error) {
    clear(status, message('error', problemText(error)))
  }
}

/** `latest`: the campaign's newest publication (GET /campaigns/{id}/publications), when it has one. */
function row(c, latest) {
  const actions = [h('a', { href: `campaign.html?id=${c.id}` }, t('campaigns.board'))]
  const action = (text, onclick) => actions.push(' · ', h('button', { type: 'button', class: 'link-button', onclick }, text))
  if (runs && c.state === 'draft') {
    action(t('campaigns.open'), () =>
      confirmThen(tr, t('campaigns.confirmOpen', { title: c.title, invited: fmtInteger(c.invited) }), t('campaigns.yesOpen'), () =>
        act(`/campaigns/${c.id}/open`, (r) => t('campaigns.opened', { drafts: fmtInteger(r.drafts), invitations: fmtInteger(r.invitations) })),
      ),
    )
  }
  if (runs && c.state === 'open') {
    action(t('campaigns.close'), () =>
      confirmThen(tr, t('campaigns.confirmClose', { title: c.title }), t('campaigns.yesClose'), () =>
        act(`/campaigns/${c.id}/close`, () => t('campaigns.closed')),
      ),
    )
  }
  if (runs && c.state === 'closed') {
    action(t('campaigns.publish'), () =>
      confirmThen(tr, t('campaigns.confirmPublish', { title: c.title, validated: fmtInteger(c.validated) }), t('campaigns.yesPublish'), () =>
        act(
          `/campaigns/${c.id}/publications`,
          (p) => t('campaigns.published', { number: fmtInteger(p.number), countries: fmtInteger(p.countries.length) }),
          {},
        ),
      ),
    )
  }
  if (runs && c.state === 'published') {
    const noteId = `note-${c.id}`
    action(t('campaigns.correct'), () => {
      const note = h('textarea', { id: noteId, required: true, maxlength: 4000, rows: 3 })
      confirmThen(
        tr,
        t('campaigns.confirmCorrect', { title: c.title, validated: fmtInteger(c.validated) }),
        t('campaigns.yesCorrect'),
        () => {
          if (!note.value.trim()) {
            clear(status, message('error', t('campaigns.noteNeeded')))
            note.focus()
            return
          }
          act(`/campaigns/${c.id}/publications`, (p) => t('campaigns.corrected', { number: fmtInteger(p.number), countries: fmtInteger(p.countries.length) }), {
            note: note.value.trim(),
          })
        },
        h('div', { class: 'field' }, h('label', { for: noteId }, t('campaigns.noteLabel')), note),
      )
    })
  }
  // Made once the actions are known: h() takes its children as they are when it is called.
  const tr = h(
    'tr',
    {},
    h('th', { scope: 'row' }, h('bdi', {}, c.title)),
    h('td', {}, `${c.questionnaire} v${c.version}`),
    h('td', {}, String(c.cycle)),
    h(
      'td',
      {},
      label('campaigns.state', c.state),
      latest ? h('p', { class: 'help' }, t('campaigns.latestPublication', { number: fmtInteger(latest.number), date: fmtDateTime(latest.publishedAt) })) : null,
    ),
    h('td', {}, fmtDateTime(c.deadline)),
    h('td', {}, t('campaigns.progress', { submitted: fmtInteger(c.submitted), invited: fmtInteger(c.invited), validated: fmtInteger(c.validated) })),
    h('td', {}, actions),
  )
  return tr
}

async function refresh() {
  try {
    const { items } = await api('/campaigns')
    const published = items.filter((c) => c.state === 'published')
    const latest = new Map(await mapLimit(published, 4, async (c) => [c.id, (await api(`/campaigns/${c.id}/publications`)).items.at(-1)]))
    clear(tbody, ...(items.length ? items.map((c) => row(c, latest.get(c.id))) : [h('tr', {}, h('td', { colspan: 7 }, t('campaigns.none')))]))
  } catch (error) {
    clear(status, message('error', problemText(error)))
  }
}

function field(id, text, control, help) {
  return h('div', { class: 'field' }, h('label', { for: id }, text), control, help ? h('p', { class: 'help', id: `${id}-help` }, help) : null)
}

async function createForm() {
  const { items: questionnaires } = await api('/questionnaires')
  const latest = (q) => q.versions[q.versions.length - 1].version
  const questionnaire = h(
    'select',
    { id: 'c-questionnaire' },
    questionnaires.map((q) => h('option', { value: q.id }, q.id)),
  )
  const version = h('input', { id: 'c-version', type: 'number', min: 1, required: true, value: latest(questionnaires[0]) })
  questionnaire.addEventListener('change', () => {
    version.value = latest(questionnaires.find((q) => q.id === questionnaire.value))
  })
  const year = new Date().getFullYear()
  const title = h('input', { id: 'c-title', required: true, maxlength: 200 })
  const cycle = h('input', { id: 'c-cycle', type: 'number', min: 2000, max: 2100, required: true, value: year + 1 })
  const opensAt = h('input', { id: 'c-opens', type: 'date', required: true })
  const deadline = h('input', { id: 'c-deadline', type: 'date', required: true })
  const scope = h(
    'select',
    { id: 'c-scope' },
    ['all', 'region', 'list'].map((v) => h('option', { value: v }, t(`campaigns.new.scope.${v}`))),
  )
  const region = h(
    'select',
    { id: 'c-region' },
    ['Africa', 'Americas', 'Arab States', 'Asia-Pacific', 'CIS', 'Europe'].map((r) => h('option', { value: r }, regionName(r))),
  )
  const list = h('input', { id: 'c-list', dir: 'ltr', spellcheck: 'false', 'aria-describedby': 'c-list-help' })
  const allowLate = h('input', { id: 'c-late', type: 'checkbox', checked: true })
  const reminders = h('input', { id: 'c-reminders', dir: 'ltr', value: '14, 3', 'aria-describedby': 'c-reminders-help' })
  const regionField = field('c-region', t('campaigns.new.region'), region)
  const listField = field('c-list', t('campaigns.new.list'), list, t('campaigns.new.listHelp'))
  const sync = () => {
    regionField.hidden = scope.value !== 'region'
    listField.hidden = scope.value !== 'list'
  }
  scope.addEventListener('change', sync)
  sync()
  const formStatus = h('div', { 'aria-live': 'polite' })
  const form = h(
    'form',
    { class: 'card' },
    h('h2', {}, t('campaigns.new.heading')),
    field('c-title', t('campaigns.new.title'), title),
    field('c-questionnaire', t('campaigns.new.questionnaire'), questionnaire),
    field('c-version', t('campaigns.new.version'), version),
    field('c-cycle', t('campaigns.new.cycle'), cycle),
    field('c-opens', t('campaigns.new.opensAt'), opensAt),
    field('c-deadline', t('campaigns.new.deadline'), deadline, t('campaigns.new.deadlineHelp')),
    field('c-scope', t('campaigns.new.countries'), scope),
    regionField,
    listField,
    h('div', { class: 'check' }, allowLate, ' ', h('label', { for: 'c-late' }, t('campaigns.new.allowLate'))),
    field('c-reminders', t('campaigns.new.reminders'), reminders, t('campaigns.new.remindersHelp')),
    h('button', { type: 'submit', class: 'primary' }, t('campaigns.new.submit')),
    formStatus,
  )
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    const countries =
      scope.value === 'all'
        ? 'all'
        : scope.value === 'region'
          ? { region: region.value }
          : list.value
              .split(/[\s,;]+/)
              .filter(Boolean)
              .map((c) => c.toUpperCase())
    const body = {
      questionnaire: questionnaire.value,
      version: Number(version.value),
      cycle: Number(cycle.value),
      title: title.value.trim(),
      // A deadline date means the end of that day (UTC), the opening date its start.
      opensAt: opensAt.value ? `${opensAt.value}T00:00:00Z` : '',
      deadline: deadline.value ? `${deadline.value}T23:59:59Z` : '',
      countries,
      allowLate: allowLate.checked,
      reminderDays: reminders.value
        .split(/[\s,;]+/)
        .filter(Boolean)
        .map(Number),
    }
    try {
      await api('/campaigns', { method: 'POST', body })
      clear(formStatus, message('success', t('campaigns.created')))
      form.reset()
      sync()
      await refresh()
    } catch (error) {
      clear(formStatus, message('error', problemText(error)))
    }
  })
  return form
}

const table = h(
  'table',
  { class: 'data' },
  h('caption', {}, t('campaigns.caption')),
  h(
    'thead',
    {},
    h(
      'tr',
      {},
      ['title', 'questionnaire', 'cycle', 'state', 'deadline', 'progress', 'actions'].map((c) => h('th', { scope: 'col' }, t(`campaigns.col.${c}`))),
    ),
  ),
  tbody,
)
clear(
  main,
  h('h1', {}, t('campaigns.heading')),
  h('p', { class: 'lead' }, t('campaigns.lead')),
  status,
  h('div', { class: 'table-wrap' }, table),
  runs ? await createForm() : null,
)
await refresh()
