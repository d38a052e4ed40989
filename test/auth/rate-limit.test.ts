import t from 'tap'
import { clientKey } from '../../src/plugins/auth.js'
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

  t.equal((await from('10.0.0.1', staff)).statusCode, 200, 'a good token from the blocked address still works (an office is not locked out)')
  t.equal((await from('10.0.0.1', undefined, '/healthz')).statusCode, 200, 'requests without a token pass')
  t.equal((await from('10.0.0.1')).statusCode, 401, 'and a missing token is a plain 401')
  t.equal((await from('10.0.0.2', 'Bearer garbage')).statusCode, 401, 'another address has its own count')
})

t.test('the count is shared by processes and atomic under a burst', async (t) => {
  const app = await build(t, { authRateLimit: 20 })
  // A second app on the same database stands for a second server process.
  const other = await build(t, { authRateLimit: 20 })
  const bad = (target: typeof app) =>
    target.inject({ method: 'GET', url: '/me', remoteAddress: '10.0.9.9', headers: { authorization: `Bearer tr_${'y'.repeat(43)}` } })
  const burst = await Promise.all(Array.from({ length: 200 }, (_, i) => bad(i % 2 ? app : other)))
  const counts: Record<number, number> = {}
  for (const r of burst) counts[r.statusCode] = (counts[r.statusCode] ?? 0) + 1
  t.equal(counts[401], 20, `exactly the limit of 200 concurrent bad tokens is answered 401 (${JSON.stringify(counts)})`)
  t.equal(counts[429], 180, 'the rest are refused')
  t.equal((await bad(other)).statusCode, 429, 'the other process sees the block too')
})

t.test('X-Forwarded-For is believed only from the listed proxies: rotating or spoofing it neither escapes the limit nor locks out someone else', async (t) => {
  const bad = { authorization: `Bearer tr_${'z'.repeat(43)}` }
  // A client talking to the service directly (not through the listed proxy) rotates the header.
  const direct = await build(t, { authRateLimit: LIMIT, trustProxy: '10.9.9.9' })
  const rotated = []
  for (let i = 0; i <= LIMIT; i++) {
    const res = await direct.inject({ method: 'GET', url: '/me', remoteAddress: '192.0.2.50', headers: { ...bad, 'x-forwarded-for': `203.0.113.${i}` } })
    rotated.push(res.statusCode)
  }
  t.same(rotated, [...Array(LIMIT).fill(401), 429], 'the rotating header is ignored: the limit counts the real address')

  // Through the proxy, a client puts a victim's address first; the proxy appends the client's own.
  const proxied = await build(t, { authRateLimit: LIMIT, trustProxy: '10.9.9.9' })
  const spoofed = []
  for (let i = 0; i <= LIMIT; i++) {
    const res = await proxied.inject({
      method: 'GET',
      url: '/me',
      remoteAddress: '10.9.9.9',
      headers: { ...bad, 'x-forwarded-for': `198.51.100.${i}, 192.0.2.77` },
    })
    spoofed.push(res.statusCode)
  }
  t.same(spoofed, [...Array(LIMIT).fill(401), 429], 'each failure counts against the address the proxy saw, whatever the client wrote before it')
  const victim = await proxied.inject({ method: 'GET', url: '/me', remoteAddress: '10.9.9.9', headers: { ...bad, 'x-forwarded-for': '198.51.100.0' } })
  t.equal(victim.statusCode, 401, 'the address the attacker named is not locked out')
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
