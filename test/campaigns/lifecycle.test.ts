// A campaign from creation to closing, with a clock moved by hand and the mails caught by a real
// SMTP receiver: invitations on opening, reminders at their moments and only to countries that
// have not submitted, the deadline, a late submission accepted or refused, notifications of review
// steps, closing; and who may do what.
import t from 'tap'
import { answerAll, createAssessment, getAssessment } from '../helpers/assessments.js'
import { build } from '../helpers/build.js'
import { manualClock } from '../helpers/clock.js'
import { mailablePerson } from '../helpers/people.js'
import { smtpReceiver } from '../helpers/smtp.js'
import { testToken } from '../helpers/tokens.js'

const smtp = await smtpReceiver(t)
const clock = manualClock('2027-01-10T09:00:00Z')
const app = await build(t, { smtpUrl: smtp.url, publicUrl: 'https://readiness.example.org' }, { clock })

const staff = await testToken(app, 'staff')
const admin = await testToken(app, 'admin')
const ken = await testToken(app, 'administration', 'KEN')
const gha = await testToken(app, 'administration', 'GHA')
await mailablePerson(app, { name: 'Wanjiru Kamau', email: 'focal@ken.example', role: 'focal_point', country: 'KEN' })
await mailablePerson(app, { name: 'Kofi Mensah', email: 'focal@gha.example', role: 'focal_point', country: 'GHA', language: 'fr' })
await mailablePerson(app, { name: 'Lucía Ortega', email: 'reviewer@itu.example', role: 'reviewer', language: 'es' })

const call = (method: 'GET' | 'POST' | 'PATCH', url: string, auth: string, payload?: object) =>
  app.inject({ method, url, headers: { authorization: auth }, ...(payload ? { payload } : {}) })

/** Runs the due jobs and returns the mails they sent. */
async function deliver() {
  const before = smtp.messages.length
  await app.jobs.runDue()
  return smtp.messages.slice(before)
}
const to = (mails: { to: string }[]) => mails.map((m) => m.to).sort()

const DEADLINE = '2027-03-31T23:59:59.000Z'
let campaignId = ''
let kenAssessment = ''

t.test('create and edit while draft; nobody starts an assessment before the campaign opens', async (t) => {
  const created = await call('POST', '/campaigns', staff.authorization, {
    questionnaire: 'cdc',
    version: 1,
    cycle: 2027,
    title: 'CDC readiness 2027',
    opensAt: '2027-01-10T00:00:00Z',
    deadline: DEADLINE,
    countries: ['KEN', 'gha', 'SEN'],
  })
  t.equal(created.statusCode, 201, created.body)
  const c = created.json()
  campaignId = c.id
  t.match(c, { state: 'draft', allowLate: true, reminderDays: [14, 3], countries: ['GHA', 'KEN', 'SEN'] })

  const dup = await call('POST', '/campaigns', staff.authorization, { ...created.json(), id: undefined, state: undefined })
  t.equal(dup.statusCode, 400, 'unknown fields are refused')
  const again = await call('POST', '/campaigns', staff.authorization, {
    questionnaire: 'cdc',
    version: 1,
    cycle: 2027,
    title: 'again',
    opensAt: '2027-01-10T00:00:00Z',
    deadline: DEADLINE,
  })
  t.equal(again.statusCode, 409, 'one campaign per questionnaire and cycle')
  t.equal(again.json().existing.id, campaignId)

  const backwards = await call('PATCH', `/campaigns/${campaignId}`, staff.authorization, { deadline: '2027-01-01T00:00:00Z' })
  t.equal(backwards.statusCode, 422)
  t.equal(backwards.json().errors[0].path, '/body/deadline')
  const badCountry = await call('PATCH', `/campaigns/${campaignId}`, staff.authorization, { countries: ['KEN', 'XXX'] })
  t.equal(badCountry.statusCode, 422)
  t.equal(badCountry.json().errors[0].path, '/body/countries/1')
  const renamed = await call('PATCH', `/campaigns/${campaignId}`, staff.authorization, { title: 'CDC readiness, cycle 2027' })
  t.equal(renamed.statusCode, 200, renamed.body)
  t.equal(renamed.json().title, 'CDC readiness, cycle 2027')

  const early = await call('POST', '/assessments', ken.authorization, { questionnaire: 'cdc', country: 'KEN', cycle: 2027 })
  t.equal(early.statusCode, 422, 'no open campaign yet')
  t.equal(early.json().code, 'no_open_campaign')
  t.equal(early.json().errors[0].path, '/body/cycle')
  const ownCycle = await call('POST', '/assessments', ken.authorization, { questionnaire: 'cdc', country: 'KEN', cycle: 2099 })
  t.equal(ownCycle.statusCode, 422, 'a country cannot open a cycle of its own')
})

