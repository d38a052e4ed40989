// How much evidence backs an assessment's answers, for the country report.
//
// THE PLACE FOR EVIDENCE DOCUMENTS: today evidence is the links given with answers
// (answers.evidence). When stored evidence documents land, their count joins here (`documents`,
// null until then) and the report shows it without other changes.
import { sql, type Kysely } from 'kysely'
import type { Database } from '../db/schema.js'

export interface EvidenceCounts {
  /** Answers that cite at least one piece of evidence. */
  answersWithEvidence: number
  /** Evidence links given across all answers. */
  links: number
  /** Stored evidence documents; null while the service stores none. */
  documents: number | null
}

export async function evidenceCounts(db: Kysely<Database>, assessmentId: string): Promise<EvidenceCounts> {
  const row = await db
    .selectFrom('answers')
    .select([
      sql<number>`count(*) filter (where jsonb_array_length(evidence) > 0)::int`.as('with_evidence'),
      sql<number>`coalesce(sum(jsonb_array_length(evidence)), 0)::int`.as('links'),
    ])
    .where('assessment_id', '=', assessmentId)
    .executeTakeFirstOrThrow()
  return { answersWithEvidence: Number(row.with_evidence), links: Number(row.links), documents: null }
}
