// Rows as the API shows them. Pure.
import { etag } from './etag.js'
import type { AnswerRow, AssessmentRow, DomainProgressRow } from './repository.js'

export function presentAnswer(a: AnswerRow) {
  return {
    questionId: a.question_id,
    value: (a.value ?? null) as unknown,
    special: a.special,
    comment: a.comment,
    evidence: a.evidence,
    carriedForward: a.carried_forward,
    score: a.score,
    revision: a.revision,
    etag: etag(a.revision),
    updatedAt: a.updated_at.toISOString(),
    updatedByRole: a.updated_by_role,
  }
}

export function presentAssessment(a: AssessmentRow) {
  return {
    id: a.id,
    country: a.country,
    questionnaire: a.questionnaire,
    version: a.version,
    cycle: a.cycle,
    status: a.status,
    revision: a.revision,
    etag: etag(a.revision),
    overallScore: a.overall_score,
    coverage: a.coverage,
    tier: a.tier,
    answered: a.answered,
    applicable: a.applicable,
    carriedFrom: a.carried_from,
    campaignId: a.campaign_id,
    late: a.late,
    createdAt: a.created_at.toISOString(),
    updatedAt: a.updated_at.toISOString(),
  }
}

export function presentDomainProgress(d: DomainProgressRow) {
  return {
    domain: d.domain,
    title: d.title,
    score: d.score,
    coverage: d.coverage,
    tier: d.tier,
    applicable: d.applicable,
    answered: d.answered,
    notApplicable: d.not_applicable,
    unknown: d.unknown,
    missing: d.missing,
  }
}