t.test('who may run campaigns and read boards', async (t) => {
  const body = { questionnaire: 'cdc', version: 1, cycle: 2040, title: 'x', opensAt: '2040-01-01T00:00:00Z', deadline: '2040-02-01T00:00:00Z' }
  for (const [who, auth] of [
    ['administration', ken.authorization],
    ['nobody', 'Bearer tr_nothing'],
  ] as const) {
    const expected = who === 'nobody' ? 401 : 403
    t.equal((await call('POST', '/campaigns', auth, body)).statusCode, expected, `${who} cannot create`)
    t.equal((await call('GET', '/campaigns', auth)).statusCode, expected, `${who} cannot list`)
    t.equal((await call('GET', `/campaigns/${campaignId}`, auth)).statusCode, expected)
    t.equal((await call('PATCH', `/campaigns/${campaignId}`, auth, { title: 'mine' })).statusCode, expected)
    t.equal((await call('POST', `/campaigns/${campaignId}/open`, auth)).statusCode, expected, `${who} cannot open`)
    t.equal((await call('POST', `/campaigns/${campaignId}/close`, auth)).statusCode, expected)
    t.equal((await call('POST', `/campaigns/${campaignId}/reminders`, auth, {})).statusCode, expected)
    t.equal((await call('GET', `/campaigns/${campaignId}/board`, auth)).statusCode, expected, `${who} cannot read the board`)
    t.equal((await call('GET', `/campaigns/${campaignId}/board.csv`, auth)).statusCode, expected)
  }
  // An analyst (staff without the reviewer right) reads but does not run campaigns.
  const analyst = await app.db
    .deleteFrom('memberships')
    .where('role', '=', 'reviewer')
    .where('person_id', '=', (await testToken(app, 'staff')).principal.personId)
    .returning('person_id')
    .executeTakeFirstOrThrow()
  const token = await import('../../src/auth/tokens.js').then((m) => m.createToken(app.db, { role: 'staff', label: 'analyst', personId: analyst.person_id }))
  const analystAuth = `Bearer ${token.token}`
  t.equal((await call('GET', `/campaigns/${campaignId}/board`, analystAuth)).statusCode, 200, 'an analyst reads the board')
  t.equal((await call('POST', '/campaigns', analystAuth, body)).statusCode, 403, 'but does not create campaigns')
  t.equal((await call('GET', `/campaigns/${campaignId}`, ken.authorization)).json().state, undefined)
})

