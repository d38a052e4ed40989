// The assessment use cases. Each write is one transaction that locks the assessment row, checks,
// changes answers, appends history and recomputes the stored readiness, so concurrent writers to
// one assessment take turns and a reader never sees answers and scores out of step.
import type { Kysely, Transaction } from 'kysely'
import type pg from 'pg'
import type { Database } from '../db/schema.js'
import { AppError, conflict, forbidden, notFound, preconditionFailed, unprocessable, type FieldProblem } from '../errors.js'
import { applies, checkAnswer, commentProblem, type AnswerLookup, type StoredAnswer } from '../questionnaires/answers.js'
import type { LoadedVersion, QuestionnaireStore } from '../questionnaires/store.js'
import type { PendingCredential } from '../auth/statement-credential.js'
import { domainScoreRows, storeReadiness, type StoreOptions } from '../readiness/store.js'
import { rescore, score, type Readiness } from '../scoring/score.js'
import { parseIfMatch, type Precondition } from './etag.js'
import { answerableDomains, hasMembership } from '../people/principal.js'
import type { MembershipRole } from '../db/schema.js'
import type { Actor } from './principal.js'
import { kyselyRunner, poolRunner } from '../db/prepared.js'
import {
  applyWrite,
  changedDomains,
  lockAssessment,
  readSnapshot,
  writeThrough,
  type AnswerChange,
  type WritePlan,
  type WriteSnapshot,
} from './answer-store.js'
import { findByKey, findVisible, loadAnswers, recordTransition, type AnswerRow, type AssessmentRow } from './repository.js'
import { planMove, type MovingAnswer } from './version-move.js'
import { snapshotAfterWrite, type SnapshotMemory } from './snapshot-memory.js'
import { assertEvidenceForSubmission } from '../evidence/submission.js'
import { checkTransition, isEditable, type Action } from './workflow.js'
import type { WriteCoalescer } from './write-coalescer.js'
import { queueTransitionMails } from '../campaigns/mails.js'
import { campaignForNewAssessment, submissionLateness } from '../campaigns/rules.js'
import { systemClock, type Clock } from '../jobs/clock.js'
import { audit } from '../people/audit.js'

type Trx = Transaction<Database>

export interface Evidence {
  title: string
  url: string
}

export interface AnswerWrite {
  questionId: string
  value?: unknown
  special?: 'not_applicable' | 'unknown' | null
  comment?: string | null | undefined
  evidence?: Evidence[] | undefined
  /** The answer revision the client last saw (If-Match); required to change an existing answer. */
  precondition: Precondition
  /** Where in the request this write came from, for error paths. */
  path: string
}

export interface Context {
  db: Kysely<Database>
  questionnaires: QuestionnaireStore
  /** The pool under `db`: answer writes run on it as named prepared statements (without it, through Kysely). */
  pool?: pg.Pool | undefined
  /** Deadlines and notifications read the time from here (tests move it); the system clock by default. */
  clock?: Clock
  /** Assessments as this process last wrote them: the next write to one needs no read (answer writes only). */
  snapshots?: SnapshotMemory
  /** Runs answer writes on `pool`, those that queue meanwhile grouped in one statement (without it, each alone). */
  coalescer?: WriteCoalescer
}

/** A questionnaire version, read through the caller's transaction when it is not cached yet. */
async function versionOf(ctx: Context, trx: Kysely<Database>, questionnaire: string, version: number): Promise<LoadedVersion> {
  const loaded = await ctx.questionnaires.get(questionnaire, version, trx)
  if (!loaded) throw new AppError(500, 'questionnaire_missing', `questionnaire ${questionnaire} v${version} is not published`)
  return loaded
}

function stored(row: Pick<AnswerRow, 'value' | 'special'>): StoredAnswer {
  return { value: (row.value ?? null) as StoredAnswer['value'], special: row.special }
}

function answerSnapshot(row: { value: unknown; special: string | null; comment: string | null; evidence: unknown }) {
  return { value: row.value ?? null, special: row.special, comment: row.comment, evidence: row.evidence }
}

