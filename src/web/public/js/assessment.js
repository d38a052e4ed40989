// One assessment: the questionnaire as sections per domain, answers saved as they are given.
//
// Each question keeps the ETag of the answer it last read. A save sends If-Match with it (or
// If-None-Match: * for a first answer); a 412 means someone else changed the answer meanwhile, and
// the question shows their answer beside ours with a choice: keep theirs, or overwrite with mine.
import { applicability } from './applies.js'
import { api, ApiError } from './api.js'
import { barChart } from './charts.js'
import { reviewPanel } from './review.js'
import { clear, debounce, fmtDate, frame, h, message, pct, requireSignIn, statusBadge, STATUS_LABELS } from './ui.js'

const main = document.getElementById('main')
const params = new URLSearchParams(location.search)
const id = params.get('id')
const me = await requireSignIn()
frame(me, { title: 'Assessment' })

const LANG_NAMES = { en: 'English', ar: 'العربية', es: 'Español', fr: 'Français', ru: 'Русский', zh: '中文' }
const FORCE = { shall: 'Shall – obligation', endeavour: 'Endeavour – best efforts', may: 'May – option', encouraged: 'Encouraged' }
const SPECIAL_LABELS = { not_applicable: 'Not applicable to my country', unknown: 'Unknown – we do not know yet' }

let detail = await api(`/assessments/${id}`)
const lang = params.get('lang') || 'en'
const versionUrl = `/questionnaires/${detail.questionnaire}/versions/${detail.version}`
const questionnaire = await api(`${versionUrl}?lang=${encodeURIComponent(lang)}`)
// The interface stays in English; the questionnaire's own texts take its language and direction.
const RTL = new Set(['ar'])

const questions = new Map()
for (const d of questionnaire.domains) for (const q of d.questions) questions.set(q.id, { ...q, domainTitle: d.title })
/** questionId → {value, special, comment, evidence, etag, revision, updatedByRole, carriedForward} */
const answers = new Map(detail.answers.map((a) => [a.questionId, a]))
const editable = me.role === 'administration' && detail.status === 'draft'
const blocks = new Map() // questionId → question UI
const domainTitle = new Map(questionnaire.domains.map((d) => [d.id, d.title]))
let pendingSaves = 0

// ---- answer values ---------------------------------------------------------------------------

function formatAnswer(q, a) {
  if (!a) return 'no answer'
  if (a.special) return SPECIAL_LABELS[a.special]
  const v = a.value
  switch (q.type) {
    case 'maturity':
      return `${v} – ${q.levels.find((l) => l.level === v)?.label ?? v}`
    case 'yes_no_partial':
    case 'single_choice':
      return q.options.find((o) => o.id === v)?.label ?? String(v)
    case 'multi_choice':
      return (v ?? []).map((x) => q.options.find((o) => o.id === x)?.label ?? x).join('; ')
    case 'number':
      return `${v}${q.unit ? ` ${q.unit}` : ''}`
    default:
      return String(v)
  }
}

// ---- one question ----------------------------------------------------------------------------

