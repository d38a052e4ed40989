// Evidence documents on the assessment page. Per question: the documents attached to the answer
// (download, review, remove), a file to attach (dropped or picked, with its upload's progress), a
// document of the assessment's library to reuse, the questionnaire's evidence rule and whether the
// answer still lacks evidence; the reviews of its links; for reviewers of a submitted assessment,
// accept or find insufficient (with a comment) each piece of evidence.
import { ApiError, api } from './api.js'
import { fmtList, foreign, lang, t, tParts } from './i18n.js'
import { clear, fmtDate, h, problemText } from './ui.js'

const bytes = (n) =>
  n < 1024 * 1024
    ? t('evidence.sizeKb', { size: new Intl.NumberFormat(lang, { maximumFractionDigits: 0 }).format(Math.max(1, n / 1024)) })
    : t('evidence.sizeMb', { size: new Intl.NumberFormat(lang, { maximumFractionDigits: 1 }).format(n / 1024 / 1024) })

/** Why a request failed; for a refused file (413, 415) with the server's words on what is wrong with it. */
function reasonOf(error) {
  const parts = [...problemText(error)]
  if (error instanceof ApiError && (error.status === 413 || error.status === 415) && error.problem?.detail) {
    parts.push(' ', h('bdi', foreign('en'), error.problem.detail))
  }
  return h('span', {}, parts)
}

/** Sends a file's bytes with XMLHttpRequest (fetch reports no upload progress). Resolves with the JSON answer or throws ApiError. */
function send(url, file, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', url)
    xhr.setRequestHeader('content-type', 'application/octet-stream')
    xhr.setRequestHeader('x-requested-with', 'fetch')
    xhr.setRequestHeader('accept', 'application/json')
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total)
    xhr.onload = () => {
      let body = null
      try {
        body = JSON.parse(xhr.responseText)
      } catch {
        body = { detail: xhr.responseText }
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body)
      else reject(new ApiError(xhr.status, body))
    }
    xhr.onerror = () => reject(new ApiError(0, { detail: t('evidence.upload.network') }))
    xhr.send(file)
  })
}

/**
 * The evidence of an assessment, fetched once and after every change. `section(q, base)` gives a
 * question's part of the page; every part is drawn again when the evidence changes.
 */
