// Two app instances on one database, each polling the job table: every invitation and every
// reminder is sent exactly once (FOR UPDATE SKIP LOCKED), whichever instance takes it.
import t from 'tap'
import { build } from '../helpers/build.js'
import { manualClock } from '../helpers/clock.js'
import { mailablePerson } from '../helpers/people.js'
import { smtpReceiver } from '../helpers/smtp.js'
import { testToken } from '../helpers/tokens.js'

const COUNTRIES = ['KEN', 'GHA', 'SEN', 'NGA', 'RWA', 'ZAF', 'EGY', 'JOR', 'BRA', 'MEX', 'FRA', 'DEU']

t.test('two polling servers send each mail once', async (t) => {
  const smtp = await smtpReceiver(t)
  // Both read the same time, as two servers do.
  const clock = manualClock('2027-05-01T08:00:00Z')
  const config = { smtpUrl: smtp.url, jobPollSeconds: 0.02 }
  const one = await build(t, config, { clock })
  const two = await build(t, config, { clock })
  const staff = await testToken(one, 'staff')
  for (const [i, country] of COUNTRIES.entries()) {
    // Two focal points for some countries: each gets their own mail.
    await mailablePerson(one, { name: `Focal ${country}`, email: `focal@${country.toLowerCase()}.example`, role: 'focal_point', country })
    if (i % 3 === 0) await mailablePerson(one, { name: `Deputy ${country}`, email: `deputy@${country.toLowerCase()}.example`, role: 'focal_point', country })
  }
  const recipients = (await one.db.selectFrom('persons').select('email').where('email', 'is not', null).execute()).length

  async function settled(): Promise<void> {
    // Waits until neither server has anything left to do (not a timed assertion: the count decides).
    for (;;) {
      const due = await one.db
        .selectFrom('jobs')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('done_at', 'is', null)
        .where('failed_at', 'is', null)
        .where('run_at', '<=', clock.now())
        .executeTakeFirstOrThrow()
      if (Number(due.n) === 0) return
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }

  const created = await two.inject({
    method: 'POST',
    url: '/campaigns',
    headers: { authorization: staff.authorization },
    payload: {
      questionnaire: 'cdc',
      version: 1,
      cycle: 2027,
      title: 'Twice?',
      opensAt: '2027-05-01T00:00:00Z',
      deadline: '2027-06-30T00:00:00Z',
      countries: COUNTRIES,
    },
  })
  t.equal(created.statusCode, 201, created.body)
  const id = created.json().id
  t.equal((await one.inject({ method: 'POST', url: `/campaigns/${id}/open`, headers: { authorization: staff.authorization } })).statusCode, 200)
  await settled()
  t.equal(smtp.messages.length, recipients, 'one invitation per focal point')

  // Past the 14-day moment: both servers see the reminder due at once.
  clock.set('2027-06-16T01:00:00Z')
  await settled()
  // And both are asked directly, concurrently, several times more.
  await Promise.all([one.jobs.runDue(), two.jobs.runDue(), one.jobs.runDue(), two.jobs.runDue()])
  const reminders = smtp.messages.filter((m) => /left for/.test(m.subject))
  t.equal(reminders.length, recipients, 'one reminder per focal point')
  t.equal(new Set(reminders.map((m) => m.to)).size, recipients, 'to each of them')

  const sent = await one.db
    .selectFrom('sent_messages')
    .select(['kind', 'person_id', (eb) => eb.fn.countAll<string>().as('n')])
    .groupBy(['kind', 'person_id'])
    .execute()
  t.equal(sent.length, recipients * 2)
  t.ok(
    sent.every((s) => Number(s.n) === 1),
    'recorded once each',
  )
  const due = await one.db.selectFrom('jobs').select(['attempts', 'done_at']).where('run_at', '<=', clock.now()).execute()
  t.ok(
    due.every((j) => j.attempts === 1 && j.done_at !== null),
    'every job due done in one attempt',
  )
  const later = await one.db.selectFrom('jobs').select('payload').where('done_at', 'is', null).orderBy('run_at').execute()
  t.same(
    later.map((j) => j.payload.days),
    [3, -1],
    'the 3-day and the day-after reminders wait for their moment',
  )
})
