// Every error response is an RFC 9457 problem document (application/problem+json) with our
// code and the request id; 5xx responses reveal nothing but "internal error" and the request id.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { sql } from 'kysely'
import t, { type Test } from 'tap'
import { z } from 'zod'
import { notFound } from '../../src/errors.js'
import { isDatabaseUnavailable } from '../../src/plugins/errors.js'
import { build } from '../helpers/build.js'

/** Test-only routes, registered before ready(). */
function testRoutes(app: FastifyInstance): void {
  const r = app.withTypeProvider<ZodTypeProvider>()
  r.post(
    '/test/echo',
    {
      schema: {
        querystring: z.object({ limit: z.coerce.number().int().min(1).optional() }),
        body: z.object({
          name: z.string().min(1),
          evidence: z.array(z.object({ title: z.string(), url: z.url() })),
        }),
      },
    },
    async (request) => request.body,
  )
  r.get('/test/boom', async () => {
    throw new Error('relation "x" does not exist: SELECT secret FROM x')
  })
  r.get('/test/missing', async () => {
    throw notFound('assessment 42')
  })
  r.get('/test/db', async () => {
    await sql`select 1`.execute(app.db)
    return { ok: true }
  })
  r.get('/test/admin-shutdown', async () => {
    // What pg rejects a query with when the server is shutting down.
    throw Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01', severity: 'FATAL' })
  })
}

const PROBLEM_KEYS = ['code', 'detail', 'instance', 'requestId', 'status', 'title', 'type']

function problem(t: Test, res: LightMyRequestResponse, status: number, code: string): Record<string, unknown> {
  t.equal(res.statusCode, status, `status ${status}`)
  t.match(res.headers['content-type'], /^application\/problem\+json; charset=utf-8$/)
  const body = res.json() as Record<string, unknown>
  t.match(body, { type: `/problems/${code}`, title: String, status, detail: String, code, requestId: String })
  t.equal(body.requestId, res.headers['x-request-id'], 'the body quotes the request id of the response header')
  return body
}

t.test('an unknown route is a 404 problem', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'GET', url: '/no/such/route?x=1' })
  const body = problem(t, res, 404, 'route_not_found')
  t.equal(body.title, 'Not Found')
  t.equal(body.detail, 'no route GET /no/such/route')
  t.equal(body.instance, '/no/such/route', 'the instance has no query string')
})

t.test('a coded application error passes its detail through', async (t) => {
  const app = await build(t, {}, { beforeReady: testRoutes })
  const res = await app.inject({ method: 'GET', url: '/test/missing' })
  const body = problem(t, res, 404, 'not_found')
  t.equal(body.detail, 'assessment 42 was not found')
})

t.test('a body over the limit is a 413 problem', async (t) => {
  const app = await build(t, { bodyLimit: 1024 }, { beforeReady: testRoutes })
  const res = await app.inject({
    method: 'POST',
    url: '/test/echo',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ name: 'x'.repeat(2000), evidence: [] }),
  })
  const body = problem(t, res, 413, 'body_too_large')
  t.equal(body.title, 'Content Too Large')
  // Just under the limit is fine.
  const ok = await app.inject({ method: 'POST', url: '/test/echo', payload: { name: 'x'.repeat(900), evidence: [] } })
  t.equal(ok.statusCode, 200)
})

t.test('malformed JSON is a 400 problem with code malformed_json', async (t) => {
  const app = await build(t, {}, { beforeReady: testRoutes })
  const res = await app.inject({
    method: 'POST',
    url: '/test/echo',
    headers: { 'content-type': 'application/json' },
    payload: '{"name": "a", ',
  })
  const body = problem(t, res, 400, 'malformed_json')
  t.notMatch(res.payload, /Unexpected|position/, 'the parser message is not echoed')
  t.equal(body.detail, 'the body is not valid JSON')

  const empty = await app.inject({
    method: 'POST',
    url: '/test/echo',
    headers: { 'content-type': 'application/json' },
    payload: '',
  })
  problem(t, empty, 400, 'malformed_json')
})

t.test('a body of an unsupported content type is a 415 problem', async (t) => {
  const app = await build(t, {}, { beforeReady: testRoutes })
  const res = await app.inject({
    method: 'POST',
    url: '/test/echo',
    headers: { 'content-type': 'application/xml' },
    payload: '<name>a</name>',
  })
  const body = problem(t, res, 415, 'unsupported_media_type')
  t.equal(body.title, 'Unsupported Media Type')
  const text = await app.inject({
    method: 'POST',
    url: '/test/echo',
    headers: { 'content-type': 'text/plain' },
    payload: '{"name": "a"}',
  })
  problem(t, text, 415, 'unsupported_media_type')
})

