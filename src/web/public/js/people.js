// People: for an admin, everybody (invite with any membership, disable, re-send invitations); for a
// focal point, the persons of its country (invite contributors, optionally for some domains).
import { api } from './api.js'
import { fmtDateTime, label, lang, t, tParts } from './i18n.js'
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

// The search: name or e-mail for everybody; country, role and status for admins (a focal point sees
// its own contributors only).
const search = h('input', { id: 'people-search', type: 'search', autocomplete: 'off', spellcheck: 'false' })
const filterCountry = h('input', { id: 'people-country', maxlength: 3, size: 4, dir: 'ltr', autocomplete: 'off' })
const filterRole = h(
  'select',
  { id: 'people-role' },
  h('option', { value: '' }, t('account.people.anyRole')),
  ['focal_point', 'contributor', 'reviewer', 'analyst', 'admin'].map((r) => h('option', { value: r }, label('membership', r))),
)
const filterStatus = h(
  'select',
  { id: 'people-status' },
  h('option', { value: '' }, t('account.people.anyStatus')),
  ['invited', 'active', 'disabled'].map((st) => h('option', { value: st }, label('people.status', st))),
)
const filterField = (input, key) => h('div', { class: 'field' }, h('label', { for: input.id }, t(key)), input)
const filters = h(
  'form',
  { class: 'filters card', role: 'search', novalidate: true },
  filterField(search, 'account.people.search'),
  isAdmin ? [filterField(filterCountry, 'account.people.country'), filterField(filterRole, 'account.people.role')] : null,
  filterField(filterStatus, 'account.people.status'),
  h('button', { type: 'submit' }, t('account.people.find')),
)

async function load() {
  const q = new URLSearchParams()
  if (search.value.trim()) q.set('search', search.value.trim())
  if (isAdmin && filterCountry.value.trim()) q.set('country', filterCountry.value.trim().toUpperCase())
  if (isAdmin && filterRole.value) q.set('role', filterRole.value)
  if (filterStatus.value) q.set('status', filterStatus.value)
  const query = q.toString()
  const { items } = await api(`/persons${query ? `?${query}` : ''}`)
  return items
}

