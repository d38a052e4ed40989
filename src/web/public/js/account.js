// My account: the interface language (also of mails), the password, the second factor, my sessions
// and my API tokens. Secrets (an authenticator key, recovery codes, a new token) are shown once,
// right after the server made them, and never fetched again.
import { api } from './api.js'
import { fmtDateTime, label, languages, PREFERENCE_COOKIE, t } from './i18n.js'
import { clear, frame, h, message, problemText, requireSignIn } from './ui.js'

const me = await requireSignIn()
frame(me, { title: t('account.pageTitle') })
const main = document.getElementById('main')
const isAdmin = me.memberships.some((m) => m.role === 'admin')

/** A labelled input; its id is also its name. */
function field(id, labelText, attrs = {}, help) {
  const input = h('input', { id, name: id, ...attrs, ...(help ? { 'aria-describedby': `${id}-help` } : {}) })
  return { input, nodes: [h('label', { for: id }, labelText), input, help ? h('p', { id: `${id}-help`, class: 'help' }, help) : null] }
}

function section(id, title, ...children) {
  return h('section', { class: 'card', 'aria-labelledby': `${id}-heading` }, h('h2', { id: `${id}-heading` }, title), ...children)
}

/** Runs an action, showing its outcome (or its problem) in `status`. */
async function attempt(status, fn) {
  clear(status)
  try {
    await fn()
  } catch (error) {
    clear(status, message('error', problemText(error)))
  }
}

// ---- language --------------------------------------------------------------------------------
function languageSection() {
  const select = h(
    'select',
    { id: 'account-language' },
    languages.map((l) => h('option', { value: l.code, lang: l.code, selected: l.code === me.language }, l.name)),
  )
  const status = h('div', { 'aria-live': 'polite' })
  const form = h(
    'form',
    { novalidate: true },
    h('label', { for: 'account-language' }, t('account.language.label')),
    select,
    h('p', { class: 'help' }, t('account.language.help')),
    h('button', { type: 'submit' }, t('account.language.save')),
    status,
  )
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    attempt(status, async () => {
      await api('/me/language', { method: 'PUT', body: { language: select.value } })
      // biome-ignore lint/suspicious/noDocumentCookie: the same preference cookie the switcher sets (i18n.js).
      document.cookie = `${PREFERENCE_COOKIE}=${select.value}; Path=/; Max-Age=31536000; SameSite=Lax`
      location.assign(location.pathname)
    })
  })
  return section('language', t('account.language.heading'), form)
}

// ---- password --------------------------------------------------------------------------------
function passwordSection() {
  const current = field('current-password', t('account.password.current'), { type: 'password', autocomplete: 'current-password', required: true })
  const next = field(
    'new-password',
    t('account.password.new'),
    { type: 'password', autocomplete: 'new-password', required: true },
    t('invitation.passwordHelp'),
  )
  const repeat = field('repeat-password', t('invitation.confirm'), { type: 'password', autocomplete: 'new-password', required: true })
  const status = h('div', { 'aria-live': 'polite' })
  const form = h(
    'form',
    { novalidate: true },
    // A hidden user name lets password managers file the new password under the right account.
    h('input', { type: 'email', autocomplete: 'username', value: me.email ?? '', hidden: true, readonly: true, 'aria-hidden': 'true', tabindex: -1 }),
    ...current.nodes,
    ...next.nodes,
    ...repeat.nodes,
    h('button', { type: 'submit' }, t('account.password.submit')),
    status,
  )
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    if (next.input.value !== repeat.input.value) {
      clear(status, message('error', t('invitation.mismatch')))
      return
    }
    attempt(status, async () => {
      await api('/me/password', { method: 'PUT', body: { currentPassword: current.input.value, newPassword: next.input.value } })
      form.reset()
      clear(status, message('success', t('account.password.changed')))
      await refreshSessions()
    })
  })
  return section('password', t('account.password.heading'), h('p', {}, t('account.password.lead')), form)
}

// ---- second factor ---------------------------------------------------------------------------
const factorBody = h('div')
function recoveryList(codes) {
  return [
    h('h3', {}, t('invitation.recoveryHeading')),
    h('p', {}, t('invitation.recoveryLead')),
    h(
      'ul',
      { class: 'plain recovery-codes', dir: 'ltr' },
      codes.map((c) => h('li', {}, h('code', {}, c))),
    ),
  ]
}

