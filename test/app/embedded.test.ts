// The embedded backend, end to end, as an operator meets it: the real server as a child process
// without DATABASE_URL (PostgreSQL binaries from the registry, the cluster in DATA_DIR/postgres,
// loopback only, a password in DATA_DIR/password; the owner's pid and port in DATA_DIR/server.json).
// Runs whatever TEST_DATABASE_URL says: it never touches that database.
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises'
import { createServer, type AddressInfo } from 'node:net'
import { networkInterfaces, tmpdir } from 'node:os'
import path from 'node:path'
import pg from 'pg'
import t from 'tap'
import { ROOT } from '../helpers/database.js'

// A first start runs initdb (about 7 s alone, much more on a busy 2-core machine), and this file
// starts the server four times.
t.setTimeout(600_000)
const READY_WITHIN = 180_000

/** The environment of a child: ours without any database URL, so the embedded backend is used. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HOST: '127.0.0.1', LOG_LEVEL: 'info', ...extra }
  delete env.DATABASE_URL
  delete env.TEST_DATABASE_URL
  return env
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

interface Child {
  process: ChildProcess
  output(): string
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>
  hasExited(): boolean
}

const children = new Set<ChildProcess>()
t.teardown(() => {
  // Only ever the processes this file started, and only if a failed test left them running.
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
})

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Child {
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
  children.add(child)
  let output = ''
  let done = false
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      done = true
      children.delete(child)
      resolve(code)
    }),
  )
  return { process: child, output: () => output, exited, hasExited: () => done }
}

function startServer(dataDir: string, port: number): Child {
  return run(process.execPath, ['--import', 'tsx', 'src/server.ts'], childEnv({ DATA_DIR: dataDir, PORT: String(port) }))
}

async function waitReady(server: Child, port: number): Promise<void> {
  const deadline = Date.now() + READY_WITHIN
  while (Date.now() < deadline) {
    if (server.hasExited()) throw new Error(`the server exited before it was ready:\n${server.output()}`)
    try {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2000) })
      if (res.status === 200) return
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  throw new Error(`not ready within ${READY_WITHIN / 1000} s:\n${server.output()}`)
}

async function stop(server: Child, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  server.process.kill(signal)
  const timer = setTimeout(() => server.process.kill('SIGKILL'), 30_000)
  try {
    return await server.exited
  } finally {
    clearTimeout(timer)
  }
}

async function published(dataDir: string): Promise<{ pid: number; port: number; url: string }> {
  const { pid, port } = JSON.parse(await readFile(path.join(dataDir, 'server.json'), 'utf8')) as { pid: number; port: number }
  const password = (await readFile(path.join(dataDir, 'password'), 'utf8')).trim()
  return { pid, port, url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres` }
}

/** The pids of every postmaster running on this data directory (Linux /proc). */
async function postmastersOn(dataDir: string): Promise<number[]> {
  const cluster = path.join(dataDir, 'postgres')
  const pids: number[] = []
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')
    const args = cmdline.split('\0')
    if (path.basename(args[0] ?? '') === 'postgres' && args.includes('-D') && args[args.indexOf('-D') + 1] === cluster) pids.push(Number(entry))
  }
  return pids
}

const mode = async (file: string) => (await stat(file)).mode & 0o777

async function query<R extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query<R>(text, values)).rows
  } finally {
    await client.end()
  }
}

async function migrateTask(dataDir: string): Promise<{ code: number | null; output: string }> {
  const task = run('npm', ['run', 'migrate'], childEnv({ DATA_DIR: dataDir }))
  const timer = setTimeout(() => task.process.kill('SIGKILL'), 120_000)
  const code = await task.exited
  clearTimeout(timer)
  return { code, output: task.output() }
}

