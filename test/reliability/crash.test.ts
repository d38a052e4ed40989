// SIGKILL mid-load: every acknowledged write survives with its value, nothing is half-written.
// Several clients write answers (each owns its questions, If-Match *), recording every 2xx; the
// server is killed; a new server starts on the same database; then, for every (assessment, question):
// the stored revision is the last acknowledged one (or one more, when a write in flight committed
// without its answer reaching the client) with that write's value; answer_history has exactly one
// row per revision; and every assessment's domain_scores and overall score equal a fresh score().
import { setTimeout as sleep } from 'node:timers/promises'
import { sql } from 'kysely'
import t from 'tap'
import { openKysely } from '../../src/db/kysely.js'
import type { StoredAnswer } from '../../src/questionnaires/answers.js'
import { score } from '../../src/scoring/score.js'
import { createTestDatabase } from '../helpers/database.js'
import { makeFixture, startServer } from '../helpers/server-process.js'

t.test('acknowledged writes survive SIGKILL; scores and history are whole', { timeout: 110_000 }, async (t) => {
  const database = await createTestDatabase()
  t.teardown(() => database.drop())
  const fixture = await makeFixture(database.url, ['KEN', 'FRA', 'BRA', 'IND'])
  const server = await startServer(database.url)
  t.teardown(() => {
    if (server.child.exitCode === null) server.child.kill('SIGKILL')
  })

  type Key = string // `${assessmentId} ${questionId}`
  const acked = new Map<Key, { revision: number; value: number }>()
  const inFlight = new Map<Key, number>()
  let stopped = false
  let writes = 0

  // Three clients per assessment, each with its own questions: one writer per answer, so order is known.
  const clients = fixture.writers.flatMap((w) => [0, 1, 2].map((k) => ({ w, questions: fixture.questions.filter((_, i) => i % 3 === k) })))
  async function client({ w, questions }: (typeof clients)[number], seed: number) {
    for (let i = 0; i < 10_000 && !stopped; i++) {
      const q = questions[i % questions.length]!
      const value = (seed + i) % 5
      const key = `${w.assessmentId} ${q}`
      inFlight.set(key, value)
      let res: Response
      try {
        res = await fetch(`${server.base}/assessments/${w.assessmentId}/answers/${q}`, {
          method: 'PUT',
          headers: { authorization: w.authorization, 'content-type': 'application/json', 'if-match': '*' },
          body: JSON.stringify({ value }),
          signal: AbortSignal.timeout(10_000),
        })
      } catch {
        return // the server is gone
      }
      if (res.status !== 200) {
        // Only a dying server may refuse; anything else is a finding.
        if (!stopped) t.fail(`unexpected ${res.status}: ${await res.text()}`)
        return
      }
      const body = (await res.json()) as { answer: { revision: number; value: number } }
      acked.set(key, { revision: body.answer.revision, value: body.answer.value })
      inFlight.delete(key)
      writes++
    }
  }
  const running = clients.map((c, i) => client(c, i))
  // Kill once a good number of writes are acknowledged (bounded wait).
  for (let i = 0; i < 200 && writes < 100; i++) await sleep(50)
  server.child.kill('SIGKILL')
  const exit = await server.exited
  stopped = true
  await Promise.all(running)
  t.equal(exit.signal, 'SIGKILL', 'the server was killed')
  t.ok(writes >= 50, `${writes} writes were acknowledged before the kill`)

  const restarted = await startServer(database.url)
  t.teardown(async () => {
    if (restarted.child.exitCode === null) {
      restarted.child.kill('SIGTERM')
      await restarted.exited
    }
  })
  const ready = await fetch(`${restarted.base}/readyz`)
  t.equal(ready.status, 200, 'the restarted server is ready')

  const db = openKysely(database.url)
  t.teardown(() => db.destroy())
  const ids = fixture.writers.map((w) => w.assessmentId)
  const answers = await db.selectFrom('answers').selectAll().where('assessment_id', 'in', ids).execute()
  const stored = new Map(answers.map((a) => [`${a.assessment_id} ${a.question_id}`, a]))

  let lost = 0
  for (const [key, ack] of acked) {
    const row = stored.get(key)
    if (!row) {
      lost++
      t.fail(`acknowledged answer ${key} is missing`)
      continue
    }
    if (row.revision === ack.revision) {
      if (row.value !== ack.value) t.fail(`${key}: revision ${ack.revision} holds ${JSON.stringify(row.value)}, acknowledged ${ack.value}`)
    } else if (row.revision === ack.revision + 1 && inFlight.has(key)) {
      // The write in flight at the kill committed; its answer never reached the client.
      if (row.value !== inFlight.get(key)) t.fail(`${key}: the unacknowledged revision holds an unknown value`)
    } else {
      t.fail(`${key}: stored revision ${row.revision}, last acknowledged ${ack.revision}`)
    }
  }
  t.equal(lost, 0, `all ${acked.size} acknowledged answers are present with their values`)
  for (const row of answers) {
    const key = `${row.assessment_id} ${row.question_id}`
    if (!acked.has(key) && !(inFlight.has(key) && row.revision === 1)) t.fail(`${key} is stored but was never written`)
  }

  // History: exactly one row per revision, 1..n, for every answer.
  const history = await sql<{ assessment_id: string; question_id: string; revisions: number[] }>`
    select assessment_id, question_id, array_agg(revision order by revision) as revisions
    from answer_history where assessment_id = any(${ids}::uuid[]) group by 1, 2`.execute(db)
  const historyOf = new Map(history.rows.map((h) => [`${h.assessment_id} ${h.question_id}`, h.revisions]))
  let historyOk = true
  for (const row of answers) {
    const revisions = historyOf.get(`${row.assessment_id} ${row.question_id}`) ?? []
    const expected = Array.from({ length: row.revision }, (_, i) => i + 1)
    if (JSON.stringify(revisions) !== JSON.stringify(expected)) {
      historyOk = false
      t.fail(`history of ${row.assessment_id} ${row.question_id}: ${JSON.stringify(revisions)}, revision ${row.revision}`)
    }
  }
  t.ok(historyOk, 'answer_history has one row per revision of every answer')
  t.equal(history.rows.length, answers.length, 'no history for answers that do not exist')

  // Derived data: the stored readiness equals a fresh score() of the stored answers.
  for (const id of ids) {
    const mine = answers.filter((a) => a.assessment_id === id)
    const fresh = score(fixture.content, new Map(mine.map((a) => [a.question_id, { value: (a.value ?? null) as StoredAnswer['value'], special: a.special }])))
    const domains = await db.selectFrom('domain_scores').selectAll().where('assessment_id', '=', id).execute()
    const storedDomains = new Map(domains.map((d) => [d.domain, d]))
    for (const d of fresh.domains) {
      const s = storedDomains.get(d.domain)
      if (!s) {
        if (mine.length > 0) t.fail(`${id}: no stored score for ${d.domain}`)
        continue
      }
      const same =
        (s.score === null ? d.score === null : d.score !== null && Math.abs(s.score - d.score) < 1e-9) &&
        Math.abs(s.coverage - d.coverage) < 1e-9 &&
        s.tier === d.tier &&
        s.answered === d.counts.answered &&
        s.applicable === d.counts.applicable
      if (!same)
        t.fail(
          `${id} ${d.domain}: stored ${JSON.stringify(s)}, fresh ${JSON.stringify({ score: d.score, coverage: d.coverage, tier: d.tier, counts: d.counts })}`,
        )
    }
    const a = await db.selectFrom('assessments').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
    if (mine.length > 0) {
      const overallSame =
        (a.overall_score === null ? fresh.overall.score === null : fresh.overall.score !== null && Math.abs(a.overall_score - fresh.overall.score) < 1e-9) &&
        a.answered === fresh.overall.counts.answered
      t.ok(overallSame, `${id}: overall score and counts agree with a fresh score()`)
    }
  }

  // And the restarted server serves the data.
  const w = fixture.writers[0]!
  const detail = await fetch(`${restarted.base}/assessments/${w.assessmentId}`, { headers: { authorization: w.authorization } })
  t.equal(detail.status, 200)
})
