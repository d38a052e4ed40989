// Assessment helpers for tests: create one, answer everything that is required, and snapshot the
// assessment tables to assert "nothing changed".
//   const auth = await tokenFor(app, 'administration', 'KEN')
//   const a = await createAssessment(app, auth, { questionnaire: 'cdc', country: 'KEN', cycle: 2026 })
//   await answerAll(app, auth, a.id)
//   const before = await dbSnapshot(app); ...; t.equal(await dbSnapshot(app), before)
//   await assertFresh(t, app, content, a.id)   every stored figure equals a fresh score()
import type { FastifyInstance } from 'fastify'
import { sql } from 'kysely'
import type { Test } from 'tap'
import type { StoredAnswer } from '../../src/questionnaires/answers.js'
import type { QuestionnaireFile } from '../../src/questionnaires/schema.js'
import { domainScoreRows } from '../../src/readiness/store.js'
import { score } from '../../src/scoring/score.js'

export interface CreateInput {
  questionnaire: string
  country: string
  cycle: number
  version?: number
  from?: string
}

/** A question as GET /questionnaires/{q}/versions/{v} shows it (the fields these helpers use). */
export interface ApiQuestion {
  id: string
  domain: string
  type: 'maturity' | 'yes_no_partial' | 'single_choice' | 'multi_choice' | 'number' | 'text'
  required: boolean
  allowNotApplicable: boolean
  allowUnknown: boolean
  appliesIf: { question: string; in: (string | number)[] } | null
  options?: { id: string; exclusive?: boolean }[]
  min?: number | null
  max?: number | null
  integer?: boolean
  maxLength?: number
}

export interface ApiVersion {
  id: string
  version: number
  domains: { id: string; questions: ApiQuestion[] }[]
}

/**
 * Makes sure an open campaign of this questionnaire and cycle invites the country (assessments
 * start only in one), written straight to the database: tests of other features need the rule
 * satisfied, not the campaign's mails and drafts. The campaign's version is the one asked for,
 * else the latest published.
 */
export async function ensureOpenCampaign(app: FastifyInstance, input: { questionnaire: string; cycle: number; country: string; version?: number | undefined }) {
  const version = input.version ?? (await app.questionnaires.latestVersion(input.questionnaire))
  if (version === undefined) return
  await app.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('campaigns')
      .values({
        questionnaire: input.questionnaire,
        version,
        cycle: input.cycle,
        title: `${input.questionnaire} ${input.cycle} (test)`,
        opens_at: new Date(Date.UTC(2000, 0, 1)),
        deadline: new Date(Date.UTC(2100, 11, 31)),
        state: 'open',
        opened_at: new Date(),
      })
      // A test asking for another version of the same cycle gets it: the version matters only when an assessment starts.
      .onConflict((oc) => oc.columns(['questionnaire', 'cycle']).doUpdateSet(input.version === undefined ? { state: 'open' } : { state: 'open', version }))
      .execute()
    const campaign = await trx
      .selectFrom('campaigns')
      .select('id')
      .where('questionnaire', '=', input.questionnaire)
      .where('cycle', '=', input.cycle)
      .executeTakeFirstOrThrow()
    await trx
      .insertInto('campaign_countries')
      .values({ campaign_id: campaign.id, country: input.country.toUpperCase() })
      .onConflict((oc) => oc.columns(['campaign_id', 'country']).doNothing())
      .execute()
  })
}

/** POST /assessments (in an open campaign, made if needed); fails loudly unless 201. Returns the assessment as the API shows it. */
export async function createAssessment(app: FastifyInstance, auth: string, input: CreateInput) {
  await ensureOpenCampaign(app, input)
  const res = await app.inject({ method: 'POST', url: '/assessments', headers: { authorization: auth }, payload: input })
  if (res.statusCode !== 201) throw new Error(`createAssessment: ${res.statusCode} ${res.body}`)
  return res.json().assessment as { id: string; version: number; questionnaire: string; country: string; cycle: number; status: string; revision: number }
}

/** The questionnaire version (all questions, flattened as well). */
export async function questionnaireVersion(app: FastifyInstance, questionnaire: string, version: number) {
  const res = await app.inject({ method: 'GET', url: `/questionnaires/${questionnaire}/versions/${version}?lang=en` })
  if (res.statusCode !== 200) throw new Error(`questionnaireVersion: ${res.statusCode} ${res.body}`)
  const body = res.json() as ApiVersion
  const questions = new Map(body.domains.flatMap((d) => d.questions).map((q) => [q.id, q]))
  return { ...body, questions }
}

/** A valid value for a question: maturity 3 (so conditions on 2,3,4 are met), 'yes', first option, a number in range, 'x'. */
export function validValue(q: ApiQuestion): unknown {
  switch (q.type) {
    case 'maturity':
      return 3
    case 'yes_no_partial':
      return 'yes'
    case 'single_choice':
      return q.options![0]!.id
    case 'multi_choice':
      return [q.options![0]!.id]
    case 'number': {
      const min = q.min ?? 0
      const max = q.max ?? min + 10
      const mid = (min + max) / 2
      return q.integer ? Math.ceil(mid) : mid
    }
    case 'text':
      return 'x'
  }
}

