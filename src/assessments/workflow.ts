// The assessment workflow as a pure state machine:
//   draft → submitted → validated, or submitted → returned (with a comment) → draft again.
// Administrations edit drafts and submit; staff return or validate; an admin may undo a validation.
import type { AssessmentStatus, Role } from '../db/schema.js'

export const ACTIONS = ['submit', 'return', 'validate', 'reopen', 'unvalidate'] as const
export type Action = (typeof ACTIONS)[number]

interface Rule {
  from: AssessmentStatus
  to: AssessmentStatus
  roles: readonly Role[]
  commentRequired: boolean
}

const RULES: Record<Action, Rule> = {
  submit: { from: 'draft', to: 'submitted', roles: ['administration'], commentRequired: false },
  return: { from: 'submitted', to: 'returned', roles: ['staff'], commentRequired: true },
  validate: { from: 'submitted', to: 'validated', roles: ['staff'], commentRequired: false },
  reopen: { from: 'returned', to: 'draft', roles: ['administration'], commentRequired: false },
  // Validation is final for reviewers; an admin may undo it, with the reason, back to review.
  unvalidate: { from: 'validated', to: 'submitted', roles: ['staff', 'admin'], commentRequired: true },
}

export type TransitionCheck = { ok: true; to: AssessmentStatus } | { ok: false; reason: 'role' | 'state' | 'comment'; message: string }

export function checkTransition(status: AssessmentStatus, action: Action, role: Role, comment?: string | null): TransitionCheck {
  const rule = RULES[action]
  if (!rule.roles.includes(role)) {
    return { ok: false, reason: 'role', message: `only ${rule.roles.join(' or ')} tokens may ${action} an assessment` }
  }
  if (status !== rule.from) {
    return { ok: false, reason: 'state', message: `cannot ${action} an assessment that is ${status}; it must be ${rule.from}` }
  }
  if (rule.commentRequired && !comment?.trim()) {
    return { ok: false, reason: 'comment', message: `a comment is required to ${action} an assessment` }
  }
  return { ok: true, to: rule.to }
}

/** Actions the role could take now, for clients that show buttons. */
export function availableActions(status: AssessmentStatus, role: Role): Action[] {
  return ACTIONS.filter((a) => RULES[a].from === status && RULES[a].roles.includes(role))
}

/** Answers can change only while the assessment is a draft. */
export function isEditable(status: AssessmentStatus): boolean {
  return status === 'draft'
}
