// What happens to an assessment's answers when it moves to another version of its questionnaire
// (or starts a new cycle from a previous one on another version): which answers carry over as
// they are, which must be given again and why, and which new questions now need an answer.
// Pure: the service applies the plan inside its transaction.
import { applicability, checkAnswer, commentProblem, type AnswerValue, type StoredAnswer } from '../questionnaires/answers.js'
import { DEFAULT_MATURITY_LABELS, questionsOf, type Question, type QuestionnaireFile } from '../questionnaires/schema.js'

/** An answer with the comment it carries (the justification rule may need it). */
export type MovingAnswer = StoredAnswer & { comment: string | null }

export type RedoKind =
  /** The question is gone and nothing replaces it. */
  | 'removed'
  /** The question is gone; the new version's `replaces` names the questions that take it over (a split). */
  | 'replaced'
  /** Same id, another answer type. */
  | 'type_changed'
  /** Same id and type, but the question's wording, or the label of the level or option chosen, changed. */
  | 'meaning_changed'
  /** The answer is not valid for the new version (an option removed, a comment now required…). */
  | 'invalid'

export interface Redo {
  questionId: string
  kind: RedoKind
  /** An English sentence for the person who answers again. */
  reason: string
  /** Questions of the new version that take this one's place (from their `replaces`). */
  replacedBy: string[]
}

export interface NewQuestion {
  questionId: string
  /** Questions of the previous version whose answers it takes over. */
  replaces: string[]
  required: boolean
}

export interface MovePlan {
  /** Answers that carry over unchanged, in the order given. */
  kept: string[]
  /** Answers that cannot carry over, in the order given. */
  redo: Redo[]
  /** Questions the previous version did not have that apply given the kept answers, in file order. */
  newQuestions: NewQuestion[]
}

/** The plan for moving `answers` (question id → answer, as stored under `from`) to `to`. */
export function planMove(from: QuestionnaireFile, to: QuestionnaireFile, answers: ReadonlyMap<string, MovingAnswer>): MovePlan {
  const before = new Map(questionsOf(from).map(({ question }) => [question.id, question]))
  const after = new Map(questionsOf(to).map(({ question }) => [question.id, question]))
  const replacedBy = new Map<string, string[]>()
  for (const q of after.values()) for (const old of q.replaces ?? []) replacedBy.set(old, [...(replacedBy.get(old) ?? []), q.id])

  const kept: string[] = []
  const redo: Redo[] = []
  for (const [id, answer] of answers) {
    const problem = carryProblem(before.get(id), after.get(id), answer, replacedBy.get(id) ?? [])
    if (problem) redo.push({ questionId: id, replacedBy: replacedBy.get(id) ?? [], ...problem })
    else kept.push(id)
  }

  const keptAnswers = new Map<string, StoredAnswer>(kept.map((id) => [id, answers.get(id)!]))
  const applies = applicability(to, keptAnswers)
  const newQuestions = [...after.values()]
    .filter((q) => !before.has(q.id) && applies.get(q.id))
    .map((q) => ({ questionId: q.id, replaces: q.replaces ?? [], required: q.required }))
  return { kept, redo, newQuestions }
}

function carryProblem(
  before: Question | undefined,
  after: Question | undefined,
  answer: MovingAnswer,
  replacedBy: string[],
): { kind: RedoKind; reason: string } | null {
  if (!after) {
    return replacedBy.length
      ? { kind: 'replaced', reason: `the question was replaced by ${replacedBy.join(', ')}: answer ${replacedBy.length > 1 ? 'those' : 'that'} instead` }
      : { kind: 'removed', reason: 'the question is not in the new version' }
  }
  if (before && before.type !== after.type) return { kind: 'type_changed', reason: `the answer type changed from ${before.type} to ${after.type}` }
  const check = checkAnswer(after, answer)
  if (!check.ok) return { kind: 'invalid', reason: `the answer is no longer valid: ${check.problem}` }
  const uncommented = commentProblem(after, check.answer, answer.comment)
  if (uncommented) return { kind: 'invalid', reason: uncommented }
  if (before) {
    if (before.text.en !== after.text.en) return { kind: 'meaning_changed', reason: 'the question was reworded' }
    const changed = answer.value === null ? null : changedLabel(before, after, answer.value)
    if (changed) return { kind: 'meaning_changed', reason: changed }
  }
  return null
}

/** Whether the label of what the answer chose (a level, an option, the unit) reads differently now. */
function changedLabel(before: Question, after: Question, value: AnswerValue): string | null {
  if (before.type === 'maturity' && after.type === 'maturity') {
    const level = String(value) as keyof typeof DEFAULT_MATURITY_LABELS
    const was = (before.labels ?? DEFAULT_MATURITY_LABELS)[level].en
    const is = (after.labels ?? DEFAULT_MATURITY_LABELS)[level].en
    return was === is ? null : `level ${level} now reads "${is}" (was "${was}")`
  }
  if ((before.type === 'single_choice' || before.type === 'multi_choice') && (after.type === 'single_choice' || after.type === 'multi_choice')) {
    for (const id of Array.isArray(value) ? value : [value]) {
      const was = before.options.find((o) => o.id === id)?.label.en
      const is = after.options.find((o) => o.id === id)?.label.en
      if (was !== is) return `option "${id}" now reads "${is}" (was "${was}")`
    }
    return null
  }
  if (before.type === 'number' && after.type === 'number' && before.unit?.en !== after.unit?.en) {
    return `the unit changed from "${before.unit?.en ?? 'none'}" to "${after.unit?.en ?? 'none'}"`
  }
  return null
}