/** Checkboxes of the domains of each questionnaire; `value()` is the scope they say (null: every domain). */
function domainPicker(prefix, questionnaires, current) {
  const boxes = questionnaires.flatMap((q) =>
    q.domains.map((d) => ({
      q: q.id,
      d: d.id,
      title: d.title,
      box: h('input', {
        type: 'checkbox',
        id: `${prefix}-${q.id}-${d.id}`,
        value: d.id,
        checked: current?.questionnaire === q.id && current.domains?.includes(d.id),
      }),
    })),
  )
  const element = h(
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
  const value = () => {
    const ticked = boxes.filter((b) => b.box.checked)
    if (!ticked.length) return { questionnaire: null, domains: null }
    return { questionnaire: ticked[0].q, domains: ticked.filter((b) => b.q === ticked[0].q).map((b) => b.d) }
  }
  return { element, value }
}

// One person's memberships (withdraw, a contributor's domains, add one) and, for an admin, sessions.
const manage = h('section', { id: 'manage', 'aria-live': 'polite' })
async function openManage(p, refresh) {
  const panelStatus = h('div', { 'aria-live': 'polite' })
  const act = async (fn) => {
    clear(panelStatus)
    try {
      await fn()
    } catch (error) {
      clear(panelStatus, message('error', problemText(error)))
    }
  }
  const reopen = async (updated) => {
    await refresh()
    await openManage(updated, refresh)
  }
  const memberships = p.memberships.map((m) => {
    const remove = h(
      'button',
      {
        type: 'button',
        class: 'link-button',
        onclick: () =>
          act(async () => {
            if (!confirm(t('account.people.confirmWithdraw', { membership: membershipText(m), name: p.name }))) return
            await reopen(await api(`/persons/${p.id}/memberships/${m.id}`, { method: 'DELETE' }))
          }),
      },
      t('account.people.withdraw'),
    )
    let scope = null
    if (m.role === 'contributor') {
      const picker = domainPicker(`scope-${m.id}`, questionnaires, m)
      const save = h(
        'button',
        {
          type: 'button',
          onclick: () => act(async () => reopen(await api(`/persons/${p.id}/memberships/${m.id}`, { method: 'PATCH', body: picker.value() }))),
        },
        t('account.people.saveScope'),
      )
      scope = h('details', {}, h('summary', {}, t('account.people.changeScope')), picker.element, save)
    }
    return h('li', {}, membershipText(m), ' ', remove, scope)
  })
  let add = null
  if (isAdmin || focalOf) {
    const roles = isAdmin ? ['focal_point', 'contributor', 'reviewer', 'analyst', 'admin'] : ['contributor']
    const role = h(
      'select',
      { id: 'grant-role' },
      roles.map((r) => h('option', { value: r }, label('membership', r))),
    )
    const country = h('input', { id: 'grant-country', value: focalOf ?? '', maxlength: 3, size: 4, dir: 'ltr', readonly: !isAdmin })
    const countryField = h('div', {}, h('label', { for: 'grant-country' }, t('people.invite.country')), country)
    const picker = domainPicker('grant', questionnaires, null)
    const sync = () => {
      countryField.hidden = !(role.value === 'focal_point' || role.value === 'contributor')
      picker.element.hidden = role.value !== 'contributor'
    }
    role.addEventListener('change', sync)
    sync()
    add = h(
      'form',
      { novalidate: true },
      h('h3', {}, t('account.people.grant')),
      h('label', { for: 'grant-role' }, t('people.invite.role')),
      role,
      countryField,
      picker.element,
      h('button', { type: 'submit' }, t('account.people.grantSubmit')),
    )
    add.addEventListener('submit', (event) => {
      event.preventDefault()
      const national = role.value === 'focal_point' || role.value === 'contributor'
      const scope = role.value === 'contributor' ? picker.value() : { questionnaire: null, domains: null }
      act(async () =>
        reopen(
          await api(`/persons/${p.id}/memberships`, {
            method: 'POST',
            body: { role: role.value, ...(national ? { country: country.value.trim().toUpperCase() } : {}), ...(scope.domains ? scope : {}) },
          }),
        ),
      )
    })
  }
  let sessions = null
  if (isAdmin) {
    const { items } = await api(`/persons/${p.id}/sessions`)
    sessions = h(
      'div',
      {},
      h('h3', {}, t('account.sessions.heading')),
      items.length
        ? h(
            'ul',
            { class: 'plain' },
            items.map((x) =>
              h(
                'li',
                {},
                tParts('account.people.session', {
                  created: fmtDateTime(x.createdAt),
                  seen: fmtDateTime(x.lastSeenAt),
                  client: h('bdi', { dir: 'ltr' }, x.userAgent ?? '—'),
                }),
                ' ',
                h(
                  'button',
                  {
                    type: 'button',
                    class: 'link-button',
                    onclick: () =>
                      act(async () => {
                        await api(`/persons/${p.id}/sessions/${x.id}`, { method: 'DELETE' })
                        await openManage(p, refresh)
                      }),
                  },
                  t('account.sessions.end'),
                ),
              ),
            ),
          )
        : h('p', {}, t('account.people.noSessions')),
      items.length
        ? h(
            'button',
            {
              type: 'button',
              onclick: () =>
                act(async () => {
                  await api(`/persons/${p.id}/sessions`, { method: 'DELETE' })
                  await openManage(p, refresh)
                }),
            },
            t('account.people.endAll'),
          )
        : null,
    )
  }
  clear(
    manage,
    h(
      'div',
      { class: 'card' },
      h('h2', { id: 'manage-heading', tabindex: -1 }, tParts('account.people.manageHeading', { name: h('bdi', {}, p.name) })),
      panelStatus,
      h('h3', {}, t('people.col.memberships')),
      memberships.length ? h('ul', { class: 'plain' }, memberships) : h('p', {}, t('account.people.noMemberships')),
      add,
      sessions,
    ),
  )
  manage.querySelector('#manage-heading')?.focus()
}

function row(p, refresh) {
  const actions = [
    h(
      'button',
      { type: 'button', class: 'link-button', onclick: () => openManage(p, refresh).catch((error) => clear(status, message('error', problemText(error)))) },
      t('account.people.manage'),
    ),
    ' ',
  ]
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
  const domains = domainPicker('d', questionnaires)
  const domainSet = domains.element
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
    const scope = role.value === 'contributor' ? domains.value() : { domains: null }
    const membership = {
      role: role.value,
      ...(national() ? { country: country.value.trim().toUpperCase() } : {}),
      ...(scope.domains ? scope : {}),
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
  filters,
  status,
  h('div', { class: 'table-wrap' }, table),
  manage,
  inviteForm(questionnaires, refresh),
)
filters.addEventListener('submit', (event) => {
  event.preventDefault()
  refresh()
})
await refresh()