export async function evidenceOf(detail, me, onChange = () => {}) {
  const url = `/assessments/${detail.id}/evidence`
  let state = await api(url)
  const redraws = new Set()
  const editable = me.role === 'administration' && detail.status === 'draft'
  const reviewing = me.role === 'staff' && detail.status === 'submitted'

  async function refresh() {
    state = await api(url)
    for (const redraw of redraws) redraw()
    onChange(state)
  }

  function ruleText(q) {
    const rule = state.rules[q.id]
    if (!rule) return null
    if ('requiredFrom' in rule) return t('evidence.rule.from', { level: q.labels?.[rule.requiredFrom] ?? t(`maturity.${rule.requiredFrom}`) })
    const label = (v) => q.options?.find((o) => o.id === v)?.label ?? (q.type === 'yes_no_partial' ? t(`answer.${v}`) : String(v))
    return t('evidence.rule.for', { answers: fmtList(rule.requiredFor.map(label)) })
  }

  function reviewState(item) {
    if (!item.review) return h('span', { class: 'badge evidence-pending' }, t('evidence.status.pending'))
    return h(
      'span',
      { class: 'evidence-review' },
      h('span', { class: `badge evidence-${item.review.status}` }, t(`evidence.status.${item.review.status}`)),
      item.review.comment ? [' ', h('bdi', {}, item.review.comment)] : null,
      h('span', { class: 'muted' }, ' ', t('evidence.review.by', { name: item.review.by ?? '', date: fmtDate(item.review.at) })),
    )
  }

  /** Accept / insufficient (with a comment) for one piece, for reviewers. */
  function reviewControls(item, base, n, status) {
    const comment = h('input', { type: 'text', id: `${base}-rv-${n}`, maxlength: 4000, value: item.review?.comment ?? '' })
    const decide = async (decision) => {
      clear(status)
      try {
        await api(`/assessments/${detail.id}/evidence/reviews`, {
          method: 'PUT',
          body: {
            questionId: item.questionId,
            ...(item.kind === 'document' ? { attachmentId: item.attachmentId } : { url: item.url }),
            status: decision,
            comment: comment.value.trim() || null,
          },
        })
        await refresh()
      } catch (error) {
        clear(status, reasonOf(error))
      }
    }
    return h(
      'div',
      { class: 'evidence-review-form' },
      h('label', { for: comment.id }, t('evidence.review.comment', { title: item.title })),
      comment,
      h('button', { type: 'button', class: 'secondary small', onclick: () => decide('accepted') }, t('evidence.review.accept')),
      h('button', { type: 'button', class: 'secondary small', onclick: () => decide('insufficient') }, t('evidence.review.markInsufficient')),
    )
  }

  function section(q, base) {
    const root = h('div', { class: 'evidence-documents' })
    const status = h('p', { class: 'field-error', role: 'alert', hidden: true })
    const showError = (parts) => {
      status.hidden = !parts
      clear(status, parts ?? '')
    }
    const progress = h('progress', { max: 1, value: 0, hidden: true, 'aria-label': t('evidence.upload.progress') })
    const picker = h('input', { type: 'file', id: `${base}-file`, multiple: true })

    async function upload(file) {
      showError(null)
      if (file.size > state.maxBytes) return showError(tParts('evidence.upload.tooLarge', { name: h('bdi', {}, file.name), max: bytes(state.maxBytes) }))
      progress.hidden = false
      progress.value = 0
      try {
        await send(`${url}/documents?${new URLSearchParams({ name: file.name, questionId: q.id })}`, file, (p) => {
          progress.value = p
        })
        await refresh()
      } catch (error) {
        showError(tParts('evidence.upload.failed', { name: h('bdi', {}, file.name), reason: reasonOf(error) }))
      } finally {
        progress.hidden = true
      }
    }
    picker.addEventListener('change', () => {
      for (const file of picker.files) upload(file)
      picker.value = ''
    })

    function draw() {
      const items = state.items.filter((i) => i.questionId === q.id)
      const documents = items.filter((i) => i.kind === 'document')
      const reviewedLinks = items.filter((i) => i.kind === 'link' && (i.review || reviewing))
      const attached = new Set(documents.map((d) => d.documentId))
      const reusable = state.documents.filter((d) => !attached.has(d.id))
      const rule = ruleText(q)
      const lacking = state.lackingEvidence.includes(q.id)
      const libraryId = `${base}-library`
      const library = h(
        'select',
        { id: libraryId },
        reusable.map((d) => h('option', { value: d.id }, d.name)),
      )
      const reviewStatus = h('p', { class: 'field-error', role: 'alert' })
      clear(
        root,
        h('p', { class: 'label-like' }, t('evidence.documents')),
        rule ? h('p', { class: lacking ? 'evidence-rule lacking' : 'evidence-rule muted' }, rule, lacking ? [' ', t('evidence.lacking')] : null) : null,
        documents.length
          ? h(
              'ul',
              { class: 'evidence-files' },
              documents.map((d, i) => {
                const doc = state.documents.find((x) => x.id === d.documentId)
                return h(
                  'li',
                  {},
                  h('a', { href: doc?.href ?? '#', download: doc?.filename ?? '' }, h('bdi', {}, d.title)),
                  h('span', { class: 'muted' }, ` (${bytes(d.size)})`),
                  ' ',
                  reviewState(d),
                  editable
                    ? h(
                        'button',
                        {
                          type: 'button',
                          class: 'link-button',
                          onclick: async () => {
                            try {
                              await api(`${url}/attachments/${d.attachmentId}`, { method: 'DELETE' })
                              await refresh()
                            } catch (error) {
                              showError(reasonOf(error))
                            }
                          },
                        },
                        t('evidence.detach', { name: d.title }),
                      )
                    : null,
                  reviewing ? reviewControls(d, base, `d${i}`, reviewStatus) : null,
                )
              }),
            )
          : h('p', { class: 'muted' }, t('evidence.none')),
        reviewedLinks.length
          ? h(
              'ul',
              { class: 'evidence-files' },
              reviewedLinks.map((l, i) =>
                h(
                  'li',
                  {},
                  h('a', { href: l.url, rel: 'noopener noreferrer', target: '_blank' }, h('bdi', {}, l.title)),
                  ' ',
                  reviewState(l),
                  reviewing ? reviewControls(l, base, `l${i}`, reviewStatus) : null,
                ),
              ),
            )
          : null,
        reviewing ? reviewStatus : null,
        editable
          ? h(
              'div',
              {
                class: 'evidence-drop',
                ondragover: (e) => {
                  e.preventDefault()
                  e.currentTarget.classList.add('over')
                },
                ondragleave: (e) => e.currentTarget.classList.remove('over'),
                ondrop: (e) => {
                  e.preventDefault()
                  e.currentTarget.classList.remove('over')
                  for (const file of e.dataTransfer.files) upload(file)
                },
              },
              h('label', { for: picker.id }, t('evidence.upload.pick')),
              picker,
              h('span', { class: 'muted' }, ' ', t('evidence.upload.drop', { max: bytes(state.maxBytes) })),
              progress,
            )
          : null,
        editable && reusable.length
          ? h(
              'div',
              { class: 'evidence-library' },
              h('label', { for: libraryId }, t('evidence.library.pick')),
              library,
              h(
                'button',
                {
                  type: 'button',
                  class: 'secondary small',
                  onclick: async () => {
                    showError(null)
                    try {
                      await api(`${url}/attachments`, { method: 'POST', body: { questionId: q.id, documentId: library.value } })
                      await refresh()
                    } catch (error) {
                      showError(reasonOf(error))
                    }
                  },
                },
                t('evidence.library.attach'),
              ),
            )
          : null,
        status,
      )
    }
    draw()
    redraws.add(draw)
    return root
  }

  return {
    section,
    get state() {
      return state
    },
  }
}
