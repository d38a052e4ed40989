// The assessment workflow end to end: create → answer → submit → return → reopen → fix → submit →
// validate, with transitions, answer history, carry-forward, duplicates, missing answers and comments.
import t from 'tap'
import { answerAll, createAssessment, dbSnapshot, ensureOpenCampaign, getAssessment, questionnaireVersion, validValue } from '../helpers/assessments.js'
import { build } from '../helpers/build.js'
import { testToken, tokenFor } from '../helpers/tokens.js'

t.test('full workflow', async (t) => {
  const app = await build(t)
  const admin = await testToken(app, 'administration', 'KEN')
  const staff = await testToken(app, 'staff')
  const auth = admin.authorization
  await ensureOpenCampaign(app, { questionnaire: 'cdc', version: 1, country: 'KEN', cycle: 2026 })

  const created = await app.inject({
    method: 'POST',
    url: '/assessments',
    headers: { authorization: auth },
    payload: { questionnaire: 'cdc', version: 1, country: 'ken', cycle: 2026 },
  })
  t.equal(created.statusCode, 201, created.body)
  const a = created.json().assessment
  t.equal(a.country, 'KEN')
  t.equal(a.status, 'draft')
  t.equal(a.version, 1)
  t.equal(created.headers.location, `/assessments/${a.id}`)

  // Duplicate (country, questionnaire, cycle) → 409 naming the existing one; nothing changes.
  const before = await dbSnapshot(app)
  const dup = await app.inject({
    method: 'POST',
    url: '/assessments',
    headers: { authorization: staff.authorization },
    payload: { questionnaire: 'cdc', version: 1, country: 'KEN', cycle: 2026 },
  })
  t.equal(dup.statusCode, 409, dup.body)
  t.equal(dup.json().existing.id, a.id)
  t.match(dup.headers['content-type'], /application\/problem\+json/)
  t.equal(await dbSnapshot(app), before)

  // Submit with nothing answered → 422 listing the missing questions; nothing changes.
  const detail0 = await getAssessment(app, auth, a.id)
  t.ok(detail0.missingRequired.length > 10, 'many required questions are missing at first')
  const early = await app.inject({ method: 'POST', url: `/assessments/${a.id}/transitions`, headers: { authorization: auth }, payload: { action: 'submit' } })
  t.equal(early.statusCode, 422, early.body)
  t.same([...early.json().missing].sort(), [...detail0.missingRequired].sort())
  t.equal(early.json().errors.length, detail0.missingRequired.length)
  t.equal(await dbSnapshot(app), before)

  // Answer everything, then change one answer twice to build a history.
  const answered = await answerAll(app, auth, a.id)
  t.ok(answered.length >= detail0.missingRequired.length)
  const qid = 'cdc.data.law_conformity'
  const current = (await getAssessment(app, auth, a.id)).answers.find((x) => x.questionId === qid)!
  t.equal(current.value, 3)
  const change = await app.inject({
    method: 'PUT',
    url: `/assessments/${a.id}/answers/${qid}`,
    headers: { authorization: auth, 'if-match': current.etag },
    payload: { value: 1, comment: 'draft law only' },
  })
  t.equal(change.statusCode, 200, change.body)
  t.equal(change.headers.etag, `"${current.revision + 1}"`)

  const history = await app.inject({ method: 'GET', url: `/assessments/${a.id}/answers/${qid}/history`, headers: { authorization: staff.authorization } })
  t.equal(history.statusCode, 200, history.body)
  const items = history.json().items
  t.equal(items.length, 2)
  t.equal(items[0].old, null)
  t.match(items[0].new, { value: 3, special: null })
  t.match(items[1].old, { value: 3 })
  t.match(items[1].new, { value: 1, comment: 'draft law only' })
  t.equal(items[1].changedByRole, 'administration')
  t.ok(Date.parse(items[1].changedAt) > 0)

  // Submit.
  const submit = await app.inject({ method: 'POST', url: `/assessments/${a.id}/transitions`, headers: { authorization: auth }, payload: { action: 'submit' } })
  t.equal(submit.statusCode, 200, submit.body)
  t.equal(submit.json().status, 'submitted')

  // Editing a submitted assessment → 409, nothing changes.
  const afterSubmit = await dbSnapshot(app)
  const revisionNow = (await getAssessment(app, auth, a.id)).answers.find((x) => x.questionId === qid)!.etag
  const edit = await app.inject({
    method: 'PUT',
    url: `/assessments/${a.id}/answers/${qid}`,
    headers: { authorization: auth, 'if-match': revisionNow },
    payload: { value: 2 },
  })
  t.equal(edit.statusCode, 409, edit.body)
  // The problem's status is the HTTP status (RFC 9457); the assessment's state is an extension.
  t.equal(edit.json().status, 409)
  t.equal(edit.json().assessmentStatus, 'submitted')
  const editBulk = await app.inject({
    method: 'PATCH',
    url: `/assessments/${a.id}/answers`,
    headers: { authorization: auth },
    payload: { answers: [{ questionId: qid, value: 2, ifMatch: revisionNow }] },
  })
  t.equal(editBulk.statusCode, 409, editBulk.body)
  t.equal(await dbSnapshot(app), afterSubmit)

  // Staff comment on one question: visible to the administration.
  const comment = await app.inject({
    method: 'POST',
    url: `/assessments/${a.id}/comments`,
    headers: { authorization: staff.authorization },
    payload: { questionId: qid, body: 'Please cite the draft law.' },
  })
  t.equal(comment.statusCode, 201, comment.body)
  t.equal(comment.json().questionId, qid)

  // Return without a comment → 422; with a blank one → 422; nothing changes.
  const afterComment = await dbSnapshot(app)
  for (const payload of [{ action: 'return' }, { action: 'return', comment: '   ' }, { action: 'return', comment: null }]) {
    const res = await app.inject({ method: 'POST', url: `/assessments/${a.id}/transitions`, headers: { authorization: staff.authorization }, payload })
    t.equal(res.statusCode, 422, `${JSON.stringify(payload)}: ${res.body}`)
    t.equal(res.json().errors[0].path, '/body/comment')
  }
  t.equal(await dbSnapshot(app), afterComment)

  const ret = await app.inject({
    method: 'POST',
    url: `/assessments/${a.id}/transitions`,
    headers: { authorization: staff.authorization },
    payload: { action: 'return', comment: 'Evidence missing for data protection.' },
  })
  t.equal(ret.statusCode, 200, ret.body)
  t.equal(ret.json().status, 'returned')

  // Returned: still not editable (409) until reopened.
  const returnedEdit = await app.inject({
    method: 'PUT',
    url: `/assessments/${a.id}/answers/${qid}`,
    headers: { authorization: auth, 'if-match': revisionNow },
    payload: { value: 2 },
  })
  t.equal(returnedEdit.statusCode, 409, returnedEdit.body)
  t.match(returnedEdit.json().detail, /reopen/)

  const seen = await getAssessment(app, auth, a.id)
  t.same(seen.actions, ['reopen'])
  const comments = seen.comments as { questionId: string | null; body: string; author: string }[]
  t.match(comments, [
    { questionId: qid, body: 'Please cite the draft law.', author: staff.principal.label },
    { questionId: null, body: 'Evidence missing for data protection.' },
  ])

  // Reopen (staff may not), fix, submit again, validate.
  const staffReopen = await app.inject({
    method: 'POST',
    url: `/assessments/${a.id}/transitions`,
    headers: { authorization: staff.authorization },
    payload: { action: 'reopen' },
  })
  t.equal(staffReopen.statusCode, 403, staffReopen.body)
  const reopen = await app.inject({ method: 'POST', url: `/assessments/${a.id}/transitions`, headers: { authorization: auth }, payload: { action: 'reopen' } })
  t.equal(reopen.statusCode, 200, reopen.body)
  t.equal(reopen.json().status, 'draft')
  const fix = await app.inject({
    method: 'PUT',
    url: `/assessments/${a.id}/answers/${qid}`,
    headers: { authorization: auth, 'if-match': revisionNow },
    payload: { value: 2, evidence: [{ title: 'Draft bill', url: 'https://example.org/bill' }] },
  })
  t.equal(fix.statusCode, 200, fix.body)
  t.same(fix.json().answer.evidence, [{ title: 'Draft bill', url: 'https://example.org/bill' }])
  const resubmit = await app.inject({
    method: 'POST',
    url: `/assessments/${a.id}/transitions`,
    headers: { authorization: auth },
    payload: { action: 'submit' },
  })
  t.equal(resubmit.statusCode, 200, resubmit.body)
  // The administration cannot validate its own assessment.
  const selfValidate = await app.inject({
    method: 'POST',
    url: `/assessments/${a.id}/transitions`,
    headers: { authorization: auth },
    payload: { action: 'validate' },
  })
  t.equal(selfValidate.statusCode, 403, selfValidate.body)
  const validate = await app.inject({
    method: 'POST',
    url: `/assessments/${a.id}/transitions`,
    headers: { authorization: staff.authorization },
    payload: { action: 'validate' },
  })
  t.equal(validate.statusCode, 200, validate.body)
  t.equal(validate.json().status, 'validated')
  // Validated is final.
  for (const action of ['submit', 'return', 'validate', 'reopen']) {
    const who = action === 'submit' || action === 'reopen' ? auth : staff.authorization
    const res = await app.inject({
      method: 'POST',
      url: `/assessments/${a.id}/transitions`,
      headers: { authorization: who },
      payload: { action, comment: 'x' },
    })
    t.equal(res.statusCode, 409, `${action} on validated: ${res.body}`)
    t.match(res.json(), { status: 409, assessmentStatus: 'validated' })
  }

  // Transitions recorded: who (role), when, comment.
  const final = await getAssessment(app, auth, a.id)
  const transitions = final.transitions as { from: string | null; to: string; comment: string | null; role: string; at: string }[]
  t.match(transitions, [
    { from: null, to: 'draft', role: 'administration', comment: null },
    { from: 'draft', to: 'submitted', role: 'administration' },
    { from: 'submitted', to: 'returned', role: 'staff', comment: 'Evidence missing for data protection.' },
    { from: 'returned', to: 'draft', role: 'administration' },
    { from: 'draft', to: 'submitted', role: 'administration' },
    { from: 'submitted', to: 'validated', role: 'staff' },
  ])
  t.equal(transitions.length, 6)
  const times = transitions.map((x) => Date.parse(x.at))
  t.ok(
    times.every((x, i) => x > 0 && (i === 0 || x >= times[i - 1]!)),
    'times are in order',
  )
  const rows = await app.db.selectFrom('transitions').select(['actor', 'actor_role']).where('assessment_id', '=', a.id).orderBy('seq').execute()
  t.same(
    rows.map((r) => r.actor),
    [admin, admin, staff, admin, admin, staff].map((p) => p.principal.personId),
    'each transition records the person who made it',
  )
  t.same(
    transitions.map((x) => (x as { by?: string }).by),
    [admin, admin, staff, admin, admin, staff].map((p) => p.principal.label),
    'the history names who made each transition (the label of their token)',
  )
  t.equal(final.status, 'validated')
  t.same(final.actions, [])
})

