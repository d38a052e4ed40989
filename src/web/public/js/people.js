// People: for an admin, everybody (invite with any membership, disable, re-send invitations); for a
// focal point, the persons of its country (invite contributors, optionally for some domains).
import { api } from './api.js'
import { fmtDateTime, label, lang, t } from './i18n.js'
import { clear, countryName, frame, h, loadCountryNames, message, problemText, requireSignIn } from './ui.js'

const me = await requireSignIn()
const isAdmin = me.memberships.some((m) => m.role === 'admin')
const focalOf = me.memberships.find((m) => m.role === 'focal_point')?.country ?? null
if (!isAdmin && !focalOf) location.replace(me.role === 'administration' ? 'assessments.html' : 'dashboard.html')
frame(me, { title: t('people.pageTitle') })
await loadCountryNames().catch(() => undefined)
const main = document.getElementById('main')
const status = h('div', { 'aria-live': 'polite' })

/** The domains of the latest version of each questionnaire, for a contributor's scope. */
async function questionnaireDomains() {
  const list = await api('/questionnaires')
  const out = []
  for (const q of list.items) {
    const latest = q.versions[q.versions.length - 1]
    const v = await api(`/questionnaires/${q.id}/versions/${latest.version}?lang=${lang}`)
    out.push({ id: q.id, title: v.title, domains: v.domains.map((d) => ({ id: d.id, title: d.title })) })
  }
  return out
}

function membershipText(m) {
  const role = label('membership', m.role)
  if (!m.country) return role
  const country = countryName(m.country)
  return m.domains ? t('membership.domains', { role, country, domains: m.domains.join(', ') }) : t('membership.of', { role, country })
}

async function load() {
  const { items } = await api(`/persons${focalOf && !isAdmin ? `?country=${focalOf}` : ''}`)
  return items
}

function row(p, refresh) {
  const actions = []
  if (p.id !== me.personId) {
    if (p.status === 'invited') {
      actions.push(
        h(
          'button',
          {
            type: 'button',
            class: 'link-button',
            onclick: async () => {
              try {
                const sent = await api(`/persons/${p.id}/invitations`, { method: 'POST' })
                clear(
                  status,
                  message(
                    'info',
                    sent.link
                      ? [t('people.invite.link', { name: p.name }), ' ', h('code', { dir: 'ltr' }, sent.link)]
                      : t('people.invite.sent', { email: p.email }),
                  ),
                )
              } catch (error) {
                clear(status, message('error', problemText(error)))
              }
            },
          },
          t('people.resend'),
        ),
      )
    }
    const next = p.status === 'disabled' ? 'active' : 'disabled'
    if (!(p.status === 'invited' && next === 'active')) {
      actions.push(
        h(
          'button',
          {
            type: 'button',
            class: 'link-button',
            onclick: async () => {
              if (next === 'disabled' && !confirm(t('people.confirmDisable', { name: p.name }))) return
              try {
                await api(`/persons/${p.id}`, { method: 'PATCH', body: { status: next } })
                await refresh()
              } catch (error) {
                clear(status, message('error', problemText(error)))
              }
            },
          },
          t(next === 'disabled' ? 'people.disable' : 'people.enable'),
        ),
      )
    }
  }
  return h(
    'tr',
    {},
    h('th', { scope: 'row' }, h('bdi', {}, p.name)),
    h('td', { dir: 'ltr' }, p.email ?? '—'),
    h(
      'td',
      {},
      h(
        'ul',
        { class: 'plain' },
        p.memberships.map((m) => h('li', {}, membershipText(m))),
      ),
    ),
    h('td', {}, label('people.status', p.status)),
    h('td', {}, p.lastSignInAt ? fmtDateTime(p.lastSignInAt) : t('people.never')),
    h('td', {}, actions),
  )
}

