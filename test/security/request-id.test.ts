// Request ids are ours: every request gets a fresh UUID, whatever the client sends in X-Request-Id,
// so a client cannot make its log lines pass for another request's (or fill them with junk).
// The client's own id is kept, in a separate field (clientRequestId), for tracing across systems.
import { Writable } from 'node:stream'
import { pino } from 'pino'
import t from 'tap'
import { LOG_REDACT } from '../../src/app.js'
import { build } from '../helpers/build.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

const lines: Record<string, unknown>[] = []
const capture = new Writable({
  write(chunk, _encoding, done) {
    for (const line of String(chunk).split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>)
    done()
  },
})
const app = await build(t, {}, { loggerInstance: pino({ level: 'info', redact: { paths: LOG_REDACT, censor: '[redacted]' } }, capture) })

t.test("a client's X-Request-Id is never taken as the request id", async (t) => {
  const victim = await app.inject({ method: 'GET', url: '/healthz' })
  const victimId = String(victim.headers['x-request-id'])
  t.match(victimId, UUID, 'without a header: a UUID')

  for (const given of [victimId, 'abc-123', 'a b\n{"level":60,"msg":"forged"}', 'x'.repeat(500)]) {
    lines.length = 0
    const res = await app.inject({ method: 'GET', url: '/nowhere', headers: { 'x-request-id': given } })
    const id = String(res.headers['x-request-id'])
    t.match(id, UUID, `given ${JSON.stringify(given.slice(0, 30))}: the response carries a UUID of ours`)
    t.not(id, given, 'not the one the client sent')
    t.equal(res.json().requestId, id, 'the problem body quotes the same id')
    await new Promise((resolve) => setImmediate(resolve))
    const mine = lines.filter((l) => l.requestId === id)
    t.ok(mine.length >= 2, 'the request and response lines carry our id')
    t.notOk(
      lines.some((l) => l.requestId === given),
      "no log line carries the client's id as requestId",
    )
    for (const line of mine) {
      t.equal(typeof line.clientRequestId, 'string', "the client's id is logged in its own field")
      t.ok(given.startsWith(String(line.clientRequestId)), "clientRequestId is the client's value (cut to a bounded length)")
      t.ok(String(line.clientRequestId).length <= 128, 'of bounded length')
    }
  }
})

t.test('without X-Request-Id there is no clientRequestId field', async (t) => {
  lines.length = 0
  const res = await app.inject({ method: 'GET', url: '/healthz' })
  await new Promise((resolve) => setImmediate(resolve))
  const mine = lines.filter((l) => l.requestId === res.headers['x-request-id'])
  t.ok(mine.length >= 2)
  t.notOk(mine.some((l) => 'clientRequestId' in l))
})
