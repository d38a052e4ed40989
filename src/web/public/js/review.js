// Workflow buttons for an assessment: submit / reopen (administration), return with comment / validate (staff).
import { api } from './api.js'
import { fmtList, t } from './i18n.js'
import { clear, countryName, h, message, problemText } from './ui.js'

// Interface words of this module, from the catalog of the page's language.
const T = {
  submit: t('review.submit'),
  reopen: t('review.reopen'),
  validate: t('review.validate'),
  return: t('review.return'),
  working: t('review.working'),
  done: (status) => t('review.done', { status }),
  cannotSubmit: (why) => t('review.blocked', { reasons: fmtList(why) }),
  canSubmit: t('review.ready'),
  commentLabel: t('review.commentLabel'),
  commentNeeded: t('review.commentNeeded'),
  confirmValidate: (d) => t('review.confirmValidate', { country: countryName(d.country, d.countryName), cycle: String(d.cycle) }),
  yesValidate: t('review.yesValidate'),
  cancel: t('review.cancel'),
  nothing: t('review.noAction'),
}

/**
 * detail: GET /assessments/{id}; onDone(newAssessment, text) after a transition (text: what happened).
 * blockers(): reasons the submit button is disabled (empty when it may be pressed).
 * leads(): links shown under the reasons (e.g. to the first missing question).
 */
export function reviewPanel(detail, { onDone, blockers = () => [], leads = () => [] } = {}) {
  const status = h('div', { class: 'review-status', 'aria-live': 'polite' })
  const box = h('div', { class: 'review' })
  const actions = detail.actions

  async function run(action, comment) {
    clear(status, message('info', T.working))
    try {
      const row = await api(`/assessments/${detail.id}/transitions`, { method: 'POST', body: { action, comment: comment || null } })
      const text = T.done(row.status)
      clear(status, message('success', text))
      onDone?.(row, text)
    } catch (error) {
      clear(status, message('error', problemText(error)))
    }
  }

  if (actions.includes('submit')) {
    const reasonId = `submit-reason-${detail.id}`
    const reason = h('p', { id: reasonId, class: 'help' })
    const links = h('p', { class: 'leads' })
    const button = h('button', { type: 'button', class: 'primary', 'aria-describedby': reasonId, onclick: () => run('submit') }, T.submit)
    box.append(button, reason, links)
    box.refresh = () => {
      const why = blockers()
      button.disabled = why.length > 0
      clear(reason, why.length ? T.cannotSubmit(why) : T.canSubmit)
      clear(links, ...leads().flatMap((link, i) => (i ? [' · ', link] : [link])))
      links.hidden = !links.childNodes.length
    }
    box.refresh()
  }
  if (actions.includes('reopen')) {
    box.append(h('button', { type: 'button', onclick: () => run('reopen') }, T.reopen))
  }
  if (actions.includes('validate') || actions.includes('return')) {
    const comment = h('textarea', { id: `return-comment-${detail.id}`, rows: 3, maxlength: 4000 })
    const buttons = h(
      'div',
      { class: 'button-row' },
      actions.includes('validate') ? h('button', { type: 'button', class: 'primary', onclick: () => askValidate() }, T.validate) : null,
      actions.includes('return')
        ? h(
            'button',
            {
              type: 'button',
              onclick: () => {
                if (!comment.value.trim()) {
                  clear(status, message('error', T.commentNeeded))
                  comment.focus()
                  return
                }
                run('return', comment.value.trim())
              },
            },
            T.return,
          )
        : null,
    )
    // Validation cannot be undone: it asks first, saying so, in place (no pop-up window).
    const ask = h('div', { class: 'confirm', role: 'alertdialog', 'aria-labelledby': `validate-q-${detail.id}`, hidden: true })
    function askValidate() {
      const cancel = h(
        'button',
        {
          type: 'button',
          onclick: () => {
            ask.hidden = true
            buttons.hidden = false
            buttons.querySelector('button')?.focus()
          },
        },
        T.cancel,
      )
      clear(
        ask,
        h('p', { id: `validate-q-${detail.id}` }, T.confirmValidate(detail)),
        h(
          'div',
          { class: 'button-row' },
          h(
            'button',
            {
              type: 'button',
              class: 'primary',
              onclick: () => {
                ask.hidden = true
                run('validate', comment.value.trim())
              },
            },
            T.yesValidate,
          ),
          cancel,
        ),
      )
      buttons.hidden = true
      ask.hidden = false
      cancel.focus()
    }
    box.append(h('label', { for: `return-comment-${detail.id}` }, T.commentLabel), comment, buttons, ask)
  }
  if (!actions.length) box.append(h('p', { class: 'help' }, T.nothing))
  box.append(status)
  return box
}
