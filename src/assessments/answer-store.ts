// SQL of the answer write path: what a write needs to read (one statement), everything it writes
// (one statement), and what it reads when the write's guard failed. Functions take the statement
// runner first; the service owns the transaction, or decides that the single guarded statement
// needs none.
//
// The statements have fixed texts (rows travel as arrays), so they run as named prepared
// statements (src/db/prepared.ts): parsed and planned once per connection, not on every write.
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
 * The write statement's text. Kept as small as the write allows: PostgreSQL builds the executor state
 * of every node on each execution, so a CTE that has nothing to do (rescoring when no other answer's
 * score moved) is left out of the text instead of being run on empty arrays, and what a failed guard
 * needs is another statement (failedWriteSql), run only then.
 */
const writeSql = (rescore: boolean) => `
  with a as (
    update assessments
       set revision = revision + 1, updated_at = $3::timestamptz,
           overall_score = $6::float8, coverage = $7::float8, tier = $8::text, answered = $9::int, applicable = $10::int
     where id = $1::uuid and revision = $2::int and ($29::bytea is null or ${credentialHoldsSql(29, 30)})
    returning *
  ), w as (
    select w.* from unnest($11::text[], $12::jsonb[], $13::text[], $14::text[], $15::jsonb[], $16::float8[], $17::int[], $18::jsonb[], $19::jsonb[])
      as w(question_id, value, special, comment, evidence, score, revision, old_answer, new_answer)
    where exists (select from a)
  ), stored as (
    insert into answers (assessment_id, question_id, value, special, comment, evidence, carried_forward, score, revision, updated_at, updated_by, updated_by_role)
    select $1::uuid, question_id, value, special, comment, evidence, false, score, revision, $3::timestamptz, $4::uuid, $5::text from w
    on conflict (assessment_id, question_id) do update set
      value = excluded.value, special = excluded.special, comment = excluded.comment, evidence = excluded.evidence,
      carried_forward = false, score = excluded.score, revision = excluded.revision, updated_at = excluded.updated_at,
      updated_by = excluded.updated_by, updated_by_role = excluded.updated_by_role
  ), history as (
    insert into answer_history (assessment_id, question_id, revision, old_answer, new_answer, changed_at, changed_by, changed_by_role)
    select $1::uuid, question_id, revision, old_answer, new_answer, $3::timestamptz, $4::uuid, $5::text from w
  ), domains as (
    insert into domain_scores (assessment_id, domain, score, coverage, tier, applicable, answered, not_applicable, unknown, missing)
    select $1::uuid, d.* from unnest($20::text[], $21::float8[], $22::float8[], $23::text[], $24::int[], $25::int[], $26::int[], $27::int[], $28::int[])
      as d(domain, score, coverage, tier, applicable, answered, not_applicable, unknown, missing)
    where exists (select from a)
    on conflict (assessment_id, domain) do update set
      score = excluded.score, coverage = excluded.coverage, tier = excluded.tier, applicable = excluded.applicable,
      answered = excluded.answered, not_applicable = excluded.not_applicable, unknown = excluded.unknown, missing = excluded.missing
  )${
    rescore
      ? `, rescored as (
    update answers x set score = r.score
      from unnest($31::text[], $32::float8[]) as r(question_id, score)
     where x.assessment_id = $1::uuid and x.question_id = r.question_id and exists (select from a)
  )`
      : ''
  }
  select a.* from a`

const WRITE = writeSql(false)
const WRITE_RESCORING = writeSql(true)

/** After a write's guard failed: the assessment as it now stands (if `$3` sees it), and whether the credential holds. */
const FAILED_WRITE = `
  select s.*, ($1::bytea is null or ${credentialHoldsSql(1, 2)}) as credential_holds from (${snapshotSql(4, 3)}) s`

/** One answer as written, with its history entry. */
export interface AnswerChange {
  row: Omit<AnswerRow, 'assessment_id' | 'updated_at' | 'updated_by' | 'updated_by_role' | 'carried_forward'>
  oldAnswer: unknown
  newAnswer: unknown
}

export interface WritePlan {
  assessmentId: string
  /** The assessment revision the plan was made from: the write happens only if it still is. */
  revision: number
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

const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v))

/**
 * What a write did: the updated assessment, or, when its guard failed, the assessment as it now
 * stands (if `country` sees it) and whether the credential held (so only the revision had moved).
 */
export type WriteOutcome = { written: AssessmentRow } | { written: null; current: WriteSnapshot | undefined; credentialHeld: boolean }

/**
 * Writes the answers, their history, rescored answers, changed domain figures and the assessment's
 * overall figures (bumping its revision) in ONE statement, only if the assessment is still at
 * `plan.revision` and `credential` (when given) still holds. When either did not, a second statement
 * reads the assessment as it now stands and checks the credential, for the retry.
 */
export async function applyWrite(run: Run, plan: WritePlan, country: string | null, credential: StatementCredential | null = null): Promise<WriteOutcome> {
  const { overall, changes, domains, rescored } = plan
  const values: unknown[] = [
    plan.assessmentId,
    plan.revision,
    plan.at,
    plan.by,
    plan.role,
    overall.score,
    overall.coverage,
    overall.tier,
    overall.counts.answered,
    overall.counts.applicable,
    changes.map((c) => c.row.question_id),
    changes.map((c) => json(c.row.value)),
    changes.map((c) => c.row.special),
    changes.map((c) => c.row.comment),
    changes.map((c) => JSON.stringify(c.row.evidence)),
    changes.map((c) => c.row.score),
    changes.map((c) => c.row.revision),
    changes.map((c) => json(c.oldAnswer)),
    changes.map((c) => JSON.stringify(c.newAnswer)),
    domains.map((d) => d.domain),
    domains.map((d) => d.score),
    domains.map((d) => d.coverage),
    domains.map((d) => d.tier),
    domains.map((d) => d.counts.applicable),
    domains.map((d) => d.counts.answered),
    domains.map((d) => d.counts.notApplicable),
    domains.map((d) => d.counts.unknown),
    domains.map((d) => d.counts.missing),
    credential?.hash ?? null,
    credential?.access ?? null,
  ]
  const [written] = rescored.length
    ? await run<AssessmentRow>('answers.write-rescoring', WRITE_RESCORING, [...values, rescored.map((r) => r.questionId), rescored.map((r) => r.score)])
    : await run<AssessmentRow>('answers.write', WRITE, values)
  if (written) return { written }
  const [row] = await run<SnapshotRow & { credential_holds: boolean }>('answers.failed-write', FAILED_WRITE, [
    credential?.hash ?? null,
    credential?.access ?? null,
    country,
    plan.assessmentId,
  ])
  if (!row) return { written: null, current: undefined, credentialHeld: false }
  const { credential_holds, ...current } = row
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
