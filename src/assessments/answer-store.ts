// SQL of the answer write path: what a write needs to read (one statement), everything it writes
// (one statement: of one write, or of several writes to different assessments that queued together,
// see write-coalescer.ts), and what it reads when the write's guard failed. Functions take the
// statement runner first; the service owns the transaction, or decides that the single guarded
// statement needs none.
//
// The statements have fixed texts (rows travel as plain parameters for one answer, as arrays for
// more), so they run as named prepared statements (src/db/prepared.ts): parsed and planned once per
// connection, not on every write.
import { credentialHoldsSql, type StatementCredential } from '../auth/statement-credential.js'
import type { Run } from '../db/prepared.js'
import type { DomainScoresTable, Role } from '../db/schema.js'
import type { Readiness } from '../scoring/score.js'
import type { AnswerRow, AssessmentRow } from './repository.js'

export type DomainScoreRow = DomainScoresTable

export interface WriteSnapshot {
  assessment: AssessmentRow
  /** By question id: a write looks its answers up, and the next snapshot is this one with a few replaced. */
  answers: ReadonlyMap<string, AnswerRow>
  domains: DomainScoreRow[]
  /** The readiness of exactly these answers, when known (after a write by this process), for rescore. */
  readiness?: Readiness
}

/** The assessment with its answers and domain rows as JSON; `$id` and `$country` are parameter numbers. */
const snapshotSql = (id: number, country: number) => `
  select a.*,
    coalesce((select json_agg(x) from answers x where x.assessment_id = a.id), '[]') as answer_rows,
    coalesce((select json_agg(d) from domain_scores d where d.assessment_id = a.id), '[]') as domain_rows
  from assessments a
  where a.id = $${id}::uuid and ($${country}::text is null or a.country = $${country}::text)`

type SnapshotRow = AssessmentRow & { answer_rows: (Omit<AnswerRow, 'updated_at'> & { updated_at: string })[]; domain_rows: DomainScoreRow[] }

function snapshotOf(row: SnapshotRow): WriteSnapshot {
  const { answer_rows, domain_rows, ...assessment } = row
  return {
    assessment,
    answers: new Map(answer_rows.map((a) => [a.question_id, { ...a, updated_at: new Date(a.updated_at) }])),
    domains: domain_rows,
  }
}

/**
 * The assessment with its answers and stored domain figures, if `country` (an administration's)
 * is null or the assessment's.
 */
export async function readSnapshot(run: Run, id: string, country: string | null): Promise<WriteSnapshot | undefined> {
  const [row] = await run<SnapshotRow>('answers.snapshot', snapshotSql(1, 2), [id, country])
  return row && snapshotOf(row)
}

/**
 * Locks the assessment row (for the rest of the caller's transaction). Not merged into the
 * snapshot's statement on purpose: under READ COMMITTED a `FOR UPDATE` that waited returns the
 * newest row but its subqueries would still read the answers as they were before the wait.
 */
export async function lockAssessment(run: Run, id: string): Promise<void> {
  await run('answers.lock', 'select 1 from assessments where id = $1::uuid for update', [id])
}

/**
 * Rows of `columns` from parameters numbered from `first`: one row of plain parameters (`one`), or
 * any number from one array parameter per column. The usual write (one answer, one domain) takes the
 * first: no arrays to parse on either side.
 */
function rowsOf(first: number, columns: readonly (readonly [name: string, type: string])[], one: boolean): string {
  const param = (i: number, type: string) => `$${first + i}::${type}${one ? '' : '[]'}`
  return one
    ? `select ${columns.map(([name, type], i) => `${param(i, type)} as ${name}`).join(', ')}`
    : `select * from unnest(${columns.map(([, type], i) => param(i, type)).join(', ')}) as r(${columns.map(([name]) => name).join(', ')})`
}

const CHANGE_COLUMNS = [
  ['question_id', 'text'],
  ['value', 'jsonb'],
  ['special', 'text'],
  ['comment', 'text'],
  ['evidence', 'jsonb'],
  ['score', 'float8'],
  ['revision', 'int'],
  ['old_answer', 'jsonb'],
  ['new_answer', 'jsonb'],
] as const
const DOMAIN_COLUMNS = [
  ['domain', 'text'],
  ['score', 'float8'],
  ['coverage', 'float8'],
  ['tier', 'text'],
  ['applicable', 'int'],
  ['answered', 'int'],
  ['not_applicable', 'int'],
  ['unknown', 'int'],
  ['missing', 'int'],
] as const

