// Workflow buttons for an assessment: submit / reopen (administration), return with comment / validate
// (staff), undo a validation (admin). Each review action says what it will do and asks first, in place.
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
  confirmReturn: (d) => t('campaigns.review.confirmReturn', { country: countryName(d.country, d.countryName), cycle: String(d.cycle) }),
  yesReturn: t('campaigns.review.yesReturn'),
  unvalidate: t('campaigns.review.unvalidate'),
  reasonLabel: t('campaigns.review.reasonLabel'),
  reasonNeeded: t('campaigns.review.reasonNeeded'),
  confirmUnvalidate: (d) => t('campaigns.review.confirmUnvalidate', { country: countryName(d.country, d.countryName), cycle: String(d.cycle) }),
  yesUnvalidate: t('campaigns.review.yesUnvalidate'),
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
                ask.open(T.confirmReturn(detail), T.yesReturn, () => run('return', comment.value.trim()))
              },
            },
            T.return,
          )
        : null,
    )
    const ask = confirmation(buttons)
    function askValidate() {
      ask.open(T.confirmValidate(detail), T.yesValidate, () => run('validate', comment.value.trim()))
    }
    box.append(h('label', { for: `return-comment-${detail.id}` }, T.commentLabel), comment, buttons, ask.element)
  }
  if (actions.includes('unvalidate')) {
    const reason = h('textarea', { id: `unvalidate-reason-${detail.id}`, rows: 2, maxlength: 4000 })
    const buttons = h(
      'div',
      { class: 'button-row' },
      h(
        'button',
        {
          type: 'button',
          onclick: () => {
            if (!reason.value.trim()) {
              clear(status, message('error', T.reasonNeeded))
              reason.focus()
              return
            }
            ask.open(T.confirmUnvalidate(detail), T.yesUnvalidate, () => run('unvalidate', reason.value.trim()))
          },
        },
        T.unvalidate,
      ),
    )
    const ask = confirmation(buttons)
    box.append(h('label', { for: reason.id }, T.reasonLabel), reason, buttons, ask.element)
  }
  if (!actions.length) box.append(h('p', { class: 'help' }, T.nothing))
  box.append(status)
  return box
}

/**
 * A question asked in place of the buttons (no pop-up window): what the action will do, a button
 * that does it and one that goes back. Focus moves to "Cancel", the safe choice.
 */
function confirmation(buttons) {
  const id = `confirm-${Math.random().toString(36).slice(2)}`
  const element = h('div', { class: 'confirm', role: 'alertdialog', 'aria-labelledby': id, hidden: true })
  const back = () => {
    element.hidden = true
    buttons.hidden = false
    buttons.querySelector('button')?.focus()
  }
  return {
    element,
    open(question, yes, onYes) {
      const cancel = h('button', { type: 'button', onclick: back }, T.cancel)
      clear(
        element,
        h('p', { id }, question),
        h(
          'div',
          { class: 'button-row' },
          h(
            'button',
            {
              type: 'button',
              class: 'primary',
              onclick: () => {
                element.hidden = true
                buttons.hidden = false
                onYes()
              },
            },
            yes,
          ),
          cancel,
        ),
      )
      buttons.hidden = true
      element.hidden = false
      cancel.focus()
    },
  }
}
