// Invitations: for an admin all of them, for a focal point those of its country's contributors;
// by state (pending, expired, accepted, withdrawn), re-sent (a new link, the old one stops working)
// or withdrawn.
import { api } from './api.js'
import { fmtDateTime, t } from './i18n.js'
import { clear, frame, h, message, problemText, requireSignIn } from './ui.js'

const me = await requireSignIn()
const manager = me.memberships.some((m) => m.role === 'admin' || m.role === 'focal_point')
if (!manager) location.replace(me.role === 'administration' ? 'assessments.html' : 'dashboard.html')
frame(me, { title: t('account.invitations.pageTitle') })
const main = document.getElementById('main')
const status = h('div', { 'aria-live': 'polite' })
const STATES = ['pending', 'expired', 'accepted', 'revoked']

const state = h(
  'select',
  { id: 'invitation-state' },
  h('option', { value: '' }, t('account.invitations.all')),
  STATES.map((s) => h('option', { value: s, selected: s === 'pending' }, t(`account.invitations.state.${s}`))),
)
const tbody = h('tbody')

function actions(i) {
  const out = []
  const open = i.state === 'pending' || i.state === 'expired'
  if (open || (i.state === 'revoked' && i.person.status === 'invited')) {
    out.push(
      h(
        'button',
        {
          type: 'button',
          class: 'link-button',
          onclick: async () => {
            try {
              const sent = await api(`/persons/${i.person.id}/invitations`, { method: 'POST' })
              clear(
                status,
                message(
                  'info',
                  sent.link
                    ? [t('people.invite.link', { name: i.person.name }), ' ', h('code', { dir: 'ltr' }, sent.link)]
                    : t('people.invite.sent', { email: i.person.email }),
                ),
              )
              await refresh()
            } catch (error) {
              clear(status, message('error', problemText(error)))
            }
          },
        },
        t('people.resend'),
      ),
    )
  }
  if (open) {
    out.push(
      ' ',
      h(
        'button',
        {
          type: 'button',
          class: 'link-button',
          onclick: async () => {
            if (!confirm(t('account.invitations.confirmRevoke', { name: i.person.name }))) return
            try {
              await api(`/persons/${i.person.id}/invitations`, { method: 'DELETE' })
              await refresh()
              clear(status, message('success', t('account.invitations.revoked', { name: i.person.name })))
            } catch (error) {
              clear(status, message('error', problemText(error)))
            }
          },
        },
        t('account.invitations.revoke'),
      ),
    )
  }
  return out
}

async function refresh() {
  try {
    const { items } = await api(`/invitations${state.value ? `?state=${state.value}` : ''}`)
    clear(
      tbody,
      items.length
        ? items.map((i) =>
            h(
              'tr',
              {},
              h('th', { scope: 'row' }, h('bdi', {}, i.person.name)),
              h('td', { dir: 'ltr' }, i.person.email ?? '—'),
              h('td', {}, t(`account.invitations.state.${i.state}`)),
              h('td', {}, i.createdBy ? h('bdi', {}, i.createdBy.name) : '—'),
              h('td', {}, fmtDateTime(i.createdAt)),
              h('td', {}, i.acceptedAt ? fmtDateTime(i.acceptedAt) : fmtDateTime(i.expiresAt)),
              h('td', {}, actions(i)),
            ),
          )
        : h('tr', {}, h('td', { colspan: 7 }, t('account.invitations.none'))),
    )
  } catch (error) {
    clear(status, message('error', problemText(error)))
  }
}
state.addEventListener('change', refresh)

clear(
  main,
  h('h1', {}, t('account.invitations.heading')),
  h('p', { class: 'lead' }, t('account.invitations.lead')),
  h('div', { class: 'filters card' }, h('div', { class: 'field' }, h('label', { for: 'invitation-state' }, t('account.invitations.filter')), state)),
  status,
  h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'data', id: 'invitations' },
      h('caption', {}, t('account.invitations.caption')),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['name', 'email', 'state', 'by', 'sent', 'until', 'actions'].map((c) => h('th', { scope: 'col' }, t(`account.invitations.col.${c}`))),
        ),
      ),
      tbody,
    ),
  ),
)
await refresh()
