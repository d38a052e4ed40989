// The evidence check of a submission: answers whose question requires evidence must have some.
import type { Transaction } from 'kysely'
import type { AnswerRow } from '../assessments/repository.js'
import type { Database } from '../db/schema.js'
import { unprocessable } from '../errors.js'
import type { StoredAnswer } from '../questionnaires/answers.js'
import type { LoadedVersion } from '../questionnaires/store.js'
import { evidenceCounts } from './repository.js'
import { lackingEvidence } from './rules.js'

export async function assertEvidenceForSubmission(trx: Transaction<Database>, version: LoadedVersion, assessmentId: string, answers: AnswerRow[]) {
  const stored = new Map(answers.map((a) => [a.question_id, { value: (a.value ?? null) as StoredAnswer['value'], special: a.special }]))
  const lacking = lackingEvidence(version.content, stored, await evidenceCounts(trx, assessmentId))
  if (lacking.length === 0) return
  throw unprocessable(
    `${lacking.length} answer(s) need evidence (a link or a document) before the assessment can be submitted`,
    lacking.map((id) => ({ path: `/answers/${id}/evidence`, message: 'the questionnaire asks for evidence behind this answer' })),
    { lackingEvidence: lacking },
  )
}
