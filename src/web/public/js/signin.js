// Sign in with an API token; the server keeps it in an HttpOnly cookie (POST /session).
import { api, ApiError } from './api.js'
import { languageSwitcher, t } from './i18n.js'
import { clear, h, message, problemText } from './ui.js'

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
  document.title = t('app.pageTitle', { page: t('signin.title') })
  document.querySelector('#site-header .header-inner')?.append(languageSwitcher(h))
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
    h('h1', {}, t('signin.title')),
    h('p', { class: 'lead' }, t('signin.lead')),
    h('label', { for: 'token' }, t('signin.tokenLabel')),
    input,
    h('p', { id: 'token-help', class: 'help' }, t('signin.tokenHelp')),
    h('button', { type: 'submit', class: 'primary' }, t('signin.submit')),
    status,
  )
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    const token = input.value.trim()
    if (!token) {
      clear(status, message('error', t('signin.empty')))
      input.focus()
      return
    }
    clear(status, message('info', t('signin.working')))
    try {
      const me = await api('/session', { method: 'POST', body: { token }, redirectOn401: false })
      location.assign(destination(me))
    } catch (error) {
      const text = error instanceof ApiError && error.status === 401 ? [t('signin.invalid')] : problemText(error)
      clear(status, message('error', text))
      input.focus()
    }
  })
  clear(main, form)
  input.focus()
}
