// The questionnaire's evidence rules applied to answers: which answers need evidence before the
// assessment can be submitted, and which of those have none. Pure.
import { applicability, type StoredAnswer } from '../questionnaires/answers.js'
import { questionsOf, type EvidenceRule, type Question, type QuestionnaireFile } from '../questionnaires/schema.js'

/** Whether this answer, under the question's rule, must be backed by evidence. */
export function needsEvidence(q: Pick<Question, 'evidence'>, answer: StoredAnswer | undefined): boolean {
  const rule = q.evidence
  if (!rule || !answer || answer.special !== null || answer.value === null) return false
  const value = answer.value
  if (rule.required_from !== undefined) return typeof value === 'number' && value >= rule.required_from
  const listed = rule.required_for ?? []
  return (Array.isArray(value) ? value : [value]).some((v) => listed.includes(v))
}

/**
 * Questions (in file order) that apply, whose answer needs evidence under their rule and that have
 * no piece of evidence (`pieces`: question id → links and documents).
 */
export function lackingEvidence(file: QuestionnaireFile, answers: ReadonlyMap<string, StoredAnswer>, pieces: ReadonlyMap<string, number>): string[] {
  const applies = applicability(file, answers)
  return questionsOf(file)
    .map(({ question }) => question)
    .filter((q) => applies.get(q.id) && needsEvidence(q, answers.get(q.id)) && !(pieces.get(q.id) ?? 0))
    .map((q) => q.id)
}

/** The rules of a questionnaire, as the API shows them: question id → rule. */
export function evidenceRules(file: QuestionnaireFile): Record<string, { requiredFrom: number } | { requiredFor: (string | number)[] }> {
  const rules: Record<string, { requiredFrom: number } | { requiredFor: (string | number)[] }> = {}
  for (const { question } of questionsOf(file)) {
    const rule: EvidenceRule | undefined = question.evidence
    if (rule?.required_from !== undefined) rules[question.id] = { requiredFrom: rule.required_from }
    else if (rule?.required_for) rules[question.id] = { requiredFor: rule.required_for }
  }
  return rules
}
