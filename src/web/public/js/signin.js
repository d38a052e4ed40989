// Sign in with an API token; the server keeps it in an HttpOnly cookie (POST /session).
import { api, ApiError } from './api.js'
import { clear, h, message } from './ui.js'

const main = document.getElementById('main')
const params = new URLSearchParams(location.search)

function destination(me) {
  const next = params.get('next')
  if (next && /^[a-z]+\.html(\?[^#]*)?$/.test(next) && next !== 'index.html') return next
  return me.role === 'administration' ? 'assessments.html' : 'dashboard.html'
}

try {
  const me = await api('/me', { redirectOn401: false })
  location.replace(destination(me))
} catch {
  render()
}

function render() {
  const status = h('div', { id: 'signin-status', 'aria-live': 'polite' })
  const input = h('input', {
    id: 'token',
    name: 'token',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
    spellcheck: 'false',
    'aria-describedby': 'token-help',
  })
  const form = h(
    'form',
    { class: 'card signin', novalidate: true },
    h('h1', {}, 'Sign in'),
    h(
      'p',
      { class: 'lead' },
      'National administrations assess their readiness for proposed treaty obligations here; ITU-D staff compare countries and review submissions.',
    ),
    h('label', { for: 'token' }, 'Access token'),
    input,
    h('p', { id: 'token-help', class: 'help' }, 'The token you received from ITU (it starts with "tr_"). It is kept in this browser until you sign out or for 8 hours.'),
    h('button', { type: 'submit', class: 'primary' }, 'Sign in'),
    status,
  )
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    const token = input.value.trim()
    if (!token) {
      clear(status, message('error', 'Enter your access token.'))
      input.focus()
      return
    }
    clear(status, message('info', 'Signing in…'))
    try {
      const me = await api('/session', { method: 'POST', body: { token }, redirectOn401: false })
      location.assign(destination(me))
    } catch (error) {
      const text =
        error instanceof ApiError && error.status === 401
          ? 'This token is not valid, has expired or has been revoked. Check it and try again, or ask ITU for a new one.'
          : error.message
      clear(status, message('error', text))
      input.focus()
    }
  })
  clear(main, form)
  input.focus()
}
