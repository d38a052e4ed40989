// The API says which texts are really in the language asked for: every text given in English
// instead is listed in `fallbacks` (JSON Pointers into the response). Built-in labels come from the
// interface catalogs, so they are never fallbacks.
import t from 'tap'
import { t as translate } from '../../src/i18n/catalogs.js'
import { LANGUAGES } from '../../src/i18n/languages.js'
import { parseQuestionnaire } from '../../src/questionnaires/catalog.js'
import { presentQuestion, presentQuestionnaire, presentTitle } from '../../src/questionnaires/present.js'

const demo = `
id: demo
version: 1
title: {en: Demo questionnaire, fr: Questionnaire de démonstration, ar: استبيان تجريبي}
description: {en: A demo., fr: Une démonstration.}
source: {document: x.txt, title: X}
scoring:
  force_weights: {shall: 1, may: 0.5, encouraged: 0.5}
  tiers:
    - {id: low, min: 0, label: {en: Low, fr: Faible}}
    - {id: high, min: 50, label: {en: High}}
domains:
  - id: d
    title: {en: Domain, fr: Domaine}
    description: {en: About the domain, fr: Au sujet du domaine}
    questions:
      - id: demo.choice
        type: single_choice
        force: shall
        source: {document: x.txt, section: '3.1', ref: §3.1}
        text: {en: 'Which one?', fr: 'Laquelle ?'}
        guidance: {en: Pick one.}
        options:
          - {id: a, score: 1, label: {en: First option, fr: Première option}}
          - {id: b, score: 0, label: {en: Second option}}
      - id: demo.ynp
        type: yes_no_partial
        force: may
        source: {document: x.txt, section: '3.1', ref: §3.1}
        text: {en: 'Is it so?', fr: 'Est-ce le cas ?'}
        guidance: {en: Say so., fr: Dites-le.}
      - id: demo.level
        type: maturity
        force: shall
        source: {document: x.txt, section: '3.1', ref: §3.1}
        text: {en: 'How far?', fr: 'Où en est-on ?'}
        guidance: {en: Levels., fr: Niveaux.}
      - id: demo.count
        type: number
        force: encouraged
        source: {document: x.txt, section: '3.1', ref: §3.1}
        text: {en: 'How many?', fr: 'Combien ?'}
        guidance: {en: Count., fr: Comptez.}
        unit: {en: points}
        bands: [{min: 0, score: 0}, {min: 10, score: 1}]
`
const parsed = parseQuestionnaire(demo, 'demo.v1.yaml')
if (!parsed.ok) throw new Error(`demo does not parse: ${JSON.stringify(parsed)}`)
const file = parsed.questionnaire.content

/** What these tests read of a presented question, whatever its type. */
type Labelled = { options?: { label: string }[]; levels?: { label: string }[] }
const labelled = (q: unknown) => q as Labelled

/** The value a JSON Pointer designates. */
function at(doc: unknown, pointer: string): unknown {
  return pointer
    .split('/')
    .slice(1)
    .reduce<unknown>((node, key) => (node as Record<string, unknown>)?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], doc)
}

t.test('French: the untranslated texts are listed, and each one is the English text', async (t) => {
  const fr = presentQuestionnaire(file, 'h', 'fr')
  const en = presentQuestionnaire(file, 'h', 'en')
  t.same(fr.fallbacks.sort(), [
    '/domains/0/questions/0/guidance',
    '/domains/0/questions/0/options/1/label',
    '/domains/0/questions/3/unit',
    '/scoring/tiers/1/label',
  ])
  for (const pointer of fr.fallbacks) t.equal(at(fr, pointer), at(en, pointer), `${pointer} is the English text`)
  t.equal(fr.title, 'Questionnaire de démonstration')
  t.equal(fr.scoring.tiers[0]!.label, 'Faible', 'tiers have labels in the language')
  t.same(en.fallbacks, [], 'English is never a fallback')
})

t.test('built-in labels come from the catalogs in every language', async (t) => {
  for (const lang of LANGUAGES) {
    const body = presentQuestionnaire(file, 'h', lang)
    const [, ynp, level] = body.domains[0]!.questions.map(labelled)
    t.same(
      ynp!.options!.map((o) => o.label),
      [translate(lang, 'answer.yes'), translate(lang, 'answer.partial'), translate(lang, 'answer.no')],
      `${lang}: yes / partial / no`,
    )
    t.same(
      level!.levels!.map((l) => l.label),
      [0, 1, 2, 3, 4].map((n) => translate(lang, `maturity.${n as 0 | 1 | 2 | 3 | 4}`)),
      `${lang}: maturity levels`,
    )
    t.notOk(
      body.fallbacks.some((p) => p.startsWith('/domains/0/questions/1/options') || p.startsWith('/domains/0/questions/2/levels')),
      `${lang}: no built-in label is a fallback`,
    )
  }
  t.equal(labelled(presentQuestionnaire(file, 'h', 'zh').domains[0]!.questions[1]).options![0]!.label, '是')
  t.equal(labelled(presentQuestionnaire(file, 'h', 'ru').domains[0]!.questions[2]).levels![4]!.label, 'Внедрено и применяется')
})

t.test('Chinese with no translation at all: every questionnaire text is a fallback', async (t) => {
  const zh = presentQuestionnaire(file, 'h', 'zh')
  // title, description, 2 tiers, domain title + description, 4 × (text, guidance), 2 options, 1 unit
  t.equal(zh.fallbacks.length, 17)
  t.equal(zh.lang, 'zh')
})

t.test('one question: pointers into the question itself', async (t) => {
  const q = file.domains[0]!.questions[0]!
  const fr = presentQuestion(q, 'd', 'fr')
  t.same(fr.fallbacks, ['/guidance', '/options/1/label'])
  t.equal(at(fr, '/options/1/label'), 'Second option')
  t.equal(fr.lang, 'fr')
})

t.test('a title alone, for lists', async (t) => {
  t.same(presentTitle(file, 'ar'), { title: 'استبيان تجريبي', fallback: false })
  t.same(presentTitle(file, 'ru'), { title: 'Demo questionnaire', fallback: true })
})
