// The cached aggregates are exact: after any change to an assessment of the group, the very next
// GET /readiness on every process (here: two apps with caches of their own on one database) shows
// what a process with an empty cache computes.
import t from 'tap'
import { createAssessment } from '../helpers/assessments.js'
import { build } from '../helpers/build.js'
import { tokenFor } from '../helpers/tokens.js'

t.test('every process sees a change on the very next request', async (t) => {
  const one = await build(t)
  const two = await build(t)
  const staff = await tokenFor(one, 'staff')
  const writers: { id: string; auth: string }[] = []
  for (const country of ['KEN', 'GHA', 'PER', 'FRA']) {
    const auth = await tokenFor(one, 'administration', country)
    const a = await createAssessment(one, auth, { questionnaire: 'cdc', version: 1, country, cycle: 2026 })
    writers.push({ id: a.id, auth })
  }
  const url = '/readiness?questionnaire=cdc&version=1&cycle=2026&status=draft'
  const read = async (app: typeof one) => {
    const res = await app.inject({ method: 'GET', url, headers: { authorization: staff } })
    t.equal(res.statusCode, 200, res.body)
    return res.json()
  }
  const fresh = async () => {
    const app = await build(t)
    return read(app)
  }

  let previous = await read(one)
  t.same(await read(two), previous, 'both processes agree')
  const question = 'cdc.data.law_conformity'
  for (const [i, w] of writers.entries()) {
    await read(one)
    await read(two)
    const res = await one.inject({
      method: 'PUT',
      url: `/assessments/${w.id}/answers/${question}`,
      headers: { authorization: w.auth, 'if-match': '*' },
      payload: { value: (i % 4) + 1 },
    })
    t.equal(res.statusCode, 200, res.body)
    const expected = await fresh()
    t.notSame(expected, previous, `write ${i} changed the figures`)
    t.same(await read(two), expected, `write ${i}: the other process shows it on its next request`)
    t.same(await read(one), expected, `write ${i}: the writing process shows it on its next request`)
    previous = expected
  }

  // A workflow change (the group's membership) is seen as well.
  await one.db
    .updateTable('assessments')
    .set({ status: 'submitted', revision: (eb) => eb('revision', '+', 1) })
    .where('id', '=', writers[0]!.id)
    .execute()
  const after = await read(two)
  t.equal(after.groups[0].overall.count, previous.groups[0].overall.count - 1, 'an assessment leaving the draft group leaves its figures')
  t.same(after, await fresh())
})