function questionBlock(q) {
  const base = `q-${q.id.replace(/[^a-zA-Z0-9_-]/g, '-')}`
  const state = { dirty: false }
  const statusEl = h('span', { class: 'save-status', id: `${base}-status`, 'aria-live': 'polite' })
  const conflictEl = h('div', { class: 'conflict', hidden: true })
  const legendId = `${base}-legend`

  // The value control, by type. read() → value or undefined (nothing valid to save); write(value).
  let control
  let read
  let write
  const name = `${base}-value`
  const radios = (options) => {
    const inputs = options.map((o) =>
      h('input', { type: 'radio', name, id: `${name}-${o.id}`, value: String(o.id), disabled: !editable }),
    )
    control = h(
      'div',
      { class: `choices ${q.type === 'maturity' ? 'ladder' : ''}`, role: 'radiogroup', 'aria-labelledby': legendId },
      options.map((o, i) =>
        h('label', { class: 'choice', for: `${name}-${o.id}` }, inputs[i], q.type === 'maturity' ? h('span', { class: 'level' }, String(o.id)) : null, h('span', {}, o.label)),
      ),
    )
    read = () => {
      const checked = inputs.find((i) => i.checked)
      if (!checked) return undefined
      return q.type === 'maturity' ? Number(checked.value) : checked.value
    }
    write = (v) => inputs.forEach((i) => (i.checked = v !== null && v !== undefined && i.value === String(v)))
    inputs.forEach((i) => i.addEventListener('change', () => changed(150)))
  }
  switch (q.type) {
    case 'maturity':
      radios(q.levels.map((l) => ({ id: l.level, label: l.label })))
      break
    case 'yes_no_partial':
    case 'single_choice':
      radios(q.options)
      break
    case 'multi_choice': {
      const inputs = q.options.map((o) => h('input', { type: 'checkbox', id: `${name}-${o.id}`, value: o.id, disabled: !editable }))
      control = h(
        'div',
        { class: 'choices', role: 'group', 'aria-labelledby': legendId },
        q.options.map((o, i) => h('label', { class: 'choice', for: `${name}-${o.id}` }, inputs[i], h('span', {}, o.label, o.exclusive ? h('em', { class: 'muted' }, ' (only on its own)') : ''))),
      )
      read = () => {
        const ids = inputs.filter((i) => i.checked).map((i) => i.value)
        return ids.length ? ids : undefined
      }
      write = (v) => inputs.forEach((i) => (i.checked = Array.isArray(v) && v.includes(i.value)))
      inputs.forEach((input, i) =>
        input.addEventListener('change', () => {
          if (input.checked && q.options[i].exclusive) inputs.forEach((o) => o !== input && (o.checked = false))
          if (input.checked && !q.options[i].exclusive) inputs.forEach((o, j) => q.options[j].exclusive && (o.checked = false))
          changed(600)
        }),
      )
      break
    }
    case 'number': {
      const input = h('input', {
        type: 'number',
        id: name,
        inputmode: q.integer ? 'numeric' : 'decimal',
        step: q.integer ? 1 : 'any',
        min: q.min ?? undefined,
        max: q.max ?? undefined,
        disabled: !editable,
        'aria-labelledby': legendId,
        'aria-describedby': `${base}-range`,
      })
      const range = [q.min !== null && q.min !== undefined ? `from ${q.min}` : '', q.max !== null && q.max !== undefined ? `to ${q.max}` : ''].filter(Boolean).join(' ')
      control = h(
        'div',
        { class: 'number-field' },
        input,
        q.unit ? h('span', { class: 'unit' }, q.unit) : null,
        h('span', { class: 'help', id: `${base}-range` }, `${q.integer ? 'A whole number' : 'A number'}${range ? ` ${range}` : ''}`),
      )
      read = () => (input.value === '' || !Number.isFinite(input.valueAsNumber) ? undefined : input.valueAsNumber)
      write = (v) => (input.value = v === null || v === undefined ? '' : String(v))
      input.addEventListener('input', () => changed(900))
      break
    }
    default: {
      const input = h('textarea', { id: name, rows: 4, maxlength: q.maxLength ?? 4000, disabled: !editable, 'aria-labelledby': legendId })
      control = input
      read = () => (input.value.trim() ? input.value : undefined)
      write = (v) => (input.value = v ?? '')
      input.addEventListener('input', () => changed(1200))
    }
  }

  // Special answers instead of a value.
  const allowed = [q.allowNotApplicable ? 'not_applicable' : null, q.allowUnknown ? 'unknown' : null].filter(Boolean)
  const specialInputs = allowed.map((sp) => h('input', { type: 'checkbox', id: `${base}-${sp}`, value: sp, disabled: !editable }))
  specialInputs.forEach((input) =>
    input.addEventListener('change', () => {
      if (input.checked) {
        specialInputs.forEach((o) => o !== input && (o.checked = false))
        write(null)
      }
      changed(150)
    }),
  )
  control.addEventListener('change', () => specialInputs.forEach((o) => (o.checked = false)))
  control.addEventListener('input', (e) => {
    if (e.target.value) specialInputs.forEach((o) => (o.checked = false))
  })
  const readSpecial = () => specialInputs.find((i) => i.checked)?.value ?? null

  // Comment and evidence links.
  const comment = h('textarea', { id: `${base}-comment`, rows: 2, maxlength: 4000, disabled: !editable })
  comment.addEventListener('input', () => changed(1200))
  const evidenceList = h('ul', { class: 'evidence-list' })
  const evidenceRows = []
  function addEvidence(item = { title: '', url: '' }, focus = false) {
    const n = evidenceRows.length + 1
    const title = h('input', { type: 'text', id: `${base}-ev-title-${n}`, value: item.title, maxlength: 300, disabled: !editable })
    const url = h('input', { type: 'url', id: `${base}-ev-url-${n}`, value: item.url, placeholder: 'https://', disabled: !editable })
    const row = { title, url }
    const li = h(
      'li',
      {},
      h('div', { class: 'field' }, h('label', { for: title.id }, `Document ${n} title`), title),
      h('div', { class: 'field' }, h('label', { for: url.id }, `Document ${n} address (URL)`), url),
      editable
        ? h('button', { type: 'button', class: 'link-button', onclick: () => { evidenceRows.splice(evidenceRows.indexOf(row), 1); li.remove(); changed(300) } }, `Remove document ${n}`)
        : null,
    )
    for (const el of [title, url]) el.addEventListener('input', () => changed(1200))
    evidenceRows.push(row)
    evidenceList.append(li)
    if (focus) title.focus()
  }
  const readEvidence = () =>
    evidenceRows.map((r) => ({ title: r.title.value.trim(), url: r.url.value.trim() })).filter((e) => e.title && /^https?:\/\/\S+$/i.test(e.url))

  const a = answers.get(q.id)
  if (a) {
    write(a.value)
    specialInputs.forEach((i) => (i.checked = a.special === i.value))
    comment.value = a.comment ?? ''
    for (const e of a.evidence ?? []) addEvidence(e)
  }

  const reviewComments = detail.comments.filter((c) => c.questionId === q.id)
  const fieldset = h(
    'fieldset',
    { class: 'question', id: base, dataset: { question: q.id } },
    h('legend', { id: legendId }, h('span', { class: 'q-text', dir: 'auto' }, q.text), q.required ? null : h('span', { class: 'muted' }, ' (optional)')),
    h(
      'p',
      { class: 'q-meta' },
      h('span', { class: `badge force-${q.force}` }, FORCE[q.force] ?? q.force),
      h('span', { class: 'source' }, `Source: ${q.source.ref}`),
      a?.carriedForward ? h('span', { class: 'badge carried' }, 'Carried forward – please confirm') : null,
    ),
    q.guidance ? h('details', { class: 'guidance' }, h('summary', {}, 'Guidance'), h('p', { dir: 'auto' }, q.guidance)) : null,
    reviewComments.map((c) => h('aside', { class: 'review-comment', 'aria-label': 'Review comment' }, h('strong', {}, `Review comment from ${c.author}: `), c.body, h('span', { class: 'muted' }, ` (${fmtDate(c.createdAt)})`))),
    control,
    specialInputs.length
      ? h('div', { class: 'specials' }, specialInputs.map((input) => h('label', { class: 'choice small', for: input.id }, input, h('span', {}, SPECIAL_LABELS[input.value], input.value === 'not_applicable' && q.notApplicableRequiresComment ? ' (say why in the comment)' : ''))))
      : null,
    h(
      'details',
      { class: 'extras', open: a?.comment || a?.evidence?.length ? true : undefined },
      h('summary', {}, 'Comment and evidence'),
      h('label', { for: comment.id }, 'Comment (optional)'),
      comment,
      h('p', { class: 'label-like' }, 'Evidence: documents that support this answer'),
      evidenceList,
      editable ? h('button', { type: 'button', class: 'secondary small', onclick: () => addEvidence(undefined, true) }, 'Add a document') : null,
    ),
    h('div', { class: 'q-footer' }, statusEl),
    conflictEl,
    me.role === 'staff' ? staffComment(q, base) : null,
  )

  function setStatus(kind, text) {
    statusEl.className = `save-status ${kind}`
    statusEl.textContent = text
  }
  if (a) setStatus('saved', `Saved ${fmtDate(a.updatedAt)}`)

  function body() {
    const special = readSpecial()
    const value = special ? undefined : read()
    if (!special && value === undefined) return null
    return special ? { special, comment: comment.value.trim() || null, evidence: readEvidence() } : { value, comment: comment.value.trim() || null, evidence: readEvidence() }
  }

  // One save at a time per question: a change made while a save is in flight is sent after it,
  // with the ETag that save returned (otherwise we would conflict with ourselves).
  let inflight = null
  let again = false
  async function save(force = false, ifMatch) {
    if (inflight) {
      again = true
      return inflight
    }
    inflight = saveNow(force, ifMatch)
    try {
      await inflight
    } finally {
      inflight = null
    }
    if (again) {
      again = false
      await save()
    }
  }

  async function saveNow(force = false, ifMatch) {
    const payload = body()
    if (!payload) {
      setStatus('pending', q.type === 'multi_choice' ? 'Not saved yet: select at least one option.' : 'Not saved yet: give an answer first.')
      return
    }
    const current = answers.get(q.id)
    const headers = {}
    if (ifMatch) headers['if-match'] = ifMatch
    else if (current) headers['if-match'] = current.etag
    else headers['if-none-match'] = '*'
    pendingSaves++
    setStatus('saving', 'Saving…')
    try {
      const result = await api(`/assessments/${detail.id}/answers/${encodeURIComponent(q.id)}`, { method: 'PUT', body: payload, headers })
      answers.set(q.id, result.answer)
      conflictEl.hidden = true
      setStatus('saved', `Saved ${new Date().toLocaleTimeString()}`)
      onAnswersChanged()
    } catch (error) {
      if (error instanceof ApiError && (error.status === 412 || error.status === 428)) {
        await showConflict(payload, error.problem)
      } else if (error instanceof ApiError && error.status === 422) {
        setStatus('failed', `Not saved: ${error.message}`)
      } else {
        setStatus('failed', `Not saved: ${error.message}`)
        conflictEl.hidden = false
        clear(conflictEl, h('button', { type: 'button', class: 'secondary small', onclick: () => save(force) }, 'Try again'))
      }
    } finally {
      pendingSaves--
      refreshSummary()
    }
  }
  const debounced = debounce(() => save(), 800)
  let delay = 800
  function changed(ms) {
    if (!editable) return
    state.dirty = true
    delay = ms
    setStatus('pending', 'Changed – saving shortly…')
    clearTimeout(changed.timer)
    changed.timer = setTimeout(() => debounced.flush(), delay)
    // Conditions follow the answers on screen at once, before the save completes.
    const payload = body()
    previewAnswers.set(q.id, payload ? { value: payload.value ?? null, special: payload.special ?? null } : undefined)
    updateVisibility()
  }

  async function showConflict(mine, problem) {
    let theirs = problem.current
    if (!theirs || theirs.value === undefined) {
      const fresh = await api(`/assessments/${detail.id}`)
      theirs = fresh.answers.find((x) => x.questionId === q.id) ?? null
    }
    setStatus('failed', 'Not saved: someone else changed this answer.')
    conflictEl.hidden = false
    const theirEtag = theirs?.etag ?? '"0"'
    clear(
      conflictEl,
      h('p', { role: 'alert' }, h('strong', {}, 'This answer was changed by someone else while you were editing. '), 'Choose which answer to keep.'),
      h('dl', { class: 'compare' }, h('dt', {}, 'Their answer'), h('dd', { class: 'theirs' }, formatAnswer(q, theirs)), h('dt', {}, 'Your answer'), h('dd', { class: 'mine' }, formatAnswer(q, mine))),
      h(
        'div',
        { class: 'button-row' },
        h(
          'button',
          {
            type: 'button',
            class: 'secondary',
            onclick: () => {
              if (theirs) {
                answers.set(q.id, { ...theirs, etag: theirEtag })
                write(theirs.value)
                specialInputs.forEach((i) => (i.checked = theirs.special === i.value))
                comment.value = theirs.comment ?? ''
              }
              previewAnswers.delete(q.id)
              conflictEl.hidden = true
              setStatus('saved', 'Kept their answer.')
              onAnswersChanged()
              fieldset.querySelector('input, textarea')?.focus()
            },
          },
          'Keep theirs',
        ),
        h('button', { type: 'button', class: 'primary', onclick: () => save(true, theirEtag) }, 'Overwrite with mine'),
      ),
    )
  }

  return { q, fieldset, setVisible: (v) => (fieldset.hidden = !v) }
}

