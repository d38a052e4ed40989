// The floors for the answer-write path: a bare fastify app with the same pg pool size and no auth,
// no validation, no scoring, no transaction.
//   PUT /floor/:k                      one plain INSERT … ON CONFLICT DO UPDATE on a scratch table
//   PUT /statement/:assessment/:question  the statement floor: what the service writes for one answer
//     (the answer upserted, its history row, its domain's row, the assessment's figures and revision)
//     in one data-modifying statement, prepared like the service's, with figures sent by the client.
//   PUT /coalesced/:assessment/:question  the same writes, coalesced as the service coalesces them
//     (src/assessments/write-coalescer.ts): what queued while the connections were busy goes as one
//     statement. Not a target of the bench; for comparing like with like (bench/probe.ts,
//     PROBE_STATEMENT=coalesced).
//   DATABASE_URL=… PORT=… DB_POOL_SIZE=10 node --import tsx bench/floor-server.ts
import Fastify from 'fastify'
import pg from 'pg'

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DB_POOL_SIZE ?? 10) })
await pool.query(`create table if not exists bench_scratch (
  k text primary key, v jsonb not null, revision integer not null default 1, updated_at timestamptz not null default now())`)

const STATEMENT = `
  with a as (
    update assessments set revision = revision + 1, updated_at = now(), overall_score = $4::float8, coverage = 1, tier = 'developing'
     where id = $1::uuid returning id
  ), stored as (
    insert into answers (assessment_id, question_id, value, special, comment, evidence, score, revision, updated_at, updated_by_role)
    select $1::uuid, $2::text, $3::jsonb, null, null, '[]'::jsonb, $4::float8, 1, now(), 'administration' from a
    on conflict (assessment_id, question_id) do update set value = excluded.value, score = excluded.score,
      revision = answers.revision + 1, updated_at = excluded.updated_at
    returning revision
  ), history as (
    insert into answer_history (assessment_id, question_id, revision, old_answer, new_answer, changed_at, changed_by_role)
    select $1::uuid, $2::text, revision, null, jsonb_build_object('value', $3::jsonb), now(), 'administration' from stored
  ), domain as (
    insert into domain_scores (assessment_id, domain, score, coverage, tier, applicable, answered, not_applicable, unknown, missing)
    select $1::uuid, $5::text, $4::float8 * 100, 1, 'developing', 1, 1, 0, 0, 0 from a
    on conflict (assessment_id, domain) do update set score = excluded.score
  )
  select revision from stored`

/** The statement floor's writes for several assessments, one row per write, in one statement. */
const COALESCED = `
  with r as (select * from unnest($1::uuid[], $2::text[], $3::jsonb[], $4::float8[], $5::text[]) as r(id, question, value, score, domain)),
  a as (
    update assessments set revision = revision + 1, updated_at = now(), overall_score = r.score, coverage = 1, tier = 'developing'
      from r where assessments.id = r.id returning assessments.id
  ), stored as (
    insert into answers (assessment_id, question_id, value, special, comment, evidence, score, revision, updated_at, updated_by_role)
    select r.id, r.question, r.value, null, null, '[]'::jsonb, r.score, 1, now(), 'administration' from r join a on a.id = r.id
    on conflict (assessment_id, question_id) do update set value = excluded.value, score = excluded.score,
      revision = answers.revision + 1, updated_at = excluded.updated_at
    returning assessment_id, question_id, revision
  ), history as (
    insert into answer_history (assessment_id, question_id, revision, old_answer, new_answer, changed_at, changed_by_role)
    select r.id, r.question, stored.revision, null, jsonb_build_object('value', r.value), now(), 'administration'
      from stored join r on r.id = stored.assessment_id and r.question = stored.question_id
  ), domain as (
    insert into domain_scores (assessment_id, domain, score, coverage, tier, applicable, answered, not_applicable, unknown, missing)
    select r.id, r.domain, r.score * 100, 1, 'developing', 1, 1, 0, 0, 0 from r join a on a.id = r.id
    on conflict (assessment_id, domain) do update set score = excluded.score
  )
  select assessment_id, revision from stored`

type Queued = { id: string; question: string; value: number; domain: string; done: (revision: number | undefined) => void; fail: (e: unknown) => void }
let queue: Queued[] = []
let connecting = false
let statements = 0
/** The service's default WRITE_STATEMENTS. */
const MAX_STATEMENTS = 2
/** As the service's coalescer: one connection asked for at a time, at most MAX_STATEMENTS statements; each takes what queued, one write per assessment, in id order. */
function next(): void {
  if (connecting || statements >= MAX_STATEMENTS || queue.length === 0) return
  connecting = true
  void pool.connect().then(async (client) => {
    connecting = false
    statements++
    const taken = new Map<string, Queued>()
    const rest: Queued[] = []
    for (const q of queue)
      if (taken.has(q.id)) rest.push(q)
      else taken.set(q.id, q)
    queue = rest
    const batch = [...taken.values()].sort((x, y) => (x.id < y.id ? -1 : 1))
    next()
    try {
      const { rows } = await client.query({
        name: 'coalesced-floor',
        text: COALESCED,
        values: [
          batch.map((q) => q.id),
          batch.map((q) => q.question),
          batch.map((q) => JSON.stringify(q.value)),
          batch.map((q) => q.value / 4),
          batch.map((q) => q.domain),
        ],
      })
      const revisions = new Map(rows.map((r: { assessment_id: string; revision: number }) => [r.assessment_id, r.revision]))
      for (const q of batch) q.done(revisions.get(q.id))
    } catch (error) {
      for (const q of batch) q.fail(error)
    } finally {
      client.release()
      statements--
      next()
    }
  })
}

const app = Fastify({ logger: false })
app.put<{ Params: { k: string }; Body: { value: unknown } }>('/floor/:k', async (request) => {
  const { rows } = await pool.query(
    `insert into bench_scratch (k, v) values ($1, $2)
     on conflict (k) do update set v = excluded.v, revision = bench_scratch.revision + 1, updated_at = now()
     returning revision`,
    [request.params.k, JSON.stringify(request.body?.value ?? null)],
  )
  return { revision: rows[0].revision }
})
app.put<{ Params: { assessment: string; question: string }; Body: { value: number; domain: string } }>('/statement/:assessment/:question', async (request) => {
  const { value, domain } = request.body
  const { rows } = await pool.query({
    name: 'statement-floor',
    text: STATEMENT,
    values: [request.params.assessment, request.params.question, JSON.stringify(value), value / 4, domain],
  })
  return { revision: rows[0]?.revision }
})
app.put<{ Params: { assessment: string; question: string }; Body: { value: number; domain: string } }>(
  '/coalesced/:assessment/:question',
  (request) =>
    new Promise((resolve, reject) => {
      const { value, domain } = request.body
      queue.push({ id: request.params.assessment, question: request.params.question, value, domain, done: (revision) => resolve({ revision }), fail: reject })
      next()
    }),
)
app.get('/readyz', async () => ({ status: 'ok' }))
await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' })
process.once(
  'SIGTERM',
  () =>
    void app
      .close()
      .then(() => pool.end())
      .then(() => process.exit(0)),
)