t.test('opening makes the drafts and sends the invitations', async (t) => {
  const opened = await call('POST', `/campaigns/${campaignId}/open`, staff.authorization)
  t.equal(opened.statusCode, 200, opened.body)
  t.match(opened.json(), { campaign: { state: 'open' }, drafts: 3, invitations: 2 })
  t.same(
    opened.json().reminders.map((r: { days: number }) => r.days),
    [14, 3, -1],
  )
  const drafts = await app.db
    .selectFrom('assessments')
    .select(['country', 'status', 'campaign_id', 'version'])
    .where('cycle', '=', 2027)
    .orderBy('country')
    .execute()
  t.same(
    drafts.map((d) => [d.country, d.status, d.campaign_id, d.version]),
    [
      ['GHA', 'draft', campaignId, 1],
      ['KEN', 'draft', campaignId, 1],
      ['SEN', 'draft', campaignId, 1],
    ],
  )
  t.equal((await call('POST', `/campaigns/${campaignId}/open`, staff.authorization)).statusCode, 409, 'opened once')
  t.equal((await call('PATCH', `/campaigns/${campaignId}`, staff.authorization, { title: 'late change' })).statusCode, 409, 'no change once open')

  const mails = await deliver()
  t.same(to(mails), ['focal@gha.example', 'focal@ken.example'])
  const fr = mails.find((m) => m.to === 'focal@gha.example')!
  t.equal(fr.language, 'fr', 'in the focal point’s language')
  t.match(fr.subject, /CDC readiness, cycle 2027/)
  t.match(fr.text, /Bonjour Kofi Mensah/)
  t.match(fr.text, /Ghana/)
  kenAssessment = (await app.db.selectFrom('assessments').select('id').where('country', '=', 'KEN').where('cycle', '=', 2027).executeTakeFirstOrThrow()).id
  t.match(mails.find((m) => m.to === 'focal@ken.example')!.text, `https://readiness.example.org/app/assessment.html?id=${kenAssessment}`)
  t.same(await deliver(), [], 'each invitation once')

  const sent = await app.db.selectFrom('sent_messages').selectAll().where('kind', '=', 'campaign_invitation').orderBy('country').execute()
  t.same(
    sent.map((s) => [s.to_address, s.country, s.campaign_id, s.language]),
    [
      ['focal@gha.example', 'GHA', campaignId, 'fr'],
      ['focal@ken.example', 'KEN', campaignId, 'en'],
    ],
  )
  t.equal(sent[0]!.sent_at.toISOString(), '2027-01-10T09:00:00.000Z', 'recorded at the clock’s time')

  const dup = await call('POST', '/assessments', ken.authorization, { questionnaire: 'cdc', country: 'KEN', cycle: 2027 })
  t.equal(dup.statusCode, 409, 'the draft is already there')
  t.equal(dup.json().existing.id, kenAssessment)
})

t.test('a submission notifies the reviewers; reminders go only to countries that have not submitted', async (t) => {
  clock.set('2027-03-01T10:00:00Z')
  await answerAll(app, ken.authorization, kenAssessment)
  const submitted = await call('POST', `/assessments/${kenAssessment}/transitions`, ken.authorization, { action: 'submit' })
  t.equal(submitted.statusCode, 200, submitted.body)
  t.equal(submitted.json().late, false)
  const notified = await deliver()
  t.same(to(notified), ['reviewer@itu.example'])
  t.equal(notified[0]!.language, 'es')
  t.match(notified[0]!.text, /Kenia ha presentado su autoevaluación\./)

  clock.set('2027-03-17T23:59:58Z')
  t.same(await deliver(), [], 'nothing before the 14-day moment')
  clock.set('2027-03-18T00:00:00Z')
  const fourteen = await deliver()
  t.same(to(fourteen), ['focal@gha.example'], 'only Ghana: Kenya has submitted, Senegal has no focal point')
  t.match(fourteen[0]!.subject, /14 jours/)
  t.same(await deliver(), [], 'once')

  clock.set('2027-03-29T00:00:00Z')
  const three = await deliver()
  t.same(to(three), ['focal@gha.example'])
  t.match(three[0]!.subject, /3 jours/)
})