t.test('a zod validation failure lists each offending field with its path', async (t) => {
  const app = await build(t, {}, { beforeReady: testRoutes })
  const res = await app.inject({
    method: 'POST',
    url: '/test/echo',
    payload: {
      name: '',
      evidence: [
        { title: 'ok', url: 'https://example.org/a' },
        { title: 7, url: 'not a url' },
      ],
    },
  })
  const body = problem(t, res, 400, 'validation_failed')
  const errors = body.errors as { path: string; message: string }[]
  t.same(errors.map((e) => e.path).sort(), ['/body/evidence/1/title', '/body/evidence/1/url', '/body/name'])
  for (const e of errors) t.ok(e.message.length > 0, `${e.path} has a message`)
  t.match(body.detail, '/body/name: ')
  t.match(body.detail, '/body/evidence/1/url: ')

  const query = await app.inject({ method: 'POST', url: '/test/echo?limit=0', payload: { name: 'a', evidence: [] } })
  const q = problem(t, query, 400, 'validation_failed')
  t.match(q.errors, [{ path: '/querystring/limit', message: String }])

  const missing = await app.inject({ method: 'POST', url: '/test/echo', payload: {} })
  const m = problem(t, missing, 400, 'validation_failed')
  t.same((m.errors as { path: string }[]).map((e) => e.path).sort(), ['/body/evidence', '/body/name'])
})

t.test('an internal error is a 500 that says only "internal error" and the request id, and is logged in full', async (t) => {
  const lines: string[] = []
  const app = await build(t, {}, { beforeReady: testRoutes, logger: { level: 'error', stream: { write: (line: string) => void lines.push(line) } } })
  const res = await app.inject({ method: 'GET', url: '/test/boom' })
  const requestId = String(res.headers['x-request-id'])
  const body = problem(t, res, 500, 'internal_error')
  t.same(Object.keys(body).sort(), PROBLEM_KEYS, 'no stack, no message, no extra members')
  t.equal(body.title, 'Internal Server Error')
  t.equal(body.requestId, requestId)
  t.equal(body.detail, `internal error; quote request id ${requestId} when reporting it`)
  t.notMatch(res.payload, /SELECT|secret|relation|does not exist|stack|\bat\s|\.ts:\d/i)

  const logged = lines.map((l) => JSON.parse(l) as { requestId?: string; reqId?: string; err?: { message: string; stack: string } })
  const entry = logged.find((l) => l.err)
  t.ok(entry, 'the error is logged')
  // The label is fastify's (reqId) unless the app configures one.
  t.equal(entry?.requestId ?? entry?.reqId, requestId, 'with the request id')
  t.match(entry?.err?.message, 'SELECT secret FROM x', 'with its message')
  t.match(entry?.err?.stack, /errors\.test\.ts/, 'and its stack')
})

t.test('a database connection error is a 503 problem with retry-after', async (t) => {
  // A port nobody listens on: every query fails to connect (ECONNREFUSED).
  const app = await build(t, { databaseUrl: 'postgres://postgres@127.0.0.1:1/none' }, { beforeReady: testRoutes })
  const res = await app.inject({ method: 'GET', url: '/test/db' })
  const body = problem(t, res, 503, 'database_unavailable')
  t.equal(res.headers['retry-after'], '1')
  t.equal(body.title, 'Service Unavailable')
  t.notMatch(res.payload, /127\.0\.0\.1|ECONNREFUSED/, 'no address or driver detail')

  const shutdown = await app.inject({ method: 'GET', url: '/test/admin-shutdown' })
  problem(t, shutdown, 503, 'database_unavailable')
  t.equal(shutdown.headers['retry-after'], '1')
})

t.test('isDatabaseUnavailable tells connection failures from other database errors', async (t) => {
  for (const code of ['08006', '08001', '57P01', '57P03', '53300', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT']) {
    t.ok(isDatabaseUnavailable({ code, message: 'x' }), code)
  }
  t.ok(isDatabaseUnavailable(new Error('Connection terminated unexpectedly')))
  t.ok(isDatabaseUnavailable(new Error('timeout exceeded when trying to connect')))
  for (const code of ['23505', '42P01', '40001', undefined]) {
    t.notOk(isDatabaseUnavailable({ code, message: 'duplicate key' }), String(code))
  }
  t.notOk(isDatabaseUnavailable(null))
  t.notOk(isDatabaseUnavailable('ECONNREFUSED'))
})
