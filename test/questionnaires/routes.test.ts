import t from 'tap'
import { build } from '../helpers/build.js'

t.test('GET /questionnaires lists both questionnaires with versions and counts', async (t) => {
  const app = await build(t)
  const res = await app.inject({ url: '/questionnaires' })
  t.equal(res.statusCode, 200)
  const ids = res.json().items.map((i: { id: string }) => i.id)
  t.ok(ids.includes('cdc'))
  t.ok(ids.includes('res174'))
  const cdc = res.json().items.find((i: { id: string }) => i.id === 'cdc')
  t.equal(cdc.latestVersion, 2)
  for (const v of cdc.versions) t.ok(v.questionCount >= 44, `v${v.version}: every bullet has at least one question`)
})

t.test('a version is served with its 11 domains in order, in English by default', async (t) => {
  const app = await build(t)
  const res = await app.inject({ url: '/questionnaires/cdc/versions/1' })
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-language'], 'en')
  const body = res.json()
  t.same(
    body.domains.map((d: { id: string }) => d.id),
    [
      'human_rights',
      'data',
      'competition',
      'taxation',
      'internet_access',
      'msmes',
      'artificial_intelligence',
      'access_to_technology',
      'consumer_protection',
      'employment',
      'security',
    ],
  )
  const maturity = body.domains.flatMap((d: { questions: unknown[] }) => d.questions).find((q: { type: string }) => q.type === 'maturity')
  t.equal(maturity.levels.length, 5, 'maturity questions carry their five labelled levels')
  t.match(maturity.source, { document: String, section: String, ref: String })
})

t.test('languages: ?lang=, the saved choice, Accept-Language; fallbacks listed; an unsupported lang is a 400', async (t) => {
  const app = await build(t)
  const en = (await app.inject({ url: '/questionnaires/cdc/versions/1' })).json()
  t.same(en.fallbacks, [], 'English has no fallbacks')
  const fr = await app.inject({ url: '/questionnaires/cdc/versions/1?lang=fr' })
  t.equal(fr.headers['content-language'], 'fr')
  t.not(fr.json().title, en.title, 'the title has a French translation')
  t.notOk(fr.json().fallbacks.includes('/title'))

  const zh = await app.inject({ url: '/questionnaires/cdc/versions/1', headers: { 'accept-language': 'de;q=1, zh-CN;q=0.9' } })
  t.equal(zh.headers['content-language'], 'zh')
  t.match(zh.headers.vary, /Accept-Language/)
  t.equal(zh.json().lang, 'zh')
  // Every text the response says is in English is the English text, at the place it points to.
  const at = (doc: unknown, pointer: string) =>
    pointer
      .split('/')
      .slice(1)
      .reduce<unknown>((n, k) => (n as Record<string, unknown>)[k], doc)
  for (const pointer of zh.json().fallbacks) t.equal(at(zh.json(), pointer), at(en, pointer), pointer)
  const ynp = zh
    .json()
    .domains.flatMap((d: { questions: { type: string }[] }) => d.questions)
    .find((q: { type: string }) => q.type === 'yes_no_partial')
  t.same(
    ynp.options.map((o: { label: string }) => o.label),
    ['是', '部分', '否'],
    'built-in labels in Chinese',
  )

  const preferred = await app.inject({ url: '/questionnaires/cdc/versions/1', headers: { cookie: 'tr_lang=ru', 'accept-language': 'fr' } })
  t.equal(preferred.headers['content-language'], 'ru', 'the saved choice comes before Accept-Language')

  for (const lang of ['xx', 'zh-TW', 'FR', '']) {
    const bad = await app.inject({ url: `/questionnaires/cdc/versions/1?lang=${lang}` })
    t.equal(bad.statusCode, 400, `lang=${lang}`)
    t.match(bad.headers['content-type'], /application\/problem\+json/)
    t.match(bad.json().errors[0], { path: '/querystring/lang', message: 'must be one of ar, en, es, fr, ru, zh' })
  }
  const badQuestion = await app.inject({ url: `/questionnaires/cdc/versions/1/questions/${en.domains[0].questions[0].id}?lang=de` })
  t.equal(badQuestion.statusCode, 400)

  const question = await app.inject({ url: `/questionnaires/cdc/versions/1/questions/${en.domains[0].questions[0].id}?lang=zh` })
  t.equal(question.json().lang, 'zh')
  for (const pointer of question.json().fallbacks) t.match(pointer, /^\/(text|guidance|levels|options|unit)/)

  const list = await app.inject({ url: '/questionnaires?lang=ar' })
  t.equal(list.statusCode, 200)
  t.equal(list.json().lang, 'ar')
  t.ok(
    list
      .json()
      .items.every((item: { title: string }, i: number) => list.json().fallbacks.includes(`/items/${i}/title`) || /\p{Script=Arabic}/u.test(item.title)),
  )
})

