// npm run demo prints where to sign in: the real address of a server started with the same
// settings, not a template to fill in.
import { spawn } from 'node:child_process'
import t from 'tap'
import { signInAddress } from '../../src/cli/demo.js'
import { fileDatabase } from '../helpers/build.js'
import { ROOT } from '../helpers/database.js'

t.test('the sign-in address for HOST and PORT', async (t) => {
  t.equal(signInAddress({ host: '127.0.0.1', port: 3000 }), 'http://127.0.0.1:3000/app/')
  t.equal(signInAddress({ host: 'readiness.itu.example', port: 8080 }), 'http://readiness.itu.example:8080/app/')
  t.equal(signInAddress({ host: '0.0.0.0', port: 3000 }), 'http://127.0.0.1:3000/app/', 'a wildcard host is browsed through loopback')
  t.equal(signInAddress({ host: '::', port: 3000 }), 'http://127.0.0.1:3000/app/')
  t.equal(signInAddress({ host: '::1', port: 4000 }), 'http://[::1]:4000/app/', 'IPv6 literals in brackets')
})

t.test('npm run demo prints the real sign-in address', { timeout: 600_000 }, async (t) => {
  const database = await fileDatabase()
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/demo.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', DATABASE_URL: database.url, HOST: '0.0.0.0', PORT: '4567', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout.on('data', (c) => (out += c))
  child.stderr.on('data', (c) => (out += c))
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
  t.equal(code, 0, out.slice(-2000))
  t.match(out, /Sign in at http:\/\/127\.0\.0\.1:4567\/app\/ /)
  t.notMatch(out, /<host>|<port>/, 'no placeholder')
})