t.test('the embedded backend: start, write, migrate alongside, stop, restart, keep the data', async (t) => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'tr-embedded-'))
  t.teardown(() => rm(dataDir, { recursive: true, force: true }))
  const serverJson = path.join(dataDir, 'server.json')
  const port = await freePort()

  // 1. First start: a new data directory (initdb), migrated at start-up.
  const first = startServer(dataDir, port)
  await waitReady(first, port)
  t.pass('the first start answers /readyz 200')
  t.match(first.output(), /"backend":"embedded"/, 'the log states the backend')
  t.match(first.output(), /database: embedded PostgreSQL at 127\.0\.0\.1:\d+\/postgres/)
  const address = await published(dataDir)
  t.equal(address.pid, first.process.pid, 'server.json names the server process')
  t.notMatch(first.output(), (await readFile(path.join(dataDir, 'password'), 'utf8')).trim(), 'the password never reaches the log')
  t.match((await query<{ version: string }>(address.url, 'select version()'))[0]!.version, /^PostgreSQL 17\./, 'real PostgreSQL 17')
  t.equal(await postmastersOn(dataDir).then((p) => p.length), 1, 'one postmaster')

  // 2. Something written through SQL, at the published address.
  await query(address.url, 'create table smoke_test (id integer primary key, note text not null)')
  await query(address.url, 'insert into smoke_test values ($1, $2)', [1, 'written before the restart'])

  // 3. A second server on the same DATA_DIR refuses to start, naming it, and harms nothing.
  const second = startServer(dataDir, await freePort())
  const secondCode = await second.exited
  t.not(secondCode, 0, 'a second server on the same DATA_DIR exits non-zero')
  t.match(second.output(), `DATA_DIR=${dataDir} is in use by another running server`, 'naming DATA_DIR')
  t.same(await published(dataDir), address, 'server.json is untouched')
  const stillReady = await fetch(`http://127.0.0.1:${port}/readyz`)
  t.equal(stillReady.status, 200, 'the first server still answers')

  // 4. npm run migrate while the server runs goes through its socket.
  const migrate = await migrateTask(dataDir)
  t.equal(migrate.code, 0, 'npm run migrate exits 0', { output: migrate.output })
  t.match(
    migrate.output,
    `using the embedded database of the running server at postgres://postgres:***@127.0.0.1:${address.port}/postgres`,
    'through the running server',
  )
  t.match(migrate.output, /database schema is up to date/, 'which has nothing to apply')
  t.same(await published(dataDir), address, 'and leaves server.json alone')

  // 5. SIGTERM: a clean exit that unpublishes the address.
  t.equal(await stop(first), 0, 'SIGTERM: the server exits 0')
  t.match(first.output(), /SIGTERM: finishing in-flight requests/)
  t.notOk(existsSync(serverJson), 'and removed server.json')

  // 6. Started again on the same directory: the data is still there.
  const again = startServer(dataDir, port)
  await waitReady(again, port)
  t.pass('the restarted server answers /readyz 200')
  t.match(again.output(), /database schema is up to date/, 'nothing to migrate on a restart')
  const { url } = await published(dataDir)
  t.same(await query(url, 'select id, note from smoke_test'), [{ id: 1, note: 'written before the restart' }], 'the row survived')

  // 7. A crash (SIGKILL) leaves a stale server.json and an orphaned postmaster behind; neither
  // locks the directory out, and there is never a second postmaster on it.
  await query(url, 'insert into smoke_test values ($1, $2)', [2, 'written before the crash'])
  await stop(again, 'SIGKILL')
  t.ok(existsSync(serverJson), 'a killed server leaves server.json')
  const [orphan] = await postmastersOn(dataDir)
  t.ok(orphan, 'and its postmaster keeps running')
  const alone = await migrateTask(dataDir)
  t.equal(alone.code, 0, 'npm run migrate without a server exits 0', { output: alone.output })
  t.notMatch(alone.output, /running server/, 'it opened the directory itself')
  t.match(alone.output, `a postmaster (pid ${orphan}) was left running`, 'after stopping the orphan')
  t.same(await postmastersOn(dataDir), [], 'and stopped its own when done')

  const crashing = startServer(dataDir, port)
  await waitReady(crashing, port)
  await stop(crashing, 'SIGKILL')
  const [orphan2] = await postmastersOn(dataDir)
  t.ok(orphan2, 'a second crash leaves another orphan')
  const afterCrash = startServer(dataDir, port)
  await waitReady(afterCrash, port)
  const running = await postmastersOn(dataDir)
  t.equal(running.length, 1, 'a restart after a crash runs exactly one postmaster')
  t.not(running[0], orphan2, 'its own, not the orphan')
  const { url: url2 } = await published(dataDir)
  t.same(await query(url2, 'select id from smoke_test order by id'), [{ id: 1 }, { id: 2 }], 'committed rows survive a crash')
  t.equal(await stop(afterCrash), 0, 'and it stops cleanly')
  t.notOk(existsSync(serverJson), 'unpublishing its address')
  t.same(await postmastersOn(dataDir), [], 'and its postmaster')
})

t.test('the embedded server: password authentication, loopback only, private files', async (t) => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'tr-embedded-'))
  t.teardown(() => rm(dataDir, { recursive: true, force: true }))
  const port = await freePort()
  const server = startServer(dataDir, port)
  t.teardown(() => stop(server))
  await waitReady(server, port)
  const { url, port: pgPort } = await published(dataDir)

  const wrong = new URL(url)
  wrong.password = 'not-the-password'
  await t.rejects(query(wrong.toString(), 'select 1'), /password authentication failed/, 'a wrong password is refused')
  const none = new URL(url)
  none.password = ''
  await t.rejects(query(none.toString(), 'select 1'), /password|SASL/, 'no password is refused')
  t.same(await query(url, 'show listen_addresses'), [{ listen_addresses: '127.0.0.1' }], 'it listens on loopback only')
  const external = Object.values(networkInterfaces())
    .flat()
    .find((i) => i && i.family === 'IPv4' && !i.internal)?.address
  if (external) {
    const there = new URL(url)
    there.hostname = external
    await t.rejects(query(there.toString(), 'select 1'), /ECONNREFUSED/, `a connection to ${external}:${pgPort} is refused`)
  }
  for (const file of ['server.json', 'password']) t.equal(await mode(path.join(dataDir, file)), 0o600, `${file} is 0600`)
  t.equal(await mode(path.join(dataDir, 'postgres')), 0o700, 'the cluster directory is 0700')
  t.equal((await mode(dataDir)) & 0o044, 0, 'DATA_DIR is readable by its owner only')
})