/** What a written answer row gets on conflict: everything the write sets. */
const ANSWER_UPSERT = `on conflict (assessment_id, question_id) do update set
      value = excluded.value, special = excluded.special, comment = excluded.comment, evidence = excluded.evidence,
      carried_forward = false, score = excluded.score, revision = excluded.revision, updated_at = excluded.updated_at,
      updated_by = excluded.updated_by, updated_by_role = excluded.updated_by_role`
const DOMAIN_UPSERT = `on conflict (assessment_id, domain) do update set
      score = excluded.score, coverage = excluded.coverage, tier = excluded.tier, applicable = excluded.applicable,
      answered = excluded.answered, not_applicable = excluded.not_applicable, unknown = excluded.unknown, missing = excluded.missing`

/**
 * The write statement's text. Kept as small as the write allows: PostgreSQL builds the executor state
 * of every node on each execution, so a CTE that has nothing to do (rescoring when no other answer's
 * score moved) is left out of the text instead of being run on empty arrays, what a failed guard
 * needs is another statement (FAILED_WRITE), run only then, and only the new revision comes back
 * (the rest of the row is known: the planned-from row with the figures the statement wrote).
 */
const writeSql = (rescore: boolean, one: boolean) => `
  with a as (
    update assessments
       set revision = revision + 1, updated_at = $3::timestamptz,
           overall_score = $6::float8, coverage = $7::float8, tier = $8::text, answered = $9::int, applicable = $10::int
     where id = $1::uuid and revision = $2::int and ($11::bytea is null or ${credentialHoldsSql('$11::bytea', '$12::text')})
    returning revision
  ), w as (
    ${rowsOf(13, CHANGE_COLUMNS, one)}
  ), stored as (
    insert into answers (assessment_id, question_id, value, special, comment, evidence, carried_forward, score, revision, updated_at, updated_by, updated_by_role)
    select $1::uuid, question_id, value, special, comment, evidence, false, score, revision, $3::timestamptz, $4::uuid, $5::text from w
     where exists (select from a)
    ${ANSWER_UPSERT}
  ), history as (
    insert into answer_history (assessment_id, question_id, revision, old_answer, new_answer, changed_at, changed_by, changed_by_role)
    select $1::uuid, question_id, revision, old_answer, new_answer, $3::timestamptz, $4::uuid, $5::text from w
     where exists (select from a)
  ), domains as (
    insert into domain_scores (assessment_id, domain, score, coverage, tier, applicable, answered, not_applicable, unknown, missing)
    select $1::uuid, d.* from (${rowsOf(22, DOMAIN_COLUMNS, one)}) d
     where exists (select from a)
    ${DOMAIN_UPSERT}
  )${
    rescore
      ? `, rescored as (
    update answers x set score = r.score
      from unnest($31::text[], $32::float8[]) as r(question_id, score)
     where x.assessment_id = $1::uuid and x.question_id = r.question_id and exists (select from a)
  )`
      : ''
  }
  select revision from a`

/** A statement to run: its prepared statement's name, its text and its values. */
export interface Statement {
  name: string
  text: string
  values: unknown[]
}

/** The write statement for a plan's shape: its prepared statement's name and text. */
const writeStatement = (rescore: boolean, one: boolean) => ({
  name: `answers.write${rescore ? '-rescoring' : ''}${one ? '-one' : ''}`,
  text: writeSql(rescore, one),
})
/** The four statements, made once. */
const WRITES = new Map([false, true].flatMap((rescore) => [false, true].map((one) => [`${rescore} ${one}`, writeStatement(rescore, one)] as const)))

const PLAN_COLUMNS = [
  ['id', 'uuid'],
  ['seen', 'int'],
  ['at', 'timestamptz'],
  ['by', 'uuid'],
  ['role', 'text'],
  ['overall_score', 'float8'],
  ['coverage', 'float8'],
  ['tier', 'text'],
  ['answered', 'int'],
  ['applicable', 'int'],
  ['hash', 'bytea'],
  ['access', 'text'],
] as const
const ASSESSMENT_ID = ['assessment_id', 'uuid'] as const
const RESCORED_COLUMNS = [ASSESSMENT_ID, ['question_id', 'text'], ['score', 'float8']] as const

/**
 * The write of several plans (of distinct assessments) in one statement: the same guards, rows and
 * figures as `writeSql` for each plan, each plan written only if its own guard holds. Its rows: the
 * id and new revision of every assessment written.
 */
