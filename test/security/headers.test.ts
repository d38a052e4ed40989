// Security headers on every response, CORS closed by default, constant-time token checks by hash,
// and no secret in any log line.
import { readFile } from 'node:fs/promises'
import { Writable } from 'node:stream'
import { pino } from 'pino'
import t from 'tap'
import { LOG_REDACT } from '../../src/app.js'
import { build } from '../helpers/build.js'
import { ROOT } from '../helpers/database.js'
import { testToken } from '../helpers/tokens.js'

const lines: string[] = []
const capture = new Writable({
  write(chunk, _encoding, done) {
    for (const line of String(chunk).split('\n')) if (line.trim()) lines.push(line)
    done()
  },
})
// The logger server.ts builds, at the most talkative level, writing to the capture stream.
const logger = pino({ level: 'trace', redact: { paths: LOG_REDACT, censor: '[redacted]' } }, capture)

const app = await build(
  t,
  { authRateLimit: 1000 },
  {
    loggerInstance: logger,
    beforeReady(app) {
      app.get('/__test/boom', async () => {
        throw new Error('kaboom: secret internals')
      })
    },
  },
)
const admin = await testToken(app, 'admin')
const staff = await testToken(app, 'staff')
const ken = await testToken(app, 'administration', 'KEN')

type Assert = Pick<typeof t, 'match' | 'equal' | 'ok' | 'notOk'>

function checkSecurityHeaders(t: Assert, res: { headers: Record<string, unknown>; statusCode: number }, label: string) {
  const h = res.headers
  t.match(String(h['content-security-policy']), /default-src 'self'/, `${label}: CSP`)
  t.match(String(h['content-security-policy']), /frame-ancestors 'none'/, `${label}: CSP frame-ancestors`)
  t.equal(h['x-content-type-options'], 'nosniff', `${label}: X-Content-Type-Options`)
  t.equal(h['x-frame-options'], 'SAMEORIGIN', `${label}: X-Frame-Options`)
  t.ok(h['strict-transport-security'], `${label}: Strict-Transport-Security`)
  t.equal(h['referrer-policy'], 'no-referrer', `${label}: Referrer-Policy`)
  t.equal(h['cross-origin-opener-policy'], 'same-origin', `${label}: Cross-Origin-Opener-Policy`)
  t.notOk(h['x-powered-by'], `${label}: no X-Powered-By`)
  t.ok(h['x-request-id'], `${label}: X-Request-Id`)
}

// Requests of every kind: 200s, 201, 204-ish, 4xx of several sorts, a 500, a failed auth.
const requests: { label: string; method: string; url: string; headers?: Record<string, string>; payload?: unknown }[] = [
  { label: 'healthz', method: 'GET', url: '/healthz' },
  { label: 'readyz', method: 'GET', url: '/readyz' },
  { label: 'openapi', method: 'GET', url: '/openapi.json' },
  { label: 'me (staff)', method: 'GET', url: '/me', headers: { authorization: staff.authorization } },
  { label: 'me (administration)', method: 'GET', url: '/me', headers: { authorization: ken.authorization } },
  {
    label: 'token creation',
    method: 'POST',
    url: '/tokens',
    headers: { authorization: admin.authorization },
    payload: { role: 'staff', label: 'headers test' },
  },
  { label: 'token list', method: 'GET', url: '/tokens', headers: { authorization: admin.authorization } },
  { label: 'failed auth (unknown token)', method: 'GET', url: '/me', headers: { authorization: `Bearer tr_${'Z'.repeat(43)}` } },
  { label: 'failed auth (malformed)', method: 'GET', url: '/me', headers: { authorization: 'Basic dXNlcjpwYXNz' } },
  { label: 'no auth', method: 'GET', url: '/me' },
  { label: 'forbidden', method: 'GET', url: '/tokens', headers: { authorization: ken.authorization } },
  { label: 'not found', method: 'GET', url: '/nowhere' },
  { label: 'bad json', method: 'POST', url: '/tokens', headers: { authorization: admin.authorization, 'content-type': 'application/json' }, payload: '{' },
  { label: '500', method: 'GET', url: '/__test/boom', headers: { authorization: staff.authorization } },
  { label: 'countries', method: 'GET', url: '/countries', headers: { authorization: staff.authorization } },
  { label: 'readiness', method: 'GET', url: '/readiness?questionnaire=cdc&cycle=2030', headers: { authorization: staff.authorization } },
]

const secrets = [admin.token, staff.token, ken.token]
const responses: { label: string; status: number; body: string }[] = []

t.test('security headers on every response', async (t) => {
  for (const r of requests) {
    const res = await app.inject({ method: r.method as 'GET', url: r.url, headers: r.headers, payload: r.payload as string })
    responses.push({ label: r.label, status: res.statusCode, body: res.body })
    checkSecurityHeaders(t, res, `${r.label} (${res.statusCode})`)
    if (r.label === 'token creation') {
      t.equal(res.statusCode, 201)
      secrets.push(res.json().token)
    }
    if (r.label === '500') {
      t.equal(res.statusCode, 500)
      t.notMatch(res.body, /kaboom|secret internals|\n\s+at |\.ts:\d/, 'the 500 names no internals')
    }
  }
})

