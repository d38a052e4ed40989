// Stored readiness: the scoring module's result written beside the assessment, in the caller's
// transaction, so reads never recompute and never see a half-updated assessment.
import { sql, type Selectable, type Transaction } from 'kysely'
import type { AssessmentStatus, AssessmentsTable, Database, DomainScoresTable } from '../db/schema.js'
import type { Readiness } from '../scoring/score.js'

/** The domain_scores rows of one assessment's figures. */
export function domainScoreRows(assessmentId: string, domains: Readiness['domains']): DomainScoresTable[] {
  return domains.map((d) => ({
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
  }))
}

export interface StoreOptions {
  /** Set when the change also moves the assessment through its workflow. */
  status?: AssessmentStatus
  /** Every change but the creation bumps the revision (the assessment's ETag). */
  bumpRevision?: boolean
}

/**
 * Writes the domain figures and the assessment's overall figures in one statement (a data-modifying
 * CTE), so a write costs one round trip here however many domains the questionnaire has.
 */
export async function storeReadiness(
  trx: Transaction<Database>,
  assessmentId: string,
  readiness: Readiness,
  options: StoreOptions = {},
): Promise<Selectable<AssessmentsTable>> {
  const { overall } = readiness
  const figures = {
    ...(options.bumpRevision === false ? {} : { revision: sql<number>`revision + 1`, updated_at: new Date() }),
    overall_score: overall.score,
    coverage: overall.coverage,
    tier: overall.tier,
    answered: overall.counts.answered,
    applicable: overall.counts.applicable,
    ...(options.status ? { status: options.status } : {}),
  }
  return trx
    .with('domain_rows', (db) =>
      db
        .insertInto('domain_scores')
        .values(domainScoreRows(assessmentId, readiness.domains))
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
        ),
    )
    .updateTable('assessments')
    .set(figures)
    .where('id', '=', assessmentId)
    .returningAll()
    .executeTakeFirstOrThrow()
}