/** A form asking for a current code before `action(code)`. */
function codeForm(id, buttonText, action) {
  const code = field(
    id,
    t('signin.codeLabel'),
    { type: 'text', inputmode: 'numeric', autocomplete: 'one-time-code', spellcheck: 'false', required: true },
    t('signin.codeHelp'),
  )
  const status = h('div', { 'aria-live': 'polite' })
  const form = h('form', { novalidate: true }, ...code.nodes, h('button', { type: 'submit' }, buttonText), status)
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    attempt(status, () => action(code.input.value.trim(), status))
  })
  return form
}

function drawFactor(enabled, shown = []) {
  if (!enabled) {
    const start = h('button', { type: 'button', id: 'factor-start' }, t('account.factor.start'))
    const status = h('div', { 'aria-live': 'polite' })
    start.addEventListener('click', () =>
      attempt(status, async () => {
        const { secret, uri } = await api('/me/second-factor', { method: 'POST' })
        clear(
          factorBody,
          h('p', {}, t('account.factor.setupLead')),
          h('p', {}, t('invitation.factorKey'), ' ', h('code', { dir: 'ltr', class: 'secret', id: 'factor-secret' }, secret.replace(/(.{4})/g, '$1 ').trim())),
          h('p', {}, h('a', { href: uri }, t('invitation.factorLink'))),
          codeForm('factor-confirm', t('account.factor.confirm'), async (code) => {
            const { recoveryCodes } = await api('/me/second-factor/confirm', { method: 'POST', body: { code } })
            drawFactor(true, [message('success', t('account.factor.enabled')), ...recoveryList(recoveryCodes)])
          }),
        )
        factorBody.querySelector('input')?.focus()
      }),
    )
    clear(factorBody, h('p', {}, t('account.factor.off')), start, status)
    return
  }
  clear(
    factorBody,
    ...shown,
    h('p', {}, h('span', { class: 'badge status-validated' }, t('account.factor.onBadge')), ' ', t('account.factor.on')),
    h(
      'details',
      {},
      h('summary', {}, t('account.factor.renew')),
      codeForm('renew-code', t('account.factor.renewSubmit'), async (code) => {
        const { recoveryCodes } = await api('/me/second-factor/recovery-codes', { method: 'POST', body: { code } })
        drawFactor(true, recoveryList(recoveryCodes))
      }),
    ),
    isAdmin
      ? h('p', { class: 'help' }, t('account.factor.adminKeeps'))
      : h(
          'details',
          {},
          h('summary', {}, t('account.factor.remove')),
          codeForm('remove-code', t('account.factor.removeSubmit'), async (code) => {
            await api('/me/second-factor', { method: 'DELETE', body: { code } })
            drawFactor(false)
          }),
        ),
  )
}

// ---- sessions --------------------------------------------------------------------------------
const sessionRows = h('tbody')
const sessionStatus = h('div', { 'aria-live': 'polite' })
async function refreshSessions() {
  const { items } = await api(`/persons/${me.personId}/sessions`)
  clear(
    sessionRows,
    items.map((s) =>
      h(
        'tr',
        {},
        h('td', {}, fmtDateTime(s.createdAt)),
        h('td', {}, fmtDateTime(s.lastSeenAt)),
        h('td', {}, h('bdi', { dir: 'ltr' }, s.userAgent ?? '—'), s.address ? [' · ', h('bdi', { dir: 'ltr' }, s.address)] : null),
        h(
          'td',
          {},
          s.current
            ? h('span', { class: 'badge' }, t('account.sessions.current'))
            : h(
                'button',
                {
                  type: 'button',
                  class: 'link-button',
                  onclick: () =>
                    attempt(sessionStatus, async () => {
                      await api(`/persons/${me.personId}/sessions/${s.id}`, { method: 'DELETE' })
                      await refreshSessions()
                      clear(sessionStatus, message('success', t('account.sessions.ended')))
                    }),
                },
                t('account.sessions.end'),
              ),
        ),
      ),
    ),
  )
}