t.test('one question, and 404 problems for what does not exist', async (t) => {
  const app = await build(t)
  const version = (await app.inject({ url: '/questionnaires/res174/versions/1' })).json()
  const q = version.domains[0].questions[0]
  const res = await app.inject({ url: `/questionnaires/res174/versions/1/questions/${q.id}` })
  t.equal(res.statusCode, 200)
  t.equal(res.json().id, q.id)
  for (const url of ['/questionnaires/nope/versions/1', '/questionnaires/cdc/versions/99', '/questionnaires/cdc/versions/1/questions/nope']) {
    const miss = await app.inject({ url })
    t.equal(miss.statusCode, 404, url)
    t.match(miss.headers['content-type'], /application\/problem\+json/)
  }
  const bad = await app.inject({ url: '/questionnaires/cdc/versions/one' })
  t.equal(bad.statusCode, 400)
  t.match(bad.json().errors[0].path, /version/)
})

t.test('v2 shows what scoring needs to be understood: forces, unscored facts, alternatives, rationales, the justification rule', async (t) => {
  const app = await build(t)
  const res = await app.inject({ url: '/questionnaires/cdc/versions/2?lang=en' })
  t.equal(res.statusCode, 200)
  const body = res.json()
  t.same(body.scoring.forceWeights, { shall: 1, endeavour: 0.75, may: 0.5, encouraged: 0.5 })
  t.equal(body.scoring.rationaleFromWeight, 2)
  const questions = new Map<string, Record<string, unknown>>(
    body.domains.flatMap((d: { questions: { id: string }[] }) => d.questions).map((q: { id: string }) => [q.id, q]),
  )
  const ixp = questions.get('cdc.internet_access.ixp_count')!
  t.equal(ixp.scored, false)
  t.equal(ixp.bands, null)
  const facts = questions.get('cdc.taxation.local_presence') as { scored: boolean; options: { score: number | null }[] }
  t.ok(
    facts.options.every((o) => o.score === null),
    'an unscored fact shows no option scores',
  )
  t.equal(questions.get('cdc.security.vulnerability_policy')!.force, 'endeavour')
  t.equal(questions.get('cdc.security.offensive_operations_limits')!.notApplicableRequiresComment, true)
  t.equal(questions.get('cdc.msmes.platform_own_supply')!.notApplicableRequiresComment, false)
  t.match(questions.get('cdc.security.national_cirt')!.rationale, /CERTs/)
  t.same(questions.get('cdc.msmes.payments_paying')!.replaces, ['cdc.msmes.international_payments'])
  const ai = body.domains.find((d: { id: string }) => d.id === 'artificial_intelligence')
  t.match(ai.alternatives, [
    {
      id: 'ethics_instrument',
      weight: 2,
      rationale: /either instrument/,
      routes: [
        { id: 'national_law', questions: ['cdc.artificial_intelligence.ethics_law', 'cdc.artificial_intelligence.principles'] },
        { id: 'treaty', questions: ['cdc.artificial_intelligence.treaty'] },
      ],
    },
  ])
  const v1 = (await app.inject({ url: '/questionnaires/cdc/versions/1' })).json()
  t.same(
    v1.domains.map((d: { alternatives: unknown[] }) => d.alternatives.length),
    v1.domains.map(() => 0),
    'v1 has no alternatives',
  )
})

