// Persons end to end through the API, with mail through a real SMTP receiver: an admin invites a
// focal point; the link from the captured mail sets a password and signs in; the focal point invites
// a contributor for one domain (§3.4, taxation); the contributor answers there and is refused
// elsewhere and cannot submit; reused, unknown and weak inputs are clear problems that change nothing.
import t from 'tap'
import { ensureOpenCampaign } from '../helpers/assessments.js'
import { build } from '../helpers/build.js'
import { smtpReceiver } from '../helpers/smtp.js'
import { tokenFor } from '../helpers/tokens.js'

const FETCH = { 'x-requested-with': 'fetch' }

const smtp = await smtpReceiver(t)
const app = await build(t, { smtpUrl: smtp.url, publicUrl: 'https://readiness.example.org' })
const admin = await tokenFor(app, 'admin')

const secretOf = (text: string) => /invitation\.html#([A-Za-z0-9_-]{43})/.exec(text)?.[1] ?? ''
const cookieOf = (res: { headers: Record<string, unknown> }) => {
  const raw = res.headers['set-cookie']
  const line = (Array.isArray(raw) ? raw : [String(raw)]).find((c: string) => c.startsWith('tr_session='))
  return { tr_session: decodeURIComponent(line?.split(';')[0]?.slice('tr_session='.length) ?? '') }
}