function sessionsSection() {
  const endOthers = h(
    'button',
    {
      type: 'button',
      onclick: () =>
        attempt(sessionStatus, async () => {
          const { ended } = await api(`/persons/${me.personId}/sessions?keepCurrent=true`, { method: 'DELETE' })
          await refreshSessions()
          clear(sessionStatus, message('success', t('account.sessions.endedOthers', { count: ended })))
        }),
    },
    t('account.sessions.endOthers'),
  )
  return section(
    'sessions',
    t('account.sessions.heading'),
    h('p', {}, t('account.sessions.lead')),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'data', id: 'sessions' },
        h('caption', {}, t('account.sessions.caption')),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['created', 'lastSeen', 'client', 'actions'].map((c) => h('th', { scope: 'col' }, t(`account.sessions.col.${c}`))),
          ),
        ),
        sessionRows,
      ),
    ),
    endOthers,
    sessionStatus,
  )
}

// ---- tokens ----------------------------------------------------------------------------------
const tokenRows = h('tbody')
const tokenStatus = h('div', { 'aria-live': 'polite' })

function tokenState(token, now = Date.now()) {
  if (token.revokedAt) return 'revoked'
  if (token.expiresAt && Date.parse(token.expiresAt) <= now) return 'expired'
  return 'active'
}

async function refreshTokens() {
  const { items } = await api('/me/tokens')
  clear(
    tokenRows,
    items.map((tk) =>
      h(
        'tr',
        {},
        h('th', { scope: 'row' }, h('bdi', {}, tk.label)),
        h('td', {}, h('code', { dir: 'ltr' }, `${tk.prefix}…`)),
        h('td', {}, label('role', tk.role), tk.country ? ` · ${tk.country}` : ''),
        h('td', {}, fmtDateTime(tk.expiresAt)),
        h('td', {}, tk.lastUsedAt ? fmtDateTime(tk.lastUsedAt) : t('people.never')),
        h('td', {}, t(`account.tokens.state.${tokenState(tk)}`)),
        h(
          'td',
          {},
          tokenState(tk) === 'active'
            ? h(
                'button',
                {
                  type: 'button',
                  class: 'link-button',
                  onclick: () =>
                    attempt(tokenStatus, async () => {
                      if (!confirm(t('account.tokens.confirmRevoke', { label: tk.label }))) return
                      await api(`/me/tokens/${tk.id}`, { method: 'DELETE' })
                      await refreshTokens()
                    }),
                },
                t('account.tokens.revoke'),
              )
            : null,
        ),
      ),
    ),
  )
}

function tokensSection() {
  const inNinetyDays = new Date(Date.now() + 90 * 86_400_000).toISOString().slice(0, 10)
  const lastDay = new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 10)
  const tokenLabel = field('token-label', t('account.tokens.label'), { required: true, maxlength: 200, autocomplete: 'off' }, t('account.tokens.labelHelp'))
  const expires = field('token-expires', t('account.tokens.expires'), { type: 'date', required: true, value: inNinetyDays, max: lastDay, dir: 'ltr' })
  const formStatus = h('div', { 'aria-live': 'polite' })
  const form = h(
    'form',
    { novalidate: true },
    h('h3', {}, t('account.tokens.create')),
    ...tokenLabel.nodes,
    ...expires.nodes,
    h('button', { type: 'submit' }, t('account.tokens.submit')),
    formStatus,
  )
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    attempt(formStatus, async () => {
      const made = await api('/me/tokens', { method: 'POST', body: { label: tokenLabel.input.value.trim(), expiresAt: expires.input.value } })
      clear(formStatus, message('info', [t('account.tokens.shownOnce'), ' ', h('code', { dir: 'ltr', class: 'secret', id: 'new-token' }, made.token)]))
      tokenLabel.input.value = ''
      await refreshTokens()
    })
  })
  return section(
    'tokens',
    t('account.tokens.heading'),
    h('p', {}, t('account.tokens.lead')),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'data', id: 'tokens' },
        h('caption', {}, t('account.tokens.caption')),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['label', 'prefix', 'rights', 'expires', 'lastUsed', 'state', 'actions'].map((c) => h('th', { scope: 'col' }, t(`account.tokens.col.${c}`))),
          ),
        ),
        tokenRows,
      ),
    ),
    tokenStatus,
    form,
  )
}

clear(
  main,
  h('h1', {}, t('account.heading')),
  h('p', { class: 'lead' }, me.email ? t('account.leadEmail', { name: me.name, email: me.email }) : t('account.lead', { name: me.name })),
  languageSection(),
  passwordSection(),
  section('factor', t('account.factor.heading'), factorBody),
  sessionsSection(),
  tokensSection(),
)
drawFactor(me.secondFactor)
await Promise.all([refreshSessions(), refreshTokens()]).catch((error) => clear(sessionStatus, message('error', problemText(error))))
