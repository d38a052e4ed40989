// API tokens (admin): every token with its owner, rights, expiry and last use; revoked at once.
// Tokens are made by their owners on their account page (or with `npm run token`).
import { api } from './api.js'
import { fmtDateTime, label, t } from './i18n.js'
import { clear, frame, h, message, problemText, requireSignIn } from './ui.js'

const me = await requireSignIn()
if (!me.memberships.some((m) => m.role === 'admin')) location.replace('account.html')
frame(me, { title: t('account.tokens.pageTitle') })
const main = document.getElementById('main')
const status = h('div', { 'aria-live': 'polite' })
const tbody = h('tbody')

function state(tk) {
  if (tk.revokedAt) return 'revoked'
  if (tk.expiresAt && Date.parse(tk.expiresAt) <= Date.now()) return 'expired'
  return 'active'
}

async function refresh() {
  try {
    const items = (await api('/tokens')).reverse()
    clear(
      tbody,
      items.map((tk) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, h('bdi', {}, tk.label)),
          h('td', {}, tk.person ? h('bdi', {}, tk.person.name) : '—'),
          h('td', {}, h('code', { dir: 'ltr' }, `${tk.prefix}…`)),
          h('td', {}, label('role', tk.role), tk.country ? ` · ${tk.country}` : ''),
          h('td', {}, fmtDateTime(tk.createdAt)),
          h('td', {}, tk.expiresAt ? fmtDateTime(tk.expiresAt) : t('account.tokens.noExpiry')),
          h('td', {}, tk.lastUsedAt ? fmtDateTime(tk.lastUsedAt) : t('people.never')),
          h('td', {}, t(`account.tokens.state.${state(tk)}`)),
          h(
            'td',
            {},
            state(tk) === 'active'
              ? h(
                  'button',
                  {
                    type: 'button',
                    class: 'link-button',
                    onclick: async () => {
                      if (!confirm(t('account.tokens.confirmRevoke', { label: tk.label }))) return
                      try {
                        await api(`/tokens/${tk.id}`, { method: 'DELETE' })
                        await refresh()
                      } catch (error) {
                        clear(status, message('error', problemText(error)))
                      }
                    },
                  },
                  t('account.tokens.revoke'),
                )
              : null,
          ),
        ),
      ),
    )
  } catch (error) {
    clear(status, message('error', problemText(error)))
  }
}

clear(
  main,
  h('h1', {}, t('account.tokens.adminHeading')),
  h('p', { class: 'lead' }, t('account.tokens.adminLead')),
  status,
  h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'data', id: 'all-tokens' },
      h('caption', {}, t('account.tokens.adminCaption')),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['label', 'owner', 'prefix', 'rights', 'created', 'expires', 'lastUsed', 'state', 'actions'].map((c) =>
            h('th', { scope: 'col' }, t(`account.tokens.col.${c}`)),
          ),
        ),
      ),
      tbody,
    ),
  ),
)
await refresh()