t.test('a return notifies the country with the comment; after the deadline, overdue reminders and a late submission', async (t) => {
  const returned = await call('POST', `/assessments/${kenAssessment}/transitions`, staff.authorization, {
    action: 'return',
    comment: 'Please cite the data protection act in §3.2.',
  })
  t.equal(returned.statusCode, 200, returned.body)
  const mails = await deliver()
  t.same(to(mails), ['focal@ken.example'])
  t.match(mails[0]!.text, /Please cite the data protection act in §3\.2\./)

  clock.set('2027-04-01T23:59:58Z')
  t.same(await deliver(), [])
  clock.set('2027-04-02T00:00:00Z')
  const overdue = await deliver()
  t.same(to(overdue), ['focal@gha.example', 'focal@ken.example'], 'returned and not submitted again counts as not submitted')
  t.match(overdue.find((m) => m.to === 'focal@ken.example')!.subject, /deadline for Kenya has passed/)

  t.equal((await call('POST', `/assessments/${kenAssessment}/transitions`, ken.authorization, { action: 'reopen' })).statusCode, 200)
  const late = await call('POST', `/assessments/${kenAssessment}/transitions`, ken.authorization, { action: 'submit' })
  t.equal(late.statusCode, 200, late.body)
  t.equal(late.json().late, true, 'accepted and marked late')
  const toReviewers = await deliver()
  t.match(toReviewers[0]!.text, /después del plazo/)
})

t.test('manual reminders', async (t) => {
  const refused = await call('POST', `/campaigns/${campaignId}/reminders`, staff.authorization, { countries: ['KEN', 'FRA'] })
  t.equal(refused.statusCode, 422)
  t.same(
    refused.json().errors.map((e: { path: string }) => e.path),
    ['/body/countries/0', '/body/countries/1'],
  )
  const all = await call('POST', `/campaigns/${campaignId}/reminders`, staff.authorization, {})
  t.equal(all.statusCode, 202, all.body)
  t.same(all.json(), { countries: ['GHA', 'SEN'], recipients: 1, withoutFocalPoint: ['SEN'] })
  t.same(to(await deliver()), ['focal@gha.example'])
  const one = await call('POST', `/campaigns/${campaignId}/reminders`, staff.authorization, { countries: ['gha'] })
  t.equal(one.statusCode, 202)
  t.same(to(await deliver()), ['focal@gha.example'], 'asked twice, sent twice: a person chose to')
  const audit = await app.db.selectFrom('audit_events').select(['action', 'actor_person']).where('action', '=', 'campaign_reminded').execute()
  t.equal(audit.length, 2)
  t.equal(audit[0]!.actor_person, staff.principal.personId)
})

t.test('the board’s figures are the assessments’', async (t) => {
  await app.db
    .updateTable('persons')
    .set({ last_sign_in_at: new Date('2027-01-11T08:00:00Z') })
    .where('email', '=', 'focal@ken.example')
    .execute()
  const res = await call('GET', `/campaigns/${campaignId}/board`, staff.authorization)
  t.equal(res.statusCode, 200, res.body)
  const board = res.json()
  t.same(board.counts, { invited: 3, started: 1, submitted: 1, returned: 0, validated: 0, overdue: 2, late: 1 })
  for (const row of board.rows) {
    const a = await getAssessment(app, staff.authorization, row.assessmentId)
    t.equal(row.status, a.status, `${row.country}: status`)
    t.equal(row.late, a.late, `${row.country}: late`)
    t.equal(row.answered, a.answered)
    t.equal(row.applicable, a.applicable)
    t.equal(row.progress, a.coverage)
    const domains = a.domains as { domain: string; answered: number; applicable: number }[]
    t.same(
      row.domains.map((d: { domain: string; answered: number; applicable: number }) => [d.domain, d.answered, d.applicable]),
      domains.map((d) => [d.domain, d.answered, d.applicable]),
    )
  }
  const kenRow = board.rows.find((r: { country: string }) => r.country === 'KEN')
  t.match(kenRow, { status: 'submitted', late: true, overdue: false, started: true })
  t.ok(kenRow.focalPoints.some((f: { email: string; signedIn: boolean }) => f.email === 'focal@ken.example' && f.signedIn))
  t.ok(kenRow.lastActivity, 'Kenya has answered and submitted')
  const ghaRow = board.rows.find((r: { country: string }) => r.country === 'GHA')
  t.match(ghaRow, { status: 'draft', started: false, overdue: true, lastActivity: null })
  t.ok(ghaRow.lastRemindedAt)

  const filtered = await call('GET', `/campaigns/${campaignId}/board?overdue=true&sort=name&order=desc`, staff.authorization)
  t.same(
    filtered.json().rows.map((r: { country: string }) => r.country),
    ['SEN', 'GHA'],
  )
  t.same(filtered.json().counts, board.counts, 'counts are over every invited country')
  const bad = await call('GET', `/campaigns/${campaignId}/board?status=lost`, staff.authorization)
  t.equal(bad.statusCode, 400)

  const csv = await call('GET', `/campaigns/${campaignId}/board.csv?status=submitted`, staff.authorization)
  t.equal(csv.statusCode, 200)
  t.match(csv.headers['content-type'], /^text\/csv/)
  const lines = csv.body.trim().split('\r\n')
  t.equal(
    lines[0],
    'country code,country name,region,status,progress,answered,applicable,late,overdue,returned waiting,validated,last activity,focal points,focal points signed in,last reminded at',
  )
  t.equal(lines.length, 2)
  t.match(lines[1], new RegExp(`^KEN,Kenya,Africa,submitted,${kenRow.progress},${kenRow.answered},${kenRow.applicable},true,false,false,false,`))
  t.match(lines[1], /Wanjiru Kamau <focal@ken\.example>/)
})

