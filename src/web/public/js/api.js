// Calls the REST API with the session cookie. Unsafe methods carry X-Requested-With: fetch (the
// server's CSRF check). Errors are RFC 9457 problems, thrown as ApiError.
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || `request failed (${status})`)
    this.status = status
    this.problem = problem ?? {}
  }
}

/** Set while signing out: the page's requests still in flight then get 401s, and must not navigate too (two navigations race). */
let signingOut = false

/** Ends the session on the server, then goes to the sign-in page. */
export async function signOut() {
  signingOut = true
  try {
    await api('/session', { method: 'DELETE' })
  } catch (error) {
    signingOut = false
    throw error
  }
  location.assign('index.html')
}

export async function api(path, { method = 'GET', body, headers = {}, redirectOn401 = true } = {}) {
  const init = {
    method,
    credentials: 'same-origin',
    headers: { accept: 'application/json', 'x-requested-with': 'fetch', ...headers },
  }
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json'
    init.body = JSON.stringify(body)
  }
  let res
  try {
    res = await fetch(path, init)
  } catch {
    throw new ApiError(0, { detail: 'The server could not be reached. Check your connection and try again.' })
  }
  const text = res.status === 204 ? '' : await res.text()
  let data = null
  if (text) {
    try {
      data = JSON.parse(text)
    } catch {
      data = { detail: text }
    }
  }
  if (!res.ok) {
    if (res.status === 401 && redirectOn401 && !signingOut) {
      location.assign(`index.html?next=${encodeURIComponent(location.pathname.split('/').pop() + location.search)}`)
    }
    throw new ApiError(res.status, data)
  }
  return data
}

/** Runs fn over items with at most `limit` calls at once; results in input order. */
export async function mapLimit(items, limit, fn) {
  const out = new Array(items.length)
  let next = 0
  async function worker() {
    while (next < items.length) {
      const i = next++
      out[i] = await fn(items[i], i)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return out
}