export async function lockVisible(trx: Trx, actor: Actor, id: string): Promise<AssessmentRow> {
  const row = await findVisible(trx, actor, id, true)
  if (!row) throw notFound(`assessment ${id}`)
  return row
}

/**
 * Recomputes readiness from the answers as they now stand and stores it with the assessment:
 * answers whose raw score changed (a condition can switch other questions on or off), the domain
 * figures, and the assessment's overall figures.
 */
async function recompute(
  trx: Trx,
  assessmentId: string,
  version: LoadedVersion,
  answers: AnswerRow[],
  options: StoreOptions = {},
): Promise<{ assessment: AssessmentRow; readiness: Readiness }> {
  const readiness = score(version.content, new Map(answers.map((a) => [a.question_id, stored(a)])))
  const raw = new Map<string, number | null>()
  for (const q of readiness.questions) raw.set(q.questionId, q.raw)
  for (const answer of answers) {
    const next = raw.get(answer.question_id) ?? null
    if (answer.score === next) continue
    await trx.updateTable('answers').set({ score: next }).where('assessment_id', '=', assessmentId).where('question_id', '=', answer.question_id).execute()
    answer.score = next
  }
  const assessment = await storeReadiness(trx, assessmentId, readiness, options)
  return { assessment, readiness }
}

export interface CreateInput {
  questionnaire: string
  version?: number | undefined
  country: string
  cycle: number
  from?: string | undefined
}

export async function createAssessment(ctx: Context, actor: Actor, input: CreateInput) {
  const country = input.country.toUpperCase()
  if (actor.role === 'administration' && actor.country !== country) {
    throw forbidden(`this token may create assessments only for ${actor.country}`)
  }
  if (actor.role === 'admin') throw forbidden('admin tokens manage tokens; assessments are created by administrations or staff')
  // A contributor answers; starting an assessment is the focal point's.
  if (actor.role === 'administration' && !hasMembership(actor, 'focal_point', country)) {
    throw forbidden(`only a focal point of ${country} starts its assessments`)
  }
  const version = input.version ?? (await ctx.questionnaires.latestVersion(input.questionnaire))
  const loaded = version === undefined ? undefined : await ctx.questionnaires.get(input.questionnaire, version)
  if (!loaded || version === undefined) {
    throw unprocessable(`questionnaire ${input.questionnaire}${input.version ? ` version ${input.version}` : ''} is not published`, [
      { path: input.version ? '/body/version' : '/body/questionnaire', message: 'is not a published questionnaire version' },
    ])
  }

  return ctx.db.transaction().execute(async (trx) => {
    const known = await trx.selectFrom('countries').select('code').where('code', '=', country).executeTakeFirst()
    if (!known) throw unprocessable(`${country} is not an ITU Member State code`, [{ path: '/body/country', message: 'unknown country code' }])
    const campaign = await campaignForNewAssessment(trx, { questionnaire: input.questionnaire, cycle: input.cycle, country }, input.version)
    const target = campaign.version === version ? loaded : await versionOf(ctx, trx, input.questionnaire, campaign.version)
    const existing = await findByKey(trx, { country, questionnaire: input.questionnaire, cycle: input.cycle })
    // The empty draft a campaign made may still be started from the previous cycle.
    const fill = existing && input.from && (await isUntouchedCampaignDraft(trx, existing.id)) ? existing : undefined
    if (existing && !fill) {
      throw conflict(`${country} already has a ${input.questionnaire} assessment for cycle ${input.cycle}`, {
        existing: { id: existing.id, href: `/assessments/${existing.id}`, status: existing.status, version: existing.version },
      })
    }
    let source: AssessmentRow | undefined
    if (input.from) {
      source = await findVisible(trx, actor, input.from)
      if (!source) throw notFound(`assessment ${input.from}`)
      if (source.country !== country || source.questionnaire !== input.questionnaire) {
        throw unprocessable('a new cycle can start only from an assessment of the same country and questionnaire', [
          { path: '/body/from', message: `is a ${source.questionnaire} assessment of ${source.country}` },
        ])
      }
    }
    const created = fill
      ? await trx
          .updateTable('assessments')
          .set({ carried_from: source?.id ?? null })
          .where('id', '=', fill.id)
          .returningAll()
          .executeTakeFirstOrThrow()
      : await trx
          .insertInto('assessments')
          .values({
            country,
            questionnaire: input.questionnaire,
            version: campaign.version,
            cycle: input.cycle,
            status: 'draft',
            created_by: actor.personId,
            carried_from: source?.id ?? null,
            campaign_id: campaign.id,
            overall_score: null,
            tier: null,
          })
          .returningAll()
          .executeTakeFirstOrThrow()
    if (!fill) await recordTransition(trx, created.id, null, 'draft', actor, source ? `started from ${source.cycle} (${source.id})` : null)

    const carried: string[] = []
    const notCarried: { questionId: string; reason: string }[] = []
    if (source) {
      const previous = await versionOf(ctx, trx, source.questionnaire, source.version)
      const answers = await loadAnswers(trx, source.id)
      const plan = planMove(previous.content, target.content, movingAnswers(answers))
      for (const r of plan.redo) notCarried.push({ questionId: r.questionId, reason: r.reason })
      const keep = new Set(plan.kept)
      for (const answer of answers) {
        if (!keep.has(answer.question_id)) continue
        await trx
          .insertInto('answers')
          .values({
            assessment_id: created.id,
            question_id: answer.question_id,
            value: answer.value === null ? null : JSON.stringify(answer.value),
            special: answer.special,
            comment: answer.comment,
            evidence: JSON.stringify(answer.evidence),
            carried_forward: true,
            score: null,
            updated_by: actor.personId,
            updated_by_role: actor.role,
          })
          .execute()
        await trx
          .insertInto('answer_history')
          .values({
            assessment_id: created.id,
            question_id: answer.question_id,
            revision: 1,
            old_answer: null,
            new_answer: JSON.stringify({ ...answerSnapshot(answer), carriedFrom: source.id }),
            changed_by: actor.personId,
            changed_by_role: actor.role,
          })
          .execute()
        carried.push(answer.question_id)
      }
    }
    const { assessment } = await recompute(trx, created.id, target, await loadAnswers(trx, created.id), { bumpRevision: fill !== undefined })
    return { assessment, carried, notCarried }
  })
}

