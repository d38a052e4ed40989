// Two server processes (src/server.ts, each its own Node process) on one database behave as one:
// a session made on one works on the other, sign-out on one ends it on both, disabling a person on
// one ends their session on the other, and the failed sign-in limit counts across both. Run on the
// configured PostgreSQL or, without TEST_DATABASE_URL, on the run's embedded one.
import t from 'tap'
import { openKysely } from '../../src/db/kysely.js'
import { hashPassword } from '../../src/people/passwords.js'
import { createTestDatabase } from '../helpers/database.js'
import { startServer, type ServerProcess } from '../helpers/server-process.js'

const PASSWORD = 'correct horse battery staple'
const LIMIT = 4

interface Answer {
  status: number
  cookie: string | null
}

async function call(server: ServerProcess, method: string, path: string, options: { cookie?: string | null; body?: object } = {}): Promise<Answer> {
  const res = await fetch(`${server.base}${path}`, {
    method,
    headers: {
      'x-requested-with': 'fetch',
      ...(options.body ? { 'content-type': 'application/json' } : {}),
      ...(options.cookie ? { cookie: options.cookie } : {}),
    },
    ...(options.body ? { body: JSON.stringify(options.body) } : {}),
  })
  await res.arrayBuffer()
  const set = res.headers.getSetCookie().find((c) => c.startsWith('tr_session='))
  return { status: res.status, cookie: set ? set.split(';')[0]! : null }
}

t.test('two processes on one database behave as one', { timeout: 240_000 }, async (t) => {
  const database = await createTestDatabase()
  t.teardown(() => database.drop())
  const db = openKysely(database.url)
  t.teardown(() => db.destroy())
  const hash = await hashPassword(PASSWORD)
  const ids: Record<string, string> = {}
  for (const who of ['amina', 'kofi', 'target']) {
    const row = await db
      .insertInto('persons')
      .values({ name: who, email: `${who}@example.org`, status: 'active', password_hash: hash })
      .returning('id')
      .executeTakeFirstOrThrow()
    await db.insertInto('memberships').values({ person_id: row.id, role: 'focal_point', country: 'KEN', questionnaire: null, domains: null }).execute()
    ids[who] = row.id
  }

  const env = { AUTH_RATE_LIMIT: String(LIMIT) }
  // One after the other: two cold starts at once on a busy machine can outlast the helper's wait.
  const start = async () => {
    const server = await startServer(database.url, undefined, env)
    t.teardown(() => {
      if (server.child.exitCode === null) server.child.kill('SIGTERM')
    })
    return server
  }
  const one = await start()
  const two = await start()
  t.not(one.child.pid, two.child.pid, 'two processes')

  // A session made on one works on the other; sign-out on the other ends it on both.
  const signIn = await call(one, 'POST', '/session', { body: { email: 'amina@example.org', password: PASSWORD } })
  t.equal(signIn.status, 200)
  t.ok(signIn.cookie, 'a session cookie')
  t.equal((await call(two, 'GET', '/me', { cookie: signIn.cookie })).status, 200, 'a session made on one works on the other')
  t.equal((await call(two, 'DELETE', '/session', { cookie: signIn.cookie })).status, 204)
  t.equal((await call(one, 'GET', '/me', { cookie: signIn.cookie })).status, 401, 'sign-out on one ends it on both')
  t.equal((await call(two, 'GET', '/me', { cookie: signIn.cookie })).status, 401)

  // Disabling a person through one process ends their session in the other at once.
  const kofi = await call(two, 'POST', '/session', { body: { email: 'kofi@example.org', password: PASSWORD } })
  t.equal((await call(one, 'GET', '/me', { cookie: kofi.cookie })).status, 200)
  await db.updateTable('persons').set({ status: 'disabled' }).where('id', '=', ids.kofi!).execute()
  t.equal((await call(one, 'GET', '/me', { cookie: kofi.cookie })).status, 401, "a disabled person's session ends everywhere")

  // Failed sign-ins from one address count across both processes: LIMIT wrong passwords, alternating,
  // and then both refuse even the right one from that address.
  const wrong = (server: ServerProcess, i: number) => call(server, 'POST', '/session', { body: { email: 'target@example.org', password: `wrong guess ${i}` } })
  const statuses: number[] = []
  for (let i = 0; i < LIMIT; i++) statuses.push((await wrong(i % 2 === 0 ? one : two, i)).status)
  t.same(statuses, Array(LIMIT).fill(401), 'each process answers 401 while under the shared limit')
  for (const server of [one, two]) {
    const blocked = await call(server, 'POST', '/session', { body: { email: 'target@example.org', password: PASSWORD } })
    t.equal(blocked.status, 429, 'past the limit counted by both, each refuses')
  }
  const failures = await db
    .selectFrom('auth_failures')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('key', 'like', 'address:%')
    .executeTakeFirstOrThrow()
  t.equal(Number(failures.n), LIMIT, 'the failures are counted once, in the database')
})
