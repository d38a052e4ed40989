// The export queries (one place, shared by the routes and the CLI) and their streaming.
//
// Approach: PostgreSQL's own `COPY (SELECT …) TO STDOUT WITH (FORMAT csv, HEADER)` through
// pg-copy-streams. The server formats and quotes the CSV (RFC 4180) and streams it in chunks; Node
// only passes bytes through with backpressure, so memory stays constant whatever the size, and it is
// the fastest path (no per-row JS objects). Formula-injection escaping is done inside the SELECT
// (neutraliseSql). Measured (PG15, 10,088 assessments, 686k answers, a 2-core machine under load
// ~18 from parallel work, so absolute times are pessimistic): answers.csv, 139 MB —
//   COPY … TO STDOUT via pg-copy-streams: 42 s, peak RSS +0–2 MB;
//   cursor (FETCH 2000) + csvCell in JS:   54 s, peak RSS +101–115 MB.
// COPY is faster and flat in memory, so it is the one used; pg-cursor is not a dependency.
//
// COPY takes no bind parameters, so the SELECT is built with Kysely, compiled, and its parameters
// inlined with pg's escapeLiteral (strings) or as checked integers; and every filter value has
// already been validated against a strict pattern by exportFilters (both defences).
import { PassThrough, type Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { sql, type Compilable, type CompiledQuery, type Expression, type Kysely, type RawBuilder } from 'kysely'
import pg from 'pg'
import { to as copyTo } from 'pg-copy-streams'
import { z } from 'zod'
import { PUBLISHED_STATUSES, statusList } from '../assessments/filters.js'
import { REGIONS, type Database } from '../db/schema.js'
import { badRequest, notFound } from '../errors.js'
import { acceptedEvidenceSql, evidenceDocumentsSql, evidenceTitlesSql } from '../evidence/repository.js'
import { t } from '../i18n/catalogs.js'
import { conditionValues, questionnaireFile, type QuestionnaireFile } from '../questionnaires/schema.js'
import { UTF8_BOM } from './columns.js'
import { collectingEvery } from './read-garbage.js'
import { RATIO_DECIMALS, SCORE_DECIMALS } from './tables.js'

/** The export filters, as strict as the values allow (they end up inlined into a COPY statement). */
export const exportFilters = z.object({
  questionnaire: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_.-]{0,39}$/, 'must be a questionnaire id')
    .optional(),
  version: z.coerce.number().int().min(1).max(100_000).optional(),
  cycle: z.coerce.number().int().min(2000).max(2100).optional(),
  region: z.enum(REGIONS).optional(),
  country: z
    .string()
    .regex(/^[A-Za-z]{3}$/, 'must be an ISO 3166-1 alpha-3 code')
    .transform((s) => s.toUpperCase())
    .optional(),
  status: statusList.optional().describe('comma-separated; default submitted,validated'),
  campaign_id: z.uuid({ message: 'must be a campaign id (a UUID)' }).optional().describe("only the campaign's assessments"),
})
export type ExportFilters = z.output<typeof exportFilters>

/** A text expression with a leading `'` when it would start a spreadsheet formula (see columns.ts). */
export function neutraliseSql(expr: Expression<unknown> | RawBuilder<unknown>): RawBuilder<string | null> {
  return sql<string | null>`case when left(${expr}, 1) in ('=', '+', '-', '@', chr(9), chr(13)) then '''' || ${expr} else ${expr} end`
}

function text(ref: string) {
  return neutraliseSql(sql.ref(ref))
}

/**
 * A number rounded to `decimals` for the files (binary floating point gives 85.24999999999999),
 * without trailing zeros (100, not 100.00). The API keeps the exact figures.
 */
export function roundSql(expr: Expression<unknown> | RawBuilder<unknown>, decimals: number): RawBuilder<string | null> {
  return sql<string | null>`trim_scale(round((${expr})::numeric, ${sql.lit(decimals)}))`
}

const score = (ref: string) => roundSql(sql.ref(ref), SCORE_DECIMALS)
const ratio = (ref: string) => roundSql(sql.ref(ref), RATIO_DECIMALS)

