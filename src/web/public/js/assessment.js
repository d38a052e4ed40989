// One assessment: the questionnaire as sections per domain, answers saved as they are given.
//
// Each question keeps the ETag of the answer it last read. A save sends If-Match with it (or
// If-None-Match: * for a first answer); a 412 means someone else changed the answer meanwhile, and
// the question shows their answer beside ours with a choice: keep theirs, or overwrite with mine.
// Edits not yet saved are also kept in sessionStorage (reauth.js): when the session ends, the page
// asks the person to sign in again in place and then sends them, with the ETag they were made on.
import { applicability } from './applies.js'
import { api, ApiError } from './api.js'
import { barChart } from './charts.js'
import { historySection } from './history.js'
import { evidenceOf } from './evidence.js'
import { signInAgain, unsentStore } from './reauth.js'
import { trailSection } from './trail.js'
import { reviewPanel } from './review.js'
import { fmtList, fmtNumber, fmtTime, foreign, lang, t, tParts } from './i18n.js'
import {
  clear,
  countryName,
  debounce,
  fmtDate,
  frame,
  h,
  loadCountryNames,
  message,
  pct,
  problemText,
  requireSignIn,
  setFlash,
  statusBadge,
  takeFlash,
} from './ui.js'

/** What a number question accepts, as words to put in a sentence ("a whole number from 0 to 10"). */
function numberAllowed(q) {
  const hasMin = q.min !== null && q.min !== undefined
  const hasMax = q.max !== null && q.max !== undefined
  const key =
    hasMin && hasMax
      ? 'assessment.number.allowedRange'
      : hasMin
        ? 'assessment.number.allowedMin'
        : hasMax
          ? 'assessment.number.allowedMax'
          : 'assessment.number.allowed'
  return t(key, { kind: q.integer ? 'integer' : 'decimal', min: hasMin ? fmtNumber(q.min) : '', max: hasMax ? fmtNumber(q.max) : '' })
}
/** The same, as the sentence beside the field ("A whole number from 0 to 10"). */
function numberHelp(q) {
  const hasMin = q.min !== null && q.min !== undefined
  const hasMax = q.max !== null && q.max !== undefined
  const key =
    hasMin && hasMax ? 'assessment.number.helpRange' : hasMin ? 'assessment.number.helpMin' : hasMax ? 'assessment.number.helpMax' : 'assessment.number.help'
  return t(key, { kind: q.integer ? 'integer' : 'decimal', min: hasMin ? fmtNumber(q.min) : '', max: hasMax ? fmtNumber(q.max) : '' })
}

const main = document.getElementById('main')
const params = new URLSearchParams(location.search)
const id = params.get('id')
const me = await requireSignIn()
frame(me, { title: t('assessment.pageTitle') })

const specialLabel = (special) => t(`special.${special}`)

let detail = await api(`/assessments/${id}`)
await loadCountryNames()
const country = countryName(detail.country, detail.countryName)
const versionUrl = `/questionnaires/${detail.questionnaire}/versions/${detail.version}`
// The language list is small and carries, per language, the digest that addresses its texts: the
// questionnaire itself then comes once, in the page's language, and from the browser's cache on
// later visits. Its texts not yet translated come in English and are listed (JSON Pointers), so
// each sits in an element of its own language and direction.
const { items: languages } = await api(`${versionUrl}/languages`)
const wanted = languages.find((l) => l.lang === lang) ?? languages.find((l) => l.lang === 'en')
const questionnaire = await api(`${versionUrl}?lang=${wanted.lang}&digest=${wanted.digest}`)
const fallbacks = new Set(questionnaire.fallbacks ?? [])
const textAttrs = (pointer) => (fallbacks.has(pointer) ? foreign('en') : {})
/** Beside a question's or a domain's own text in English: says so, in the page's language. */
const untranslated = (pointer) => (fallbacks.has(pointer) ? h('span', { class: 'badge untranslated' }, t('language.notTranslatedShort')) : null)

