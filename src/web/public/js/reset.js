// Password reset: without a secret in the fragment, ask for the link by e-mail; with one, choose
// the new password (every session of the person ends).
import { api, ApiError } from './api.js'
import { languageSwitcher, t } from './i18n.js'
import { clear, h, message, problemText } from './ui.js'

const main = document.getElementById('main')
const secret = location.hash.slice(1)
document.title = t('app.pageTitle', { page: t('reset.title') })
document.querySelector('#site-header .header-inner')?.append(languageSwitcher(h))

const signIn = () => h('p', {}, h('a', { href: 'index.html' }, t('reset.signIn')))

if (!secret) {
  const status = h('div', { 'aria-live': 'polite' })
  const email = h('input', { id: 'email', type: 'email', autocomplete: 'username', required: true, spellcheck: 'false' })
  const form = h(
    'form',
    { class: 'card signin', novalidate: true },
    h('h1', {}, t('reset.title')),
    h('p', { class: 'lead' }, t('reset.lead')),
    h('label', { for: 'email' }, t('reset.email')),
    email,
    h('button', { type: 'submit', class: 'primary' }, t('reset.send')),
    status,
    signIn(),
  )
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    if (!email.value.trim()) return email.focus()
    try {
      await api('/password-reset', { method: 'POST', body: { email: email.value.trim() }, redirectOn401: false })
      clear(status, message('info', t('reset.sent')))
    } catch (error) {
      clear(status, message('error', problemText(error)))
    }
  })
  clear(main, form)
  email.focus()
} else {
  const status = h('div', { 'aria-live': 'polite' })
  const password = h('input', { id: 'password', type: 'password', autocomplete: 'new-password', required: true, 'aria-describedby': 'password-help' })
  const repeat = h('input', { id: 'repeat', type: 'password', autocomplete: 'new-password', required: true })
  const form = h(
    'form',
    { class: 'card signin', novalidate: true },
    h('h1', {}, t('reset.title')),
    h('p', { class: 'lead' }, t('reset.newLead')),
    h('label', { for: 'password' }, t('invitation.password')),
    password,
    h('p', { id: 'password-help', class: 'help' }, t('invitation.passwordHelp')),
    h('label', { for: 'repeat' }, t('invitation.confirm')),
    repeat,
    h('button', { type: 'submit', class: 'primary' }, t('reset.submit')),
    status,
  )
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    if (password.value !== repeat.value) {
      clear(status, message('error', t('invitation.mismatch')))
      return repeat.focus()
    }
    try {
      await api(`/password-reset/${encodeURIComponent(secret)}`, { method: 'POST', body: { password: password.value }, redirectOn401: false })
      history.replaceState(null, '', location.pathname)
      clear(main, h('div', { class: 'card' }, h('h1', {}, t('reset.title')), message('info', t('reset.done')), signIn()))
    } catch (error) {
      clear(status, message('error', error instanceof ApiError && error.status === 404 ? [t('reset.gone')] : problemText(error)))
      password.focus()
    }
  })
  clear(main, form)
  password.focus()
}
