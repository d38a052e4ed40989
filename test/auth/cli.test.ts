import { spawn } from 'node:child_process'
import t from 'tap'
import { ROOT } from '../helpers/database.js'
import { build, fileDatabase } from '../helpers/build.js'

// Each run starts node with tsx: allow for a loaded machine.
t.setTimeout(300_000)

const database = await fileDatabase()
const app = await build(t)

interface Run {
  code: number | null
  stdout: string
  stderr: string
}

function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/token.ts', ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATABASE_URL: database.url, ...env },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

t.test('create prints a token once; it authenticates; list shows it; revoke ends it', async (t) => {
  const created = await cli(['create', '--role', 'administration', '--country', 'KEN', '--label', 'Ministry of ICT', '--expires', '2099-12-31'])
  t.equal(created.code, 0, created.stderr)
  const token = created.stdout.split('\n')[0]!
  t.match(token, /^tr_[A-Za-z0-9_-]{43}$/, 'the first line is the token')
  t.match(created.stdout, /only time the token is shown/)
  t.notOk(created.stderr.includes(token), 'the token is not in the logs')

  const me = await app.inject({ method: 'GET', url: '/me', headers: { authorization: `Bearer ${token}` } })
  t.equal(me.statusCode, 200)
  t.match(me.json(), { role: 'administration', country: 'KEN', label: 'Ministry of ICT' })
  const id = me.json().tokenId as string

  const list = await cli(['list'])
  t.equal(list.code, 0, list.stderr)
  t.match(list.stdout, id)
  t.match(list.stdout, /administration/)
  t.notOk(list.stdout.includes(token), 'list does not show the token')

  const json = await cli(['list', '--json'])
  const rows = JSON.parse(json.stdout) as Array<Record<string, unknown>>
  t.match(
    rows.find((r) => r.id === id),
    { role: 'administration', country: 'KEN', label: 'Ministry of ICT', revokedAt: null, expiresAt: '2100-01-01T00:00:00.000Z' },
  )

  const revoked = await cli(['revoke', id])
  t.equal(revoked.code, 0, revoked.stderr)
  t.match(revoked.stdout, `revoked ${id}`)
  const after = await app.inject({ method: 'GET', url: '/me', headers: { authorization: `Bearer ${token}` } })
  t.equal(after.statusCode, 401)

  const missing = await cli(['revoke', '00000000-0000-4000-8000-000000000000'])
  t.equal(missing.code, 1)
  t.match(missing.stderr, /no token has id/)
})

t.test('create --json for scripts; staff tokens have no country', async (t) => {
  const run = await cli(['create', '--role', 'staff', '--label', 'ITU-D analyst', '--json'])
  t.equal(run.code, 0, run.stderr)
  const out = JSON.parse(run.stdout)
  t.match(out, { token: /^tr_/, role: 'staff', country: null, label: 'ITU-D analyst' })
  const me = await app.inject({ method: 'GET', url: '/me', headers: { authorization: `Bearer ${out.token}` } })
  t.equal(me.statusCode, 200)
})

t.test('bad arguments: usage and exit code 2', async (t) => {
  const cases: Array<[string, string[], RegExp]> = [
    ['no command', [], /no command given/],
    ['unknown command', ['frobnicate'], /unknown command "frobnicate"/],
    ['unknown option', ['list', '--nope'], /Unknown option '--nope'/],
    ['create without role', ['create', '--label', 'x'], /needs --role/],
    ['bad role', ['create', '--role', 'root', '--label', 'x'], /--role must be one of/],
    ['no label', ['create', '--role', 'staff'], /needs --label/],
    ['administration without country', ['create', '--role', 'administration', '--label', 'x'], /needs --country/],
    ['staff with country', ['create', '--role', 'staff', '--country', 'KEN', '--label', 'x'], /takes no --country/],
    ['bad expiry', ['create', '--role', 'staff', '--label', 'x', '--expires', '31/12/2027'], /--expires/],
    ['past expiry', ['create', '--role', 'staff', '--label', 'x', '--expires', '2001-01-01'], /not in the future/],
    ['unknown country', ['create', '--role', 'administration', '--country', 'XYZ', '--label', 'x'], /unknown country "XYZ"/],
    ['revoke without id', ['revoke'], /exactly one token id/],
    ['revoke not an id', ['revoke', 'abc'], /not a token id/],
    ['list with options', ['list', '--role', 'staff'], /list does not take --role/],
  ]
  const queue = [...cases]
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const [name, args, message] = next
      const run = await cli(args)
      t.equal(run.code, 2, `${name}: exit 2`)
      t.match(run.stderr, message, `${name}: says why`)
      t.equal(run.stdout, '', `${name}: nothing on stdout`)
      if (!/unknown country/.test(String(message))) t.match(run.stderr, /usage:\n\s+npm run token -- create/, `${name}: usage`)
    }
  }
  await Promise.all([worker(), worker(), worker()])
  const help = await cli(['--help'])
  t.equal(help.code, 0)
  t.match(help.stdout, /usage:/)
})
