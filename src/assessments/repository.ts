// SQL for assessments and their answers. Functions take db or trx first; callers own transactions.
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely'
import type { AnswersTable, AssessmentStatus, AssessmentsTable, Database, Region } from '../db/schema.js'
import type { Actor } from './principal.js'

type Db = Kysely<Database> | Transaction<Database>
export type AssessmentRow = Selectable<AssessmentsTable>
export type AnswerRow = Selectable<AnswersTable>

/**
 * The assessment if this actor may see it. An administration asking for another country's
 * assessment gets undefined, exactly as for one that does not exist: nothing reveals it exists.
 */
export async function findVisible(db: Db, actor: Actor, id: string, forUpdate = false): Promise<AssessmentRow | undefined> {
  let query = db.selectFrom('assessments').selectAll().where('id', '=', id)
  if (actor.role === 'administration') query = query.where('country', '=', actor.country ?? '')
  if (forUpdate) query = query.forUpdate()
  return query.executeTakeFirst()
}

export async function findByKey(db: Db, key: { country: string; questionnaire: string; cycle: number }) {
  return db
    .selectFrom('assessments')
    .select(['id', 'version', 'status'])
    .where('country', '=', key.country)
    .where('questionnaire', '=', key.questionnaire)
    .where('cycle', '=', key.cycle)
    .executeTakeFirst()
}

export async function loadAnswers(db: Db, assessmentId: string): Promise<AnswerRow[]> {
  return db.selectFrom('answers').selectAll().where('assessment_id', '=', assessmentId).orderBy('question_id').execute()
}

export interface ListFilters {
  country?: string | undefined
  region?: Region | undefined
  questionnaire?: string | undefined
  cycle?: number | undefined
  status?: AssessmentStatus | undefined
}

export interface Cursor {
  country: string
  questionnaire: string
  cycle: number
  id: string
}

export async function listVisible(db: Db, actor: Actor, filters: ListFilters, limit: number, after?: Cursor) {
  let q = db
    .selectFrom('assessments as a')
    .innerJoin('countries as c', 'c.code', 'a.country')
    .select([
      'a.id',
      'a.country',
      'c.name as country_name',
      'c.region',
      'a.questionnaire',
      'a.version',
      'a.cycle',
      'a.status',
      'a.revision',
      'a.overall_score',
      'a.coverage',
      'a.tier',
      'a.answered',
      'a.applicable',
      'a.campaign_id',
      'a.late',
      'a.created_at',
      'a.updated_at',
    ])
  if (actor.role === 'administration') q = q.where('a.country', '=', actor.country ?? '')
  if (filters.country) q = q.where('a.country', '=', filters.country)
  if (filters.region) q = q.where('c.region', '=', filters.region)
  if (filters.questionnaire) q = q.where('a.questionnaire', '=', filters.questionnaire)
  if (filters.cycle !== undefined) q = q.where('a.cycle', '=', filters.cycle)
  if (filters.status) q = q.where('a.status', '=', filters.status)
  if (after) {
    q = q.where(sql<boolean>`(a.country, a.questionnaire, a.cycle, a.id) > (${after.country}, ${after.questionnaire}, ${after.cycle}, ${after.id}::uuid)`)
  }
  return q
    .orderBy('a.country')
    .orderBy('a.questionnaire')
    .orderBy('a.cycle')
    .orderBy('a.id')
    .limit(limit + 1)
    .execute()
}

export type DomainProgressRow = Awaited<ReturnType<typeof domainProgress>>[number]

export async function domainProgress(db: Db, assessmentId: string) {
  return db
    .selectFrom('domain_scores as s')
    .innerJoin('assessments as a', 'a.id', 's.assessment_id')
    .innerJoin('questionnaire_domains as d', (j) =>
      j.onRef('d.questionnaire', '=', 'a.questionnaire').onRef('d.version', '=', 'a.version').onRef('d.domain', '=', 's.domain'),
    )
    .select(['s.domain', 'd.title', 's.score', 's.coverage', 's.tier', 's.applicable', 's.answered', 's.not_applicable', 's.unknown', 's.missing'])
    .where('s.assessment_id', '=', assessmentId)
    .orderBy('d.position')
    .execute()
}

export async function listTransitions(db: Db, assessmentId: string) {
  // Persons are disabled, never deleted, so the name of whoever made a transition stays readable.
  return db
    .selectFrom('transitions as t')
    .leftJoin('persons as p', 'p.id', 't.actor')
    .select(['t.from_status', 't.to_status', 't.comment', 't.actor_role', 't.at', 'p.name as actor_label'])
    .where('t.assessment_id', '=', assessmentId)
    .orderBy('t.seq')
    .execute()
}

export async function recordTransition(
  db: Db,
  assessmentId: string,
  from: AssessmentStatus | null,
  to: AssessmentStatus,
  actor: Actor,
  comment: string | null,
): Promise<void> {
  await db
    .insertInto('transitions')
    .values({ assessment_id: assessmentId, from_status: from, to_status: to, comment, actor: actor.personId, actor_role: actor.role })
    .execute()
}

export async function answerHistory(db: Db, assessmentId: string, questionId: string) {
  return db
    .selectFrom('answer_history as h')
    .leftJoin('persons as p', 'p.id', 'h.changed_by')
    .select(['h.revision', 'h.old_answer', 'h.new_answer', 'h.changed_at', 'h.changed_by_role', 'p.name as changed_by_name'])
    .where('h.assessment_id', '=', assessmentId)
    .where('h.question_id', '=', questionId)
    .orderBy('h.seq')
    .execute()
}

export async function listComments(db: Db, assessmentId: string) {
  return db
    .selectFrom('review_comments')
    .select(['id', 'question_id', 'body', 'author_label', 'created_at'])
    .where('assessment_id', '=', assessmentId)
    .orderBy('seq')
    .execute()
}