const batchSql = (rescore: boolean) => `
  with p as (
    ${rowsOf(1, PLAN_COLUMNS, false)}
  ), a as (
    update assessments x
       set revision = x.revision + 1, updated_at = p.at,
           overall_score = p.overall_score, coverage = p.coverage, tier = p.tier, answered = p.answered, applicable = p.applicable
      from p
     where x.id = p.id and x.revision = p.seen and (p.hash is null or ${credentialHoldsSql('p.hash', 'p.access')})
    returning x.id, x.revision, p.at, p.by, p.role
  ), w as (
    ${rowsOf(13, [ASSESSMENT_ID, ...CHANGE_COLUMNS], false)}
  ), stored as (
    insert into answers (assessment_id, question_id, value, special, comment, evidence, carried_forward, score, revision, updated_at, updated_by, updated_by_role)
    select w.assessment_id, w.question_id, w.value, w.special, w.comment, w.evidence, false, w.score, w.revision, a.at, a.by, a.role
      from w join a on a.id = w.assessment_id
    ${ANSWER_UPSERT}
  ), history as (
    insert into answer_history (assessment_id, question_id, revision, old_answer, new_answer, changed_at, changed_by, changed_by_role)
    select w.assessment_id, w.question_id, w.revision, w.old_answer, w.new_answer, a.at, a.by, a.role
      from w join a on a.id = w.assessment_id
  ), domains as (
    insert into domain_scores (assessment_id, domain, score, coverage, tier, applicable, answered, not_applicable, unknown, missing)
    select d.* from (${rowsOf(23, [ASSESSMENT_ID, ...DOMAIN_COLUMNS], false)}) d join a on a.id = d.assessment_id
    ${DOMAIN_UPSERT}
  )${
    rescore
      ? `, rescored as (
    update answers x set score = r.score
      from (${rowsOf(33, RESCORED_COLUMNS, false)}) r join a on a.id = r.assessment_id
     where x.assessment_id = r.assessment_id and x.question_id = r.question_id
  )`
      : ''
  }
  select id, revision from a`

const BATCHES = new Map([false, true].map((rescore) => [rescore, { name: `answers.write-batch${rescore ? '-rescoring' : ''}`, text: batchSql(rescore) }]))

/** After a write's guard failed: the assessment as it now stands (if `$3` sees it), and whether the credential holds. */
const FAILED_WRITE = `
  select s.*, ($1::bytea is null or ${credentialHoldsSql('$1::bytea', '$2::text')}) as credential_holds from (${snapshotSql(4, 3)}) s`

/** One answer as written, with its history entry. */
export interface AnswerChange {
  row: Omit<AnswerRow, 'assessment_id' | 'updated_at' | 'updated_by' | 'updated_by_role' | 'carried_forward'>
  oldAnswer: unknown
  newAnswer: unknown
}

export interface WritePlan {
  /** The assessment as the plan was made from it: the write happens only if it is still at its revision. */
  assessment: AssessmentRow
  at: Date
  by: string | null
  role: Role
  overall: Readiness['overall']
  changes: AnswerChange[]
  /** Other answers whose raw score changed (a condition switched them on or off). */
  rescored: { questionId: string; score: number | null }[]
  /** Only the domains whose figures changed. */
  domains: Readiness['domains']
}

/** A plan with the credential its write must find holding (null: none to check). */
export interface GuardedPlan {
  plan: WritePlan
  credential: StatementCredential | null
}

const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v))

/** The values of the change columns (CHANGE_COLUMNS), in order. */
const changeValues = (c: AnswerChange) => [
  c.row.question_id,
  json(c.row.value),
  c.row.special,
  c.row.comment,
  JSON.stringify(c.row.evidence),
  c.row.score,
  c.row.revision,
  json(c.oldAnswer),
  JSON.stringify(c.newAnswer),
]
/** The values of the domain columns (DOMAIN_COLUMNS), in order. */
const domainValues = (d: Readiness['domains'][number]) => [
  d.domain,
  d.score,
  d.coverage,
  d.tier,
  d.counts.applicable,
  d.counts.answered,
  d.counts.notApplicable,
  d.counts.unknown,
  d.counts.missing,
]
/** The values of the plan columns (PLAN_COLUMNS), in order: the single statement's $1–$12 too. */
const planValues = ({ plan, credential }: GuardedPlan) => [
  plan.assessment.id,
  plan.assessment.revision,
  plan.at,
  plan.by,
  plan.role,
  plan.overall.score,
  plan.overall.coverage,
  plan.overall.tier,
  plan.overall.counts.answered,
  plan.overall.counts.applicable,
  credential?.hash ?? null,
  credential?.access ?? null,
]

/** Rows of values as one array per column: the statements' array parameters. */
function columnsOf(rows: unknown[][], width: number): unknown[][] {
  const columns = Array.from({ length: width }, () => [] as unknown[])
  for (const row of rows) for (let i = 0; i < width; i++) columns[i]!.push(row[i])
  return columns
}

