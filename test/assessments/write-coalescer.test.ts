// Answer writes that queue for a connection go to PostgreSQL together, as one statement
// (src/assessments/write-coalescer.ts). Each test holds its app's only pool connection while the
// writes arrive, so they queue and go out together when it is released; pg_prepared_statements of
// that connection shows which write statements ran. Each write keeps its own guard and its own
// outcome: the figures stored are every write's own, a stale revision is retried, a revoked token
// gets its 401, and a write that fails in the database fails alone.
import type { FastifyInstance } from 'fastify'
import pg from 'pg'
import t, { type Test } from 'tap'
import { hashToken } from '../../src/auth/tokens.js'
import type { Config } from '../../src/config.js'
import { assertFresh, createAssessment, questionnaireVersion } from '../helpers/assessments.js'
import { build, fileDatabase } from '../helpers/build.js'
import { testToken } from '../helpers/tokens.js'

const COUNTRIES = ['KEN', 'GHA', 'PER', 'NGA', 'BRA', 'IND', 'FRA', 'JPN']

interface Writer {
  id: string
  country: string
  token: string
  auth: string
}

/** An app (by default with one pool connection), and one assessment per country, each written once (so its snapshot and token are remembered). */
async function setup(t: Test, cycle: number, config: Partial<Config> = { poolSize: 1 }) {
  const app = await build(t, config)
  const version = await questionnaireVersion(app, 'cdc', 1)
  const plain = [...version.questions.values()].filter((q) => q.type === 'maturity' && !q.appliesIf).map((q) => q.id)
  const writers: Writer[] = []
  for (const country of COUNTRIES) {
    const { authorization: auth, token } = await testToken(app, 'administration', country)
    const { id } = await createAssessment(app, auth, { questionnaire: 'cdc', version: 1, country, cycle })
    t.equal((await put(app, { id, auth }, plain[0]!, 1)).statusCode, 200)
    writers.push({ id, country, token, auth })
  }
  const content = (await app.questionnaires.get('cdc', 1))!.content
  return { app, plain, writers, content }
}

const put = (app: FastifyInstance, w: { id: string; auth: string }, questionId: string, value: number) =>
  app.inject({ method: 'PUT', url: `/assessments/${w.id}/answers/${questionId}`, headers: { authorization: w.auth, 'if-match': '*' }, payload: { value } })

/**
 * Sends the writes while the app's only connection is held, and releases it once they have all
 * queued (the requests need no read: snapshots and tokens are remembered). `meanwhile` runs while
 * the connection is held.
 */
async function whileHeld<T>(app: FastifyInstance, send: () => Promise<T>[], meanwhile?: () => Promise<void>): Promise<T[]> {
  const held = await app.pg.pool.connect()
  const sent = send()
  await meanwhile?.()
  await new Promise((resolve) => setTimeout(resolve, 200))
  held.release()
  return Promise.all(sent)
}

/** The answer write statements prepared on the app's only connection (the ones that ran on it). */
async function writeStatements(app: FastifyInstance): Promise<string[]> {
  const { rows } = await app.pg.pool.query<{ name: string }>(`select name from pg_prepared_statements where name like 'answers.write%' order by name`)
  return rows.map((r) => r.name)
}

const revisionOf = async (app: FastifyInstance, id: string) =>
  (await app.db.selectFrom('assessments').select('revision').where('id', '=', id).executeTakeFirstOrThrow()).revision

/** A connection of its own, outside the app's pool: "another process". */
async function outside(t: Test): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: (await fileDatabase()).url })
  await client.connect()
  t.teardown(() => client.end())
  return client
}

t.test('writes queued for a busy connection go as one statement, each with its own figures', async (t) => {
  const { app, plain, writers, content } = await setup(t, 2026)
  t.same(await writeStatements(app), ['answers.write-one'], 'before: every write went alone')
  const results = await whileHeld(app, () => [
    ...writers.map((w, i) => put(app, w, plain[1 + (i % 4)]!, i % 5)),
    // Two more writes to the first two assessments: they wait for the statement after.
    put(app, writers[0]!, plain[6]!, 4),
    put(app, writers[1]!, plain[7]!, 2),
  ])
  t.same(
    results.filter((r) => r.statusCode !== 200).map((r) => `${r.statusCode} ${r.body}`),
    [],
    'every write succeeded',
  )
  t.ok((await writeStatements(app)).includes('answers.write-batch'), 'the queued writes went as one statement')
  for (const [i, w] of writers.entries()) {
    await assertFresh(t, app, content, w.id, ` (${w.country})`)
    // Created at 1, written once in setup, then once or (the first two) twice.
    t.equal(await revisionOf(app, w.id), i < 2 ? 4 : 3, `${w.country}: each write counted once`)
  }
  // Each response carries its own assessment's figures as stored.
  for (const res of results) {
    const { assessment } = res.json<{ assessment: { id: string; revision: number; overallScore: number | null } }>()
    const stored = await app.db.selectFrom('assessments').select(['revision', 'overall_score']).where('id', '=', assessment.id).executeTakeFirstOrThrow()
    if (assessment.revision === stored.revision) t.equal(assessment.overallScore, stored.overall_score, 'the response shows the stored overall score')
  }
})