const questions = new Map()
/** question id → its JSON Pointer in the questionnaire response */
const pointerOf = new Map()
questionnaire.domains.forEach((d, di) => {
  d.questions.forEach((q, qi) => {
    questions.set(q.id, { ...q, domainTitle: d.title })
    pointerOf.set(q.id, `/domains/${di}/questions/${qi}`)
  })
})
/** questionId → {value, special, comment, evidence, etag, revision, updatedByRole, carriedForward} */
const answers = new Map(detail.answers.map((a) => [a.questionId, a]))
const editable = me.role === 'administration' && detail.status === 'draft'
const evidence = await evidenceOf(detail, me)
const blocks = new Map() // questionId → question UI
const domainTitle = new Map(questionnaire.domains.map((d) => [d.id, d.title]))
const domainAttrs = new Map(questionnaire.domains.map((d, di) => [d.id, textAttrs(`/domains/${di}/title`)]))
const tierLabel = (tier) => questionnaire.scoring.tiers.find((x) => x.id === tier)?.label ?? tier
let pendingSaves = 0
const unsent = unsentStore(`tr-unsent:${me.personId}:${detail.id}`)

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
  if (!a) return t('assessment.noAnswer')
  if (a.special) return specialLabel(a.special)
  const v = a.value
  switch (q.type) {
    case 'maturity':
      return `${fmtNumber(v)} – ${q.levels.find((l) => l.level === v)?.label ?? v}`
    case 'yes_no_partial':
    case 'single_choice':
      return q.options.find((o) => o.id === v)?.label ?? String(v)
    case 'multi_choice':
      return fmtList((v ?? []).map((x) => q.options.find((o) => o.id === x)?.label ?? x))
    case 'number':
      return `${fmtNumber(v)}${q.unit ? ` ${q.unit}` : ''}`
    default:
      return String(v)
  }
}

// ---- one question ----------------------------------------------------------------------------

