// A real OpenID provider on loopback (the oidc-provider package) and a browser-like walk through
// its development login and consent pages, for the single sign-on tests.
import { createServer, type AddressInfo } from 'node:net'
import Provider from 'oidc-provider'

export interface TestProvider {
  issuer: string
  clientId: string
  clientSecret: string
  /** Follows an authorization URL through login (as `subject`) and consent; the final redirect to the client. */
  signIn(authorizationUrl: string, subject: string): Promise<URL>
}

async function freePort(): Promise<number> {
  const s = createServer()
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
  const { port } = s.address() as AddressInfo
  await new Promise<void>((resolve) => s.close(() => resolve()))
  return port
}

export async function oidcProvider(
  t: { teardown(fn: () => unknown): void },
  options: { redirectUri: string; accounts: Record<string, { email: string; email_verified: boolean }> },
): Promise<TestProvider> {
  const port = await freePort()
  const issuer = `http://127.0.0.1:${port}`
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: 'treaty-readiness',
        client_secret: 'a client secret for the tests',
        redirect_uris: [options.redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    async findAccount(_ctx, sub) {
      const account = options.accounts[sub]
      if (!account) return undefined
      return {
        accountId: sub,
        async claims() {
          return { sub, ...account }
        },
      }
    },
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    pkce: { required: () => true },
    cookies: { keys: ['a cookie key for the tests'] },
  })
  provider.on('server_error', () => {})
  const server = provider.listen(port, '127.0.0.1')
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))

  return {
    issuer,
    clientId: 'treaty-readiness',
    clientSecret: 'a client secret for the tests',
    async signIn(authorizationUrl, subject) {
      const jar = new Map<string, string>()
      const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ')
      const keep = (res: Response) => {
        for (const line of res.headers.getSetCookie()) {
          const [pair] = line.split(';')
          const [name, ...rest] = pair!.split('=')
          jar.set(name!.trim(), rest.join('='))
        }
      }
      let url = new URL(authorizationUrl)
      let body: URLSearchParams | undefined
      for (let hop = 0; hop < 20; hop++) {
        if (url.origin !== issuer) return url // back at the client
        const res = await fetch(url, {
          method: body ? 'POST' : 'GET',
          redirect: 'manual',
          headers: { cookie: cookieHeader(), ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
          body,
        })
        keep(res)
        body = undefined
        const location = res.headers.get('location')
        if (location) {
          url = new URL(location, url)
          continue
        }
        const html = await res.text()
        const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1]
        const prompt = /name="prompt" value="(\w+)"/.exec(html)?.[1]
        if (!action || !prompt) throw new Error(`unexpected provider page (${res.status}): ${html.slice(0, 300)}`)
        url = new URL(action.replace(/&amp;/g, '&'), url)
        body = new URLSearchParams(prompt === 'login' ? { prompt, login: subject, password: 'any' } : { prompt })
      }
      throw new Error('too many redirects at the provider')
    },
  }
}
