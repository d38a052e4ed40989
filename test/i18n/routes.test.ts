// The catalogs over HTTP, for the pages: negotiated like the API, cacheable, a 400 naming the six
// for anything else; and the formatter module the pages import.
import { gunzipSync } from 'node:zlib'
import t from 'tap'
import { CATALOGS } from '../../src/i18n/catalogs.js'
import { build } from '../helpers/build.js'

t.test('GET /i18n/messages picks the language like the API does', async (t) => {
  const app = await build(t)
  const plain = await app.inject({ url: '/i18n/messages' })
  t.equal(plain.statusCode, 200)
  t.match(plain.json(), { lang: 'en', dir: 'ltr' })
  t.same(plain.json().messages, CATALOGS.en)
  t.same(plain.json().languages.map((l: { code: string }) => l.code), ['ar', 'en', 'es', 'fr', 'ru', 'zh'])
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

t.test('the ICU formatter module is served gzip-compressed and cacheable', async (t) => {
  const app = await build(t)
  const res = await app.inject({ url: '/i18n/intl-messageformat.js', headers: { 'accept-encoding': 'gzip, br' } })
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /text\/javascript/)
  t.equal(res.headers['content-encoding'], 'gzip')
  t.ok(res.rawPayload.length < 25_000, `${res.rawPayload.length} bytes on the wire`)
  const source = gunzipSync(res.rawPayload).toString('utf8')
  t.match(source, /export \{[^}]*IntlMessageFormat/)
  t.notMatch(source, /sourceMappingURL/)
  const plain = await app.inject({ url: '/i18n/intl-messageformat.js' })
  t.equal(plain.body, source, 'uncompressed for a client that does not accept gzip')
  const cached = await app.inject({ url: '/i18n/intl-messageformat.js', headers: { 'if-none-match': String(res.headers.etag) } })
  t.equal(cached.statusCode, 304)
})