/** Staff: a review comment on one question (shown to the administration beside the question). */
function staffComment(q, base) {
  const area = h('textarea', { id: `${base}-review`, rows: 2, maxlength: 4000 })
  const status = h('span', { class: 'save-status', 'aria-live': 'polite' })
  const list = h('div', {})
  const send = async () => {
    if (!area.value.trim()) return area.focus()
    try {
      const c = await api(`/assessments/${detail.id}/comments`, { method: 'POST', body: { questionId: q.id, body: area.value.trim() } })
      list.append(h('aside', { class: 'review-comment' }, h('strong', {}, `Review comment from ${c.author}: `), c.body))
      area.value = ''
      status.className = 'save-status saved'
      status.textContent = 'Comment added'
    } catch (error) {
      status.className = 'save-status failed'
      status.textContent = `Not added: ${error.message}`
    }
  }
  return h(
    'details',
    { class: 'extras' },
    h('summary', {}, 'Add a review comment on this question'),
    list,
    h('label', { for: area.id }, 'Review comment'),
    area,
    h('div', { class: 'button-row' }, h('button', { type: 'button', class: 'secondary small', onclick: send }, 'Add comment'), status),
  )
}

// ---- applicability, progress, missing ---------------------------------------------------------

const previewAnswers = new Map()
function currentAnswers() {
  const merged = new Map([...answers].map(([k, v]) => [k, { value: v.value, special: v.special }]))
  for (const [k, v] of previewAnswers) {
    if (v === undefined) merged.delete(k)
    else merged.set(k, v)
  }
  return merged
}
function updateVisibility() {
  const applies = applicability(questions, currentAnswers())
  for (const [qid, block] of blocks) block.setVisible(applies.get(qid) !== false)
}

