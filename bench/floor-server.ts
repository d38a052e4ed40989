// The floor for the answer-write path: a bare fastify app with the same pg pool size, one route,
// one plain INSERT … ON CONFLICT DO UPDATE on a scratch table. No auth, no validation, no transaction.
//   DATABASE_URL=… PORT=… DB_POOL_SIZE=10 node --import tsx bench/floor-server.ts
import Fastify from 'fastify'
import pg from 'pg'

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DB_POOL_SIZE ?? 10) })
await pool.query(`create table if not exists bench_scratch (
  k text primary key, v jsonb not null, revision integer not null default 1, updated_at timestamptz not null default now())`)

const app = Fastify({ logger: false })
app.put<{ Params: { k: string }; Body: { value: unknown } }>('/floor/:k', async (request) => {
  const { rows } = await pool.query(
    `insert into bench_scratch (k, v) values ($1, $2)
     on conflict (k) do update set v = excluded.v, revision = bench_scratch.revision + 1, updated_at = now()
     returning revision`,
    [request.params.k, JSON.stringify(request.body?.value ?? null)],
  )
  return { revision: rows[0].revision }
})
app.get('/readyz', async () => ({ status: 'ok' }))
await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' })
process.once(
  'SIGTERM',
  () =>
    void app
      .close()
      .then(() => pool.end())
      .then(() => process.exit(0)),
)