t.test("in one statement, a write whose revision moved is retried and a revoked token's write is refused, the others written", async (t) => {
  const { app, plain, writers, content } = await setup(t, 2027)
  const client = await outside(t)
  const [moved, revoked, ...others] = writers as [Writer, Writer, ...Writer[]]
  const revokedBefore = await revisionOf(app, revoked.id)
  const results = await whileHeld(
    app,
    () => writers.map((w) => put(app, w, plain[2]!, 3)),
    async () => {
      // Another process writes one assessment and revokes another's token while the writes queue.
      await client.query('update assessments set revision = revision + 1 where id = $1', [moved.id])
      await client.query('update tokens set revoked_at = now() where hash = $1', [hashToken(revoked.token)])
    },
  )
  t.ok((await writeStatements(app)).includes('answers.write-batch'), 'the writes went as one statement')
  const byId = new Map(writers.map((w, i) => [w.id, results[i]!]))
  t.equal(byId.get(moved.id)!.statusCode, 200, 'the write whose revision moved succeeded on retry')
  t.equal(byId.get(moved.id)!.json().assessment.revision, 4, 'after the other write (created 1, setup 2, other 3)')
  t.equal(byId.get(revoked.id)!.statusCode, 401, "the revoked token's write is refused")
  t.equal(await revisionOf(app, revoked.id), revokedBefore, "nothing of the revoked token's write was stored")
  const answer = await app.db
    .selectFrom('answers')
    .select('value')
    .where('assessment_id', '=', revoked.id)
    .where('question_id', '=', plain[2]!)
    .executeTakeFirst()
  t.equal(answer, undefined, 'its answer is not there')
  for (const w of others) {
    t.equal(byId.get(w.id)!.statusCode, 200, `${w.country}: written`)
    t.equal(await revisionOf(app, w.id), 3, `${w.country}: once`)
  }
  for (const w of writers) await assertFresh(t, app, content, w.id, ` (${w.country})`)
})

t.test('a write that fails in the database fails alone: the others of its statement are written', async (t) => {
  const { app, plain, writers, content } = await setup(t, 2028)
  const client = await outside(t)
  const [failing, ...others] = writers as [Writer, ...Writer[]]
  // A database that refuses one assessment's history rows (standing in for any error of one write).
  await client.query(`create function refuse_history() returns trigger language plpgsql as $$
    begin if new.assessment_id = '${failing.id}' then raise exception 'refused by the test'; end if; return new; end $$`)
  await client.query('create trigger refuse_history before insert on answer_history for each row execute function refuse_history()')
  t.teardown(async () => {
    await client.query('drop trigger refuse_history on answer_history')
    await client.query('drop function refuse_history()')
  })
  const before = await revisionOf(app, failing.id)
  const results = await whileHeld(app, () => writers.map((w) => put(app, w, plain[3]!, 2)))
  t.ok((await writeStatements(app)).includes('answers.write-batch'), 'the writes went as one statement first')
  t.equal(results[0]!.statusCode, 500, 'the refused write fails')
  t.notMatch(results[0]!.body, /refused by the test|answer_history|insert/i, 'without the database error in the response')
  t.equal(await revisionOf(app, failing.id), before, 'and nothing of it is stored')
  for (const [i, w] of others.entries()) {
    t.equal(results[i + 1]!.statusCode, 200, `${w.country}: written`)
    await assertFresh(t, app, content, w.id, ` (${w.country})`)
  }
})

t.test('a process runs at most WRITE_STATEMENTS write statements at once: the writes that arrive meanwhile wait and go together', async (t) => {
  const { app, plain, writers, content } = await setup(t, 2029, { writeStatements: 1 })
  const client = await outside(t)
  // Every assessment locked by "another process": a write statement that reaches one waits there.
  await client.query('begin')
  await client.query('select id from assessments where id = any($1::uuid[]) for update', [writers.map((w) => w.id)])
  // Watched from outside that transaction (which would see one snapshot of pg_stat_activity).
  const watcher = await outside(t)
  const waiting = async () =>
    (await watcher.query<{ n: number }>(`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`))
      .rows[0]!.n
  const pause = () => new Promise((resolve) => setTimeout(resolve, 50))
  // The first write, until its statement waits on the lock; then the others one by one, each given
  // time to start a statement of its own, as it would with no bound (one per pool connection).
  const sent = [put(app, writers[0]!, plain[4]!, 0)]
  for (let i = 0; i < 100 && (await waiting()) === 0; i++) await pause()
  let most = await waiting()
  for (const [i, w] of writers.slice(1).entries()) {
    sent.push(put(app, w, plain[4]!, (i + 1) % 5))
    for (let k = 0; k < 4; k++) {
      await pause()
      most = Math.max(most, await waiting())
    }
  }
  t.equal(most, 1, 'one write statement at a time reached the database, with a pool of ten connections')
  await client.query('commit')
  const results = await Promise.all(sent)
  t.same(
    results.filter((r) => r.statusCode !== 200).map((r) => `${r.statusCode} ${r.body}`),
    [],
    'every write succeeded',
  )
  for (const w of writers) await assertFresh(t, app, content, w.id, ` (${w.country})`)
})