/** An ISO 8601 UTC time with milliseconds, as every file writes times. */
function isoTime(ref: string) {
  return sql<string | null>`to_char(${sql.ref(ref)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
}

export async function latestVersion(db: Kysely<Database>, questionnaire: string): Promise<number> {
  const row = await db
    .selectFrom('questionnaire_versions')
    .select((eb) => eb.fn.max('version').as('version'))
    .where('questionnaire', '=', questionnaire)
    .executeTakeFirst()
  if (row?.version === null || row?.version === undefined) throw notFound(`questionnaire ${questionnaire}`)
  return row.version
}

export async function domainsOf(db: Kysely<Database>, questionnaire: string, version: number): Promise<string[]> {
  const rows = await db
    .selectFrom('questionnaire_domains')
    .select('domain')
    .where('questionnaire', '=', questionnaire)
    .where('version', '=', version)
    .orderBy('position')
    .execute()
  if (rows.length === 0) throw notFound(`questionnaire ${questionnaire} v${version}`)
  return rows.map((r) => r.domain)
}

export interface BuiltExport {
  /** The SELECT with every value inlined safely, ready for COPY. */
  select: string
  /** For the attachment's file name. */
  filename: string
}

function filenameFor(kind: string, f: ExportFilters): string {
  return `${[kind, f.questionnaire, f.version ? `v${f.version}` : undefined, f.cycle, f.country?.toLowerCase()].filter(Boolean).join('-')}.csv`
}

function assessmentFilters(f: ExportFilters) {
  const statuses = f.status ?? [...PUBLISHED_STATUSES]
  return { ...f, statuses }
}

/** The filters every export applies to its assessments (`a`, joined to countries `c`). */
// biome-ignore lint/suspicious/noExplicitAny: the builders of the three exports differ in their selections
function whereAssessments<Q extends { where: (...args: any[]) => Q }>(q: Q, f: ExportFilters & { statuses: readonly string[] }): Q {
  let out = q.where('a.status', 'in', f.statuses)
  if (f.questionnaire) out = out.where('a.questionnaire', '=', f.questionnaire)
  if (f.version !== undefined) out = out.where('a.version', '=', f.version)
  if (f.cycle !== undefined) out = out.where('a.cycle', '=', f.cycle)
  if (f.region) out = out.where('c.region', '=', f.region)
  if (f.country) out = out.where('a.country', '=', f.country)
  if (f.campaign_id) out = out.where('a.campaign_id', '=', f.campaign_id)
  return out
}

/** readiness.csv: one row per assessment; needs the questionnaire so the domain columns are defined. */
export async function readinessExport(db: Kysely<Database>, filters: ExportFilters): Promise<BuiltExport & { domains: string[] }> {
  if (!filters.questionnaire) {
    throw badRequest('readiness.csv needs a questionnaire: its domains are the columns', [{ path: '/querystring/questionnaire', message: 'is required' }])
  }
  const f = assessmentFilters(filters)
  const version = f.version ?? (await latestVersion(db, f.questionnaire!))
  const domains = await domainsOf(db, f.questionnaire!, version)
  let q = db
    .selectFrom('assessments as a')
    .innerJoin('countries as c', 'c.code', 'a.country')
    .leftJoin('domain_scores as s', 's.assessment_id', 'a.id')
    .select([
      text('a.country').as('country code'),
      text('c.name').as('country name'),
      text('c.region').as('region'),
      text('a.questionnaire').as('questionnaire'),
      'a.version as version',
      'a.cycle as cycle',
      text('a.status').as('status'),
      ...domains.map((d) => roundSql(sql`max(s.score) filter (where s.domain = ${d})`, SCORE_DECIMALS).as(d)),
      score('a.overall_score').as('overall'),
      ratio('a.coverage').as('coverage'),
      text('a.tier').as('tier'),
    ])
    .where('a.version', '=', version)
    .groupBy(['a.id', 'c.code', 'c.name', 'c.region'])
    .orderBy('a.cycle')
    .orderBy('c.name')
  q = whereAssessments(q, f)
  return { select: inline(q), filename: filenameFor('readiness', { ...f, version: filters.version }), domains }
}

/**
 * What answers.csv needs to know about the questionnaire versions, as two JSON objects inlined into
 * the query (PostgreSQL looks keys up in them by binary search, so a row costs a few lookups):
 * `labels`: "<questionnaire>@<version>" → question id → value → English label;
 * `conditions`: the same keys → question id → every link of its applies_if chain, [question, values].
 */
export function answerLookups(versions: readonly QuestionnaireFile[]): { labels: string; conditions: string } {
  const labels: Record<string, Record<string, Record<string, string>>> = {}
  const conditions: Record<string, Record<string, [string, (string | number)[]][]>> = {}
  for (const file of versions) {
    const key = `${file.id}@${file.version}`
    const byId = new Map(file.domains.flatMap((d) => d.questions.map((q) => [q.id, q] as const)))
    const versionLabels: Record<string, Record<string, string>> = {}
    const versionConditions: Record<string, [string, (string | number)[]][]> = {}
    labels[key] = versionLabels
    conditions[key] = versionConditions
    for (const q of byId.values()) {
      if (q.type === 'maturity') {
        versionLabels[q.id] = Object.fromEntries((['0', '1', '2', '3', '4'] as const).map((l) => [l, q.labels ? q.labels[l].en : t('en', `maturity.${l}`)]))
      } else if (q.type === 'yes_no_partial') {
        versionLabels[q.id] = { yes: t('en', 'answer.yes'), partial: t('en', 'answer.partial'), no: t('en', 'answer.no') }
      } else if (q.type === 'single_choice' || q.type === 'multi_choice') {
        versionLabels[q.id] = Object.fromEntries(q.options.map((o) => [o.id, o.label.en]))
      }
      const chain: [string, (string | number)[]][] = []
      const seen = new Set<string>()
      for (let c = q.applies_if; c && !seen.has(c.question); c = byId.get(c.question)?.applies_if) {
        seen.add(c.question)
        const target = byId.get(c.question)
        if (target && conditionValues(target)) chain.push([c.question, c.in])
      }
      if (chain.length) versionConditions[q.id] = chain
    }
  }
  return { labels: JSON.stringify(labels), conditions: JSON.stringify(conditions) }
}

/** The questionnaire versions an export's filters may reach, as stored (English texts). */
async function storedVersions(db: Kysely<Database>, f: ExportFilters): Promise<QuestionnaireFile[]> {
  let q = db.selectFrom('questionnaire_versions').select('content')
  if (f.questionnaire) q = q.where('questionnaire', '=', f.questionnaire)
  if (f.version !== undefined) q = q.where('version', '=', f.version)
  return (await q.execute()).map((r) => questionnaireFile.parse(r.content))
}

/** answers.csv: one row per answer, in the columns of ANSWER_COLUMNS. */
export async function answersExport(db: Kysely<Database>, filters: ExportFilters): Promise<BuiltExport> {
  const f = assessmentFilters(filters)
  const lookups = answerLookups(await storedVersions(db, f))
  const versionKey = sql`a.questionnaire || '@' || a.version`
  const value = sql<string | null>`case
      when an.special is not null then an.special
      when jsonb_typeof(an.value) = 'array' then
        (select string_agg(e.v, ';' order by e.o) from jsonb_array_elements_text(an.value) with ordinality as e(v, o))
      else an.value #>> '{}' end`
  const evidence = sql<string | null>`(select string_agg(e.item ->> 'url', ' ' order by e.o)
      from jsonb_array_elements(an.evidence) with ordinality as e(item, o))`
  const specialLabels = JSON.stringify({ not_applicable: t('en', 'exports.value.not_applicable'), unknown: t('en', 'exports.value.unknown') })
  const labelsOf = sql`(${lookups.labels}::jsonb -> (${versionKey}) -> an.question_id)`
  const valueLabel = sql<string | null>`case
      when an.special is not null then ${specialLabels}::jsonb ->> an.special
      when jsonb_typeof(an.value) = 'array' then
        (select string_agg(${labelsOf} ->> e.v, '; ' order by e.o) from jsonb_array_elements_text(an.value) with ordinality as e(v, o))
      else ${labelsOf} ->> (an.value #>> '{}') end`
  // Counted: the question applies (every link of its applies_if chain is met by a value answer) and
  // is not answered not_applicable; as the scoring module decides it (questionnaires/answers.ts).
  const counted = sql<string>`case when qq.question_id is not null and an.special is distinct from 'not_applicable' and not exists (
      select 1 from jsonb_array_elements(coalesce(${lookups.conditions}::jsonb -> (${versionKey}) -> an.question_id, '[]'::jsonb)) as c(link)
      where not exists (
        select 1 from answers d
        where d.assessment_id = an.assessment_id and d.question_id = c.link ->> 0 and d.special is null
          and case when jsonb_typeof(d.value) = 'array'
            then exists (select 1 from jsonb_array_elements(d.value) as x(v) where (c.link -> 1) @> jsonb_build_array(x.v))
            else (c.link -> 1) @> jsonb_build_array(d.value) end))
    then 'true' else 'false' end`
  const reviewStatus = sql<string>`case
      when a.status = 'validated' then 'validated'
      when rc.last_at is null then 'none'
      when rc.last_at > an.updated_at then 'questioned'
      else 'revised' end`
  let q = db
    .with('rc', (w) =>
      w
        .selectFrom('review_comments')
        .select(['assessment_id', 'question_id', (eb) => eb.fn.max('created_at').as('last_at')])
        .where('question_id', 'is not', null)
        .groupBy(['assessment_id', 'question_id']),
    )
    .selectFrom('answers as an')
    .innerJoin('assessments as a', 'a.id', 'an.assessment_id')
    .innerJoin('countries as c', 'c.code', 'a.country')
    .leftJoin('questionnaire_questions as qq', (j) =>
      j.onRef('qq.questionnaire', '=', 'a.questionnaire').onRef('qq.version', '=', 'a.version').onRef('qq.question_id', '=', 'an.question_id'),
    )
    .leftJoin('rc', (j) => j.onRef('rc.assessment_id', '=', 'an.assessment_id').onRef('rc.question_id', '=', 'an.question_id'))
    .select([
      text('a.country').as('country code'),
      text('c.name').as('country name'),
      text('c.region').as('region'),
      text('a.questionnaire').as('questionnaire'),
      'a.version as version',
      'a.cycle as cycle',
      text('a.status').as('status'),
      text('an.question_id').as('question id'),
      text('qq.domain').as('domain'),
      text('qq.source_ref').as('source reference'),
      text('qq.force').as('force'),
      neutraliseSql(value).as('value'),
      ratio('an.score').as('score'),
      text('an.comment').as('comment'),
      neutraliseSql(evidence).as('evidence URLs'),
      sql<string>`case when an.carried_forward then 'true' else 'false' end`.as('carried forward'),
      isoTime('an.updated_at').as('last changed at'),
      text('an.updated_by_role').as('last changed by role'),
      sql<string>`a.id::text`.as('assessment id'),
      neutraliseSql(valueLabel).as('value label'),
      counted.as('counted'),
      reviewStatus.as('review status'),
      neutraliseSql(evidenceTitlesSql('an')).as('evidence titles'),
      neutraliseSql(evidenceDocumentsSql('an')).as('evidence documents'),
      acceptedEvidenceSql('an').as('accepted evidence'),
    ])
    .orderBy('a.questionnaire')
    .orderBy('a.version')
    .orderBy('a.cycle')
    .orderBy('c.name')
    .orderBy('qq.position')
    .orderBy('an.question_id')
  q = whereAssessments(q, f)
  return { select: inline(q), filename: filenameFor('answers', filters) }
}

