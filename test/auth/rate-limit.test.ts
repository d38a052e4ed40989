import t from 'tap'
import { clientKey, FailureCounter } from '../../src/plugins/auth.js'
import { build } from '../helpers/build.js'
import { tokenFor } from '../helpers/tokens.js'

const LIMIT = 3

t.test('after N failed authentications from an address: 429 with Retry-After; other addresses unaffected', async (t) => {
  const app = await build(t, { authRateLimit: LIMIT })
  const staff = await tokenFor(app, 'staff')
  const from = (remoteAddress: string, authorization?: string, url = '/me') =>
    app.inject({ method: 'GET', url, remoteAddress, headers: authorization ? { authorization } : {} })

  t.equal((await from('10.0.0.1', staff)).statusCode, 200, 'a good token before any failure')
  for (let i = 1; i <= LIMIT; i++) {
    const res = await from('10.0.0.1', `Bearer tr_${'x'.repeat(43)}`)
    t.equal(res.statusCode, 401, `failure ${i} is a 401`)
  }
  const limited = await from('10.0.0.1', 'Bearer garbage')
  t.equal(limited.statusCode, 429)
  t.match(limited.headers['content-type'], /^application\/problem\+json/)
  t.match(limited.json(), { status: 429, code: 'rate_limited', type: '/problems/rate_limited' })
  const retry = Number(limited.headers['retry-after'])
  t.ok(retry >= 1 && retry <= 60, `retry-after ${retry} is within the minute`)

  t.equal((await from('10.0.0.1', staff)).statusCode, 429, 'a good token from the blocked address waits too')
  t.equal((await from('10.0.0.1', undefined, '/healthz')).statusCode, 200, 'requests without a token pass')
  t.equal((await from('10.0.0.1')).statusCode, 401, 'and a missing token is a plain 401')

  t.equal((await from('10.0.0.2', staff)).statusCode, 200, 'a good token from another address works')
  t.equal((await from('10.0.0.2', 'Bearer garbage')).statusCode, 401, 'another address has its own count')
})

t.test('the block lifts when the window ends', async (t) => {
  const app = await build(t, { authRateLimit: 1 })
  // A second app on the same database would share nothing in memory: each process counts its own.
  const staff = await tokenFor(app, 'staff')
  const res1 = await app.inject({ method: 'GET', url: '/me', remoteAddress: '10.0.1.1', headers: { authorization: 'Bearer x' } })
  t.equal(res1.statusCode, 401)
  const res2 = await app.inject({ method: 'GET', url: '/me', remoteAddress: '10.0.1.1', headers: { authorization: staff } })
  t.equal(res2.statusCode, 429)
})

t.test('FailureCounter: fixed windows per key', async (t) => {
  let now = 1_000_000
  const counter = new FailureCounter(2, 60_000, () => now)
  t.equal(counter.blockedFor('a'), 0)
  counter.fail('a')
  t.equal(counter.blockedFor('a'), 0, 'under the limit')
  counter.fail('a')
  t.equal(counter.blockedFor('a'), 60, 'at the limit: blocked for the rest of the window')
  t.equal(counter.blockedFor('b'), 0, 'other keys are free')
  now += 59_500
  t.equal(counter.blockedFor('a'), 1)
  now += 500
  t.equal(counter.blockedFor('a'), 0, 'the window is over')
  counter.fail('a')
  t.equal(counter.blockedFor('a'), 0, 'a new window starts from one failure')
  // Expired entries are swept once the map grows.
  for (let i = 0; i < 1500; i++) counter.fail(`k${i}`)
  now += 120_000
  counter.fail('late')
  t.equal(counter.size, 1, 'old entries swept')
})

t.test('clientKey: IPv4 as is, IPv4-mapped as IPv4, IPv6 by /64', async (t) => {
  t.equal(clientKey('192.0.2.7'), '192.0.2.7')
  t.equal(clientKey('::ffff:192.0.2.7'), '192.0.2.7')
  t.equal(clientKey('2001:db8:1:2:aaaa:bbbb:cccc:dddd'), '2001:db8:1:2::/64')
  t.equal(clientKey('2001:0db8:0001:0002::1'), '2001:db8:1:2::/64')
  t.equal(clientKey('2001:db8::1'), '2001:db8:0:0::/64')
  t.equal(clientKey('::1'), '0:0:0:0::/64')
  t.equal(clientKey('fe80::1%eth0'), 'fe80:0:0:0::/64')
  t.equal(clientKey('64:ff9b:1::192.0.2.7'), '64:ff9b:1:0::/64')
})
