// Accepting an invitation: the link's secret is in the fragment (never sent to any server's logs);
// the person chooses a password (and, for an admin, sets up the second factor), is signed in and
// shown their recovery codes once.
import { api, ApiError } from './api.js'
import { languageSwitcher, t } from './i18n.js'
import { clear, h, message, problemText } from './ui.js'
import { destination } from './signin-destination.js'

const main = document.getElementById('main')
const secret = location.hash.slice(1)
document.title = t('app.pageTitle', { page: t('invitation.title') })
document.querySelector('#site-header .header-inner')?.append(languageSwitcher(h))

function gone(error) {
  const code = error instanceof ApiError ? error.problem?.code : undefined
  const key =
    { invitation_expired: 'invitation.gone.expired', invitation_used: 'invitation.gone.used', invitation_revoked: 'invitation.gone.revoked' }[code] ??
    'invitation.gone.unknown'
  clear(
    main,
    h('div', { class: 'card' }, h('h1', {}, t('invitation.title')), message('error', t(key)), h('p', {}, h('a', { href: 'index.html' }, t('reset.signIn')))),
  )
}

let invitation
try {
  invitation = await api(`/invitations/${encodeURIComponent(secret)}`, { redirectOn401: false })
} catch (error) {
  gone(error)
}
if (invitation) render(invitation)

function render(inv) {
  const status = h('div', { 'aria-live': 'polite' })
  const password = h('input', { id: 'password', type: 'password', autocomplete: 'new-password', required: true, 'aria-describedby': 'password-help' })
  const repeat = h('input', { id: 'repeat', type: 'password', autocomplete: 'new-password', required: true })
  const code = h('input', { id: 'code', type: 'text', inputmode: 'numeric', autocomplete: 'one-time-code', spellcheck: 'false' })
  const factor = inv.secondFactor
    ? h(
        'fieldset',
        {},
        h('legend', {}, t('invitation.factorHeading')),
        h('p', {}, t('invitation.factorLead')),
        h('p', {}, t('invitation.factorKey'), ' ', h('code', { dir: 'ltr', class: 'secret' }, inv.secondFactor.secret.replace(/(.{4})/g, '$1 ').trim())),
        h('p', {}, h('a', { href: inv.secondFactor.uri }, t('invitation.factorLink'))),
        h('label', { for: 'code' }, t('signin.codeLabel')),
        code,
      )
    : null
  const form = h(
    'form',
    { class: 'card signin', novalidate: true },
    h('h1', {}, t('invitation.title')),
    h('p', { class: 'lead' }, t('invitation.lead', { name: inv.name, email: inv.email ?? '' })),
    h('label', { for: 'password' }, t('invitation.password')),
    password,
    h('p', { id: 'password-help', class: 'help' }, t('invitation.passwordHelp')),
    h('label', { for: 'repeat' }, t('invitation.confirm')),
    repeat,
    factor,
    h('button', { type: 'submit', class: 'primary' }, t('invitation.submit')),
    status,
  )
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    if (password.value !== repeat.value) {
      clear(status, message('error', t('invitation.mismatch')))
      repeat.focus()
      return
    }
    clear(status, message('info', t('invitation.working')))
    try {
      const me = await api(`/invitations/${encodeURIComponent(secret)}/accept`, {
        method: 'POST',
        body: { password: password.value, ...(factor ? { code: code.value.trim() } : {}) },
        redirectOn401: false,
      })
      // The secret has done its work: out of the address bar and history.
      history.replaceState(null, '', location.pathname)
      if (me.recoveryCodes) showRecoveryCodes(me)
      else location.assign(destination(me))
    } catch (error) {
      if (error instanceof ApiError && error.status === 410) return gone(error)
      clear(status, message('error', problemText(error)))
      ;(error instanceof ApiError && error.problem?.errors?.[0]?.path === '/body/code' ? code : password).focus()
    }
  })
  clear(main, form)
  password.focus()
}

function showRecoveryCodes(me) {
  const next = h('a', { class: 'button primary', href: destination(me) }, t('invitation.continue'))
  clear(
    main,
    h(
      'div',
      { class: 'card' },
      h('h1', { tabindex: '-1' }, t('invitation.recoveryHeading')),
      h('p', {}, t('invitation.recoveryLead')),
      h(
        'ul',
        { class: 'recovery-codes', dir: 'ltr' },
        me.recoveryCodes.map((c) => h('li', {}, h('code', {}, c))),
      ),
      next,
    ),
  )
  main.querySelector('h1').focus()
}