/** One plan's write statement. */
export function singleWrite(guarded: GuardedPlan): Statement {
  const { changes, domains, rescored } = guarded.plan
  const one = changes.length === 1 && domains.length === 1
  const values: unknown[] = planValues(guarded)
  if (one) values.push(...changeValues(changes[0]!), ...domainValues(domains[0]!))
  else values.push(...columnsOf(changes.map(changeValues), CHANGE_COLUMNS.length), ...columnsOf(domains.map(domainValues), DOMAIN_COLUMNS.length))
  if (rescored.length)
    values.push(
      rescored.map((r) => r.questionId),
      rescored.map((r) => r.score),
    )
  const { name, text } = WRITES.get(`${rescored.length > 0} ${one}`)!
  return { name, text, values }
}

/** Several plans' writes (of distinct assessments) in one statement, whose rows give `id` and `revision` of each assessment written. */
export function batchWrite(guarded: readonly GuardedPlan[]): Statement {
  const id = (g: GuardedPlan) => g.plan.assessment.id
  const rescored = guarded.flatMap((g) => g.plan.rescored.map((r) => [id(g), r.questionId, r.score]))
  const values = [
    ...columnsOf(guarded.map(planValues), PLAN_COLUMNS.length),
    ...columnsOf(
      guarded.flatMap((g) => g.plan.changes.map((c) => [id(g), ...changeValues(c)])),
      CHANGE_COLUMNS.length + 1,
    ),
    ...columnsOf(
      guarded.flatMap((g) => g.plan.domains.map((d) => [id(g), ...domainValues(d)])),
      DOMAIN_COLUMNS.length + 1,
    ),
    ...(rescored.length ? columnsOf(rescored, RESCORED_COLUMNS.length) : []),
  ]
  const { name, text } = BATCHES.get(rescored.length > 0)!
  return { name, text, values }
}

/** Runs a plan's write: the new revision, or null when its guard failed (nothing was written). */
export type WriteRunner = (guarded: GuardedPlan) => Promise<number | null>

/** Each write as its own statement, through `run` (a transaction's, or the pool's). */
export function writeThrough(run: Run): WriteRunner {
  return async (guarded) => {
    const { name, text, values } = singleWrite(guarded)
    const [row] = await run<{ revision: number }>(name, text, values)
    return row?.revision ?? null
  }
}

/**
 * What a write did: the updated assessment, or, when its guard failed, the assessment as it now
 * stands (if `country` sees it) and whether the credential held (so only the revision had moved).
 */
export type WriteOutcome = { written: AssessmentRow } | { written: null; current: WriteSnapshot | undefined; credentialHeld: boolean }

/**
 * Writes the answers, their history, rescored answers, changed domain figures and the assessment's
 * overall figures (bumping its revision) in ONE statement (through `write`: alone, or with other
 * plans' writes), only if the assessment is still at `plan.assessment.revision` and `credential`
 * (when given) still holds. When either did not, a second statement reads the assessment as it now
 * stands and checks the credential, for the retry.
 */
export async function applyWrite(
  run: Run,
  write: WriteRunner,
  plan: WritePlan,
  country: string | null,
  credential: StatementCredential | null = null,
): Promise<WriteOutcome> {
  const revision = await write({ plan, credential })
  if (revision !== null) {
    const { overall } = plan
    return {
      written: {
        ...plan.assessment,
        revision,
        updated_at: plan.at,
        overall_score: overall.score,
        coverage: overall.coverage,
        tier: overall.tier,
        answered: overall.counts.answered,
        applicable: overall.counts.applicable,
      },
    }
  }
  const [failed] = await run<SnapshotRow & { credential_holds: boolean }>('answers.failed-write', FAILED_WRITE, [
    credential?.hash ?? null,
    credential?.access ?? null,
    country,
    plan.assessment.id,
  ])
  if (!failed) return { written: null, current: undefined, credentialHeld: false }
  const { credential_holds, ...current } = failed
  return { written: null, current: snapshotOf(current), credentialHeld: credential_holds }
}

/** The domains whose freshly computed figures differ from the stored rows (or have none yet). */
export function changedDomains(stored: readonly DomainScoreRow[], fresh: Readiness['domains']): Readiness['domains'] {
  const byDomain = new Map(stored.map((d) => [d.domain, d]))
  return fresh.filter((d) => {
    const s = byDomain.get(d.domain)
    return (
      !s ||
      s.score !== d.score ||
      s.coverage !== d.coverage ||
      s.tier !== d.tier ||
      s.applicable !== d.counts.applicable ||
      s.answered !== d.counts.answered ||
      s.not_applicable !== d.counts.notApplicable ||
      s.unknown !== d.counts.unknown ||
      s.missing !== d.counts.missing
    )
  })
}