const summary = h('div', { class: 'summary' })
const missingBox = h('div', { class: 'missing' })
const chartBox = h('div', { class: 'chart-box' })
const statusLine = h('p', { class: 'status-line' })
let review

function missingNow() {
  const applies = applicability(questions, currentAnswers())
  return [...questions.values()].filter((q) => q.required && applies.get(q.id) && !answers.has(q.id))
}

function refreshSummary() {
  const missing = missingNow()
  clear(statusLine, statusBadge(detail.status), ` Cycle ${detail.cycle} · version ${detail.version} of the questionnaire · ${detail.answered} of ${detail.applicable} questions answered`)
  clear(
    summary,
    h('h2', {}, 'Progress'),
    h(
      'ul',
      { class: 'domain-progress' },
      detail.domains.map((d) =>
        h(
          'li',
          {},
          h('a', { href: `#domain-${d.domain}`, lang: questionnaire.lang, dir: 'auto' }, domainTitle.get(d.domain) ?? d.title),
          h('progress', { max: d.applicable || 1, value: d.answered, 'aria-label': `${domainTitle.get(d.domain) ?? d.title}: ${d.answered} of ${d.applicable} answered` }),
          h('span', { class: 'muted' }, `${d.answered}/${d.applicable}`),
        ),
      ),
    ),
  )
  clear(
    missingBox,
    h('h2', {}, `Still missing (${missing.length})`),
    missing.length
      ? h('ul', {}, missing.map((q) => h('li', {}, h('a', { href: `#q-${q.id.replace(/[^a-zA-Z0-9_-]/g, '-')}` }, q.text.length > 90 ? `${q.text.slice(0, 88)}…` : q.text))))
      : h('p', {}, 'Every required question is answered.'),
  )
  clear(
    chartBox,
    h('h2', {}, 'Readiness by domain'),
    h('p', { class: 'help' }, `Overall: ${pct(detail.overallScore)} / 100${detail.tier ? ` (${detail.tier})` : ''}. Scores count answered questions; unanswered ones lower the coverage.`),
    barChart(detail.domains.map((d) => ({ label: domainTitle.get(d.domain) ?? d.title, value: d.score })), { title: 'Readiness score per domain, 0 to 100' }),
  )
  review?.refresh?.()
}

