// Stored readiness: the scoring module's result written beside the assessment, in the caller's
// transaction, so reads never recompute and never see a half-updated assessment.
import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../db/schema.js'
import type { Readiness } from '../scoring/score.js'

export async function storeReadiness(
  trx: Transaction<Database> | Kysely<Database>,
  assessmentId: string,
  readiness: Readiness,
): Promise<void> {
  if (readiness.domains.length > 0) {
    await trx
      .insertInto('domain_scores')
      .values(
        readiness.domains.map((d) => ({
          assessment_id: assessmentId,
          domain: d.domain,
          score: d.score,
          coverage: d.coverage,
          tier: d.tier,
          applicable: d.counts.applicable,
          answered: d.counts.answered,
          not_applicable: d.counts.notApplicable,
          unknown: d.counts.unknown,
          missing: d.counts.missing,
        })),
      )
      .onConflict((oc) =>
        oc.columns(['assessment_id', 'domain']).doUpdateSet((eb) => ({
          score: eb.ref('excluded.score'),
          coverage: eb.ref('excluded.coverage'),
          tier: eb.ref('excluded.tier'),
          applicable: eb.ref('excluded.applicable'),
          answered: eb.ref('excluded.answered'),
          not_applicable: eb.ref('excluded.not_applicable'),
          unknown: eb.ref('excluded.unknown'),
          missing: eb.ref('excluded.missing'),
        })),
      )
      .execute()
  }
}