t.test('validation notifies the country; an admin may undo it with a reason', async (t) => {
  t.equal((await call('POST', `/assessments/${kenAssessment}/transitions`, staff.authorization, { action: 'validate' })).statusCode, 200)
  const mails = await deliver()
  t.same(to(mails), ['focal@ken.example'])
  t.match(mails[0]!.subject, /Kenya has been validated/)

  const detail = await getAssessment(app, staff.authorization, kenAssessment)
  t.same(detail.actions, [], 'a reviewer cannot undo a validation')
  const byReviewer = await call('POST', `/assessments/${kenAssessment}/transitions`, staff.authorization, { action: 'unvalidate', comment: 'oops' })
  t.equal(byReviewer.statusCode, 403)
  const noReason = await call('POST', `/assessments/${kenAssessment}/transitions`, admin.authorization, { action: 'unvalidate' })
  t.equal(noReason.statusCode, 422)
  const byCountry = await call('POST', `/assessments/${kenAssessment}/transitions`, ken.authorization, { action: 'unvalidate', comment: 'x' })
  t.equal(byCountry.statusCode, 403)
  const undone = await call('POST', `/assessments/${kenAssessment}/transitions`, admin.authorization, {
    action: 'unvalidate',
    comment: 'Validated by mistake: the evidence file was the 2025 one.',
  })
  t.equal(undone.statusCode, 200, undone.body)
  t.equal(undone.json().status, 'submitted')
  const after = await getAssessment(app, staff.authorization, kenAssessment)
  const last = (after.transitions as { from: string; to: string; comment: string; role: string }[]).at(-1)!
  t.match(last, { from: 'validated', to: 'submitted', comment: 'Validated by mistake: the evidence file was the 2025 one.', role: 'admin' })
  const audit = await app.db.selectFrom('audit_events').select(['actor_person', 'details']).where('action', '=', 'validation_undone').execute()
  t.equal(audit.length, 1)
  t.equal(audit[0]!.actor_person, admin.principal.personId)
  t.match(audit[0]!.details, { assessmentId: kenAssessment, reason: 'Validated by mistake: the evidence file was the 2025 one.' })
})

t.test('closing ends submissions and reminders', async (t) => {
  const closed = await call('POST', `/campaigns/${campaignId}/close`, staff.authorization)
  t.equal(closed.statusCode, 200, closed.body)
  t.equal(closed.json().state, 'closed')
  await answerAll(
    app,
    gha.authorization,
    (await app.db.selectFrom('assessments').select('id').where('country', '=', 'GHA').where('cycle', '=', 2027).executeTakeFirstOrThrow()).id,
  )
  const gh = await app.db.selectFrom('assessments').select('id').where('country', '=', 'GHA').where('cycle', '=', 2027).executeTakeFirstOrThrow()
  const refused = await call('POST', `/assessments/${gh.id}/transitions`, gha.authorization, { action: 'submit' })
  t.equal(refused.statusCode, 409)
  t.equal(refused.json().code, 'campaign_closed')
  t.equal((await call('POST', `/campaigns/${campaignId}/reminders`, staff.authorization, {})).statusCode, 409)
  t.equal((await call('POST', `/campaigns/${campaignId}/close`, staff.authorization)).statusCode, 409)
  const list = await call('GET', '/campaigns', staff.authorization)
  t.match(
    list.json().items.find((c: { id: string }) => c.id === campaignId),
    { state: 'closed', invited: 3, submitted: 1, validated: 0 },
  )
})