/** A draft a campaign made that nobody has answered or moved yet. */
async function isUntouchedCampaignDraft(trx: Trx, id: string): Promise<boolean> {
  const row = await trx
    .selectFrom('assessments as a')
    .select('a.id')
    .where('a.id', '=', id)
    .where('a.status', '=', 'draft')
    .where('a.campaign_id', 'is not', null)
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('answers').select('question_id').where('assessment_id', '=', id))))
    .executeTakeFirst()
  return row !== undefined
}

function movingAnswers(rows: AnswerRow[]): Map<string, MovingAnswer> {
  return new Map(rows.map((a) => [a.question_id, { ...stored(a), comment: a.comment }]))
}

/** Who may take each action, beyond the coarse role: submitting is the focal point's, reviewing the reviewer's. */
const MEMBERSHIP_FOR: Record<Action, MembershipRole> = {
  submit: 'focal_point',
  reopen: 'focal_point',
  return: 'reviewer',
  validate: 'reviewer',
  unvalidate: 'admin',
}

/** Whether the actor's memberships allow the action on an assessment of `country` (the workflow decides whether it applies now). */
export function mayTake(actor: Actor, action: Action, country: string): boolean {
  const needs = MEMBERSHIP_FOR[action]
  return hasMembership(actor, needs, needs === 'focal_point' ? country : undefined)
}

function assertCanEdit(actor: Actor, assessment: AssessmentRow): void {
  if (actor.role !== 'administration') throw forbidden('only the administration of the country answers its assessment')
  if (!isEditable(assessment.status)) {
    throw conflict(
      assessment.status === 'returned'
        ? 'the assessment was returned; reopen it (POST .../transitions {"action":"reopen"}) before changing answers'
        : `the assessment is ${assessment.status} and can no longer be changed`,
      { assessmentStatus: assessment.status },
    )
  }
}

