// The environment is parsed once into a frozen, typed Config; a bad variable is named in the error,
// and the real server refuses to start with one clear line.
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import t from 'tap'
import { ConfigError, loadConfig } from '../../src/config.js'
import { ROOT } from '../helpers/database.js'

t.test('defaults', async (t) => {
  const config = loadConfig({})
  t.match(config, {
    port: 3000,
    host: '127.0.0.1',
    databaseUrl: undefined,
    dataDir: './data',
    logLevel: 'info',
    migrateOnStart: true,
    poolSize: 10,
    bodyLimit: 1_048_576,
    questionnairesDir: './questionnaires',
    trustProxy: false,
    authRateLimit: 20,
  })
  t.equal(config.databaseUrl, undefined, 'no DATABASE_URL means the embedded database')
  t.ok(Object.isFrozen(config), 'frozen')
})

t.test('reads the variables it is given, not process.env', async (t) => {
  const config = loadConfig({
    PORT: '8080',
    HOST: '0.0.0.0',
    DATABASE_URL: 'postgresql://u:p@db:5432/tr',
    DATA_DIR: '/var/lib/tr',
    LOG_LEVEL: 'debug',
    MIGRATE_ON_START: 'false',
    DB_POOL_SIZE: '3',
    WRITE_STATEMENTS: '4',
    BODY_LIMIT: '2048',
    TRUST_PROXY: '10.0.0.1, 10.0.0.0/8,loopback',
    AUTH_RATE_LIMIT: '5',
  })
  t.match(config, {
    port: 8080,
    host: '0.0.0.0',
    databaseUrl: 'postgresql://u:p@db:5432/tr',
    dataDir: '/var/lib/tr',
    logLevel: 'debug',
    migrateOnStart: false,
    poolSize: 3,
    writeStatements: 4,
    bodyLimit: 2048,
    trustProxy: '10.0.0.1,10.0.0.0/8,loopback',
    authRateLimit: 5,
  })
  t.equal(loadConfig({ DATABASE_URL: 'postgres://x/y' }).databaseUrl, 'postgres://x/y')
})

t.test('an empty variable means "not set"', async (t) => {
  const config = loadConfig({ PORT: '', DATABASE_URL: '', LOG_LEVEL: '', MIGRATE_ON_START: '' })
  t.equal(config.port, 3000)
  t.equal(config.databaseUrl, undefined)
  t.equal(config.logLevel, 'info')
  t.equal(config.migrateOnStart, true)
})

t.test('booleans accept true/false, 1/0, yes/no', async (t) => {
  for (const [value, expected] of [
    ['true', true],
    ['1', true],
    ['yes', true],
    ['false', false],
    ['0', false],
    ['no', false],
  ] as const) {
    t.equal(loadConfig({ MIGRATE_ON_START: value }).migrateOnStart, expected, value)
  }
})

t.test('each invalid variable is a ConfigError that names it', async (t) => {
  const cases: [string, string, RegExp][] = [
    ['PORT', 'abc', /must be a number/],
    ['PORT', '70000', /from 0 to 65535/],
    ['PORT', '-1', /from 0 to 65535/],
    ['PORT', '80.5', /whole number/],
    ['LOG_LEVEL', 'loud', /must be one of fatal, error, warn, info, debug, trace, silent/],
    ['DATABASE_URL', 'mysql://x', /postgres:\/\//],
    ['MIGRATE_ON_START', 'maybe', /true or false/],
    ['TRUST_PROXY', 'true', /list the proxy addresses/],
    ['TRUST_PROXY', 'yes', /list the proxy addresses/],
    ['TRUST_PROXY', '10.0.0.0/33,proxy.example', /not an IP address.*10\.0\.0\.0\/33, proxy\.example/],
    ['DB_POOL_SIZE', '0', /from 1 to 200/],
    ['WRITE_STATEMENTS', '0', /from 1 to 200/],
    ['BODY_LIMIT', '10', /at least 1024/],
  ]
  for (const [name, value, reason] of cases) {
    let error: unknown
    try {
      loadConfig({ [name]: value })
    } catch (e) {
      error = e
    }
    t.type(error, ConfigError, `${name}=${value} is a ConfigError`)
    const message = (error as Error).message
    t.match(message, `${name}=${JSON.stringify(value)}`, `the message names ${name} and its value`)
    t.match(message, reason, `and says why: ${message}`)
  }
})

t.test('every invalid variable is reported at once', async (t) => {
  t.throws(() => loadConfig({ PORT: 'abc', LOG_LEVEL: 'loud' }), { name: 'ConfigError', message: /PORT=.*; LOG_LEVEL=/ })
})

t.test('the server refuses to start on a bad variable, with one line naming it', async (t) => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'tr-config-'))
  t.teardown(() => rm(dataDir, { recursive: true, force: true }))
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: 'abc', DATA_DIR: dataDir }
  delete env.DATABASE_URL
  delete env.TEST_DATABASE_URL
  delete env.LOG_LEVEL
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], { cwd: ROOT, env })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)))
  clearTimeout(timer)
  t.not(code, 0, 'exits non-zero')
  t.equal(code, 78, 'with EX_CONFIG')
  const lines = output.split('\n').filter((l) => l.trim() !== '')
  t.equal(lines.length, 1, `one line: ${output}`)
  t.match(lines[0], /invalid configuration: PORT=\\?"abc\\?": must be a number/)
})

t.test('EXPORT_DATABASE_URL: a replica for exports, only beside a primary', async (t) => {
  t.equal(loadConfig({}).exportDatabaseUrl, undefined, 'exports read DATABASE_URL by default')
  const config = loadConfig({ DATABASE_URL: 'postgres://db/tr', EXPORT_DATABASE_URL: 'postgres://replica/tr' })
  t.equal(config.exportDatabaseUrl, 'postgres://replica/tr')
  t.throws(() => loadConfig({ EXPORT_DATABASE_URL: 'postgres://replica/tr' }), { name: 'ConfigError', message: /EXPORT_DATABASE_URL .* needs DATABASE_URL/ })
  t.throws(() => loadConfig({ DATABASE_URL: 'postgres://db/tr', EXPORT_DATABASE_URL: 'mysql://replica' }), {
    message: /EXPORT_DATABASE_URL="mysql:\/\/replica": must be a postgres/,
  })
})
