// Concurrent writers: If-Match lets exactly one of two racing writers win; concurrent answers to
// different questions are all kept and the stored scores match a fresh score of the stored answers.
import t from 'tap'
import { domainScoreRows } from '../../src/readiness/store.js'
import { score } from '../../src/scoring/score.js'
import type { StoredAnswer } from '../../src/questionnaires/answers.js'
import { answerAll, createAssessment, questionnaireVersion, validValue } from '../helpers/assessments.js'
import { build } from '../helpers/build.js'
import { tokenFor } from '../helpers/tokens.js'

t.test('two writers with the same If-Match: one 200, one 412', async (t) => {
  const app = await build(t)
  const auth = await tokenFor(app, 'administration', 'KEN')
  const a = await createAssessment(app, auth, { questionnaire: 'cdc', version: 1, country: 'KEN', cycle: 2026 })
  const url = `/assessments/${a.id}/answers/cdc.data.law_conformity`
  const first = await app.inject({ method: 'PUT', url, headers: { authorization: auth }, payload: { value: 1 } })
  t.equal(first.statusCode, 200)

  for (let round = 0; round < 5; round++) {
    const etag = (
      await app.db
        .selectFrom('answers')
        .select('revision')
        .where('assessment_id', '=', a.id)
        .where('question_id', '=', 'cdc.data.law_conformity')
        .executeTakeFirstOrThrow()
    ).revision
    const [x, y] = await Promise.all([
      app.inject({ method: 'PUT', url, headers: { authorization: auth, 'if-match': `"${etag}"` }, payload: { value: 2, comment: 'writer A' } }),
      app.inject({ method: 'PUT', url, headers: { authorization: auth, 'if-match': `"${etag}"` }, payload: { value: 4, comment: 'writer B' } }),
    ])
    t.same([x.statusCode, y.statusCode].sort(), [200, 412], `round ${round}: ${x.statusCode} ${y.statusCode}`)
    const winner = x.statusCode === 200 ? x : y
    const loser = x.statusCode === 200 ? y : x
    // The loser is told what won.
    t.match(loser.json().current, { revision: etag + 1, value: winner.json().answer.value, comment: winner.json().answer.comment })
    const history = await app.db
      .selectFrom('answer_history')
      .select(['revision'])
      .where('assessment_id', '=', a.id)
      .where('question_id', '=', 'cdc.data.law_conformity')
      .orderBy('seq')
      .execute()
    t.same(
      history.map((h) => h.revision),
      Array.from({ length: etag + 1 }, (_, i) => i + 1),
      'one history row per successful write, no gaps or duplicates',
    )
  }

  // Two submits racing with the same If-Match: exactly one wins, the other gets 412.
  const b = await createAssessment(app, auth, { questionnaire: 'cdc', version: 1, country: 'KEN', cycle: 2027 })
  await answerAll(app, auth, b.id)
  const rev = (await app.inject({ method: 'GET', url: `/assessments/${b.id}`, headers: { authorization: auth } })).headers.etag as string
  const submit = () =>
    app.inject({ method: 'POST', url: `/assessments/${b.id}/transitions`, headers: { authorization: auth, 'if-match': rev }, payload: { action: 'submit' } })
  const [p, q] = await Promise.all([submit(), submit()])
  t.same([p.statusCode, q.statusCode].sort(), [200, 412], `${p.body}\n${q.body}`)
  const transitions = await app.db.selectFrom('transitions').select('to_status').where('assessment_id', '=', b.id).orderBy('seq').execute()
  t.same(
    transitions.map((x) => x.to_status),
    ['draft', 'submitted'],
    'one transition recorded',
  )
})

t.test('20 concurrent PUTs to different questions: all succeed, no lost score update', async (t) => {
  const app = await build(t)
  const auth = await tokenFor(app, 'administration', 'GHA')
  const a = await createAssessment(app, auth, { questionnaire: 'cdc', version: 1, country: 'GHA', cycle: 2026 })
  const version = await questionnaireVersion(app, 'cdc', 1)
  const targets = [...version.questions.values()].filter((q) => !q.appliesIf).slice(0, 20)
  t.equal(targets.length, 20)
  // Spread over several domains, so several domain scores change at once.
  t.ok(new Set(targets.map((q) => q.domain)).size >= 3)

  const results = await Promise.all(
    targets.map((q) =>
      app.inject({ method: 'PUT', url: `/assessments/${a.id}/answers/${q.id}`, headers: { authorization: auth }, payload: { value: validValue(q) } }),
    ),
  )
  t.same(
    results.map((r) => r.statusCode),
    targets.map(() => 200),
    results
      .filter((r) => r.statusCode !== 200)
      .map((r) => r.body)
      .join('\n'),
  )

  const rows = await app.db.selectFrom('answers').selectAll().where('assessment_id', '=', a.id).execute()
  t.equal(rows.length, 20)
  const loaded = await app.questionnaires.get('cdc', 1)
  t.ok(loaded)
  const fresh = score(loaded!.content, new Map(rows.map((r) => [r.question_id, { value: r.value, special: r.special } as StoredAnswer])))

  const stored = await app.db.selectFrom('domain_scores').selectAll().where('assessment_id', '=', a.id).orderBy('domain').execute()
  const expected = domainScoreRows(a.id, fresh.domains).sort((x, y) => (x.domain < y.domain ? -1 : 1))
  t.same(stored, expected, 'stored domain scores equal a fresh score of the stored answers')
  const assessment = await app.db.selectFrom('assessments').selectAll().where('id', '=', a.id).executeTakeFirstOrThrow()
  t.equal(assessment.answered, 20)
  t.equal(assessment.answered, fresh.overall.counts.answered)
  t.equal(assessment.overall_score, fresh.overall.score)
  t.equal(assessment.coverage, fresh.overall.coverage)
  t.equal(assessment.tier, fresh.overall.tier)
  t.equal(assessment.revision, 1 + 20, 'each write bumped the revision once')
  const raw = new Map(fresh.questions.map((q) => [q.questionId, q.raw]))
  t.ok(
    rows.every((r) => r.score === raw.get(r.question_id)),
    'each answer stores its own fresh score',
  )
})