export async function getAssessment(app: FastifyInstance, auth: string, id: string) {
  const res = await app.inject({ method: 'GET', url: `/assessments/${id}`, headers: { authorization: auth } })
  if (res.statusCode !== 200) throw new Error(`getAssessment: ${res.statusCode} ${res.body}`)
  return res.json() as {
    id: string
    version: number
    questionnaire: string
    status: string
    revision: number
    missingRequired: string[]
    unconfirmed: string[]
    answers: { questionId: string; value: unknown; special: string | null; revision: number; etag: string; carriedForward: boolean }[]
    [k: string]: unknown
  }
}

/**
 * Answers every applicable required question with a valid value, conditions first: repeats
 * "answer what GET /assessments/{id} lists in missingRequired" until nothing is missing.
 * Returns the question ids answered.
 */
export async function answerAll(app: FastifyInstance, auth: string, id: string): Promise<string[]> {
  let detail = await getAssessment(app, auth, id)
  const version = await questionnaireVersion(app, detail.questionnaire, detail.version)
  const answered: string[] = []
  for (let round = 0; detail.missingRequired.length > 0; round++) {
    if (round > 20) throw new Error(`answerAll: still missing after 20 rounds: ${detail.missingRequired.join(', ')}`)
    const answers = detail.missingRequired.map((questionId) => {
      const q = version.questions.get(questionId)
      if (!q) throw new Error(`answerAll: ${questionId} is not in the questionnaire`)
      return { questionId, value: validValue(q) }
    })
    const res = await app.inject({ method: 'PATCH', url: `/assessments/${id}/answers`, headers: { authorization: auth }, payload: { answers } })
    if (res.statusCode !== 200) throw new Error(`answerAll: ${res.statusCode} ${res.body}`)
    answered.push(...answers.map((a) => a.questionId))
    detail = await getAssessment(app, auth, id)
  }
  await addRequiredEvidence(app, auth, id)
  return answered
}

/** Gives a link to every answer whose question requires evidence for it (the questionnaire's evidence rules), so the assessment can be submitted. */
export async function addRequiredEvidence(app: FastifyInstance, auth: string, id: string): Promise<void> {
  const evidence = await app.inject({ method: 'GET', url: `/assessments/${id}/evidence`, headers: { authorization: auth } })
  if (evidence.statusCode !== 200) throw new Error(`addRequiredEvidence: ${evidence.statusCode} ${evidence.body}`)
  const lacking = evidence.json().lackingEvidence as string[]
  if (lacking.length === 0) return
  const detail = await getAssessment(app, auth, id)
  const answers = lacking.map((questionId) => {
    const a = detail.answers.find((x) => x.questionId === questionId)!
    return { questionId, value: a.value, ifMatch: a.etag, evidence: [{ title: `Evidence for ${questionId}`, url: 'https://example.org/evidence.pdf' }] }
  })
  const res = await app.inject({ method: 'PATCH', url: `/assessments/${id}/answers`, headers: { authorization: auth }, payload: { answers } })
  if (res.statusCode !== 200) throw new Error(`addRequiredEvidence: ${res.statusCode} ${res.body}`)
}

const TABLES: Record<string, string> = {
  assessments: 'id',
  answers: 'assessment_id, question_id',
  answer_history: 'id',
  review_comments: 'id',
  transitions: 'id',
  domain_scores: 'assessment_id, domain',
  // last_used_at is left out: authentication itself may write it (at most once a minute per token).
  tokens: 'id',
}

/** A deterministic dump of the assessment tables (and tokens, without last_used_at), as a JSON string. */
export async function dbSnapshot(app: FastifyInstance): Promise<string> {
  const dump: Record<string, unknown[]> = {}
  for (const [table, order] of Object.entries(TABLES)) {
    const columns = table === 'tokens' ? sql.raw('id, prefix, role, country, label, created_at, created_by, expires_at, revoked_at') : sql.raw('*')
    const result = await sql<Record<string, unknown>>`select ${columns} from ${sql.table(table)} order by ${sql.raw(order)}`.execute(app.db)
    dump[table] = result.rows
  }
  return JSON.stringify(dump, (_key, value: unknown) => (Buffer.isBuffer(value) ? value.toString('hex') : value))
}

/** Every stored answer score, domain row and overall figure of the assessment equals a fresh score() of its stored answers. */
export async function assertFresh(t: Test, app: FastifyInstance, content: QuestionnaireFile, id: string, after = '') {
  const rows = await app.db.selectFrom('answers').selectAll().where('assessment_id', '=', id).execute()
  const fresh = score(content, new Map(rows.map((r) => [r.question_id, { value: r.value, special: r.special } as StoredAnswer])))
  const raw = new Map(fresh.questions.map((q) => [q.questionId, q.raw]))
  t.same(
    rows.filter((r) => r.score !== (raw.get(r.question_id) ?? null)).map((r) => r.question_id),
    [],
    `each answer stores its fresh score${after}`,
  )
  const stored = await app.db.selectFrom('domain_scores').selectAll().where('assessment_id', '=', id).orderBy('domain').execute()
  t.same(
    stored,
    domainScoreRows(id, fresh.domains).sort((x, y) => (x.domain < y.domain ? -1 : 1)),
    `every domain row equals a fresh score${after}`,
  )
  const assessment = await app.db.selectFrom('assessments').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
  t.same(
    [assessment.overall_score, assessment.coverage, assessment.tier, assessment.answered, assessment.applicable],
    [fresh.overall.score, fresh.overall.coverage, fresh.overall.tier, fresh.overall.counts.answered, fresh.overall.counts.applicable],
    `the overall figures equal a fresh score${after}`,
  )
}