function inviteForm(questionnaires, refresh) {
  const name = h('input', { id: 'invite-name', required: true, autocomplete: 'off' })
  const email = h('input', { id: 'invite-email', type: 'email', required: true, spellcheck: 'false' })
  const language = h(
    'select',
    { id: 'invite-language' },
    ['ar', 'en', 'es', 'fr', 'ru', 'zh'].map((l) =>
      h('option', { value: l, selected: l === lang, lang: l }, new Intl.DisplayNames([l], { type: 'language' }).of(l)),
    ),
  )
  const roles = isAdmin ? ['focal_point', 'contributor', 'reviewer', 'analyst', 'admin'] : ['contributor']
  const role = h(
    'select',
    { id: 'invite-role' },
    roles.map((r) => h('option', { value: r }, label('membership', r))),
  )
  const country = h('input', { id: 'invite-country', value: focalOf ?? '', maxlength: 3, size: 4, dir: 'ltr', readonly: !isAdmin })
  const boxes = questionnaires.flatMap((q) =>
    q.domains.map((d) => ({ q: q.id, d: d.id, box: h('input', { type: 'checkbox', id: `d-${q.id}-${d.id}`, value: d.id }), title: d.title })),
  )
  const domainSet = h(
    'fieldset',
    {},
    h('legend', {}, t('people.invite.domains')),
    questionnaires.map((q) =>
      h(
        'div',
        {},
        h('p', {}, h('strong', {}, q.title)),
        boxes.filter((b) => b.q === q.id).map((b) => h('div', { class: 'check' }, b.box, ' ', h('label', { for: b.box.id }, b.title))),
      ),
    ),
  )
  const national = () => role.value === 'focal_point' || role.value === 'contributor'
  const sync = () => {
    country.parentElement.hidden = !national()
    domainSet.hidden = role.value !== 'contributor'
  }
  role.addEventListener('change', sync)
  const formStatus = h('div', { 'aria-live': 'polite' })
  const form = h(
    'form',
    { class: 'card', novalidate: true },
    h('h2', {}, t('people.invite.heading')),
    h('label', { for: 'invite-name' }, t('people.invite.name')),
    name,
    h('label', { for: 'invite-email' }, t('people.invite.email')),
    email,
    h('label', { for: 'invite-language' }, t('people.invite.language')),
    language,
    h('label', { for: 'invite-role' }, t('people.invite.role')),
    role,
    h('div', {}, h('label', { for: 'invite-country' }, t('people.invite.country')), country),
    domainSet,
    h('button', { type: 'submit', class: 'primary' }, t('people.invite.submit')),
    formStatus,
  )
  sync()
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    const ticked = boxes.filter((b) => b.box.checked)
    const scoped = role.value === 'contributor' && ticked.length > 0
    const membership = {
      role: role.value,
      ...(national() ? { country: country.value.trim().toUpperCase() } : {}),
      ...(scoped ? { questionnaire: ticked[0].q, domains: ticked.filter((b) => b.q === ticked[0].q).map((b) => b.d) } : {}),
    }
    try {
      const res = await api('/persons', {
        method: 'POST',
        body: { name: name.value.trim(), email: email.value.trim(), language: language.value, memberships: [membership] },
      })
      clear(
        formStatus,
        message(
          'info',
          res.invitation.link
            ? [t('people.invite.link', { name: res.person.name }), ' ', h('code', { dir: 'ltr' }, res.invitation.link)]
            : t('people.invite.sent', { email: res.person.email }),
        ),
      )
      form.reset()
      sync()
      await refresh()
    } catch (error) {
      clear(formStatus, message('error', problemText(error)))
    }
  })
  return form
}

const tbody = h('tbody')
async function refresh() {
  try {
    const people = await load()
    clear(tbody, ...people.map((p) => row(p, refresh)))
  } catch (error) {
    clear(status, message('error', problemText(error)))
  }
}
const table = h(
  'table',
  { class: 'data' },
  h('caption', {}, t('people.caption')),
  h(
    'thead',
    {},
    h(
      'tr',
      {},
      ['name', 'email', 'memberships', 'status', 'lastSignIn', 'actions'].map((c) => h('th', { scope: 'col' }, t(`people.col.${c}`))),
    ),
  ),
  tbody,
)
const questionnaires = await questionnaireDomains().catch(() => [])
clear(
  main,
  h('h1', {}, t('people.heading')),
  h('p', { class: 'lead' }, isAdmin ? t('people.lead') : t('people.leadFocal', { country: countryName(focalOf) })),
  status,
  h('div', { class: 'table-wrap' }, table),
  inviteForm(questionnaires, refresh),
)
await refresh()
