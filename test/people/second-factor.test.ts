// The second factor: an admin sets it up while accepting the invitation; signing in then needs a
// current code (each works once) or a recovery code (each works once).
import { generate } from 'otplib'
import t from 'tap'
import { build } from '../helpers/build.js'
import { tokenFor } from '../helpers/tokens.js'

const FETCH = { 'x-requested-with': 'fetch' }
const PASSWORD = 'an administrator passphrase'

t.test('an admin needs a second factor; codes and recovery codes work once', async (t) => {
  const app = await build(t)
  const invited = await app.inject({
    method: 'POST',
    url: '/persons',
    headers: { authorization: await tokenFor(app, 'admin') },
    payload: { name: 'Second Admin', email: 'admin2@itu.example', memberships: [{ role: 'admin' }] },
  })
  t.equal(invited.statusCode, 201, invited.body)
  const secret = /#([A-Za-z0-9_-]{43})$/.exec(invited.json().invitation.link)![1]!
  const info = (await app.inject({ method: 'GET', url: `/invitations/${secret}` })).json()
  t.match(info.secondFactor, { secret: /^[A-Z2-7]+$/, uri: /^otpauth:\/\/totp\// }, 'the invitation page shows the authenticator secret')
  t.same((await app.inject({ method: 'GET', url: `/invitations/${secret}` })).json().secondFactor, info.secondFactor, 'the same one on a second look')

  const accept = (code?: string) =>
    app.inject({ method: 'POST', url: `/invitations/${secret}/accept`, headers: FETCH, payload: { password: PASSWORD, ...(code ? { code } : {}) } })
  const without = await accept()
  t.equal(without.statusCode, 422, 'accepting without a code is refused')
  t.match(without.json(), { errors: [{ path: '/body/code', message: 'is required' }] })
  t.equal((await accept('000000')).statusCode, 422, 'and with a wrong one')
  const code = await generate({ secret: info.secondFactor.secret })
  const accepted = await accept(code)
  t.equal(accepted.statusCode, 200, accepted.body)
  const recovery: string[] = accepted.json().recoveryCodes
  t.equal(recovery.length, 10, 'ten recovery codes, shown once')

  const signIn = (code?: string) =>
    app.inject({ method: 'POST', url: '/session', headers: FETCH, payload: { email: 'admin2@itu.example', password: PASSWORD, ...(code ? { code } : {}) } })
  const first = await signIn()
  t.equal(first.statusCode, 401)
  t.equal(first.json().code, 'second_factor_required', 'a right password alone is not enough')
  t.notOk(first.headers['set-cookie'], 'and opens no session')
  t.equal((await signIn('123456')).statusCode, 401, 'a wrong code is refused')
  t.equal((await signIn(code)).statusCode, 401, 'the code already used to accept cannot be replayed')
  const recoveryIn = await signIn(recovery[0]!)
  t.equal(recoveryIn.statusCode, 200, 'a recovery code signs in')
  t.equal(recoveryIn.json().role, 'admin')
  t.equal((await signIn(recovery[0]!)).statusCode, 401, 'once')
  const again = await signIn(recovery[1]!.toUpperCase().replace('-', ' '))
  t.equal(again.statusCode, 200, 'another, typed in capitals with a space, works too')
})