/**
 * Writes answers all-or-nothing. Every problem is collected and reported together (422), a stale
 * or missing If-Match on an existing answer is a 412/428 for the whole request.
 * Answers to questions that do not apply (their applies_if is not met once the request's own answers
 * are taken into account) are refused: storing them would suggest they count, and they would not.
 */
/** A contributor limited to some domains answers those only: 403 naming the first other domain. */
function assertMayAnswer(actor: Actor, assessment: AssessmentRow, version: LoadedVersion, writes: AnswerWrite[]): void {
  const domains = answerableDomains(actor, assessment.country, assessment.questionnaire)
  if (domains === 'all') return
  for (const write of writes) {
    const domain = version.domainOf.get(write.questionId)
    if (domain && !domains.includes(domain)) {
      const title = version.content.domains.find((d) => d.id === domain)?.title.en ?? domain
      throw forbidden(
        `you answer ${domains.length ? `the domains ${domains.join(', ')}` : 'no domain'} of ${assessment.country}; ${write.questionId} is in the domain ${domain} (${title})`,
      )
    }
  }
}

/** Optimistic attempts before a write waits for the assessment's row lock instead. */
const OPTIMISTIC_ATTEMPTS = 3

/**
 * Writes answers all-or-nothing, with their history, the rescored answers, the changed domain
 * figures and the assessment's overall figures in ONE statement (answer-store.ts).
 *
 * Optimistic first: take the assessment as this process last wrote it (snapshot-memory.ts) or read
 * it without locking, check and score in memory, then write only if the assessment's revision is
 * still the one read (every change to an assessment bumps it) and, when the caller's token came from
 * memory, only if that token still holds (auth/statement-credential.ts). A single statement is
 * atomic, so no transaction is needed and a reader never sees an answer without its score. In the
 * steady state a write is that one statement. When the guard fails, the assessment is read as it
 * now stands and the credential is checked; a refusal (404, 409, 422…) is only
 * ever given from the database's state to a confirmed credential. After a few races the write takes
 * the row lock, so it always finishes.
 */
export async function writeAnswers(ctx: Context, actor: Actor, assessmentId: string, writes: AnswerWrite[], pending?: PendingCredential) {
  const run = ctx.pool ? poolRunner(ctx.pool) : kyselyRunner(ctx.db)
  const write = ctx.coalescer?.write ?? writeThrough(run)
  let caller = actor
  let unconfirmed = pending
  const confirm = async () => {
    if (!unconfirmed) return
    caller = await unconfirmed.confirm()
    unconfirmed = undefined
  }
  // What the next attempt plans from: remembered by this process, given back by a failed write, or (null) to be read.
  let known: WriteSnapshot | undefined | null = ctx.snapshots?.recall(assessmentId) ?? null
  let fromMemory = known !== null
  for (let attempt = 0; attempt < OPTIMISTIC_ATTEMPTS; attempt++) {
    const snapshot = known === null ? await readSnapshot(run, assessmentId, visibleCountry(caller)) : visibleTo(known, caller)
    let planned: Awaited<ReturnType<typeof planAnswers>>
    try {
      planned = await planAnswers(ctx, ctx.db, caller, assessmentId, snapshot, writes)
    } catch (error) {
      if (!fromMemory && !unconfirmed) throw error
      await confirm()
      known = null
      fromMemory = false
      ctx.snapshots?.forget(assessmentId)
      continue
    }
    const outcome = await applyWrite(run, write, planned.plan, visibleCountry(caller), unconfirmed?.credential ?? null)
    if (outcome.written) {
      ctx.snapshots?.remember(snapshotAfterWrite(snapshot!, { assessment: outcome.written, ...writtenRows(planned) }))
      return { ...planned.result, assessment: outcome.written }
    }
    ctx.snapshots?.forget(assessmentId)
    // Only the revision moved when the statement found the credential holding: it is confirmed.
    if (outcome.credentialHeld) unconfirmed = undefined
    else await confirm()
    known = outcome.current
    fromMemory = false
  }
  await confirm()
  ctx.snapshots?.forget(assessmentId)
  return ctx.db.transaction().execute(async (trx) => {
    const locked = kyselyRunner(trx)
    await lockAssessment(locked, assessmentId)
    const snapshot = await readSnapshot(locked, assessmentId, visibleCountry(caller))
    const planned = await planAnswers(ctx, trx, caller, assessmentId, snapshot, writes)
    const outcome = await applyWrite(locked, writeThrough(locked), planned.plan, visibleCountry(caller))
    if (!outcome.written) throw new Error(`assessment ${assessmentId} changed while locked`)
    return { ...planned.result, assessment: outcome.written }
  })
}