function questionBlock(q) {
  const base = `q-${q.id.replace(/[^a-zA-Z0-9_-]/g, '-')}`
  const at = pointerOf.get(q.id)
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
  /** textLang: the language of `text` when it is the server's own (English) words. */
  function showValueError(text, textLang) {
    valueError.hidden = !text
    valueError.textContent = text ?? ''
    for (const [k, v] of Object.entries({ lang: undefined, dir: undefined, ...(textLang ? foreign(textLang) : {}) })) {
      if (v) valueError.setAttribute(k, v)
      else valueError.removeAttribute(k)
    }
    if (!valueInput) return
    if (text) valueInput.setAttribute('aria-invalid', 'true')
    else valueInput.removeAttribute('aria-invalid')
  }
  const name = `${base}-value`
  const radios = (options) => {
    const inputs = options.map((o) => h('input', { type: 'radio', name, id: `${name}-${o.id}`, value: String(o.id), disabled: !editable }))
    control = h(
      'div',
      { class: `choices ${q.type === 'maturity' ? 'ladder' : ''}`, role: 'radiogroup', 'aria-labelledby': legendId },
      options.map((o, i) =>
        h(
          'label',
          { class: 'choice', for: `${name}-${o.id}` },
          inputs[i],
          q.type === 'maturity' ? h('span', { class: 'level' }, fmtNumber(o.id)) : null,
          h('span', o.attrs ?? {}, o.label),
        ),
      ),
    )
    read = () => {
      const checked = inputs.find((i) => i.checked)
      if (!checked) return undefined
      return q.type === 'maturity' ? Number(checked.value) : checked.value
    }
    write = (v) => {
      for (const i of inputs) i.checked = v !== null && v !== undefined && i.value === String(v)
    }
    for (const i of inputs) i.addEventListener('change', () => changed(150))
  }
  switch (q.type) {
    case 'maturity':
      radios(q.levels.map((l, i) => ({ id: l.level, label: l.label, attrs: textAttrs(`${at}/levels/${i}/label`) })))
      break
    case 'yes_no_partial':
    case 'single_choice':
      radios(q.options.map((o, i) => ({ ...o, attrs: textAttrs(`${at}/options/${i}/label`) })))
      break
    case 'multi_choice': {
      const inputs = q.options.map((o) => h('input', { type: 'checkbox', id: `${name}-${o.id}`, value: o.id, disabled: !editable }))
      control = h(
        'div',
        { class: 'choices', role: 'group', 'aria-labelledby': legendId },
        q.options.map((o, i) =>
          h(
            'label',
            { class: 'choice', for: `${name}-${o.id}` },
            inputs[i],
            h(
              'span',
              {},
              h('span', textAttrs(`${at}/options/${i}/label`), o.label),
              o.exclusive ? h('em', { class: 'muted' }, ' ', t('assessment.exclusive')) : '',
            ),
          ),
        ),
      )
      read = () => {
        const ids = inputs.filter((i) => i.checked).map((i) => i.value)
        return ids.length ? ids : undefined
      }
      write = (v) => {
        for (const i of inputs) i.checked = Array.isArray(v) && v.includes(i.value)
      }
      inputs.forEach((input, i) => {
        input.addEventListener('change', () => {
          if (input.checked && q.options[i].exclusive) for (const o of inputs) if (o !== input) o.checked = false
          if (input.checked && !q.options[i].exclusive) {
            inputs.forEach((o, j) => {
              if (q.options[j].exclusive) o.checked = false
            })
          }
          changed(600)
        })
      })
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
      const allowed = numberAllowed(q)
      control = h(
        'div',
        { class: 'number-field' },
        input,
        q.unit ? h('span', { class: 'unit', ...textAttrs(`${at}/unit`) }, q.unit) : null,
        h('span', { class: 'help', id: `${base}-range` }, numberHelp(q)),
      )
      read = () => (input.value === '' || !Number.isFinite(input.valueAsNumber) ? undefined : input.valueAsNumber)
      write = (v) => (input.value = v === null || v === undefined ? '' : String(v))
      // What the question allows, said beside the field as soon as a number falls outside it.
      valueProblem = () => {
        if (input.validity.badInput) return t('assessment.number.notANumber', { allowed })
        const v = read()
        if (v === undefined) return null
        if (q.integer && !Number.isInteger(v)) return t('assessment.number.notWhole', { value: input.value, allowed })
        if (q.min !== null && q.min !== undefined && v < q.min) return t('assessment.number.tooSmall', { value: input.value, allowed })
        if (q.max !== null && q.max !== undefined && v > q.max) return t('assessment.number.tooLarge', { value: input.value, allowed })
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
      write = (v) => {
        input.value = v ?? ''
      }
      input.addEventListener('input', () => changed(1200))
    }
  }

  // Special answers instead of a value.
  const allowed = [q.allowNotApplicable ? 'not_applicable' : null, q.allowUnknown ? 'unknown' : null].filter(Boolean)
  const specialInputs = allowed.map((sp) => h('input', { type: 'checkbox', id: `${base}-${sp}`, value: sp, disabled: !editable }))
  for (const input of specialInputs) {
    input.addEventListener('change', () => {
      if (input.checked) {
        for (const o of specialInputs) if (o !== input) o.checked = false
        write(null)
      }
      changed(150)
    })
  }
  control.addEventListener('change', () => {
    for (const o of specialInputs) o.checked = false
  })
  control.addEventListener('input', (e) => {
    if (e.target.value) for (const o of specialInputs) o.checked = false
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
      h('div', { class: 'field' }, h('label', { for: title.id }, t('assessment.evidence.title', { n })), title),
      h('div', { class: 'field' }, h('label', { for: url.id }, t('assessment.evidence.url', { n })), url, error),
      editable
        ? h(
            'button',
            {
              type: 'button',
              class: 'link-button',
              onclick: () => {
                evidenceRows.splice(evidenceRows.indexOf(row), 1)
                li.remove()
                changed(300)
              },
            },
            t('assessment.evidence.remove', { n }),
          )
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
        if (!url) rowProblem = t('assessment.evidence.noUrl', { n })
        else if (!isWebAddress(url)) rowProblem = t('assessment.evidence.badUrl', { n, url })
        else if (!title) rowProblem = t('assessment.evidence.noTitle', { n })
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
    for (const i of specialInputs) i.checked = a.special === i.value
    comment.value = a.comment ?? ''
    for (const e of a.evidence ?? []) addEvidence(e)
  }

  // "Carried forward – please confirm", with a button that confirms this one answer (saves it again).
  const carriedBox = h('span', { class: 'carried-box' })
  function refreshCarried() {
    const current = answers.get(q.id)
    clear(
      carriedBox,
      current?.carriedForward ? h('span', { class: 'badge carried' }, t('assessment.carried')) : null,
      current?.carriedForward && editable
        ? h('button', { type: 'button', class: 'secondary small', onclick: () => save() }, t('assessment.carried.confirm'))
        : null,
    )
  }
  refreshCarried()

  const reviewComments = detail.comments.filter((c) => c.questionId === q.id)
  const fieldset = h(
    'fieldset',
    { class: 'question', id: base, dataset: { question: q.id } },
    h(
      'legend',
      { id: legendId },
      h('span', { class: 'q-text', ...textAttrs(`${at}/text`) }, q.text),
      q.required ? null : h('span', { class: 'muted' }, ' ', t('assessment.optional')),
      ' ',
      untranslated(`${at}/text`),
    ),
    h(
      'p',
      { class: 'q-meta' },
      h('span', { class: `badge force-${q.force}` }, t(`force.${q.force}`)),
      // The reference is written as in the source document ("§3.2 bullet 2"): isolated.
      h('span', { class: 'source' }, tParts('assessment.source', { ref: h('bdi', {}, q.source.ref) })),
      carriedBox,
    ),
    q.guidance
      ? h('details', { class: 'guidance' }, h('summary', {}, t('assessment.guidance')), h('p', { dir: 'auto', ...textAttrs(`${at}/guidance`) }, q.guidance))
      : null,
    reviewComments.map((c) =>
      h(
        'aside',
        { class: 'review-comment', 'aria-label': t('assessment.reviewComment') },
        h('strong', {}, tParts('assessment.reviewFrom', { author: h('bdi', {}, c.author) }), ' '),
        h('bdi', {}, c.body),
        h('span', { class: 'muted' }, ` (${fmtDate(c.createdAt)})`),
      ),
    ),
    control,
    valueError,
    specialInputs.length
      ? h(
          'div',
          { class: 'specials' },
          specialInputs.map((input) =>
            h(
              'label',
              { class: 'choice small', for: input.id },
              input,
              h('span', {}, specialLabel(input.value), input.value === 'not_applicable' && q.notApplicableRequiresComment ? [' ', t('special.sayWhy')] : ''),
            ),
          ),
        )
      : null,
    h(
      'details',
      { class: 'extras', open: a?.comment || a?.evidence?.length || evidence.state.items.some((i) => i.questionId === q.id) ? true : undefined },
      h('summary', {}, t('assessment.extras')),
      h('label', { for: comment.id }, t('assessment.comment')),
      comment,
      h('p', { class: 'label-like' }, t('assessment.evidence')),
      evidenceList,
      editable ? h('button', { type: 'button', class: 'secondary small', onclick: () => addEvidence(undefined, true) }, t('assessment.evidence.add')) : null,
      evidence.section(q, base),
    ),
    h('div', { class: 'q-footer' }, statusEl),
    conflictEl,
    me.role === 'staff' ? staffComment(q, base) : null,
  )

  /** text: a string or the parts of one (a problem's isolated detail). */
  function setStatus(kind, text) {
    statusEl.className = `save-status ${kind}`
    clear(statusEl, text)
  }
  if (a) setStatus('saved', t('assessment.save.saved', { time: fmtDate(a.updatedAt) }))

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
    if (value) return t('assessment.save.seeField')
    const evidence = readEvidence().problem
    return evidence ? t('assessment.save.invalid', { reasons: evidence }) : null
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
      setStatus('pending', t(q.type === 'multi_choice' ? 'assessment.save.needOption' : 'assessment.save.needAnswer'))
      return
    }
    const current = answers.get(q.id)
    const headers = {}
    if (ifMatch) headers['if-match'] = ifMatch
    else if (current && ifMatch !== null) headers['if-match'] = current.etag
    else headers['if-none-match'] = '*'
    pendingSaves++
    setStatus('saving', t('assessment.save.saving'))
    try {
      const result = await api(`/assessments/${detail.id}/answers/${encodeURIComponent(q.id)}`, {
        method: 'PUT',
        body: payload,
        headers,
        redirectOn401: false,
      })
      answers.set(q.id, result.answer)
      unsent.settle(q.id, payload, result.answer.etag)
      conflictEl.hidden = true
      setStatus('saved', t('assessment.save.saved', { time: fmtTime(Date.now()) }))
      refreshCarried()
      onAnswersChanged()
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        // The session ended: keep the edit (also across a reload), sign in again here, send it then
        // with the same precondition, so a change made meanwhile still shows as a conflict.
        const basis = headers['if-match'] ?? null
        unsent.put(q.id, { body: body() ?? payload, ifMatch: basis })
        setStatus('failed', t('access.save.waiting'))
        await signInAgain(me)
        await saveNow(force, basis)
      } else if (error instanceof ApiError && (error.status === 412 || error.status === 428)) {
        await showConflict(payload, error.problem)
      } else if (error instanceof ApiError && (error.status === 422 || error.status === 400)) {
        // The server's own words on what is wrong, beside the field (without the question id it repeats).
        const first = error.problem.errors?.[0]?.message?.replace(/^[\w.-]+: /, '')
        showValueError(first ?? null, 'en')
        setStatus('failed', tParts('assessment.save.failed', { reason: h('span', {}, problemText(error)) }))
      } else {
        setStatus('failed', tParts('assessment.save.failed', { reason: h('span', {}, problemText(error)) }))
        conflictEl.hidden = false
        clear(conflictEl, h('button', { type: 'button', class: 'secondary small', onclick: () => save(force) }, t('assessment.save.retry')))
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
    setStatus('pending', t('assessment.save.pending'))
    clearTimeout(changed.timer)
    changed.timer = setTimeout(() => debounced.flush(), delay)
    // Conditions follow the answers on screen at once, before the save completes.
    const payload = body()
    // Kept until the server has it, with the ETag it was made on: a reload or an ended session loses nothing.
    const kept = unsent.all()[q.id]
    if (payload) unsent.put(q.id, { body: payload, ifMatch: kept ? kept.ifMatch : (answers.get(q.id)?.etag ?? null) })
    previewAnswers.set(q.id, payload ? { value: payload.value ?? null, special: payload.special ?? null } : undefined)
    updateVisibility()
    // A number outside what is allowed is said at once, not after the save delay.
    const issue = readSpecial() ? null : valueProblem()
    showValueError(issue)
    if (issue) setStatus('failed', t('assessment.save.seeField'))
  }

  async function showConflict(mine, problem) {
    let theirs = problem.current
    if (!theirs || theirs.value === undefined) {
      const fresh = await api(`/assessments/${detail.id}`)
      theirs = fresh.answers.find((x) => x.questionId === q.id) ?? null
    }
    setStatus('failed', t('assessment.conflict.status'))
    conflictEl.hidden = false
    const theirEtag = theirs?.etag ?? '"0"'
    clear(
      conflictEl,
      h('p', { role: 'alert' }, h('strong', {}, t('assessment.conflict.alert')), ' ', t('assessment.conflict.choose')),
      h(
        'dl',
        { class: 'compare' },
        h('dt', {}, t('assessment.conflict.theirs')),
        h('dd', { class: 'theirs' }, formatAnswer(q, theirs)),
        h('dt', {}, t('assessment.conflict.yours')),
        h('dd', { class: 'mine' }, formatAnswer(q, mine)),
      ),
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
                for (const i of specialInputs) i.checked = theirs.special === i.value
                comment.value = theirs.comment ?? ''
              }
              previewAnswers.delete(q.id)
              unsent.drop(q.id)
              refreshCarried()
              conflictEl.hidden = true
              setStatus('saved', t('assessment.save.keptTheirs'))
              onAnswersChanged()
              fieldset.querySelector('input, textarea')?.focus()
            },
          },
          t('assessment.conflict.keepTheirs'),
        ),
        h('button', { type: 'button', class: 'primary', onclick: () => save(true, theirEtag) }, t('assessment.conflict.overwrite')),
      ),
    )
  }

  return {
    q,
    fieldset,
    setVisible: (v) => (fieldset.hidden = !v),
    /** An edit kept from before a reload (or the sign-in page): shown again, then sent on the ETag it was made on. */
    restore(entry) {
      const kept = entry.body
      for (const i of specialInputs) i.checked = kept.special === i.value
      write(kept.special ? null : kept.value)
      comment.value = kept.comment ?? ''
      for (const row of [...evidenceList.children]) row.remove()
      evidenceRows.length = 0
      for (const e of kept.evidence ?? []) addEvidence(e)
      previewAnswers.set(q.id, { value: kept.value ?? null, special: kept.special ?? null })
      return save(false, entry.ifMatch)
    },
    /** After a confirmation made for the whole domain. */
    confirmed(answer) {
      answers.set(q.id, answer)
      refreshCarried()
      setStatus('saved', t('assessment.carried.confirmed'))
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
      list.append(
        h(
          'aside',
          { class: 'review-comment' },
          h('strong', {}, tParts('assessment.reviewFrom', { author: h('bdi', {}, c.author) }), ' '),
          h('bdi', {}, c.body),
        ),
      )
      area.value = ''
      status.className = 'save-status saved'
      status.textContent = t('assessment.staff.added')
    } catch (error) {
      status.className = 'save-status failed'
      clear(status, tParts('assessment.staff.failed', { reason: h('span', {}, problemText(error)) }))
    }
  }
  return h(
    'details',
    { class: 'extras' },
    h('summary', {}, t('assessment.staff.summary')),
    list,
    h('label', { for: area.id }, t('assessment.staff.label')),
    area,
    h('div', { class: 'button-row' }, h('button', { type: 'button', class: 'secondary small', onclick: send }, t('assessment.staff.add')), status),
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
const shortText = (q) => h('span', textAttrs(`${pointerOf.get(q.id)}/text`), q.text.length > 90 ? `${q.text.slice(0, 88)}…` : q.text)
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
  const counts = { cycle: String(detail.cycle), version: detail.version, answered: detail.answered, applicable: detail.applicable, unconfirmed: toConfirm }
  clear(statusLine, statusBadge(detail.status), ' ', t(toConfirm ? 'assessment.statusLineUnconfirmed' : 'assessment.statusLine', counts))
  clear(
    summary,
    h('h2', {}, t('assessment.progress.heading')),
    h(
      'ul',
      { class: 'domain-progress' },
      detail.domains.map((d) =>
        h(
          'li',
          {},
          h('a', { href: `#domain-${d.domain}`, ...(domainAttrs.get(d.domain) ?? {}) }, domainTitle.get(d.domain) ?? d.title),
          h('progress', {
            max: d.applicable || 1,
            value: d.answered,
            'aria-label': t('assessment.progress.domain', { domain: domainTitle.get(d.domain) ?? d.title, answered: d.answered, applicable: d.applicable }),
          }),
          h('span', { class: 'muted' }, `${fmtNumber(d.answered)}/${fmtNumber(d.applicable)}`),
        ),
      ),
    ),
  )
  clear(
    missingBox,
    h('h2', {}, t('assessment.missing.heading', { count: missing.length })),
    missing.length
      ? h(
          'ul',
          {},
          missing.map((q) => h('li', {}, questionLink(q, shortText(q)))),
        )
      : h('p', {}, t('assessment.missing.none')),
  )
  const unconfirmed = unconfirmedNow()
  unconfirmedBox.hidden = !detail.carriedFrom && !unconfirmed.length
  clear(
    unconfirmedBox,
    h('h2', {}, t('assessment.toConfirm.heading', { count: unconfirmed.length })),
    unconfirmed.length
      ? h(
          'ul',
          {},
          unconfirmed.map((q) => h('li', {}, questionLink(q, shortText(q)))),
        )
      : h('p', {}, t('assessment.toConfirm.none')),
  )
  for (const footer of domainFooters) footer.refresh()
  clear(
    chartBox,
    h('h2', {}, t('assessment.chart.heading')),
    h(
      'p',
      { class: 'help' },
      detail.tier
        ? t('assessment.chart.overallTier', { score: pct(detail.overallScore), tier: tierLabel(detail.tier) })
        : t('assessment.chart.overall', { score: pct(detail.overallScore) }),
    ),
    barChart(
      detail.domains.map((d) => ({ label: domainTitle.get(d.domain) ?? d.title, value: d.score, foreign: Boolean(domainAttrs.get(d.domain)?.lang) })),
      { title: t('assessment.chart.title') },
    ),
  )
  review?.refresh?.()
}