const refreshDetail = debounce(async () => {
  detail = await api(`/assessments/${detail.id}`)
  refreshSummary()
}, 700)

function onAnswersChanged() {
  updateVisibility()
  refreshSummary()
  refreshDetail()
}

// ---- language switch: languages in which the questionnaire has its own title ----------------

async function languageSwitch() {
  const langs = ['en', 'ar', 'es', 'fr', 'ru', 'zh']
  const english = lang === 'en' ? questionnaire : await api(`${versionUrl}?lang=en`)
  const found = await Promise.all(
    langs.map(async (l) => (l === 'en' || l === questionnaire.lang ? l : (await api(`${versionUrl}?lang=${l}`)).title !== english.title ? l : null)),
  )
  const available = found.filter(Boolean)
  if (available.length < 2) return null
  const select = h('select', { id: 'lang' }, available.map((l) => h('option', { value: l, selected: l === questionnaire.lang }, LANG_NAMES[l])))
  select.addEventListener('change', () => {
    const p = new URLSearchParams(location.search)
    p.set('lang', select.value)
    location.search = p.toString()
  })
  return h('div', { class: 'field inline' }, h('label', { for: 'lang' }, 'Language of the questionnaire'), select)
}

// ---- the page --------------------------------------------------------------------------------

const sections = questionnaire.domains.map((d) => {
  const qs = d.questions.map((q) => {
    const block = questionBlock(questions.get(q.id))
    blocks.set(q.id, block)
    return block.fieldset
  })
  return h('section', { class: 'domain', id: `domain-${d.id}`, 'aria-labelledby': `domain-${d.id}-h` }, h('h2', { id: `domain-${d.id}-h` }, d.title), h('p', { class: 'domain-desc', dir: 'auto' }, d.description), qs)
})

