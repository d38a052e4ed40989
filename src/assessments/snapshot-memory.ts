// What the answer write read last time, kept per assessment so the next write to it need not read
// again. Never trusted on its own: a write made from it is guarded by the assessment's revision (every
// change to an assessment, its answers or its figures bumps it, in any process), so a stale
// snapshot only costs a failed guard and a fresh read.
import type { Readiness } from '../scoring/score.js'
import type { AnswerRow, AssessmentRow } from './repository.js'
import type { DomainScoreRow, WriteSnapshot } from './answer-store.js'

export class SnapshotMemory {
  private readonly entries = new Map<string, WriteSnapshot>()

  /** ~70 answers and their readiness an assessment: a few MB at the default limit. */
  constructor(private readonly limit = 500) {}

  recall(assessmentId: string): WriteSnapshot | undefined {
    const entry = this.entries.get(assessmentId)
    if (entry) {
      this.entries.delete(assessmentId)
      this.entries.set(assessmentId, entry)
    }
    return entry
  }

  remember(snapshot: WriteSnapshot): void {
    const id = snapshot.assessment.id
    this.entries.delete(id)
    this.entries.set(id, snapshot)
    if (this.entries.size > this.limit) this.entries.delete(this.entries.keys().next().value!)
  }

  forget(assessmentId: string): void {
    this.entries.delete(assessmentId)
  }
}

/** The snapshot as the database holds it after a write made from `before`. Pure. */
export function snapshotAfterWrite(
  before: WriteSnapshot,
  write: {
    assessment: AssessmentRow
    answers: AnswerRow[]
    rescored: { questionId: string; score: number | null }[]
    domains: DomainScoreRow[]
    /** The readiness of the answers after the write. */
    readiness: Readiness
  },
): WriteSnapshot {
  const answers = new Map(before.answers)
  for (const r of write.rescored) {
    const a = answers.get(r.questionId)
    if (a) answers.set(r.questionId, { ...a, score: r.score })
  }
  for (const a of write.answers) answers.set(a.question_id, a)
  const domains = new Map(before.domains.map((d) => [d.domain, d]))
  for (const d of write.domains) domains.set(d.domain, d)
  return { assessment: write.assessment, answers, domains: [...domains.values()], readiness: write.readiness }
}
