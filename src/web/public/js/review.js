// Workflow buttons for an assessment: submit / reopen (administration), return with comment / validate (staff).
import { api } from './api.js'
import { clear, h, message } from './ui.js'

const LABELS = { submit: 'Submit for review', reopen: 'Reopen to make changes', validate: 'Validate', return: 'Return with comment' }

/**
 * detail: GET /assessments/{id}; onDone(newAssessment) after a transition.
 * blockers(): reasons the submit button is disabled (empty when it may be pressed).
 */
export function reviewPanel(detail, { onDone, blockers = () => [] } = {}) {
  const status = h('div', { class: 'review-status', 'aria-live': 'polite' })
  const box = h('div', { class: 'review' })
  const actions = detail.actions

  async function run(action, comment) {
    clear(status, message('info', 'Working…'))
    try {
      const row = await api(`/assessments/${detail.id}/transitions`, { method: 'POST', body: { action, comment: comment || null } })
      clear(status, message('success', `Done: the assessment is now ${row.status}.`))
      onDone?.(row)
    } catch (error) {
      clear(status, message('error', error.message))
    }
  }

  if (actions.includes('submit')) {
    const reasonId = `submit-reason-${detail.id}`
    const reason = h('p', { id: reasonId, class: 'help' })
    const button = h('button', { type: 'button', class: 'primary', 'aria-describedby': reasonId, onclick: () => run('submit') }, LABELS.submit)
    box.append(button, reason)
    box.refresh = () => {
      const why = blockers()
      button.disabled = why.length > 0
      clear(reason, why.length ? `You cannot submit yet: ${why.join('; ')}.` : 'Everything required is answered. Submitting sends the assessment to ITU-D for review; you cannot change it afterwards unless it is returned.')
    }
    box.refresh()
  }
  if (actions.includes('reopen')) {
    box.append(h('button', { type: 'button', onclick: () => run('reopen') }, LABELS.reopen))
  }
  if (actions.includes('validate') || actions.includes('return')) {
    const comment = h('textarea', { id: `return-comment-${detail.id}`, rows: 3, maxlength: 4000 })
    box.append(
      h('label', { for: `return-comment-${detail.id}` }, 'Review comment (required to return)'),
      comment,
      h(
        'div',
        { class: 'button-row' },
        actions.includes('validate') ? h('button', { type: 'button', class: 'primary', onclick: () => run('validate', comment.value.trim()) }, LABELS.validate) : null,
        actions.includes('return')
          ? h(
              'button',
              {
                type: 'button',
                onclick: () => {
                  if (!comment.value.trim()) {
                    clear(status, message('error', 'Write a comment that tells the administration what to change.'))
                    comment.focus()
                    return
                  }
                  run('return', comment.value.trim())
                },
              },
              LABELS.return,
            )
          : null,
      ),
    )
  }
  if (!actions.length) box.append(h('p', { class: 'help' }, 'No workflow action is available to you in this state.'))
  box.append(status)
  return box
}