review = reviewPanel(detail, {
  onDone: () => location.reload(),
  blockers: () => {
    const why = []
    const n = missingNow().length
    if (n) why.push(`${n} required question${n === 1 ? ' is' : 's are'} not answered (see “Still missing”)`)
    if (pendingSaves) why.push('answers are still being saved')
    return why
  },
})
const generalComments = detail.comments.filter((c) => !c.questionId)
const notice = !editable
  ? message(
      'info',
      me.role === 'administration'
        ? detail.status === 'returned'
          ? 'ITU-D returned this assessment with comments. Reopen it to change answers.'
          : `This assessment is ${STATUS_LABELS[detail.status].toLowerCase()} and can no longer be changed.`
        : 'You are viewing this assessment as ITU-D staff: answers are read-only.',
    )
  : null

document.title = `${detail.countryName} ${detail.cycle} – Treaty readiness`
clear(
  main,
  h(
    'div',
    { class: 'page-head' },
    h('div', {}, h('p', { class: 'crumbs' }, h('a', { href: me.role === 'administration' ? 'assessments.html' : `country.html?code=${detail.country}&questionnaire=${detail.questionnaire}` }, me.role === 'administration' ? '← My assessments' : `← ${detail.countryName}`)), h('h1', {}, `${detail.countryName}: `, h('span', { lang: questionnaire.lang, dir: 'auto' }, questionnaire.title)), statusLine),
    await languageSwitch(),
  ),
  notice,
  generalComments.length
    ? h('section', { class: 'card review-comments', 'aria-labelledby': 'rc-h' }, h('h2', { id: 'rc-h' }, 'Review comments'), generalComments.map((c) => h('blockquote', {}, h('p', {}, c.body), h('footer', {}, `${c.author}, ${fmtDate(c.createdAt)}`))))
    : null,
  h(
    'div',
    { class: 'layout' },
    h('aside', { class: 'sidebar', 'aria-label': 'Progress and submission' }, summary, h('div', { class: 'card' }, h('h2', {}, 'Workflow'), review), missingBox),
    h('div', { class: 'questions' }, chartBox, h('div', { id: 'questionnaire-text', lang: questionnaire.lang, dir: RTL.has(questionnaire.lang) ? 'rtl' : 'ltr' }, sections)),
  ),
)
updateVisibility()
refreshSummary()
window.addEventListener('beforeunload', (e) => {
  if (pendingSaves) e.preventDefault()
})
