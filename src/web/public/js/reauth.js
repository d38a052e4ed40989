// When a session ends under an open page (idle timeout, sign-out in another tab, an admin ending
// it), nothing the person typed may be lost. Edits the server has not accepted yet are kept in
// sessionStorage (so a reload, or the detour through the sign-in page, keeps them too), and the
// person signs in again in a dialog on the page itself, without navigating away; the page then
// sends what it kept.
import { api, ApiError } from './api.js'
import { t } from './i18n.js'
import { clear, h, message, problemText } from './ui.js'

/**
 * Unsent edits of one page for one person, in sessionStorage under `key`: id → { body, ifMatch }.
 * `ifMatch` is the ETag the edit was made on (null: there was no answer yet), so that an edit sent
 * late still meets a change made meanwhile by somebody else as a conflict, never overwrites it.
 */
export function unsentStore(key) {
  const read = () => {
    try {
      return JSON.parse(sessionStorage.getItem(key) ?? '{}') ?? {}
    } catch {
      return {}
    }
  }
  const write = (all) => {
    try {
      if (Object.keys(all).length) sessionStorage.setItem(key, JSON.stringify(all))
      else sessionStorage.removeItem(key)
    } catch {
      // Storage off or full: the page itself still holds the edits until it is closed.
    }
  }
  return {
    all: read,
    put(id, entry) {
      write({ ...read(), [id]: entry })
    },
    /**
     * After a save: forgotten when what is kept is what was sent; a newer edit stays, now based on
     * the ETag that save returned.
     */
    settle(id, sent, etag) {
      const all = read()
      if (!all[id]) return
      if (JSON.stringify(all[id].body) === JSON.stringify(sent)) delete all[id]
      else all[id] = { ...all[id], ifMatch: etag }
      write(all)
    },
    drop(id) {
      const all = read()
      delete all[id]
      write(all)
    },
  }
}

let waiting = null

/**
 * Resolves once `me` (the person the page was opened by) has signed in again. One dialog however
 * many saves are waiting for it.
 */
export function signInAgain(me) {
  waiting ??= dialog(me).finally(() => {
    waiting = null
  })
  return waiting
}

function field(id, labelKey, attrs, helpKey) {
  const input = h('input', { id, name: id, ...attrs, ...(helpKey ? { 'aria-describedby': `${id}-help` } : {}) })
  return { input, nodes: [h('label', { for: id }, t(labelKey)), input, helpKey ? h('p', { id: `${id}-help`, class: 'help' }, t(helpKey)) : null] }
}

function dialog(me) {
  return new Promise((resolve) => {
    const status = h('div', { 'aria-live': 'polite' })
    const email = field('reauth-email', 'signin.emailLabel', { type: 'email', autocomplete: 'username', spellcheck: 'false' })
    const password = field('reauth-password', 'signin.passwordLabel', { type: 'password', autocomplete: 'current-password' })
    const code = field(
      'reauth-code',
      'signin.codeLabel',
      { type: 'text', inputmode: 'numeric', autocomplete: 'one-time-code', spellcheck: 'false' },
      'signin.codeHelp',
    )
    const codeBox = h('div', { hidden: true }, ...code.nodes)
    const token = field('reauth-token', 'signin.tokenLabel', { type: 'password', autocomplete: 'off', spellcheck: 'false' })
    const byToken = h('details', { open: Boolean(me.tokenId) }, h('summary', {}, t('signin.tokenToggle')), ...token.nodes)
    const form = h(
      'form',
      { method: 'dialog', novalidate: true },
      h('h2', { id: 'reauth-h' }, t('access.reauth.title')),
      h('p', { id: 'reauth-lead' }, t('access.reauth.lead', { name: me.name })),
      ...email.nodes,
      ...password.nodes,
      codeBox,
      byToken,
      h('button', { type: 'submit', class: 'primary' }, t('signin.submit')),
      status,
    )
    const box = h('dialog', { class: 'card signin reauth', 'aria-labelledby': 'reauth-h', 'aria-describedby': 'reauth-lead' }, form)
    // The dialog stays until the person is back: Escape would only hide why nothing is saved.
    box.addEventListener('cancel', (event) => event.preventDefault())

    form.addEventListener('submit', async (event) => {
      event.preventDefault()
      const body = token.input.value.trim()
        ? { token: token.input.value.trim() }
        : {
            email: email.input.value.trim(),
            password: password.input.value,
            ...(codeBox.hidden || !code.input.value.trim() ? {} : { code: code.input.value.trim() }),
          }
      if (!body.token && (!body.email || !body.password)) {
        clear(status, message('error', t('signin.emptyFields')))
        ;(body.email ? password.input : email.input).focus()
        return
      }
      clear(status, message('info', t('signin.working')))
      try {
        const who = await api('/session', { method: 'POST', body, redirectOn401: false })
        // Somebody else's session would send these edits under their name: not that.
        if (who.name !== me.name) {
          clear(status, message('error', t('access.reauth.otherPerson', { name: who.name, expected: me.name })))
          password.input.value = ''
          email.input.focus()
          return
        }
        password.input.value = ''
        token.input.value = ''
        box.close()
        resolve()
      } catch (error) {
        if (error instanceof ApiError && error.problem?.code === 'second_factor_required') {
          codeBox.hidden = false
          clear(status, message('info', t('signin.needCode')))
          code.input.focus()
          return
        }
        const text = error instanceof ApiError && error.status === 401 ? [t(body.token ? 'signin.invalid' : 'signin.badPassword')] : problemText(error)
        clear(status, message('error', text))
        ;(body.token ? token.input : codeBox.hidden ? password.input : code.input).focus()
      }
    })
    // Back where the person was typing once signed in.
    const typing = document.activeElement
    box.addEventListener('close', () => {
      box.remove()
      if (typing instanceof HTMLElement && typing.isConnected) typing.focus()
    })
    document.body.append(box)
    box.showModal()
    ;(me.tokenId ? token.input : email.input).focus()
  })
}