/** A remembered snapshot as `readSnapshot` would give it to this caller: none for another country's administration. */
function visibleTo(snapshot: WriteSnapshot | undefined, actor: Actor): WriteSnapshot | undefined {
  const country = visibleCountry(actor)
  return !snapshot || country === null || snapshot.assessment.country === country ? snapshot : undefined
}

/** The rows a successful write stored, for the remembered snapshot. */
function writtenRows({ plan, result }: Awaited<ReturnType<typeof planAnswers>>) {
  return { answers: result.answers, rescored: plan.rescored, domains: domainScoreRows(plan.assessment.id, plan.domains), readiness: result.readiness }
}

/** The country an actor's reads are limited to (an administration's), or null for staff. */
function visibleCountry(actor: Actor): string | null {
  return actor.role === 'administration' ? (actor.country ?? '') : null
}

/**
 * Checks the writes against the assessment as read (404, 403, 409, 422, 428, 412: nothing is
 * written) and works out everything the write statement stores.
 */
async function planAnswers(
  ctx: Context,
  db: Kysely<Database>,
  actor: Actor,
  assessmentId: string,
  snapshot: WriteSnapshot | undefined,
  writes: AnswerWrite[],
): Promise<{ plan: WritePlan; result: { answers: AnswerRow[]; readiness: Readiness } }> {
  if (!snapshot) throw notFound(`assessment ${assessmentId}`)
  const { assessment } = snapshot
  assertCanEdit(actor, assessment)
  const version = await versionOf(ctx, db, assessment.questionnaire, assessment.version)
  assertMayAnswer(actor, assessment, version, writes)
  const current = snapshot.answers

  const problems: FieldProblem[] = []
  const seen = new Set<string>()
  const checked: { write: AnswerWrite; answer: StoredAnswer }[] = []
  for (const write of writes) {
    const question = version.questions.get(write.questionId)
    if (!question) {
      problems.push({
        path: `${write.path}/questionId`,
        message: `${write.questionId} is not a question of ${assessment.questionnaire} v${assessment.version}`,
      })
      continue
    }
    if (seen.has(write.questionId)) {
      problems.push({ path: `${write.path}/questionId`, message: `${write.questionId} appears more than once` })
      continue
    }
    seen.add(write.questionId)
    const result = checkAnswer(question, { value: write.value, special: write.special ?? null })
    if (!result.ok) {
      problems.push({ path: write.path, message: `${write.questionId}: ${result.problem}; allowed: ${result.allowed}` })
      continue
    }
    // The comment the answer will have: the one sent, or the stored one when none is sent.
    const comment = write.comment === undefined ? current.get(write.questionId)?.comment : write.comment
    const uncommented = commentProblem(question, result.answer, comment)
    if (uncommented) {
      problems.push({ path: `${write.path}/comment`, message: `${write.questionId}: ${uncommented}` })
      continue
    }
    checked.push({ write, answer: result.answer })
  }
  if (problems.length) throw unprocessable(`${problems.length} answer(s) are not valid`, problems)

  // Preconditions: an existing answer changes only with the revision the client saw.
  for (const { write } of checked) {
    const existing = current.get(write.questionId)
    const pre = write.precondition
    if (existing && pre.kind === 'none') {
      throw new AppError(428, 'precondition_required', `${write.questionId} already has an answer; send If-Match with its ETag`, {
        questionId: write.questionId,
        current: { revision: existing.revision, etag: `"${existing.revision}"` },
      })
    }
    const expected = pre.kind === 'revision' ? pre.revision : pre.kind === 'absent' ? 0 : undefined
    if (expected !== undefined && expected !== (existing?.revision ?? 0)) {
      throw preconditionFailed(`${write.questionId} was changed by someone else since you read it`, {
        questionId: write.questionId,
        current: existing ? { revision: existing.revision, etag: `"${existing.revision}"`, ...answerSnapshot(existing) } : null,
      })
    }
  }

  // The answers after the write: the new ones over the stored rows themselves (scoring reads only
  // value and special, never undefined in a row).
  const written = new Map(checked.map(({ write, answer }) => [write.questionId, answer]))
  const after: AnswerLookup = { get: (id) => written.get(id) ?? (current.get(id) as (AnswerRow & StoredAnswer) | undefined) }
  for (const { write } of checked) {
    if (!applies(version.questions.get(write.questionId)!, after, version.questions)) {
      const condition = version.questions.get(write.questionId)!.applies_if!
      problems.push({
        path: write.path,
        message: `${write.questionId} does not apply: it applies only when ${condition.question} is ${condition.in.join(' or ')}`,
      })
    }
  }
  if (problems.length) throw unprocessable('answers to questions that do not apply are refused', problems)

  // The new answers' raw scores are known before they are stored, so each row is written once.
  // Only the domains these answers can change are scored again when the snapshot carries the
  // readiness of its answers (it does after a write by this process): the figures are the same.
  const previous = snapshot.readiness
  const readiness = previous
    ? rescore(version.content, previous, after, written.keys())
    : score(version.content, new Map<string, StoredAnswer>([...(current as ReadonlyMap<string, AnswerRow & StoredAnswer>), ...written]))
  // Raw scores that may have moved: all after a full score; after a rescore, those of the domains
  // scored again (the others' results are the previous objects, which the stored rows already match).
  const same = previous && previous.questions.length === readiness.questions.length ? previous.questions : undefined
  const raw = new Map<string, number | null>()
  readiness.questions.forEach((q, i) => {
    if (q !== same?.[i]) raw.set(q.questionId, q.raw)
  })
  const at = new Date()
  const changes: AnswerChange[] = checked.map(({ write, answer }) => {
    const existing = current.get(write.questionId)
    const row = {
      question_id: write.questionId,
      value: answer.value,
      special: answer.special,
      comment: write.comment === undefined ? (existing?.comment ?? null) : write.comment?.trim() || null,
      evidence: write.evidence ?? existing?.evidence ?? [],
      score: raw.get(write.questionId) ?? null,
      revision: (existing?.revision ?? 0) + 1,
    }
    return { row, oldAnswer: existing ? answerSnapshot(existing) : null, newAnswer: answerSnapshot(row) }
  })
  const rescored: WritePlan['rescored'] = []
  const noteRescored = (a: AnswerRow | undefined, now: number | null) => {
    if (a && !written.has(a.question_id) && a.score !== now) rescored.push({ questionId: a.question_id, score: now })
  }
  // Every stored answer after a full score (one to a question the version lacks scores null).
  if (same) for (const [id, now] of raw) noteRescored(current.get(id), now)
  else for (const a of current.values()) noteRescored(a, raw.get(a.question_id) ?? null)
  const plan: WritePlan = {
    assessment,
    at,
    by: actor.personId,
    role: actor.role,
    overall: readiness.overall,
    changes,
    rescored,
    domains: changedDomains(snapshot.domains, readiness.domains),
  }
  const answers: AnswerRow[] = changes.map(({ row }) => ({
    ...row,
    assessment_id: assessment.id,
    carried_forward: false,
    updated_at: at,
    updated_by: actor.personId,
    updated_by_role: actor.role,
  }))
  return { plan, result: { answers, readiness } }
}

