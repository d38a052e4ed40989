// The six interface catalogs: every key of the English one in every language, the same arguments,
// and every plural category the language's rules need (Intl.PluralRules), so that "21 вопрос" and
// "11 سؤالاً" come out right. The checker itself is tested on broken catalogs.
import t from 'tap'
import { CATALOGS, mergeCatalog, t as translate } from '../../src/i18n/catalogs.js'
import { LANGUAGES } from '../../src/i18n/languages.js'
import { catalogProblems, createTranslator, messageShape, type Catalogs } from '../../src/i18n/messages.js'

t.test('every language has every message, with the arguments and plural categories it needs', async (t) => {
  t.same(catalogProblems(CATALOGS), [])
  t.ok(Object.keys(CATALOGS.en).length > 150, 'the English catalog holds the interface words')
})

t.test('area catalogs join the core one, and a key defined in two places is refused', async (t) => {
  const merged = mergeCatalog({ 'a.x': 'X' }, { one: { 'one.y': 'Y' }, two: { 'two.z': 'Z' } })
  t.same(merged, { 'a.x': 'X', 'one.y': 'Y', 'two.z': 'Z' })
  t.throws(() => mergeCatalog({ 'a.x': 'X' }, { one: { 'a.x': 'again' } }), /messages\/one: "a.x" is already defined/)
  t.throws(() => mergeCatalog({}, { one: { k: '1' }, two: { k: '2' } }), /messages\/two: "k"/)
})

// Words French spells as English does (checked against UNTERM); anything else equal to English was forgotten.
const SAME_AS_ENGLISH: Record<string, readonly string[]> = {
  fr: [
    'region.Europe',
    'assessments.col.questionnaire',
    'assessments.new.questionnaire',
    'dashboard.questionnaire',
    'assessments.col.cycle',
    'country.col.cycle',
    'dashboard.cycle',
    'assessments.versionTag',
    'country.col.version',
    'dashboard.version',
    'dashboard.versionN',
    'people.col.actions',
  ],
}

t.test('no message is left in English in another language, except codes, formulas and true cognates', async (t) => {
  const untranslated: string[] = []
  for (const lang of LANGUAGES.filter((l) => l !== 'en')) {
    for (const [key, en] of Object.entries(CATALOGS.en)) {
      // Texts made of arguments, digits and punctuation only ("{score} / 100") are the same everywhere.
      if (CATALOGS[lang][key] !== en || !/\p{L}{3,}/u.test(en.replace(/\{[^{}]*\}/g, ''))) continue
      if (!SAME_AS_ENGLISH[lang]?.includes(key)) untranslated.push(`${lang}: ${key}`)
    }
  }
  t.same(untranslated, [])
})

t.test('the checker finds missing keys, different arguments, missing plural categories and stray keys', async (t) => {
  const base = { 'a.count': '{n, plural, one {# item} other {# items}}', 'a.name': 'Hello {name}' }
  const catalogs = {
    en: base,
    fr: { 'a.count': '{n, plural, one {# élément} many {# éléments} other {# éléments}}', 'a.name': 'Bonjour {nom}' },
    es: { 'a.count': '{n, plural, one {# elemento} many {# elementos} other {# elementos}}', 'a.name': 'Hola {name}' },
    ru: { 'a.count': '{n, plural, one {# элемент} other {# элемента}}', 'a.name': 'Привет, {name}' },
    ar: {
      'a.count': '{n, plural, zero {# عنصر} one {عنصر واحد} two {عنصران} few {# عناصر} many {# عنصراً} other {# عنصر}}',
      'a.name': 'مرحباً {name}',
      'a.extra': 'x',
    },
    zh: { 'a.count': '{n, plural, other {# 项}}' },
  } satisfies Catalogs
  const problems = catalogProblems(catalogs)
  t.ok(problems.includes('fr: "a.name" uses {nom}, English uses {name}'), 'a renamed argument')
  t.ok(
    problems.some((p) => p === 'ru: "a.count" plural of {n} lacks few, many'),
    'Russian needs few and many',
  )
  t.ok(problems.some((p) => p === 'ar: "a.extra" is not in the English catalog'))
  t.ok(problems.some((p) => p === 'zh: "a.name" is missing'))
  t.equal(problems.length, 4)
  t.ok(
    catalogProblems({ ...catalogs, ru: { ...catalogs.ru, 'a.count': '{n, plural, one {# элемент' } }).some((p) =>
      p.startsWith('ru: "a.count" is not a valid ICU message'),
    ),
  )
})

t.test('messageShape reads arguments inside plurals and selects', async (t) => {
  t.same(messageShape('{kind, select, integer {from {min}} other {{min} and {max}}}', 'en').arguments, ['kind', 'max', 'min'])
  t.same(messageShape('{n, plural, one {#} other {# of {total}}}', 'en').plurals, [{ argument: 'n', type: 'cardinal', categories: ['one', 'other'] }])
})

t.test('plurals follow each language', async (t) => {
  const missing = (lang: (typeof LANGUAGES)[number], count: number) => translate(lang, 'assessment.blocker.missing', { count })
  t.match(missing('en', 1), /^1 required question is not answered/)
  t.match(missing('en', 2), /^2 required questions are not answered/)
  t.match(missing('ru', 21), /^21 обязательный вопрос остается/)
  t.match(missing('ru', 3), /^3 обязательных вопроса/)
  t.match(missing('ru', 11), /^11 обязательных вопросов/)
  t.match(missing('ar', 1), /^سؤال إلزامي واحد/)
  t.match(missing('ar', 2), /^سؤالان إلزاميان/)
  t.match(missing('ar', 7), /أسئلة إلزامية/)
  t.match(missing('ar', 11), /سؤالاً إلزامياً/)
  t.match(missing('ar', 100), /سؤال إلزامي بلا/)
})

t.test('numbers inside messages are formatted for the language', async (t) => {
  t.match(translate('fr', 'assessments.progressShare', { answered: 3, applicable: 10, share: 0.3 }), /^3 sur 10 \(30\s%\)$/u)
  t.equal(translate('en', 'assessments.progressShare', { answered: 3, applicable: 10, share: 0.3 }), '3 of 10 (30%)')
})

t.test('a key missing in one language falls back to English; an unknown key is an error', async (t) => {
  const tr = createTranslator({ en: { k: 'Only {x}' }, ar: {}, es: {}, fr: { k: 'Seulement {x}' }, ru: {}, zh: {} })
  t.equal(tr('fr', 'k', { x: 1 }), 'Seulement 1')
  t.equal(tr('ru', 'k', { x: 1 }), 'Only 1')
  t.throws(() => tr('fr', 'nope'), /no message "nope"/)
})
