// After a burst of concurrent writes from two server processes (two apps, two pools, one database)
// every stored score equals a fresh score() of the stored answers: each answer's own score, every
// domain row, the assessment's overall figures; each answer's history is complete and the
// assessment's revision counts every successful write once. The burst mixes writes to the same
// question (If-Match: *), to different ones, batches, and parents whose value switches their
// conditional questions on and off (so other answers are rescored by the same statement).
import t from 'tap'
import { assertFresh, createAssessment, questionnaireVersion, validValue } from '../helpers/assessments.js'
import { build } from '../helpers/build.js'
import { tokenFor } from '../helpers/tokens.js'

t.test('a burst of concurrent writes leaves every stored score equal to a fresh score', async (t) => {
  const one = await build(t)
  const two = await build(t)
  const version = await questionnaireVersion(one, 'cdc', 1)
  const questions = [...version.questions.values()]
  const children = questions.filter((q) => q.appliesIf)
  const parents = [...new Set(children.map((q) => q.appliesIf!.question))].map((id) => version.questions.get(id)!)
  t.ok(parents.length >= 2, 'the questionnaire has conditional questions')
  // Maturity questions (0–4) that neither depend on nor switch another one.
  const plain = questions.filter((q) => q.type === 'maturity' && !q.appliesIf && !parents.includes(q)).slice(0, 12)
  t.equal(plain.length, 12)

  const countries = ['KEN', 'GHA', 'PER']
  const assessments: { id: string; auth: string }[] = []
  for (const country of countries) {
    const auth = await tokenFor(one, 'administration', country)
    const a = await createAssessment(one, auth, { questionnaire: 'cdc', version: 1, country, cycle: 2026 })
    // Parents first applying, children answered, so switching a parent off rescores them.
    for (const parent of parents) {
      const res = await one.inject({ method: 'PUT', url: `/assessments/${a.id}/answers/${parent.id}`, headers: { authorization: auth }, payload: { value: 3 } })
      t.equal(res.statusCode, 200)
    }
    for (const child of children) {
      const res = await one.inject({
        method: 'PUT',
        url: `/assessments/${a.id}/answers/${child.id}`,
        headers: { authorization: auth },
        payload: { value: validValue(child) },
      })
      t.equal(res.statusCode, 200, res.body)
    }
    assessments.push({ id: a.id, auth })
  }

  const requests = assessments.flatMap(({ id, auth }, n) =>
    Array.from({ length: 40 }, (_, i) => {
      const app = i % 2 === 0 ? one : two
      const headers = { authorization: auth, 'if-match': '*' }
      if (i % 5 === 0) {
        // A parent switched off (1) or on (3): its answered children stop or start counting.
        const parent = parents[(i + n) % parents.length]!
        return app.inject({ method: 'PUT', url: `/assessments/${id}/answers/${parent.id}`, headers, payload: { value: i % 10 === 0 ? 1 : 3 } })
      }
      if (i % 7 === 0) {
        const batch = plain.slice(i % 6, (i % 6) + 3).map((q, k) => ({ questionId: q.id, value: (i + k) % 5, ifMatch: '*' }))
        return app.inject({ method: 'PATCH', url: `/assessments/${id}/answers`, headers: { authorization: auth }, payload: { answers: batch } })
      }
      // Half of the writes go to the same two questions, so writers race for the same rows.
      const q = i % 2 === 0 ? plain[i % 2]! : plain[i % plain.length]!
      return app.inject({ method: 'PUT', url: `/assessments/${id}/answers/${q.id}`, headers, payload: { value: i % 5 } })
    }),
  )
  const results = await Promise.all(requests)
  t.same(
    results.filter((r) => r.statusCode !== 200).map((r) => `${r.statusCode} ${r.body}`),
    [],
    'every write succeeded',
  )

  const loaded = await one.questionnaires.get('cdc', 1)
  for (const { id } of assessments) {
    await assertFresh(t, one, loaded!.content, id)
    const history = await one.db
      .selectFrom('answer_history')
      .select(['question_id', (eb) => eb.fn.countAll<string>().as('n')])
      .where('assessment_id', '=', id)
      .groupBy('question_id')
      .execute()
    const counts = new Map(history.map((h) => [h.question_id, Number(h.n)]))
    const rows = await one.db.selectFrom('answers').select(['question_id', 'revision']).where('assessment_id', '=', id).execute()
    t.same(
      rows.filter((r) => counts.get(r.question_id) !== r.revision).map((r) => r.question_id),
      [],
      "each answer's revision equals its number of history entries",
    )
    const writes = parents.length + children.length + 40
    const assessment = await one.db.selectFrom('assessments').select('revision').where('id', '=', id).executeTakeFirstOrThrow()
    t.equal(assessment.revision, 1 + writes, 'the assessment revision counts every write once')
  }
})

t.test('one process writing in sequence: each write scores only the domains it can change, and every stored figure stays fresh', async (t) => {
  const app = await build(t)
  const version = await questionnaireVersion(app, 'cdc', 1)
  const questions = [...version.questions.values()]
  const children = questions.filter((q) => q.appliesIf)
  const parents = [...new Set(children.map((q) => q.appliesIf!.question))].map((id) => version.questions.get(id)!)
  const plain = questions.filter((q) => q.type === 'maturity' && !q.appliesIf && !parents.includes(q)).slice(0, 4)
  const auth = await tokenFor(app, 'administration', 'KEN')
  const { id } = await createAssessment(app, auth, { questionnaire: 'cdc', version: 1, country: 'KEN', cycle: 2027 })
  const put = async (questionId: string, value: unknown) => {
    const res = await app.inject({
      method: 'PUT',
      url: `/assessments/${id}/answers/${questionId}`,
      headers: { authorization: auth, 'if-match': '*' },
      payload: { value },
    })
    t.equal(res.statusCode, 200, res.body)
  }
  for (const parent of parents) await put(parent.id, 3)
  for (const child of children) await put(child.id, validValue(child))
  const content = (await app.questionnaires.get('cdc', 1))!.content
  // Each parent off and on again (its answered children stop, then start counting, in whichever
  // domain they are), with plain writes in between; every figure checked after every write.
  for (const [i, parent] of parents.entries()) {
    for (const value of [1, 3]) {
      await put(parent.id, value)
      await assertFresh(t, app, content, id, ` (${parent.id} = ${value})`)
      await put(plain[i % plain.length]!.id, (i + value) % 5)
      await assertFresh(t, app, content, id, ` (then ${plain[i % plain.length]!.id})`)
    }
  }
})