/** Required, applicable questions without an answer: what stands between a draft and submission. */
export function missingRequired(version: LoadedVersion, answers: ReadonlyMap<string, StoredAnswer>): string[] {
  const missing: string[] = []
  for (const [id, question] of version.questions) {
    if (!question.required || answers.has(id)) continue
    if (applies(question, answers, version.questions)) missing.push(id)
  }
  return missing
}

/**
 * Answers carried forward from the previous cycle, not yet confirmed or changed, to questions that
 * apply: each is last cycle's claim, so submission waits until the administration has looked at it.
 * One that no longer applies is neither counted nor asked for, like any answer to such a question.
 */
export function unconfirmedCarried(
  version: LoadedVersion,
  answers: readonly Pick<AnswerRow, 'question_id' | 'value' | 'special' | 'carried_forward'>[],
): string[] {
  const map = new Map(answers.map((a) => [a.question_id, stored(a)]))
  return answers
    .filter((a) => a.carried_forward)
    .filter((a) => {
      const question = version.questions.get(a.question_id)
      return question !== undefined && applies(question, map, version.questions)
    })
    .map((a) => a.question_id)
}

export async function transition(ctx: Context, actor: Actor, assessmentId: string, action: Action, comment: string | null, precondition: Precondition) {
  return ctx.db.transaction().execute(async (trx) => {
    const assessment = await lockVisible(trx, actor, assessmentId)
    if (precondition.kind === 'revision' && precondition.revision !== assessment.revision) {
      throw preconditionFailed('the assessment changed since you read it', { current: { revision: assessment.revision, etag: `"${assessment.revision}"` } })
    }
    const check = checkTransition(assessment.status, action, actor.role, comment)
    const needs = MEMBERSHIP_FOR[action]
    if (check.ok && !mayTake(actor, action, assessment.country)) {
      throw forbidden(`only a ${needs.replace('_', ' ')}${needs === 'focal_point' ? ` of ${assessment.country}` : ''} may ${action} an assessment`)
    }
    if (!check.ok) {
      if (check.reason === 'role') throw forbidden(check.message)
      if (check.reason === 'state') throw conflict(check.message, { assessmentStatus: assessment.status })
      throw unprocessable(check.message, [{ path: '/body/comment', message: 'is required' }])
    }
    const version = await versionOf(ctx, trx, assessment.questionnaire, assessment.version)
    const answers = await loadAnswers(trx, assessment.id)
    if (action === 'submit') {
      const missing = missingRequired(version, new Map(answers.map((a) => [a.question_id, stored(a)])))
      const unconfirmed = unconfirmedCarried(version, answers)
      if (missing.length || unconfirmed.length) {
        const parts = [
          missing.length ? `${missing.length} required question(s) are not answered yet` : '',
          unconfirmed.length ? `${unconfirmed.length} answer(s) carried forward from the previous cycle are not confirmed or changed yet` : '',
        ]
        throw unprocessable(
          parts.filter(Boolean).join('; '),
          [
            ...missing.map((id) => ({ path: `/answers/${id}`, message: 'a required question that applies has no answer' })),
            ...unconfirmed.map((id) => ({
              path: `/answers/${id}`,
              message: 'carried forward from the previous cycle: confirm it (save it again) or change it',
            })),
          ],
          { missing, unconfirmed },
        )
      }
      await assertEvidenceForSubmission(trx, version, assessment.id, answers)
    }
    const now = (ctx.clock ?? systemClock).now()
    const late = action === 'submit' && (await submissionLateness(trx, assessment.campaign_id, now))
    if (late) await trx.updateTable('assessments').set({ late: true }).where('id', '=', assessment.id).execute()
    if (action === 'unvalidate') await audit(trx, { action: 'validation_undone', actor, details: { assessmentId: assessment.id, reason: comment?.trim() } })
    await queueTransitionMails(trx, assessment, action, comment?.trim() || null, late, now)
    await recordTransition(trx, assessment.id, assessment.status, check.to, actor, comment?.trim() || null)
    if (action === 'return' && comment?.trim()) {
      await trx
        .insertInto('review_comments')
        .values({ assessment_id: assessment.id, question_id: null, body: comment.trim(), author: actor.personId, author_label: actor.name })
        .execute()
    }
    return (await recompute(trx, assessment.id, version, answers, { status: check.to })).assessment
  })
}