t.test('invite, accept, delegate a domain, answer within it only', async (t) => {
  const invite = await app.inject({
    method: 'POST',
    url: '/persons',
    headers: { authorization: admin },
    payload: { name: 'Amina Wanjiru', email: 'Amina@ict.go.ke', language: 'fr', memberships: [{ role: 'focal_point', country: 'ken' }] },
  })
  t.equal(invite.statusCode, 201, invite.body)
  t.match(invite.json(), { person: { status: 'invited', memberships: [{ role: 'focal_point', country: 'KEN' }] }, invitation: { mailed: true, link: null } })
  const mail = await smtp.next()
  t.equal(mail.to, 'Amina@ict.go.ke')
  t.equal(mail.language, 'fr', 'in the invitee’s language')
  t.match(mail.subject, /invitation/i)
  t.match(mail.text, /Amina Wanjiru/)
  t.match(mail.text, /https:\/\/readiness\.example\.org\/app\/invitation\.html#/)
  const secret = secretOf(mail.text)
  t.ok(secret, 'the mail holds the link')

  const twice = await app.inject({
    method: 'POST',
    url: '/persons',
    headers: { authorization: admin },
    payload: { name: 'Again', email: 'amina@ICT.go.ke', memberships: [{ role: 'analyst' }] },
  })
  t.equal(twice.statusCode, 409, 'e-mail addresses are unique whatever their case')

  const info = await app.inject({ method: 'GET', url: `/invitations/${secret}` })
  t.match(info.json(), { name: 'Amina Wanjiru', language: 'fr' })
  const weak = await app.inject({ method: 'POST', url: `/invitations/${secret}/accept`, headers: FETCH, payload: { password: 'password1234' } })
  t.equal(weak.statusCode, 422, 'a very common password is refused')
  t.match(weak.json(), { errors: [{ path: '/body/password' }] })
  const short = await app.inject({ method: 'POST', url: `/invitations/${secret}/accept`, headers: FETCH, payload: { password: 'short' } })
  t.equal(short.statusCode, 422)
  const noHeader = await app.inject({ method: 'POST', url: `/invitations/${secret}/accept`, payload: { password: 'a long passphrase of mine' } })
  t.equal(noHeader.statusCode, 403, 'accepting needs the CSRF header too (it signs in)')
  const accepted = await app.inject({
    method: 'POST',
    url: `/invitations/${secret}/accept`,
    headers: FETCH,
    payload: { password: 'a long passphrase of mine' },
  })
  t.equal(accepted.statusCode, 200, accepted.body)
  const focal = cookieOf(accepted)
  t.match((await app.inject({ method: 'GET', url: '/me', cookies: focal })).json(), { name: 'Amina Wanjiru', role: 'administration', country: 'KEN' })
  const reused = await app.inject({ method: 'POST', url: `/invitations/${secret}/accept`, headers: FETCH, payload: { password: 'another long passphrase' } })
  t.equal(reused.statusCode, 410, 'an invitation works once')
  t.equal((await app.inject({ method: 'GET', url: `/invitations/${'x'.repeat(43)}` })).statusCode, 404, 'an unknown one is a 404')
  const signIn = await app.inject({
    method: 'POST',
    url: '/session',
    headers: FETCH,
    payload: { email: 'amina@ict.go.ke', password: 'a long passphrase of mine' },
  })
  t.equal(signIn.statusCode, 200, 'and the password signs in')

  // The focal point invites a contributor for the taxation domain (§3.4) of cdc only.
  const other = await app.inject({
    method: 'POST',
    url: '/persons',
    headers: FETCH,
    cookies: focal,
    payload: { name: 'Tax Office', email: 'tax@kra.go.ke', memberships: [{ role: 'contributor', country: 'NGA' }] },
  })
  t.equal(other.statusCode, 403, 'a focal point cannot invite for another country')
  const asAnalyst = await app.inject({
    method: 'POST',
    url: '/persons',
    headers: FETCH,
    cookies: focal,
    payload: { name: 'X', email: 'x@kra.go.ke', memberships: [{ role: 'analyst' }] },
  })
  t.equal(asAnalyst.statusCode, 403, 'nor grant a staff role')
  const contributor = await app.inject({
    method: 'POST',
    url: '/persons',
    headers: FETCH,
    cookies: focal,
    payload: {
      name: 'Kenya Revenue Authority',
      email: 'tax@kra.go.ke',
      memberships: [{ role: 'contributor', country: 'KEN', questionnaire: 'cdc', domains: ['taxation'] }],
    },
  })
  t.equal(contributor.statusCode, 201, contributor.body)
  const taxMail = await smtp.next()
  t.equal(taxMail.language, 'en')
  const taxSession = cookieOf(
    await app.inject({
      method: 'POST',
      url: `/invitations/${secretOf(taxMail.text)}/accept`,
      headers: FETCH,
      payload: { password: 'revenue authority passphrase' },
    }),
  )

  await ensureOpenCampaign(app, { questionnaire: 'cdc', country: 'KEN', cycle: 2026 })
  const created = await app.inject({
    method: 'POST',
    url: '/assessments',
    headers: FETCH,
    cookies: focal,
    payload: { questionnaire: 'cdc', country: 'KEN', cycle: 2026 },
  })
  t.equal(created.statusCode, 201, created.body)
  const id = created.json().assessment.id
  const put = (question: string, value: unknown) =>
    app.inject({
      method: 'PUT',
      url: `/assessments/${id}/answers/${question}`,
      headers: { ...FETCH, 'if-match': '*' },
      cookies: taxSession,
      payload: { value },
    })
  const inDomain = await put('cdc.taxation.mutual_assistance_convention', 2)
  t.equal(inDomain.statusCode, 200, `the contributor answers a taxation question (${inDomain.body.slice(0, 200)})`)
  const outside = await put('cdc.competition.competition_law', 2)
  t.equal(outside.statusCode, 403, 'and is refused outside its domain')
  t.match(outside.json().detail, /competition/, 'naming the domain')
  const submit = await app.inject({ method: 'POST', url: `/assessments/${id}/transitions`, headers: FETCH, cookies: taxSession, payload: { action: 'submit' } })
  t.equal(submit.statusCode, 403, 'a contributor cannot submit')
  const history = await app.inject({ method: 'GET', url: `/assessments/${id}/answers/cdc.taxation.mutual_assistance_convention/history`, cookies: focal })
  t.equal(history.statusCode, 200)

  const listed = await app.inject({ method: 'GET', url: '/persons', cookies: focal })
  t.same(
    listed
      .json()
      .items.map((p: { name: string }) => p.name)
      .sort(),
    ['Amina Wanjiru', 'Kenya Revenue Authority'],
    'a focal point sees its country’s persons',
  )

  // Disabling the contributor ends its session at once.
  const contributorId = contributor.json().person.id
  const disabled = await app.inject({ method: 'PATCH', url: `/persons/${contributorId}`, headers: FETCH, cookies: focal, payload: { status: 'disabled' } })
  t.equal(disabled.statusCode, 200, disabled.body)
  t.equal((await app.inject({ method: 'GET', url: '/me', cookies: taxSession })).statusCode, 401, 'a disabled person’s cookie is refused')

  // The audit trail names the persons.
  const trail = await app.inject({ method: 'GET', url: `/audit?person=${contributorId}`, headers: { authorization: admin } })
  t.equal(trail.statusCode, 200, trail.body)
  const actions = trail.json().items.map((e: { action: string; actor: { name: string } | null }) => `${e.action} by ${e.actor?.name ?? '-'}`)
  t.same(actions, [
    'person_changed by Amina Wanjiru',
    'sign_in by Kenya Revenue Authority',
    'invitation_accepted by Kenya Revenue Authority',
    'person_invited by Amina Wanjiru',
  ])
  const failed = await app.inject({
    method: 'POST',
    url: '/session',
    headers: FETCH,
    payload: { email: 'amina@ict.go.ke', password: 'not her passphrase at all' },
  })
  t.equal(failed.statusCode, 401)
  const failures = await app.inject({ method: 'GET', url: '/audit?action=sign_in_failed', headers: { authorization: admin } })
  t.match(failures.json().items, [{ action: 'sign_in_failed', subject: { name: 'Amina Wanjiru' }, actor: null }])
  t.equal((await app.inject({ method: 'GET', url: '/audit', cookies: focal })).statusCode, 403, 'only admins read it')
})

t.test('without a mail server the link is shown once to the inviter and logged', async (t) => {
  const lines: string[] = []
  const quiet = await build(t, {}, { logger: { level: 'info', stream: { write: (l: string) => lines.push(l) } } })
  const res = await quiet.inject({
    method: 'POST',
    url: '/persons',
    headers: { authorization: await tokenFor(quiet, 'admin') },
    payload: { name: 'No Mail', email: 'nomail@example.org', memberships: [{ role: 'reviewer' }] },
  })
  t.equal(res.statusCode, 201, res.body)
  const { link, mailed } = res.json().invitation
  t.equal(mailed, false)
  t.match(link, /\/app\/invitation\.html#[A-Za-z0-9_-]{43}$/)
  const logged = lines.find((l) => l.includes('mail not sent'))
  t.ok(logged?.includes(link), 'the mail (with its link) is in the log')
  const stored = await quiet.db.selectFrom('invitations').select('secret_hash').executeTakeFirstOrThrow()
  t.notOk(
    lines.some((l) => l.includes(stored.secret_hash.toString('hex')) || l.includes(stored.secret_hash.toString('base64'))),
    'never its hash',
  )
})
