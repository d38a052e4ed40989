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
    ['human_rights', 'data', 'competition', 'taxation', 'internet_access', 'msmes', 'artificial_intelligence',
      'access_to_technology', 'consumer_protection', 'employment', 'security'],
  )
  const maturity = body.domains.flatMap((d: { questions: unknown[] }) => d.questions).find((q: { type: string }) => q.type === 'maturity')
  t.equal(maturity.levels.length, 5, 'maturity questions carry their five labelled levels')
  t.match(maturity.source, { document: String, section: String, ref: String })
})

t.test('languages: ?lang= and Accept-Language, falling back to English', async (t) => {
  const app = await build(t)
  const en = (await app.inject({ url: '/questionnaires/cdc/versions/1' })).json()
  const fr = await app.inject({ url: '/questionnaires/cdc/versions/1?lang=fr' })
  t.equal(fr.headers['content-language'], 'fr')
  t.not(fr.json().title, en.title, 'the title has a French translation')
  const firstQuestion = (b: { domains: { questions: { text: string }[] }[] }) => b.domains[0]!.questions[0]!.text
  const zh = await app.inject({ url: '/questionnaires/cdc/versions/1', headers: { 'accept-language': 'zh-CN,zh;q=0.9' } })
  t.equal(zh.headers['content-language'], 'zh')
  t.equal(firstQuestion(zh.json()), firstQuestion(en), 'an untranslated text falls back to English')
  const unknown = await app.inject({ url: '/questionnaires/cdc/versions/1?lang=xx' })
  t.equal(unknown.headers['content-language'], 'en')
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