t.test('a campaign that refuses late submissions', async (t) => {
  clock.set('2028-01-05T00:00:00Z')
  const created = await call('POST', '/campaigns', staff.authorization, {
    questionnaire: 'cdc',
    version: 1,
    cycle: 2028,
    title: 'CDC 2028, on time only',
    opensAt: '2028-01-05T00:00:00Z',
    deadline: '2028-02-01T00:00:00Z',
    countries: { region: 'CIS' },
    allowLate: false,
    reminderDays: [7],
  })
  t.equal(created.statusCode, 201, created.body)
  const id = created.json().id
  t.ok(created.json().countries.includes('RUS'))
  t.notOk(created.json().countries.includes('KEN'))
  const outside = await call('POST', '/assessments', ken.authorization, { questionnaire: 'cdc', country: 'KEN', cycle: 2028 })
  t.equal(outside.statusCode, 422, 'not invited, not opened: no assessment')

  const invited = await call('PATCH', `/campaigns/${id}`, staff.authorization, { countries: ['KEN'] })
  t.same(invited.json().countries, ['KEN'])
  t.equal((await call('POST', `/campaigns/${id}/open`, staff.authorization)).statusCode, 200)
  const draft = await createAssessment(app, ken.authorization, { questionnaire: 'cdc', country: 'KEN', cycle: 2028 }).catch((e: Error) => e)
  t.ok(draft instanceof Error, 'the campaign already made the draft')
  const a = await app.db.selectFrom('assessments').select('id').where('country', '=', 'KEN').where('cycle', '=', 2028).executeTakeFirstOrThrow()
  await answerAll(app, ken.authorization, a.id)
  clock.set('2028-02-01T00:00:01Z')
  const refused = await call('POST', `/assessments/${a.id}/transitions`, ken.authorization, { action: 'submit' })
  t.equal(refused.statusCode, 409, refused.body)
  t.equal(refused.json().code, 'deadline_passed')
  t.equal((await getAssessment(app, ken.authorization, a.id)).status, 'draft', 'nothing changed')
})

t.test('the draft a campaign made can still start from the previous cycle', async (t) => {
  clock.set('2029-01-05T00:00:00Z')
  const created = await call('POST', '/campaigns', staff.authorization, {
    questionnaire: 'cdc',
    version: 1,
    cycle: 2029,
    title: 'CDC 2029',
    opensAt: '2029-01-05T00:00:00Z',
    deadline: '2029-06-01T00:00:00Z',
    countries: ['KEN'],
  })
  const id = created.json().id
  t.equal((await call('POST', `/campaigns/${id}/open`, staff.authorization)).statusCode, 200)
  const draft = await app.db.selectFrom('assessments').select('id').where('country', '=', 'KEN').where('cycle', '=', 2029).executeTakeFirstOrThrow()
  const started = await call('POST', '/assessments', ken.authorization, { questionnaire: 'cdc', country: 'KEN', cycle: 2029, from: kenAssessment })
  t.equal(started.statusCode, 201, started.body)
  t.equal(started.json().assessment.id, draft.id, 'the same draft, filled')
  t.equal(started.json().assessment.carriedFrom, kenAssessment)
  t.ok(started.json().carried.length > 0, 'with the previous answers carried forward')
  const again = await call('POST', '/assessments', ken.authorization, { questionnaire: 'cdc', country: 'KEN', cycle: 2029, from: kenAssessment })
  t.equal(again.statusCode, 409, 'once it has answers, it is an assessment like any other')
})
