import t from 'tap'
import { build } from '../helpers/build.js'

t.test('/healthz answers while the process is alive', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'GET', url: '/healthz' })
  t.equal(res.statusCode, 200)
  t.same(res.json(), { status: 'ok' })
  t.match(res.headers['x-request-id'], /^[0-9a-f-]{36}$/)
})

t.test('/readyz answers 200 when the database does', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'GET', url: '/readyz' })
  t.equal(res.statusCode, 200)
})

t.test('/readyz is a 503 problem when the database is unreachable', async (t) => {
  // A port nobody listens on: the pool cannot connect.
  const app = await build(t, { databaseUrl: 'postgres://postgres@127.0.0.1:1/none' })
  const res = await app.inject({ method: 'GET', url: '/readyz' })
  t.equal(res.statusCode, 503)
  t.match(res.headers['content-type'], /^application\/problem\+json/)
  t.match(res.json(), { status: 503, code: 'database_unavailable', type: '/problems/database_unavailable' })
})
