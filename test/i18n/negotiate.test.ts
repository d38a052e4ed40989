import t from 'tap'
import { fromAcceptLanguage, negotiate } from '../../src/i18n/negotiate.js'

t.test('an explicit lang must be one of the six', async (t) => {
  t.same(negotiate({ query: 'zh', acceptLanguage: 'fr' }), { ok: true, lang: 'zh', source: 'query' })
  t.same(negotiate({ query: 'AR' }), { ok: true, lang: 'ar', source: 'query' })
  t.same(negotiate({ query: 'de', acceptLanguage: 'fr' }), { ok: false, given: 'de' }, 'not silently replaced by English or Accept-Language')
  t.same(negotiate({ query: 'fr-CA' }), { ok: false, given: 'fr-CA' })
  t.same(negotiate({ query: '' }), { ok: false, given: '' })
})

t.test('the preference comes before Accept-Language, English last', async (t) => {
  t.same(negotiate({ preference: 'ru', acceptLanguage: 'fr' }), { ok: true, lang: 'ru', source: 'preference' })
  t.same(negotiate({ preference: 'xx', acceptLanguage: 'fr' }), { ok: true, lang: 'fr', source: 'accept-language' }, 'an unusable preference is ignored')
  t.same(negotiate({ acceptLanguage: 'de-DE, de;q=0.9' }), { ok: true, lang: 'en', source: 'default' })
  t.same(negotiate({}), { ok: true, lang: 'en', source: 'default' })
})

t.test('Accept-Language: q-values, order, regional tags', async (t) => {
  t.equal(fromAcceptLanguage('de;q=1, es;q=0.5, zh-CN;q=0.8'), 'zh')
  t.equal(fromAcceptLanguage('fr-CH, fr;q=0.9, en;q=0.8'), 'fr')
  t.equal(fromAcceptLanguage('ar;q=0, ru'), 'ru', 'q=0 means not acceptable')
  t.equal(fromAcceptLanguage('*'), undefined)
  t.equal(fromAcceptLanguage('es;q=abc, en;q=0.1'), 'en', 'a malformed q-value is dropped')
  t.equal(fromAcceptLanguage(undefined), undefined)
})