const refreshDetail = debounce(async () => {
  try {
    detail = await api(`/assessments/${detail.id}`, { redirectOn401: false })
  } catch (error) {
    // A session that ended is dealt with by the saves (sign-in in place); the figures follow after.
    if (error instanceof ApiError && error.status === 401) return
    throw error
  }
  refreshSummary()
}, 700)

function onAnswersChanged() {
  updateVisibility()
  refreshSummary()
  refreshDetail()
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
    clear(status, t('assessment.carried.confirming'))
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
      clear(status, tParts('assessment.carried.failed', { reason: h('span', {}, problemText(error)) }))
      if (error instanceof ApiError && (error.status === 412 || error.status === 428)) refreshDetail.flush()
    } finally {
      pendingSaves--
      refreshSummary()
    }
  }
  box.refresh = () => {
    const n = editable ? pending().length : 0
    box.hidden = n === 0 && !status.textContent
    clear(
      box,
      n
        ? [
            h('p', { class: 'help' }, t('assessment.carried.confirmDomainHelp', { count: n })),
            h('button', { type: 'button', class: 'secondary confirm-domain', onclick: confirmAll }, t('assessment.carried.confirmDomain', { count: n })),
          ]
        : null,
      status,
    )
  }
  domainFooters.push(box)
  return box
}

