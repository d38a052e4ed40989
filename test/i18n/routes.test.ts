// The catalogs over HTTP, for the pages: negotiated like the API, cacheable, a 400 naming the six
// for anything else; and the formatter module the pages import.
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import t from 'tap'
import { CATALOGS } from '../../src/i18n/catalogs.js'
import { build } from '../helpers/build.js'
import { testToken } from '../helpers/tokens.js'

t.test('GET /i18n/messages picks the language like the API does', async (t) => {
  const app = await build(t)
  const plain = await app.inject({ url: '/i18n/messages' })
  t.equal(plain.statusCode, 200)
  t.match(plain.json(), { lang: 'en', dir: 'ltr' })
  t.same(plain.json().messages, CATALOGS.en)
  t.same(
    plain.json().languages.map((l: { code: string }) => l.code),
    ['ar', 'en', 'es', 'fr', 'ru', 'zh'],
  )
  t.match(plain.headers['cache-control'], /private/)
  t.match(plain.headers.vary, /Accept-Language/)

  const ar = await app.inject({ url: '/i18n/messages', headers: { 'accept-language': 'ar-EG,ar;q=0.9,en;q=0.5' } })
  t.match(ar.json(), { lang: 'ar', dir: 'rtl' })
  t.equal(ar.headers['content-language'], 'ar')
  const saved = await app.inject({ url: '/i18n/messages', headers: { 'accept-language': 'ar', cookie: 'tr_session=x; tr_lang=zh' } })
  t.equal(saved.json().lang, 'zh', 'the switcher choice wins over Accept-Language')
  const asked = await app.inject({ url: '/i18n/messages?lang=es', headers: { cookie: 'tr_lang=zh' } })
  t.equal(asked.json().lang, 'es', '?lang= wins over the saved choice')
})

t.test('one language by path: cacheable, 304 on a matching ETag, 400 for any other code', async (t) => {
  const app = await build(t)
  const ru = await app.inject({ url: '/i18n/messages/ru' })
  t.equal(ru.statusCode, 200)
  t.equal(ru.json().messages['app.signOut'], 'Выйти')
  t.match(ru.headers['cache-control'], /public/)
  const again = await app.inject({ url: '/i18n/messages/ru', headers: { 'if-none-match': String(ru.headers.etag) } })
  t.equal(again.statusCode, 304)
  t.equal(again.body, '')
  const fr = await app.inject({ url: '/i18n/messages/fr', headers: { 'if-none-match': String(ru.headers.etag) } })
  t.equal(fr.statusCode, 200, "another language's ETag does not match")

  for (const url of ['/i18n/messages/de', '/i18n/messages?lang=pt']) {
    const bad = await app.inject({ url })
    t.equal(bad.statusCode, 400, url)
    t.match(bad.headers['content-type'], /application\/problem\+json/)
    t.match(bad.json().detail, /must be one of ar, en, es, fr, ru, zh/)
  }
})

t.test('the ICU formatter module is served compressed and cacheable', async (t) => {
  const app = await build(t)
  const res = await app.inject({ url: '/i18n/intl-messageformat.js', headers: { 'accept-encoding': 'gzip, br' } })
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /text\/javascript/)
  t.match(res.headers['cache-control'], /public/)
  const encoding = res.headers['content-encoding']
  t.ok(encoding === 'br' || encoding === 'gzip', `compressed (${encoding})`)
  t.ok(res.rawPayload.length < 25_000, `${res.rawPayload.length} bytes on the wire`)
  const source = (encoding === 'br' ? brotliDecompressSync(res.rawPayload) : gunzipSync(res.rawPayload)).toString('utf8')
  t.match(source, /export \{[^}]*IntlMessageFormat/)
  t.notMatch(source, /sourceMappingURL/)
  const cached = await app.inject({ url: '/i18n/intl-messageformat.js', headers: { 'if-none-match': String(res.headers.etag) } })
  t.equal(cached.statusCode, 304)
})

t.test("a signed-in person's language: saved by PUT /me/language, used before the browser's wishes", async (t) => {
  const app = await build(t)
  const admin = await testToken(app, 'administration', 'KEN')
  const lang = async (headers: Record<string, string>, query = '') => (await app.inject({ url: `/i18n/messages${query}`, headers })).json().lang
  t.equal(
    await lang({ authorization: admin.authorization, 'accept-language': 'es' }),
    'en',
    "a person's language (English until chosen) comes before Accept-Language",
  )

  const saved = await app.inject({ method: 'PUT', url: '/me/language', headers: { authorization: admin.authorization }, payload: { language: 'ru' } })
  t.equal(saved.statusCode, 204)
  const row = await app.db.selectFrom('persons').select('language').where('id', '=', admin.principal.personId).executeTakeFirstOrThrow()
  t.equal(row.language, 'ru')
  const events = await app.db
    .selectFrom('audit_events')
    .select(['action', 'actor_person', 'subject_person', 'details'])
    .where('subject_person', '=', admin.principal.personId)
    .execute()
  t.match(events, [{ action: 'person_changed', actor_person: admin.principal.personId, details: { language: 'ru' } }], 'recorded in the audit trail')
  t.equal(await lang({ authorization: admin.authorization, 'accept-language': 'es', cookie: 'tr_lang=fr' }), 'ru', 'before the browser cookie too')
  t.equal(await lang({ authorization: admin.authorization }, '?lang=zh'), 'zh', 'an explicit ?lang= still wins')
  const version = await app.inject({ url: '/questionnaires/cdc/versions/1', headers: { authorization: admin.authorization } })
  t.equal(version.headers['content-language'], 'ru', 'the API follows the person as well')
  t.match(version.headers.vary, /Authorization/)

  const bad = await app.inject({ method: 'PUT', url: '/me/language', headers: { authorization: admin.authorization }, payload: { language: 'de' } })
  t.equal(bad.statusCode, 400)
  t.match(bad.json().errors[0], { path: '/body/language', message: 'must be one of ar, en, es, fr, ru, zh' })
  const anonymous = await app.inject({ method: 'PUT', url: '/me/language', payload: { language: 'fr' } })
  t.equal(anonymous.statusCode, 401)
  t.equal(
    (await app.db.selectFrom('persons').select('language').where('id', '=', admin.principal.personId).executeTakeFirstOrThrow()).language,
    'ru',
    'refused requests change nothing',
  )
})
