// Password reset by an e-mailed one-time link (real SMTP receiver): the same answer for unknown
// addresses; the link works once, checks the password, and ends every session of the person.
import t from 'tap'
import { hashPassword } from '../../src/people/passwords.js'
import { build } from '../helpers/build.js'
import { smtpReceiver } from '../helpers/smtp.js'

const FETCH = { 'x-requested-with': 'fetch' }

t.test('reset by mail: one use, strong password, sessions end', async (t) => {
  const smtp = await smtpReceiver(t)
  const app = await build(t, { smtpUrl: smtp.url, publicUrl: 'https://readiness.example.org' })
  const person = await app.db
    .insertInto('persons')
    .values({ name: 'Chen Wei', email: 'chen@miit.example', language: 'zh', status: 'active', password_hash: await hashPassword('the old passphrase here') })
    .returning('id')
    .executeTakeFirstOrThrow()
  await app.db.insertInto('memberships').values({ person_id: person.id, role: 'focal_point', country: 'CHN', questionnaire: null, domains: null }).execute()
  const signIn = (password: string) => app.inject({ method: 'POST', url: '/session', headers: FETCH, payload: { email: 'chen@miit.example', password } })
  const before = await signIn('the old passphrase here')
  const oldCookie = { tr_session: decodeURIComponent(String(before.headers['set-cookie']).split(';')[0]!.split('=')[1]!) }

  const unknown = await app.inject({ method: 'POST', url: '/password-reset', headers: FETCH, payload: { email: 'nobody@example.org' } })
  const known = await app.inject({ method: 'POST', url: '/password-reset', headers: FETCH, payload: { email: 'CHEN@miit.example' } })
  t.equal(known.statusCode, 202)
  t.same(known.json(), unknown.json(), 'the same answer whether or not the address has an account')
  const mail = await smtp.next()
  t.equal(mail.to, 'chen@miit.example')
  t.equal(mail.language, 'zh', 'in the person’s language')
  t.match(mail.subject, /重置/)
  const secret = /reset\.html#([A-Za-z0-9_-]{43})/.exec(mail.text)?.[1]
  t.ok(secret, 'with the link')
  t.equal(smtp.messages.length, 1, 'no mail for the unknown address')

  const reset = (password: string) => app.inject({ method: 'POST', url: `/password-reset/${secret}`, headers: FETCH, payload: { password } })
  t.equal((await reset('qwertyuiop123')).statusCode, 422, 'a common password is refused')
  t.equal((await reset('a brand new passphrase')).statusCode, 204)
  t.equal((await reset('yet another passphrase')).statusCode, 404, 'the link works once')
  t.equal((await app.inject({ method: 'GET', url: '/me', cookies: oldCookie })).statusCode, 401, 'the sessions opened before are ended')
  t.equal((await signIn('the old passphrase here')).statusCode, 401, 'the old password no longer works')
  t.equal((await signIn('a brand new passphrase')).statusCode, 200, 'the new one does')

  const asks = []
  for (let i = 0; i < 4; i++)
    asks.push((await app.inject({ method: 'POST', url: '/password-reset', headers: FETCH, payload: { email: 'nobody@example.org' } })).statusCode)
  t.same(asks, [202, 202, 202, 429], 'five requests an hour from one address, then 429: no mailbox can be flooded from here')
})
