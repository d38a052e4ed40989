// One assessment: the questionnaire as sections per domain, answers saved as they are given.
//
// Each question keeps the ETag of the answer it last read. A save sends If-Match with it (or
// If-None-Match: * for a first answer); a 412 means someone else changed the answer meanwhile, and
// the question shows their answer beside ours with a choice: keep theirs, or overwrite with mine.
import { applicability } from './applies.js'
import { api, ApiError } from './api.js'
import { barChart } from './charts.js'
import { historySection } from './history.js'
import { reviewPanel } from './review.js'
import { clear, debounce, fmtDate, frame, h, message, pct, requireSignIn, setFlash, statusBadge, STATUS_LABELS, takeFlash } from './ui.js'

// Interface words added to this page since the catalogs were planned, kept together so they can
// move into them with the rest.
const T = {
  numberAllowed: (q) => {
    const kind = q.integer ? 'a whole number' : 'a number'
    const hasMin = q.min !== null && q.min !== undefined
    const hasMax = q.max !== null && q.max !== undefined
    if (hasMin && hasMax) return `${kind} from ${q.min} to ${q.max}`
    if (hasMin) return `${kind} of ${q.min} or more`
    if (hasMax) return `${kind} of ${q.max} or less`
    return kind
  },
  notANumber: (allowed) => `This is not a number. Give ${allowed}.`,
  notWhole: (v, allowed) => `${v} is not a whole number. Give ${allowed}.`,
  tooSmall: (v, allowed) => `${v} is too small. Give ${allowed}.`,
  tooLarge: (v, allowed) => `${v} is too large. Give ${allowed}.`,
  notSavedSeeField: 'Not saved: see the message beside the field.',
  evidenceNoTitle: (n) => `document ${n} has no title`,
  evidenceNoUrl: (n) => `document ${n} has no address (URL)`,
  evidenceBadUrl: (n, url) => `document ${n}: “${url}” is not a web address (it should look like https://www.example.org/law.pdf)`,
  notSaved: (why) => `Not saved: ${why}.`,
  confirmOne: 'Confirm this answer',
  confirmed: 'Confirmed',
  confirmDomain: (n) => `Confirm all ${n} carried-forward answer${n === 1 ? '' : 's'} in this domain`,
  confirmDomainHelp: (n) => `${n} answer${n === 1 ? '' : 's'} in this domain ${n === 1 ? 'was' : 'were'} copied from the previous cycle. Check them above, change what is no longer true, then confirm the rest here.`,
  confirming: 'Confirming…',
  confirmFailed: (why) => `Not confirmed: ${why}`,
  toConfirm: (n) => `To confirm (${n})`,
  statusUnconfirmed: (n) => `, ${n} of them carried forward and not confirmed yet`,
  allConfirmed: 'Every answer carried forward from the previous cycle is confirmed or changed.',
  blockedUnconfirmed: (n) => `${n} answer${n === 1 ? '' : 's'} carried forward from the previous cycle ${n === 1 ? 'is' : 'are'} not confirmed (see “To confirm”)`,
  firstMissing: 'Go to the first missing question',
  allMissing: (n) => `See all ${n} missing question${n === 1 ? '' : 's'}`,
  firstUnconfirmed: 'Go to the first answer to confirm',
  allUnconfirmed: (n) => `See all ${n} answer${n === 1 ? '' : 's'} to confirm`,
}

const main = document.getElementById('main')
const params = new URLSearchParams(location.search)
const id = params.get('id')
const me = await requireSignIn()
frame(me, { title: 'Assessment' })

const LANG_NAMES = { en: 'English', ar: 'العربية', es: 'Español', fr: 'Français', ru: 'Русский', zh: '中文' }
const FORCE = { shall: 'Shall – obligation', endeavour: 'Endeavour – best efforts', may: 'May – option', encouraged: 'Encouraged' }
const SPECIAL_LABELS = { not_applicable: 'Not applicable to my country', unknown: 'Unknown – we do not know yet' }

let detail = await api(`/assessments/${id}`)
const versionUrl = `/questionnaires/${detail.questionnaire}/versions/${detail.version}`
// The language list is small and carries, per language, the digest that addresses its texts: the
// questionnaire itself then comes once, and from the browser's cache on later visits.
const { items: languages } = await api(`${versionUrl}/languages`)
const wanted = languages.find((l) => l.lang === (params.get('lang') || 'en')) ?? languages.find((l) => l.lang === 'en')
const questionnaire = await api(`${versionUrl}?lang=${wanted.lang}&digest=${wanted.digest}`)
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

