// Every text of every questionnaire version exists in the six languages: a missing or untranslated
// text fails here. Also the translation mechanism itself: files apply without touching the hash.
import path from 'node:path'
import t from 'tap'
import { contentHash, loadCatalog, parseQuestionnaire, readGlossary, TRANSLATIONS_DIR } from '../../src/questionnaires/catalog.js'
import { LANGUAGES, localize } from '../../src/questionnaires/schema.js'
import { applyTranslations, carryOver, checkTranslation, glossaryProblems, translatableTexts } from '../../src/questionnaires/translations.js'
import { ROOT } from '../helpers/database.js'

const dir = path.join(ROOT, 'questionnaires')
const catalog = await loadCatalog(dir)

for (const { content } of catalog.questionnaires) {
  for (const lang of LANGUAGES.filter((l) => l !== 'en')) {
    t.test(`${content.id} v${content.version} in ${lang}: every text translated, glossary followed`, async (t) => {
      const doc = catalog.translations.get(`${content.id}@${content.version}`)?.[lang]
      if (!doc) return t.fail(`no file ${TRANSLATIONS_DIR}/${content.id}.v${content.version}.${lang}.yaml`)
      const problems = checkTranslation(content, lang, doc)
      t.same(problems.map((p) => `${p.path}: ${p.message}`).slice(0, 20), [], `${problems.length} problems`)
      const glossary = await readGlossary(path.join(dir, TRANSLATIONS_DIR), lang)
      if (!glossary) return t.fail(`no glossary.${lang}.yaml`)
      t.ok(Object.keys(glossary).length >= 20, 'the glossary holds the key terms')
      const misses = glossaryProblems(content, lang, doc, glossary)
      t.same(misses.map((p) => `${p.path}: ${p.message}`).slice(0, 20), [], `${misses.length} glossary misses`)
    })
  }
}

const demo = `
id: demo
version: 1
title: {en: Demo questionnaire, fr: Questionnaire (ancien)}
description: {en: A demo}
source: {document: x.txt, title: X}
scoring:
  force_weights: {shall: 1, may: 0.5, encouraged: 0.5}
  tiers: [{id: low, min: 0, label: {en: Low}}]
domains:
  - id: d
    title: {en: Domain}
    description: {en: About the domain}
    questions:
      - id: demo.q
        type: single_choice
        force: shall
        source: {document: x.txt, section: '3.1', ref: §3.1}
        text: {en: 'Which one, {name}?'}
        guidance: {en: Pick one}
        options:
          - {id: a, score: 1, label: {en: First option}}
          - {id: b, score: 0, label: {en: Second option}}
`

t.test('a translation file fills texts without changing the content hash, and wins over inline text', async (t) => {
  const parsed = parseQuestionnaire(demo, 'demo.v1.yaml')
  if (!parsed.ok) throw new Error('demo does not parse')
  const { content, hash } = parsed.questionnaire
  const fr = { title: 'Questionnaire de démonstration', questions: { 'demo.q': { text: 'Laquelle, {name} ?', options: { a: 'Première option' } } } }
  const applied = applyTranslations(content, { fr })
  t.equal(localize(applied.title, 'fr'), 'Questionnaire de démonstration')
  t.equal(localize(applied.domains[0]!.questions[0]!.text, 'fr'), 'Laquelle, {name} ?')
  t.equal(localize(applied.description, 'fr'), 'A demo', 'an untranslated text stays English')
  t.equal(contentHash(content), hash, 'the version itself is unchanged')
  t.equal(translatableTexts(content).length, 9)

  const problems = checkTranslation(content, 'fr', { ...fr, questions: { 'demo.q': { text: 'Laquelle ?', options: { a: 'Première', z: 'Inconnue' } } } })
  const byPath = Object.fromEntries(problems.map((p) => [p.path, p]))
  t.equal(byPath['questions."demo.q".options.z']?.severity, 'error', 'an unknown key is an error')
  t.match(byPath['questions."demo.q".text']?.message, /placeholders differ/)
  t.equal(byPath.description?.severity, 'gap', 'a missing text is a gap')

  t.same(
    glossaryProblems(content, 'fr', { questions: { 'demo.q': { options: { a: 'Premier choix' } } } }, { option: ['option'] }).map((p) => p.path),
    ['questions."demo.q".options.a'],
  )
  t.same(carryOver(content, fr, content), fr, 'unchanged English keeps its translation')
})