/**
 * readiness-long.csv: one row per assessment and domain (READINESS_LONG_FIELDS), with the latest
 * submission and validation (when, by whom) and the region's and world's median domain score of
 * the published assessments of the same questionnaire, version and cycle (whatever the other filters).
 */
export async function readinessLongExport(db: Kysely<Database>, filters: ExportFilters): Promise<BuiltExport> {
  const f = assessmentFilters(filters)
  let base = db
    .selectFrom('assessments as a')
    .innerJoin('countries as c', 'c.code', 'a.country')
    .select(['a.id', 'a.country', 'c.name', 'c.region', 'a.questionnaire', 'a.version', 'a.cycle', 'a.status'])
  base = whereAssessments(base, f)
  const published = sql.join(PUBLISHED_STATUSES.map((s) => sql`${s}`))
  const query = sql`
    with base as (${base}),
    last_submit as (
      select distinct on (t.assessment_id) t.assessment_id, t.at, p.name
      from transitions t left join persons p on p.id = t.actor
      where t.to_status = 'submitted' and t.assessment_id in (select id from base)
      order by t.assessment_id, t.seq desc
    ),
    last_validate as (
      select distinct on (t.assessment_id) t.assessment_id, t.at, p.name
      from transitions t left join persons p on p.id = t.actor
      where t.to_status = 'validated' and t.assessment_id in (select id from base)
      order by t.assessment_id, t.seq desc
    ),
    medians as (
      select a.questionnaire, a.version, a.cycle, s.domain, c.region, grouping(c.region) as world,
        percentile_cont(0.5) within group (order by s.score) as median
      from assessments a join countries c on c.code = a.country join domain_scores s on s.assessment_id = a.id
      where a.status in (${published})
        and (a.questionnaire, a.version, a.cycle) in (select distinct questionnaire, version, cycle from base)
      group by grouping sets ((a.questionnaire, a.version, a.cycle, s.domain, c.region), (a.questionnaire, a.version, a.cycle, s.domain))
    )
    select
      b.id::text as "assessment id",
      ${text('b.country')} as "country code",
      ${text('b.name')} as "country name",
      ${text('b.region')} as "region",
      ${text('b.questionnaire')} as "questionnaire",
      b.version as "version",
      b.cycle as "cycle",
      ${text('b.status')} as "status",
      ${isoTime('ls.at')} as "submitted at",
      ${text('ls.name')} as "submitted by",
      ${isoTime('lv.at')} as "validated at",
      ${text('lv.name')} as "validated by",
      ${text('s.domain')} as "domain",
      ${score('s.score')} as "score",
      ${text('s.tier')} as "tier",
      ${ratio('s.coverage')} as "coverage",
      s.answered as "answered",
      s.applicable as "applicable",
      s.not_applicable as "not applicable",
      s.unknown as "unknown",
      s.missing as "missing",
      ${score('rm.median')} as "region median",
      ${score('wm.median')} as "world median"
    from base b
    join domain_scores s on s.assessment_id = b.id
    left join questionnaire_domains qd on qd.questionnaire = b.questionnaire and qd.version = b.version and qd.domain = s.domain
    left join last_submit ls on ls.assessment_id = b.id
    left join last_validate lv on lv.assessment_id = b.id
    left join medians rm on rm.world = 0 and rm.questionnaire = b.questionnaire and rm.version = b.version and rm.cycle = b.cycle
      and rm.domain = s.domain and rm.region = b.region
    left join medians wm on wm.world = 1 and wm.questionnaire = b.questionnaire and wm.version = b.version and wm.cycle = b.cycle
      and wm.domain = s.domain
    order by b.questionnaire, b.version, b.cycle, b.name, qd.position, s.domain`
  return { select: inlineCompiled(query.compile(db)), filename: filenameFor('readiness-long', filters) }
}