const sections = questionnaire.domains.map((d, di) => {
  const qs = d.questions.map((q) => {
    const block = questionBlock(questions.get(q.id))
    blocks.set(q.id, block)
    return block.fieldset
  })
  return h(
    'section',
    { class: 'domain', id: `domain-${d.id}`, 'aria-labelledby': `domain-${d.id}-h` },
    h('h2', { id: `domain-${d.id}-h` }, h('span', textAttrs(`/domains/${di}/title`), d.title), ' ', untranslated(`/domains/${di}/title`)),
    h('p', { class: 'domain-desc', ...textAttrs(`/domains/${di}/description`) }, d.description),
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
    if (n) why.push(t('assessment.blocker.missing', { count: n }))
    const c = unconfirmedNow().length
    if (c) why.push(t('assessment.blocker.unconfirmed', { count: c }))
    if (pendingSaves) why.push(t('assessment.blocker.saving'))
    return why
  },
  // What stands in the way, one step away: the first question to deal with, and the whole list.
  leads: () => {
    const missing = missingNow()
    const unconfirmed = unconfirmedNow()
    return [
      missing.length ? questionLink(missing[0], t('assessment.lead.firstMissing')) : null,
      missing.length ? listLink(missingBox, t('assessment.lead.allMissing', { count: missing.length })) : null,
      unconfirmed.length ? questionLink(unconfirmed[0], t('assessment.lead.firstUnconfirmed')) : null,
      unconfirmed.length ? listLink(unconfirmedBox, t('assessment.lead.allUnconfirmed', { count: unconfirmed.length })) : null,
    ].filter(Boolean)
  },
})
const generalComments = detail.comments.filter((c) => !c.questionId)
const notice = !editable
  ? message(
      'info',
      me.role === 'administration'
        ? detail.status === 'returned'
          ? t('assessment.notice.returned')
          : t('assessment.notice.locked', { status: detail.status })
        : t('assessment.notice.staff'),
    )
  : null