/** An http(s) address with a host, as the API accepts it. */
function isWebAddress(text) {
  try {
    const url = new URL(text)
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname.length > 0
  } catch {
    return false
  }
}

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
  let valueProblem = () => null
  let valueInput = null
  // Read with the field (aria-describedby); the save status, a live region, says to look there.
  const valueError = h('p', { class: 'field-error', id: `${base}-error`, hidden: true })
  function showValueError(text) {
    valueError.hidden = !text
    valueError.textContent = text ?? ''
    if (!valueInput) return
    if (text) valueInput.setAttribute('aria-invalid', 'true')
    else valueInput.removeAttribute('aria-invalid')
  }
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
        'aria-describedby': `${base}-range ${base}-error`,
      })
      const allowed = T.numberAllowed(q)
      control = h(
        'div',
        { class: 'number-field' },
        input,
        q.unit ? h('span', { class: 'unit' }, q.unit) : null,
        h('span', { class: 'help', id: `${base}-range` }, allowed[0].toUpperCase() + allowed.slice(1)),
      )
      read = () => (input.value === '' || !Number.isFinite(input.valueAsNumber) ? undefined : input.valueAsNumber)
      write = (v) => (input.value = v === null || v === undefined ? '' : String(v))
      // What the question allows, said beside the field as soon as a number falls outside it.
      valueProblem = () => {
        if (input.validity.badInput) return T.notANumber(allowed)
        const v = read()
        if (v === undefined) return null
        if (q.integer && !Number.isInteger(v)) return T.notWhole(input.value, allowed)
        if (q.min !== null && q.min !== undefined && v < q.min) return T.tooSmall(input.value, allowed)
        if (q.max !== null && q.max !== undefined && v > q.max) return T.tooLarge(input.value, allowed)
        return null
      }
      valueInput = input
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
    const error = h('p', { class: 'field-error', id: `${url.id}-error`, hidden: true })
    url.setAttribute('aria-describedby', error.id)
    const row = { title, url, error }
    const li = h(
      'li',
      {},
      h('div', { class: 'field' }, h('label', { for: title.id }, `Document ${n} title`), title),
      h('div', { class: 'field' }, h('label', { for: url.id }, `Document ${n} address (URL)`), url, error),
      editable
        ? h('button', { type: 'button', class: 'link-button', onclick: () => { evidenceRows.splice(evidenceRows.indexOf(row), 1); li.remove(); changed(300) } }, `Remove document ${n}`)
        : null,
    )
    for (const el of [title, url]) el.addEventListener('input', () => changed(1200))
    evidenceRows.push(row)
    evidenceList.append(li)
    if (focus) title.focus()
  }
  /**
   * The evidence as it will be stored, or the first problem. An address typed without its scheme
   * (www.parliament.go.tz/c.pdf) gets https:// in the field itself, so what is shown is what is saved;
   * anything else that is not a web address is refused here, never dropped in silence.
   */
  function readEvidence() {
    const items = []
    let problem = null
    evidenceRows.forEach((r, i) => {
      const n = i + 1
      const title = r.title.value.trim()
      let url = r.url.value.trim()
      let rowProblem = null
      if (title || url) {
        if (url && !/^[a-z][a-z0-9+.-]*:/i.test(url) && /^[^\s/:@]+\.[^\s/:@]+(:\d+)?(\/\S*)?$/.test(url)) {
          url = `https://${url}`
          r.url.value = url
        }
        if (!url) rowProblem = T.evidenceNoUrl(n)
        else if (!isWebAddress(url)) rowProblem = T.evidenceBadUrl(n, url)
        else if (!title) rowProblem = T.evidenceNoTitle(n)
      }
      r.error.hidden = !rowProblem
      r.error.textContent = rowProblem ?? ''
      if (rowProblem) r.url.setAttribute('aria-invalid', 'true')
      else r.url.removeAttribute('aria-invalid')
      problem ??= rowProblem
      if (!rowProblem && title) items.push({ title, url })
    })
    return { items, problem }
  }

  const a = answers.get(q.id)
  if (a) {
    write(a.value)
    specialInputs.forEach((i) => (i.checked = a.special === i.value))
    comment.value = a.comment ?? ''
    for (const e of a.evidence ?? []) addEvidence(e)
  }

  // "Carried forward – please confirm", with a button that confirms this one answer (saves it again).
  const carriedBox = h('span', { class: 'carried-box' })
  function refreshCarried() {
    const current = answers.get(q.id)
    clear(
      carriedBox,
      current?.carriedForward ? h('span', { class: 'badge carried' }, 'Carried forward – please confirm') : null,
      current?.carriedForward && editable ? h('button', { type: 'button', class: 'secondary small', onclick: () => save() }, T.confirmOne) : null,
    )
  }
  refreshCarried()

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
      carriedBox,
    ),
    q.guidance ? h('details', { class: 'guidance' }, h('summary', {}, 'Guidance'), h('p', { dir: 'auto' }, q.guidance)) : null,
    reviewComments.map((c) => h('aside', { class: 'review-comment', 'aria-label': 'Review comment' }, h('strong', {}, `Review comment from ${c.author}: `), c.body, h('span', { class: 'muted' }, ` (${fmtDate(c.createdAt)})`))),
    control,
    valueError,
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
    const evidence = readEvidence().items
    return special ? { special, comment: comment.value.trim() || null, evidence } : { value, comment: comment.value.trim() || null, evidence }
  }

  /** Why what is on screen cannot be saved as it stands (said beside the field too), or null. */
  function problem() {
    const value = readSpecial() ? null : valueProblem()
    showValueError(value)
    if (value) return T.notSavedSeeField
    const evidence = readEvidence().problem
    return evidence ? T.notSaved(evidence) : null
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
    const refused = problem()
    if (refused) {
      setStatus('failed', refused)
      return
    }
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
      refreshCarried()
      onAnswersChanged()
    } catch (error) {
      if (error instanceof ApiError && (error.status === 412 || error.status === 428)) {
        await showConflict(payload, error.problem)
      } else if (error instanceof ApiError && (error.status === 422 || error.status === 400)) {
        // The server's own words on what is wrong, beside the field (without the question id it repeats).
        const first = error.problem.errors?.[0]?.message?.replace(/^[\w.-]+: /, '')
        showValueError(first ?? null)
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
    // A number outside what is allowed is said at once, not after the save delay.
    const issue = readSpecial() ? null : valueProblem()
    showValueError(issue)
    if (issue) setStatus('failed', T.notSavedSeeField)
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
              refreshCarried()
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

  return {
    q,
    fieldset,
    setVisible: (v) => (fieldset.hidden = !v),
    /** After a confirmation made for the whole domain. */
    confirmed(answer) {
      answers.set(q.id, answer)
      refreshCarried()
      setStatus('saved', T.confirmed)
    },
    focus() {
      fieldset.scrollIntoView({ block: 'start' })
      fieldset.querySelector('input:not([disabled]), textarea:not([disabled]), button')?.focus({ preventScroll: true })
    },
  }
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
const missingBox = h('div', { class: 'missing', id: 'missing-list', tabindex: '-1' })
const unconfirmedBox = h('div', { class: 'missing', id: 'unconfirmed-list', tabindex: '-1' })
const chartBox = h('div', { class: 'chart-box' })
const statusLine = h('p', { class: 'status-line' })
let review

function missingNow() {
  const applies = applicability(questions, currentAnswers())
  return [...questions.values()].filter((q) => q.required && applies.get(q.id) && !answers.has(q.id))
}

/** Answers carried forward from the previous cycle, not yet confirmed or changed, to questions that apply (as the API counts them). */
function unconfirmedNow() {
  const applies = applicability(questions, currentAnswers())
  return [...questions.values()].filter((q) => applies.get(q.id) && answers.get(q.id)?.carriedForward)
}

const anchor = (q) => `#q-${q.id.replace(/[^a-zA-Z0-9_-]/g, '-')}`
const shortText = (q) => (q.text.length > 90 ? `${q.text.slice(0, 88)}…` : q.text)
/** A link to a question that also moves the keyboard focus into it. */
function questionLink(q, text) {
  return h(
    'a',
    {
      href: anchor(q),
      onclick: (e) => {
        e.preventDefault()
        blocks.get(q.id)?.focus()
      },
    },
    text,
  )
}
/** A link to one of the side lists, which takes the focus. */
function listLink(box, text) {
  return h(
    'a',
    {
      href: `#${box.id}`,
      onclick: (e) => {
        e.preventDefault()
        box.scrollIntoView({ block: 'start' })
        box.focus({ preventScroll: true })
      },
    },
    text,
  )
}

function refreshSummary() {
  const missing = missingNow()
  const toConfirm = unconfirmedNow().length
  clear(
    statusLine,
    statusBadge(detail.status),
    ` Cycle ${detail.cycle} · version ${detail.version} of the questionnaire · ${detail.answered} of ${detail.applicable} questions answered`,
    toConfirm ? T.statusUnconfirmed(toConfirm) : '',
  )
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
    missing.length ? h('ul', {}, missing.map((q) => h('li', {}, questionLink(q, shortText(q))))) : h('p', {}, 'Every required question is answered.'),
  )
  const unconfirmed = unconfirmedNow()
  unconfirmedBox.hidden = !detail.carriedFrom && !unconfirmed.length
  clear(
    unconfirmedBox,
    h('h2', {}, T.toConfirm(unconfirmed.length)),
    unconfirmed.length ? h('ul', {}, unconfirmed.map((q) => h('li', {}, questionLink(q, shortText(q))))) : h('p', {}, T.allConfirmed),
  )
  for (const footer of domainFooters) footer.refresh()
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

function languageSwitch() {
  const available = languages.filter((l) => l.translated || l.lang === questionnaire.lang).map((l) => l.lang)
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

/**
 * Under a domain's questions (so they are seen first): "confirm all" for the answers carried forward
 * in that domain. One PATCH with each answer as it stands and its ETag: all or nothing, and a change
 * made meanwhile elsewhere (412) is not confirmed blindly.
 */
const domainFooters = []
function domainFooter(d) {
  const box = h('div', { class: 'domain-confirm', 'aria-live': 'polite' })
  const status = h('p', { class: 'save-status' })
  const pending = () => d.questions.map((q) => questions.get(q.id)).filter((q) => unconfirmedNow().includes(q))
  async function confirmAll() {
    const list = pending()
    clear(status, T.confirming)
    status.className = 'save-status saving'
    pendingSaves++
    try {
      const items = list.map((q) => {
        const a = answers.get(q.id)
        return { questionId: q.id, ...(a.special ? { special: a.special } : { value: a.value }), ifMatch: a.etag }
      })
      const result = await api(`/assessments/${detail.id}/answers`, { method: 'PATCH', body: { answers: items } })
      for (const a of result.answers) blocks.get(a.questionId)?.confirmed(a)
      status.textContent = ''
      onAnswersChanged()
    } catch (error) {
      status.className = 'save-status failed'
      status.textContent = T.confirmFailed(error.message)
      if (error instanceof ApiError && (error.status === 412 || error.status === 428)) refreshDetail.flush()
    } finally {
      pendingSaves--
      refreshSummary()
    }
  }
  box.refresh = () => {
    const n = editable ? pending().length : 0
    box.hidden = n === 0 && !status.textContent
    clear(box, n ? [h('p', { class: 'help' }, T.confirmDomainHelp(n)), h('button', { type: 'button', class: 'secondary confirm-domain', onclick: confirmAll }, T.confirmDomain(n))] : null, status)
  }
  domainFooters.push(box)
  return box
}

const sections = questionnaire.domains.map((d) => {
  const qs = d.questions.map((q) => {
    const block = questionBlock(questions.get(q.id))
    blocks.set(q.id, block)
    return block.fieldset
  })
  return h(
    'section',
    { class: 'domain', id: `domain-${d.id}`, 'aria-labelledby': `domain-${d.id}-h` },
    h('h2', { id: `domain-${d.id}-h` }, d.title),
    h('p', { class: 'domain-desc', dir: 'auto' }, d.description),
    qs,
    domainFooter(d),
  )
})

review = reviewPanel(detail, {
  onDone: (_row, text) => {
    setFlash(text)
    location.reload()
  },
  blockers: () => {
    const why = []
    const n = missingNow().length
    if (n) why.push(`${n} required question${n === 1 ? ' is' : 's are'} not answered (see “Still missing”)`)
    const c = unconfirmedNow().length
    if (c) why.push(T.blockedUnconfirmed(c))
    if (pendingSaves) why.push('answers are still being saved')
    return why
  },
  // What stands in the way, one step away: the first question to deal with, and the whole list.
  leads: () => {
    const missing = missingNow()
    const unconfirmed = unconfirmedNow()
    return [
      missing.length ? questionLink(missing[0], T.firstMissing) : null,
      missing.length ? listLink(missingBox, T.allMissing(missing.length)) : null,
      unconfirmed.length ? questionLink(unconfirmed[0], T.firstUnconfirmed) : null,
      unconfirmed.length ? listLink(unconfirmedBox, T.allUnconfirmed(unconfirmed.length)) : null,
    ].filter(Boolean)
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
    languageSwitch(),
  ),
  takeFlash(),
  notice,
  generalComments.length
    ? h('section', { class: 'card review-comments', 'aria-labelledby': 'rc-h' }, h('h2', { id: 'rc-h' }, 'Review comments'), generalComments.map((c) => h('blockquote', {}, h('p', {}, c.body), h('footer', {}, `${c.author}, ${fmtDate(c.createdAt)}`))))
    : null,
  h(
    'div',
    { class: 'layout' },
    h('aside', { class: 'sidebar', 'aria-label': 'Progress and submission' }, h('div', { class: 'card' }, h('h2', {}, 'Workflow'), review), missingBox, unconfirmedBox, summary),
    h(
      'div',
      { class: 'questions' },
      chartBox,
      h('div', { id: 'questionnaire-text', lang: questionnaire.lang, dir: RTL.has(questionnaire.lang) ? 'rtl' : 'ltr' }, sections),
      historySection(detail.transitions),
    ),
  ),
)
updateVisibility()
refreshSummary()
window.addEventListener('beforeunload', (e) => {
  if (pendingSaves) e.preventDefault()
})