/**
 * Moves a draft to another version of its questionnaire. Answers that cannot move are removed,
 * listed in `redo` with the previous answer and the reason (and kept in history); the new
 * questions that now need an answer are listed in `newQuestions`.
 */
export async function changeVersion(ctx: Context, actor: Actor, assessmentId: string, targetVersion: number, precondition: Precondition) {
  return ctx.db.transaction().execute(async (trx) => {
    const assessment = await lockVisible(trx, actor, assessmentId)
    assertCanEdit(actor, assessment)
    // Moving removes answers of every domain: the focal point's decision, not a contributor's.
    if (!hasMembership(actor, 'focal_point', assessment.country)) {
      throw forbidden(`only a focal point of ${assessment.country} moves its assessment to another version`)
    }
    if (precondition.kind === 'revision' && precondition.revision !== assessment.revision) {
      throw preconditionFailed('the assessment changed since you read it', { current: { revision: assessment.revision, etag: `"${assessment.revision}"` } })
    }
    if (targetVersion === assessment.version) {
      throw unprocessable(`the assessment already uses version ${targetVersion}`, [{ path: '/body/version', message: 'is the current version' }])
    }
    const target = await ctx.questionnaires.get(assessment.questionnaire, targetVersion, trx)
    if (!target) {
      throw unprocessable(`${assessment.questionnaire} version ${targetVersion} is not published`, [{ path: '/body/version', message: 'is not published' }])
    }
    const from = await versionOf(ctx, trx, assessment.questionnaire, assessment.version)
    const answers = await loadAnswers(trx, assessment.id)
    const plan = planMove(from.content, target.content, movingAnswers(answers))
    const byId = new Map(answers.map((a) => [a.question_id, a]))
    const redo = plan.redo.map((r) => ({ ...r, previous: answerSnapshot(byId.get(r.questionId)!) }))
    for (const { questionId, reason } of plan.redo) {
      const answer = byId.get(questionId)!
      await trx.deleteFrom('answers').where('assessment_id', '=', assessment.id).where('question_id', '=', answer.question_id).execute()
      await trx
        .insertInto('answer_history')
        .values({
          assessment_id: assessment.id,
          question_id: answer.question_id,
          revision: answer.revision + 1,
          old_answer: JSON.stringify(answerSnapshot(answer)),
          new_answer: JSON.stringify({ removed: true, reason: `moved to version ${targetVersion}: ${reason}` }),
          changed_by: actor.personId,
          changed_by_role: actor.role,
        })
        .execute()
    }
    await trx.updateTable('assessments').set({ version: targetVersion }).where('id', '=', assessment.id).execute()
    await trx.deleteFrom('domain_scores').where('assessment_id', '=', assessment.id).execute()
    const { assessment: row } = await recompute(trx, assessment.id, target, await loadAnswers(trx, assessment.id))
    return { assessment: row, kept: plan.kept, redo, newQuestions: plan.newQuestions }
  })
}

export async function addComment(ctx: Context, actor: Actor, assessmentId: string, questionId: string | null, body: string) {
  if (actor.role !== 'staff' || !hasMembership(actor, 'reviewer')) throw forbidden('only reviewers write review comments')
  return ctx.db.transaction().execute(async (trx) => {
    const assessment = await lockVisible(trx, actor, assessmentId)
    if (questionId) {
      const version = await versionOf(ctx, trx, assessment.questionnaire, assessment.version)
      if (!version.questions.has(questionId)) {
        throw unprocessable(`${questionId} is not a question of this assessment`, [{ path: '/body/questionId', message: 'unknown question' }])
      }
    }
    return trx
      .insertInto('review_comments')
      .values({ assessment_id: assessment.id, question_id: questionId, body: body.trim(), author: actor.personId, author_label: actor.name })
      .returning(['id', 'question_id', 'body', 'author_label', 'created_at'])
      .executeTakeFirstOrThrow()
  })
}

export { parseIfMatch }