document.title = t('app.pageTitle', { page: t('assessment.titleOf', { country, cycle: String(detail.cycle) }) })
clear(
  main,
  h(
    'div',
    { class: 'page-head' },
    h(
      'div',
      {},
      h(
        'p',
        { class: 'crumbs' },
        h(
          'a',
          { href: me.role === 'administration' ? 'assessments.html' : `country.html?code=${detail.country}&questionnaire=${detail.questionnaire}` },
          t('app.back', { page: me.role === 'administration' ? t('assessments.pageTitle') : country }),
        ),
      ),
      h('h1', {}, t('assessment.heading', { country }), ' ', h('span', textAttrs('/title'), questionnaire.title)),
      statusLine,
    ),
  ),
  takeFlash(),
  notice,
  generalComments.length
    ? h(
        'section',
        { class: 'card review-comments', 'aria-labelledby': 'rc-h' },
        h('h2', { id: 'rc-h' }, t('assessment.reviewComments')),
        generalComments.map((c) =>
          h(
            'blockquote',
            {},
            h('p', { dir: 'auto' }, c.body),
            h('footer', {}, tParts('assessment.commentFooter', { author: h('bdi', {}, c.author), date: fmtDate(c.createdAt) })),
          ),
        ),
      )
    : null,
  h(
    'div',
    { class: 'layout' },
    h(
      'aside',
      { class: 'sidebar', 'aria-label': t('assessment.sidebar') },
      h('div', { class: 'card' }, h('h2', {}, t('assessment.workflow')), review),
      missingBox,
      unconfirmedBox,
      summary,
    ),
    h(
      'div',
      { class: 'questions' },
      chartBox,
      h('div', { id: 'questionnaire-text' }, sections),
      historySection(detail.transitions),
      trailSection(detail.id, (id) => questions.get(id)?.text),
    ),
  ),
)
updateVisibility()
refreshSummary()
// Edits kept from before a reload or a detour through the sign-in page go out again now.
if (editable) for (const [qid, entry] of Object.entries(unsent.all())) blocks.get(qid)?.restore(entry)
window.addEventListener('beforeunload', (e) => {
  if (pendingSaves) e.preventDefault()
})