t.test('carry-forward from a previous cycle', async (t) => {
  const app = await build(t)
  const auth = await tokenFor(app, 'administration', 'GHA')
  const prev = await createAssessment(app, auth, { questionnaire: 'cdc', version: 1, country: 'GHA', cycle: 2025 })
  const answered = await answerAll(app, auth, prev.id)
  for (const country of ['GHA', 'SEN']) await ensureOpenCampaign(app, { questionnaire: 'cdc', version: 1, country, cycle: 2026 })

  const res = await app.inject({
    method: 'POST',
    url: '/assessments',
    headers: { authorization: auth },
    payload: { questionnaire: 'cdc', version: 1, country: 'GHA', cycle: 2026, from: prev.id },
  })
  t.equal(res.statusCode, 201, res.body)
  const next = res.json()
  t.equal(next.assessment.carriedFrom, prev.id)
  t.same([...next.carried].sort(), [...answered].sort())
  t.same(next.notCarried, [])

  const detail = await getAssessment(app, auth, next.assessment.id)
  t.equal(detail.answers.length, answered.length)
  t.ok(
    detail.answers.every((x) => x.carriedForward === true),
    'every copied answer is marked carriedForward',
  )
  t.same(detail.missingRequired, [])
  t.match(detail.transitions, [{ from: null, to: 'draft', comment: new RegExp(prev.id) }])

  // A PUT with If-Match confirms/changes the answer and clears carriedForward.
  const version = await questionnaireVersion(app, 'cdc', 1)
  const first = detail.answers[0]!
  const put = await app.inject({
    method: 'PUT',
    url: `/assessments/${next.assessment.id}/answers/${first.questionId}`,
    headers: { authorization: auth, 'if-match': first.etag },
    payload: { value: validValue(version.questions.get(first.questionId)!) },
  })
  t.equal(put.statusCode, 200, put.body)
  t.equal(put.json().answer.carriedForward, false)
  t.equal(put.json().answer.revision, 2)
  const after = await getAssessment(app, auth, next.assessment.id)
  t.equal(after.answers.filter((x) => x.carriedForward).length, answered.length - 1)

  // A carried-forward answer is a claim about last cycle: submission waits until each one that
  // applies is confirmed or changed, and says which (422, `unconfirmed`); nothing changes.
  t.same([...after.unconfirmed].sort(), answered.filter((q) => q !== first.questionId).sort(), 'the detail lists what still needs confirming')
  t.same(after.missingRequired, [])
  const beforeSubmit = await dbSnapshot(app)
  const early = await app.inject({
    method: 'POST',
    url: `/assessments/${next.assessment.id}/transitions`,
    headers: { authorization: auth },
    payload: { action: 'submit' },
  })
  t.equal(early.statusCode, 422, early.body)
  t.match(early.headers['content-type'], /application\/problem\+json/)
  t.same([...early.json().unconfirmed].sort(), [...after.unconfirmed].sort())
  t.same(early.json().missing, [])
  t.match(early.json().errors[0], { path: `/answers/${after.unconfirmed[0]}`, message: /carried forward/ })
  t.equal(await dbSnapshot(app), beforeSubmit)

  // Confirming = saving the answer again with its ETag (PATCH, several at once); then submit works.
  const confirm = await app.inject({
    method: 'PATCH',
    url: `/assessments/${next.assessment.id}/answers`,
    headers: { authorization: auth },
    payload: {
      answers: after.answers
        .filter((x) => x.carriedForward)
        .map((x) => ({ questionId: x.questionId, ...(x.special ? { special: x.special } : { value: x.value }), ifMatch: x.etag })),
    },
  })
  t.equal(confirm.statusCode, 200, confirm.body)
  t.same((await getAssessment(app, auth, next.assessment.id)).unconfirmed, [])
  const submitted = await app.inject({
    method: 'POST',
    url: `/assessments/${next.assessment.id}/transitions`,
    headers: { authorization: auth },
    payload: { action: 'submit' },
  })
  t.equal(submitted.statusCode, 200, submitted.body)

  // The previous cycle is untouched.
  const old = await getAssessment(app, auth, prev.id)
  t.ok(old.answers.every((x) => !x.carriedForward))

  // from: an assessment of another questionnaire/country the caller sees → 422 (staff), same key → 409.
  const staff = await tokenFor(app, 'staff')
  const other = await app.inject({
    method: 'POST',
    url: '/assessments',
    headers: { authorization: staff },
    payload: { questionnaire: 'cdc', version: 1, country: 'SEN', cycle: 2026, from: prev.id },
  })
  t.equal(other.statusCode, 422, other.body)
  t.equal(other.json().errors[0].path, '/body/from')
})
