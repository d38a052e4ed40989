// The memory-reducing collection after a burst: only when nothing is in flight, after a moment of
// quiet, once per burst, and only when memory grew. A stand-in collector counts the calls (the real
// one needs --expose-gc and pauses the process); RSS is a number the test sets.
import Fastify from 'fastify'
import t from 'tap'
import idleCompaction, { shouldCompact } from '../../src/plugins/idle-compaction.js'

const MB = 1024 * 1024
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

t.test('shouldCompact', async (t) => {
  const quiet = { inFlight: 0, idleForMs: 5000, rss: 300 * MB, baseline: 150 * MB, activeSince: true }
  t.ok(shouldCompact(quiet, 2000, 32 * MB), 'idle, grown, after activity')
  t.notOk(shouldCompact({ ...quiet, inFlight: 1 }, 2000, 32 * MB), 'not with a request in flight')
  t.notOk(shouldCompact({ ...quiet, idleForMs: 1999 }, 2000, 32 * MB), 'not before the quiet moment')
  t.notOk(shouldCompact({ ...quiet, rss: 181 * MB }, 2000, 32 * MB), 'not when memory grew less')
  t.notOk(shouldCompact({ ...quiet, activeSince: false }, 2000, 32 * MB), 'not twice for one burst')
})

t.test('after a burst, once; never while a response is still going', async (t) => {
  let rss = 150 * MB
  const calls: unknown[] = []
  const app = Fastify()
  await app.register(idleCompaction, {
    gc: (options) => {
      calls.push(options)
      rss = 140 * MB
    },
    idleMs: 60,
    growthBytes: 32 * MB,
    rss: () => rss,
    checkEveryMs: 10,
  })
  let release = () => {}
  app.get('/quick', async () => ({ ok: true }))
  app.get('/slow', () => new Promise((resolve) => (release = () => resolve({ ok: true }))))
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => app.close())
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`

  await sleep(150)
  t.equal(calls.length, 0, 'nothing before any request')

  const slow = fetch(`${base}/slow`)
  await fetch(`${base}/quick`)
  rss = 300 * MB
  await sleep(150)
  t.equal(calls.length, 0, 'nothing while a response is in flight')
  release()
  await (await slow).json()
  await sleep(200)
  t.same(calls, [{ type: 'major', execution: 'sync', flavor: 'last-resort' }], 'one memory-reducing collection once idle')

  rss = 300 * MB
  await sleep(150)
  t.equal(calls.length, 1, 'not again without new requests')

  rss = 160 * MB
  await fetch(`${base}/quick`)
  await sleep(150)
  t.equal(calls.length, 1, 'not when memory grew less than the threshold since the last one')

  rss = 200 * MB
  await fetch(`${base}/quick`)
  await sleep(150)
  t.equal(calls.length, 2, 'again after the next burst that grew memory')
})