t.test('the language list comes without the content, each language with the digest of its texts', async (t) => {
  const app = await build(t)
  const res = await app.inject({ url: '/questionnaires/cdc/versions/1/languages' })
  t.equal(res.statusCode, 200, res.body)
  const items = res.json().items as { lang: string; title: string; translated: boolean; digest: string }[]
  t.same(
    items.map((i) => i.lang),
    ['en', 'ar', 'es', 'fr', 'ru', 'zh'],
  )
  const en = (await app.inject({ url: '/questionnaires/cdc/versions/1?lang=en' })).json()
  const fr = (await app.inject({ url: '/questionnaires/cdc/versions/1?lang=fr' })).json()
  t.match(
    items.find((i) => i.lang === 'fr'),
    { title: fr.title, translated: true },
  )
  t.match(
    items.find((i) => i.lang === 'en'),
    { title: en.title, translated: true },
  )
  t.ok(res.body.length < 2000, `a few hundred bytes, not the questionnaire (${res.body.length} bytes)`)
  t.not(items[0]!.digest, items.find((i) => i.lang === 'fr')!.digest, 'each language has its own digest')
  t.equal(res.headers['cache-control'], 'no-cache', 'a corrected translation file shows after a restart')
  const again = await app.inject({ url: '/questionnaires/cdc/versions/1/languages', headers: { 'if-none-match': String(res.headers.etag) } })
  t.equal(again.statusCode, 304)
  t.equal((await app.inject({ url: '/questionnaires/nope/versions/1/languages' })).statusCode, 404)
})

t.test('a version addressed by the digest of its texts is cached for good; otherwise revalidated by ETag', async (t) => {
  const app = await build(t)
  const { items } = (await app.inject({ url: '/questionnaires/cdc/versions/1/languages' })).json() as { items: { lang: string; digest: string }[] }
  const fr = items.find((i) => i.lang === 'fr')!
  const pinned = await app.inject({ url: `/questionnaires/cdc/versions/1?lang=fr&digest=${fr.digest}` })
  t.equal(pinned.statusCode, 200)
  t.equal(pinned.headers['cache-control'], 'public, max-age=31536000, immutable')
  t.equal(pinned.headers.etag, `"${fr.digest}"`)
  t.notMatch(String(pinned.headers.vary ?? ''), /accept-language/i, 'with ?lang= the address alone decides the language')

  const plain = await app.inject({ url: '/questionnaires/cdc/versions/1?lang=fr' })
  t.equal(plain.headers['cache-control'], 'public, no-cache')
  t.equal(plain.headers.etag, `"${fr.digest}"`)
  const notModified = await app.inject({ url: '/questionnaires/cdc/versions/1?lang=fr', headers: { 'if-none-match': `"${fr.digest}"` } })
  t.equal(notModified.statusCode, 304)
  t.equal(notModified.body, '')

  // A digest that is not the current one (texts corrected since) must not pin the current texts for a year.
  const stale = await app.inject({ url: `/questionnaires/cdc/versions/1?lang=fr&digest=${'0'.repeat(16)}` })
  t.equal(stale.statusCode, 200)
  t.equal(stale.headers['cache-control'], 'public, no-cache')
  const bad = await app.inject({ url: '/questionnaires/cdc/versions/1?digest=xyz' })
  t.equal(bad.statusCode, 400)
})

t.test('responses are compressed when the client accepts it', async (t) => {
  const app = await build(t)
  const res = await app.inject({ url: '/questionnaires/cdc/versions/1?lang=en', headers: { 'accept-encoding': 'br, gzip' } })
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-encoding'], 'br')
  const raw = await app.inject({ url: '/questionnaires/cdc/versions/1?lang=en' })
  t.ok(res.rawPayload.length * 4 < raw.rawPayload.length, `compressed ${res.rawPayload.length} bytes vs ${raw.rawPayload.length}`)
  const page = await app.inject({ url: '/app/js/assessment.js', headers: { 'accept-encoding': 'gzip' } })
  t.equal(page.headers['content-encoding'], 'gzip', 'static files too')
  t.ok(page.headers.etag, 'static files carry an ETag for revalidation')
})
