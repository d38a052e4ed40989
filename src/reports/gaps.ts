// The obligations with the largest gaps: the binding (`shall`) questions that count in the score
// and score lowest, the first thing a minister needs to act on. Pure: no I/O.
import type { Question, QuestionnaireFile } from '../questionnaires/schema.js'
import type { QuestionResult, Readiness } from '../scoring/score.js'

export interface Gap {
  questionId: string
  domain: string
  question: Question
  /** The question's raw score 0..1 (0 for an applicable question left unanswered). */
  raw: number
  status: QuestionResult['status']
  /** Score points the domain would gain with full marks here: weight × (1 − raw), relative to the domain's counted weight. */
  weight: number
}

/**
 * Counted `shall` questions below full marks, lowest raw score first, then heaviest, then in file
 * order; at most `limit`. Questions inside an alternatives group are left out: a country meets
 * such an obligation by any one route, so one route's unanswered question is not a gap.
 */
export function largestGaps(file: QuestionnaireFile, readiness: Readiness, limit: number): Gap[] {
  const byId = new Map(file.domains.flatMap((d) => d.questions.map((q) => [q.id, q] as const)))
  const order = new Map([...byId.keys()].map((id, i) => [id, i]))
  return readiness.questions
    .filter((r) => r.counted && r.route === null && r.raw !== null && r.raw < 1 && byId.get(r.questionId)?.force === 'shall')
    .map((r) => ({ questionId: r.questionId, domain: r.domain, question: byId.get(r.questionId)!, raw: r.raw as number, status: r.status, weight: r.weight }))
    .sort((a, b) => a.raw - b.raw || b.weight - a.weight || order.get(a.questionId)! - order.get(b.questionId)!)
    .slice(0, limit)
}