/**
 * The compiled SQL with its parameters written in as literals: strings through pg's escapeLiteral,
 * numbers only when they are safe integers. Anything else is refused.
 */
export function inline(query: Compilable<unknown>): string {
  return inlineCompiled(query.compile())
}

export function inlineCompiled({ sql: text, parameters }: CompiledQuery<unknown>): string {
  return text.replace(/\$(\d+)/g, (_, n: string) => literal(parameters[Number(n) - 1]))
}

function literal(value: unknown): string {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value)
  if (typeof value === 'string') return pg.escapeLiteral(value)
  throw new Error(`cannot inline a ${typeof value} into an export query`)
}

export function copyStatement(select: string): string {
  return `COPY (${select}) TO STDOUT WITH (FORMAT csv, HEADER)`
}

/**
 * Streams the export from a checked-out client. `release` is called exactly once: with no error
 * when the copy finished, with the error when it failed or the consumer went away (the pool then
 * discards the connection, which may be mid-COPY).
 */
export function copyOut(client: pg.ClientBase, select: string, options: { bom?: boolean; release: (err?: Error) => void }): Readable {
  const out = new PassThrough()
  if (options.bom) out.write(UTF8_BOM)
  const onClientError = (err: Error) => copy.destroy(err)
  const copy = client.query(copyTo(copyStatement(select)))
  client.on('error', onClientError)
  let done = false
  const finish = (err?: unknown) => {
    if (done) return
    done = true
    client.off('error', onClientError)
    options.release(err === undefined ? undefined : err instanceof Error ? err : new Error(String(err)))
  }
  pipeline(copy, collectingEvery(), out).then(() => finish(), finish)
  return out
}