t.test('CORS is closed by default', async (t) => {
  const origin = 'https://evil.example'
  const get = await app.inject({ method: 'GET', url: '/me', headers: { origin, authorization: staff.authorization } })
  t.equal(get.statusCode, 200)
  t.notOk(get.headers['access-control-allow-origin'], 'no Access-Control-Allow-Origin on a cross-origin GET')
  t.notOk(get.headers['access-control-allow-credentials'], 'no Access-Control-Allow-Credentials')
  const preflight = await app.inject({
    method: 'OPTIONS',
    url: '/assessments',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
  })
  t.ok(preflight.statusCode >= 400, `preflight is not allowed (${preflight.statusCode})`)
  t.notOk(preflight.headers['access-control-allow-origin'], 'preflight: no Access-Control-Allow-Origin')
  t.notOk(preflight.headers['access-control-allow-methods'], 'preflight: no Access-Control-Allow-Methods')
  t.notOk(preflight.headers['access-control-allow-headers'], 'preflight: no Access-Control-Allow-Headers')
})

t.test('tokens are looked up by hash and compared in constant time', async (t) => {
  const source = await readFile(`${ROOT}/src/auth/tokens.ts`, 'utf8')
  t.match(source, /import \{[^}]*timingSafeEqual[^}]*\} from 'node:crypto'/, 'tokens.ts imports timingSafeEqual')
  t.match(source, /timingSafeEqual\(found\.hash, presented\)/, 'the stored hash is compared with timingSafeEqual')
  t.match(source, /\.where\('hash', '=', presented\)/, 'the lookup goes by the hash of the presented token')
  t.notMatch(source, /found\.hash\s*===|===\s*presented\b|\.equals\(presented\)/, 'no early-exit comparison of hashes')
  // Only the hash is stored: the plaintext is nowhere in the tokens table.
  const rows = await app.db.selectFrom('tokens').selectAll().execute()
  const dump = JSON.stringify(rows.map((r) => ({ ...r, hash: r.hash.toString('hex') })))
  for (const secret of secrets) t.notOk(dump.includes(secret.slice(3)), 'no plaintext token in the tokens table')
})

t.test('no secret in any log line, and every request line has a requestId', async (t) => {
  await new Promise((resolve) => setImmediate(resolve))
  t.ok(lines.length > requests.length, `${lines.length} log lines captured`)
  const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>)
  for (const line of lines) {
    for (const secret of secrets) {
      if (line.includes(secret) || line.includes(secret.slice(3, 20))) t.fail('a token appears in a log line', { line })
    }
    if (/Bearer\s+tr_|Basic dXNl/.test(line)) t.fail('an Authorization value appears in a log line', { line })
  }
  const requestLines = parsed.filter((p) => p.req !== undefined || p.res !== undefined || /request/.test(String(p.msg)))
  t.ok(requestLines.length >= requests.length * 2, `${requestLines.length} request lines`)
  for (const p of requestLines) {
    if (typeof p.requestId !== 'string' || !p.requestId) t.fail('a request line without requestId', { line: p })
  }
  const error = parsed.find((p) => p.level === 50 && p.err !== undefined)
  t.ok(error, 'the 500 was logged in full (level error, with err)')
  t.equal(typeof error?.requestId, 'string', 'the 500 line has the requestId')
  t.ok(
    parsed.some((p) => p.msg === 'authentication failed'),
    'the failed authentication was logged',
  )
})

// upgrade-insecure-requests over plain HTTP makes browsers fetch the pages' CSS and JS as https://,
// which a server without TLS does not answer: the pages are blank. Sent only to requests that came
// over TLS (directly, or through a proxy we trust to say so).
t.test('upgrade-insecure-requests only for requests that came over TLS', async (t) => {
  const csp = (res: { headers: Record<string, unknown> }) => String(res.headers['content-security-policy'])
  for (const url of ['/app/index.html', '/healthz', '/nowhere']) {
    const plain = await app.inject({ method: 'GET', url, headers: { host: 'ministry.example:3000' } })
    t.match(csp(plain), /default-src 'self'/, `${url} over http: a CSP`)
    t.notMatch(csp(plain), /upgrade-insecure-requests/, `${url} over http: no upgrade-insecure-requests`)
    // Without TRUST_PROXY a client's X-Forwarded-Proto is not believed.
    const claimed = await app.inject({ method: 'GET', url, headers: { host: 'ministry.example', 'x-forwarded-proto': 'https' } })
    t.notMatch(csp(claimed), /upgrade-insecure-requests/, `${url}: an untrusted X-Forwarded-Proto changes nothing`)
  }
  const proxied = await build(t, { trustProxy: 'loopback' })
  for (const url of ['/app/index.html', '/healthz']) {
    const tls = await proxied.inject({ method: 'GET', url, headers: { host: 'ministry.example', 'x-forwarded-proto': 'https' } })
    t.match(csp(tls), /default-src 'self'/, `${url} over https: a CSP`)
    t.match(csp(tls), /(^|;)\s*upgrade-insecure-requests(;|$)/, `${url} over https (trusted proxy): upgrade-insecure-requests`)
    const plain = await proxied.inject({ method: 'GET', url, headers: { host: 'ministry.example', 'x-forwarded-proto': 'http' } })
    t.notMatch(csp(plain), /upgrade-insecure-requests/, `${url} over http behind the proxy: none`)
  }
})
