// Sign in: e-mail and password (then a second-factor code when the account has one), the
// organisation's single sign-on when the service has it, or an API token. The server keeps the
// session and the HttpOnly cookie holds only its key (POST /session).
import { api, ApiError } from './api.js'
import { has, languageSwitcher, t } from './i18n.js'
import { destination } from './signin-destination.js'
import { clear, h, message, problemText } from './ui.js'

const main = document.getElementById('main')
const params = new URLSearchParams(location.search)

try {
  const me = await api('/me', { redirectOn401: false })
  location.replace(destination(me))
} catch {
  await render()
}

function field(id, labelKey, attrs, helpKey) {
  const input = h('input', { id, name: id, ...attrs, ...(helpKey ? { 'aria-describedby': `${id}-help` } : {}) })
  return { input, nodes: [h('label', { for: id }, t(labelKey)), input, helpKey ? h('p', { id: `${id}-help`, class: 'help' }, t(helpKey)) : null] }
}

async function render() {
  document.title = t('app.pageTitle', { page: t('signin.title') })
  document.querySelector('#site-header .header-inner')?.append(languageSwitcher(h))
  const sso = await fetch('/auth/oidc', { headers: { accept: 'application/json' } }).then(
    (r) => r.ok,
    () => false,
  )
  const status = h('div', { id: 'signin-status', 'aria-live': 'polite' })
  const email = field('email', 'signin.emailLabel', { type: 'email', autocomplete: 'username', required: true, spellcheck: 'false' })
  const password = field('password', 'signin.passwordLabel', { type: 'password', autocomplete: 'current-password', required: true })
  const code = field('code', 'signin.codeLabel', { type: 'text', inputmode: 'numeric', autocomplete: 'one-time-code', spellcheck: 'false' }, 'signin.codeHelp')
  const codeBox = h('div', { hidden: true }, ...code.nodes)
  const form = h(
    'form',
    { class: 'card signin', novalidate: true },
    h('h1', {}, t('signin.title')),
    h('p', { class: 'lead' }, t('signin.lead')),
    ...email.nodes,
    ...password.nodes,
    codeBox,
    h('button', { type: 'submit', class: 'primary' }, t('signin.submit')),
    h('p', {}, h('a', { href: 'reset.html' }, t('signin.forgot'))),
    status,
  )
  const reason = params.get('signin')
  if (reason && has(`signin.sso.${reason}`)) clear(status, message('error', t(`signin.sso.${reason}`)))

  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    if (!email.input.value.trim() || !password.input.value) {
      clear(status, message('error', t('signin.emptyFields')))
      ;(email.input.value.trim() ? password.input : email.input).focus()
      return
    }
    clear(status, message('info', t('signin.working')))
    const body = {
      email: email.input.value.trim(),
      password: password.input.value,
      ...(codeBox.hidden || !code.input.value.trim() ? {} : { code: code.input.value.trim() }),
    }
    try {
      const me = await api('/session', { method: 'POST', body, redirectOn401: false })
      location.assign(destination(me))
    } catch (error) {
      if (error instanceof ApiError && error.problem?.code === 'second_factor_required') {
        codeBox.hidden = false
        clear(status, message('info', t('signin.needCode')))
        code.input.focus()
        return
      }
      const text = error instanceof ApiError && error.status === 401 ? [t('signin.badPassword')] : problemText(error)
      clear(status, message('error', text))
      ;(codeBox.hidden ? password.input : code.input).focus()
    }
  })

  // The organisation's sign-on, and API tokens (scripts, the first admin) as a quieter way in.
  const token = field('token', 'signin.tokenLabel', { type: 'password', autocomplete: 'off', spellcheck: 'false' }, 'signin.tokenHelp')
  const tokenStatus = h('div', { 'aria-live': 'polite' })
  const tokenForm = h('form', { novalidate: true }, ...token.nodes, h('button', { type: 'submit' }, t('signin.submit')), tokenStatus)
  tokenForm.addEventListener('submit', async (event) => {
    event.preventDefault()
    const value = token.input.value.trim()
    if (!value) {
      clear(tokenStatus, message('error', t('signin.empty')))
      token.input.focus()
      return
    }
    try {
      const me = await api('/session', { method: 'POST', body: { token: value }, redirectOn401: false })
      location.assign(destination(me))
    } catch (error) {
      clear(tokenStatus, message('error', error instanceof ApiError && error.status === 401 ? [t('signin.invalid')] : problemText(error)))
      token.input.focus()
    }
  })
  clear(
    main,
    form,
    sso ? h('p', { class: 'card' }, h('a', { class: 'button', href: '/auth/oidc/login' }, t('signin.sso'))) : null,
    h('details', { class: 'card' }, h('summary', {}, t('signin.tokenToggle')), tokenForm),
  )
  email.input.focus()
}
