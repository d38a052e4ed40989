// Login CSRF: however the path of POST /session is spelled (percent-encoded letters, a trailing
// slash, a query string), a sign-in without X-Requested-With or a same-origin Origin is refused
// and sets no cookie. The check follows the route the request reaches, not the raw URL.
import t from 'tap'
import { build } from '../helpers/build.js'
import { testToken } from '../helpers/tokens.js'

const SPELLINGS = ['/session', '/%73ession', '/%73%65%73%73%69%6f%6e', '/sessio%6E', '/session/', '/session?next=/', '/%73ession/?x=1']

t.test('every spelling of /session that signs in needs the CSRF proof', async (t) => {
  const app = await build(t)
  const { token } = await testToken(app, 'administration', 'KEN')
  for (const url of SPELLINGS) {
    const bare = await app.inject({ method: 'POST', url, payload: { token } })
    t.equal(bare.statusCode, 403, `POST ${url} without the header: ${bare.body}`)
    t.equal(bare.json().code, 'csrf', `POST ${url}: a csrf problem`)
    t.notOk(bare.headers['set-cookie'], `POST ${url} without the header sets no cookie`)

    const proven = await app.inject({ method: 'POST', url, headers: { 'x-requested-with': 'fetch' }, payload: { token } })
    t.equal(proven.statusCode, 200, `POST ${url} with the header signs in (the spelling does reach the route)`)

    const out = await app.inject({ method: 'DELETE', url })
    t.equal(out.statusCode, 403, `DELETE ${url} without the header: ${out.body}`)
  }
})
