// An assessment's trail: who answered what, who submitted, returned, validated, reopened and
// commented, and when, by name; paged; readable by whoever may read the assessment, another
// country's a 404 exactly like a missing one. Answer history names persons too.
import t from 'tap'
import { presentTrailItem } from '../../src/assessments/trail-routes.js'
import type { TrailRow } from '../../src/assessments/trail.js'
import { answerAll, createAssessment } from '../helpers/assessments.js'
import { build } from '../helpers/build.js'
import { testToken } from '../helpers/tokens.js'

const Q = 'cdc.data.law_conformity'
const MISSING = '00000000-0000-4000-8000-000000000000'

t.test('the trail names the persons, newest first, a page at a time', async (t) => {
  const app = await build(t)
  const kenya = await testToken(app, 'administration', 'KEN', { label: 'Amina Wanjiru' })
  const staff = await testToken(app, 'staff', undefined, { label: 'Jean Reviewer' })
  const ghana = await testToken(app, 'administration', 'GHA')
  const admin = await testToken(app, 'admin')
  const a = await createAssessment(app, kenya.authorization, { questionnaire: 'cdc', version: 1, country: 'KEN', cycle: 2026 })
  const first = await app.inject({
    method: 'PUT',
    url: `/assessments/${a.id}/answers/${Q}`,
    headers: { authorization: kenya.authorization },
    payload: { value: 1 },
  })
  t.equal(first.statusCode, 200)
  const second = await app.inject({
    method: 'PUT',
    url: `/assessments/${a.id}/answers/${Q}`,
    headers: { authorization: kenya.authorization, 'if-match': first.headers.etag as string },
    payload: { value: 3 },
  })
  t.equal(second.statusCode, 200)
  await answerAll(app, kenya.authorization, a.id)
  const go = (auth: string, action: string, comment?: string) =>
    app.inject({ method: 'POST', url: `/assessments/${a.id}/transitions`, headers: { authorization: auth }, payload: { action, comment } })
  t.equal((await go(kenya.authorization, 'submit')).statusCode, 200)
  t.equal((await go(staff.authorization, 'return', 'cite the law')).statusCode, 200)
  const comment = await app.inject({
    method: 'POST',
    url: `/assessments/${a.id}/comments`,
    headers: { authorization: staff.authorization },
    payload: { questionId: Q, body: 'which article?' },
  })
  t.equal(comment.statusCode, 201)
  t.equal((await go(kenya.authorization, 'reopen')).statusCode, 200)
  t.equal((await go(kenya.authorization, 'submit')).statusCode, 200)
  t.equal((await go(staff.authorization, 'validate')).statusCode, 200)

  const read = async (auth: string, query = '') => app.inject({ method: 'GET', url: `/assessments/${a.id}/trail${query}`, headers: { authorization: auth } })
  const all = await read(staff.authorization, '?limit=200')
  t.equal(all.statusCode, 200, all.body)
  const items = all.json().items as { action: string; by: string; questionId: string | null; at: string; comment: string | null; answer: unknown }[]
  const transitions = items.filter((i) => ['created', 'submitted', 'returned', 'reopened', 'validated'].includes(i.action))
  t.same(
    transitions.map((i) => [i.action, i.by]),
    [
      ['validated', 'Jean Reviewer'],
      ['submitted', 'Amina Wanjiru'],
      ['reopened', 'Amina Wanjiru'],
      ['returned', 'Jean Reviewer'],
      ['submitted', 'Amina Wanjiru'],
      ['created', 'Amina Wanjiru'],
    ],
    'every transition, newest first, by name',
  )
  t.match(
    items.find((i) => i.action === 'returned'),
    { comment: 'cite the law' },
  )
  t.match(
    items.find((i) => i.action === 'commented' && i.questionId === Q),
    { by: 'Jean Reviewer', comment: 'which article?' },
  )
  const onQ = items.filter((i) => i.questionId === Q && i.action !== 'commented')
  t.same(
    onQ.map((i) => [i.action, i.by, i.answer]),
    [
      ['changed', 'Amina Wanjiru', { value: 3, special: null }],
      ['answered', 'Amina Wanjiru', { value: 1, special: null }],
    ],
  )
  const times = items.map((i) => Date.parse(i.at))
  t.same(
    times,
    [...times].sort((x, y) => y - x),
    'newest first',
  )
  t.notMatch(all.body, /"(administration|staff)"/, 'names, not roles')

  // Paged: pages of 3 give the same items in the same order, without repeats.
  const paged: unknown[] = []
  let cursor: string | null = null
  do {
    const res = await read(kenya.authorization, `?limit=3${cursor ? `&cursor=${cursor}` : ''}`)
    t.equal(res.statusCode, 200, res.body)
    paged.push(...res.json().items)
    cursor = res.json().nextCursor
  } while (cursor)
  t.same(paged, items, 'the pages add up to the whole trail')

  // Who may read it: the country and staff; another country gets what a missing id gets; admins no assessments.
  const foreign = await read(ghana.authorization)
  const ghost = await app.inject({ method: 'GET', url: `/assessments/${MISSING}/trail`, headers: { authorization: ghana.authorization } })
  t.equal(foreign.statusCode, 404)
  t.equal(ghost.statusCode, 404)
  t.equal(foreign.json().detail.replace(a.id, 'ID'), ghost.json().detail.replace(MISSING, 'ID'))
  t.equal((await read(admin.authorization)).statusCode, 403)
  t.equal((await app.inject({ method: 'GET', url: `/assessments/${a.id}/trail` })).statusCode, 401)
  const bad = await read(kenya.authorization, '?cursor=bm90LWEtY3Vyc29y')
  t.equal(bad.statusCode, 400)
  t.equal(bad.json().errors[0].path, '/querystring/cursor')

  // Answer history names the person as well as the role.
  const history = await app.inject({ method: 'GET', url: `/assessments/${a.id}/answers/${Q}/history`, headers: { authorization: staff.authorization } })
  t.match(history.json().items, [
    { revision: 1, changedBy: 'Amina Wanjiru', changedByRole: 'administration' },
    { revision: 2, changedBy: 'Amina Wanjiru' },
  ])
})

t.test('trail items as the API shows them (pure)', async (t) => {
  const row = (over: Partial<TrailRow>): TrailRow => ({
    id: MISSING,
    at: new Date('2026-01-02T03:04:05Z'),
    at_key: '2026-01-02T03:04:05.000000Z',
    kind: 'answer',
    kind_order: 2,
    by_name: 'A',
    question_id: Q,
    from_status: null,
    to_status: null,
    old_answer: null,
    new_answer: null,
    comment: null,
    ...over,
  })
  t.equal(presentTrailItem(row({ new_answer: { value: 2, special: null } })).action, 'answered')
  t.equal(presentTrailItem(row({ old_answer: { value: 1 }, new_answer: { value: 2 } })).action, 'changed')
  t.equal(presentTrailItem(row({ new_answer: { value: 2, carriedFrom: MISSING } })).action, 'carried_forward')
  t.match(presentTrailItem(row({ old_answer: { value: 1 }, new_answer: { removed: true, reason: 'x' } })), { action: 'removed', answer: null })
  const tr = (from: string | null, to: string) => presentTrailItem(row({ kind: 'transition', from_status: from, to_status: to })).action
  t.same(
    [tr(null, 'draft'), tr('draft', 'submitted'), tr('submitted', 'returned'), tr('submitted', 'validated'), tr('returned', 'draft')],
    ['created', 'submitted', 'returned', 'validated', 'reopened'],
  )
  t.equal(presentTrailItem(row({ kind: 'comment', comment: 'x' })).action, 'commented')
})
