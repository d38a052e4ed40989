// Translations of a questionnaire version, kept apart from its content: one file per version and
// language (questionnaires/translations/<id>.v<version>.<lang>.yaml). The version file holds the
// English; correcting a translation changes neither the version's content hash nor any answer.
// Pure: no I/O (catalog.ts reads the files).
import { LANGUAGES, type Language, type LocalizedText, type QuestionnaireFile } from './schema.js'

/** A translation file's content: nested maps whose leaves are the translated strings. */
export type TranslationDoc = { [key: string]: string | TranslationDoc }

/** Where a text sits, as the keys of its translation file (e.g. ['questions', 'cdc.data.x', 'text']). */
export type TextPath = readonly string[]

export interface TranslatableText {
  path: TextPath
  text: LocalizedText
}

/** Every text a person reads in a questionnaire version, in file order, with its path. */
export function translatableTexts(file: QuestionnaireFile): TranslatableText[] {
  const out: TranslatableText[] = []
  const add = (path: TextPath, text: LocalizedText | undefined) => {
    if (text) out.push({ path, text })
  }
  add(['title'], file.title)
  add(['description'], file.description)
  for (const t of file.scoring.tiers) add(['tiers', t.id], t.label)
  for (const d of file.domains) {
    add(['domains', d.id, 'title'], d.title)
    add(['domains', d.id, 'description'], d.description)
    for (const g of d.alternatives ?? []) {
      const at = ['domains', d.id, 'alternatives', g.id]
      add([...at, 'title'], g.title)
      add([...at, 'rationale'], g.rationale)
      for (const r of g.routes) add([...at, 'routes', r.id, 'label'], r.label)
    }
    for (const q of d.questions) {
      const at = ['questions', q.id]
      add([...at, 'text'], q.text)
      add([...at, 'guidance'], q.guidance)
      add([...at, 'rationale'], q.rationale)
      if (q.type === 'maturity' && q.labels) {
        for (const level of ['0', '1', '2', '3', '4'] as const) add([...at, 'labels', level], q.labels[level])
      }
      if (q.type === 'single_choice' || q.type === 'multi_choice') {
        for (const o of q.options) add([...at, 'options', o.id], o.label)
      }
      if (q.type === 'number') add([...at, 'unit'], q.unit)
    }
  }
  return out
}

function lookup(doc: TranslationDoc | undefined, path: TextPath): unknown {
  let cur: unknown = doc
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined
    cur = (cur as Record<string, unknown>)[key]
  }
  return cur
}

/**
 * A copy of the version with each translation file's strings in its language. A translation file
 * wins over a text kept inline in the version (v1 has a few), so a correction takes effect.
 */
export function applyTranslations(file: QuestionnaireFile, docs: Partial<Record<Language, TranslationDoc>>): QuestionnaireFile {
  const copy = structuredClone(file)
  const texts = translatableTexts(copy)
  for (const lang of LANGUAGES) {
    if (lang === 'en') continue
    const doc = docs[lang]
    if (!doc) continue
    for (const { path, text } of texts) {
      const value = lookup(doc, path)
      if (typeof value === 'string' && value.trim() !== '') (text as Record<Language, string>)[lang] = value.trim()
    }
  }
  return copy
}

export interface TranslationProblem {
  /** Keys of the translation file, joined for display. */
  path: string
  message: string
  /** Structural problems (unknown keys, non-strings) stop start-up; gaps are for the check and the tests. */
  severity: 'error' | 'gap'
}

const PLACEHOLDER = /\{[^{}\s]+\}/g
/** A text that may stay as in English: no lower-case word of four letters or more (codes, acronyms, names). */
const LOOKS_LIKE_CODE = (en: string) => !/\p{Ll}{4,}/u.test(en)

export function displayPath(path: TextPath): string {
  return path.map((k) => (/^[A-Za-z0-9_]+$/.test(k) ? k : JSON.stringify(k))).join('.')
}

/** What is wrong with one language's translation of a version: unknown keys, gaps, suspicious texts. */
export function checkTranslation(file: QuestionnaireFile, lang: Language, doc: TranslationDoc): TranslationProblem[] {
  const problems: TranslationProblem[] = []
  const expected = translatableTexts(file)
  const known = new Set(expected.map((t) => JSON.stringify(t.path)))

  const walk = (node: unknown, path: string[]) => {
    if (typeof node === 'string') {
      if (!known.has(JSON.stringify(path))) problems.push({ path: displayPath(path), message: 'no such text in the version', severity: 'error' })
      return
    }
    if (node === null || typeof node !== 'object' || Array.isArray(node)) {
      problems.push({ path: displayPath(path), message: 'must be a text or a map of texts', severity: 'error' })
      return
    }
    const entries = Object.entries(node)
    if (path.length > 0 && entries.length === 0) problems.push({ path: displayPath(path), message: 'is empty', severity: 'error' })
    for (const [k, v] of entries) walk(v, [...path, k])
  }
  walk(doc, [])

  for (const { path, text } of expected) {
    const value = lookup(doc, path)
    const at = displayPath(path)
    if (typeof value !== 'string' || value.trim() === '') {
      problems.push({ path: at, message: `missing (${lang})`, severity: 'gap' })
      continue
    }
    if (value.trim() === text.en.trim() && !LOOKS_LIKE_CODE(text.en)) {
      problems.push({ path: at, message: 'is the English text, not a translation', severity: 'gap' })
    }
    const want = [...text.en.matchAll(PLACEHOLDER)]
      .map((m) => m[0])
      .sort()
      .join(' ')
    const got = [...value.matchAll(PLACEHOLDER)]
      .map((m) => m[0])
      .sort()
      .join(' ')
    if (want !== got) problems.push({ path: at, message: `placeholders differ: English has [${want}], ${lang} has [${got}]`, severity: 'gap' })
    const lines = (s: string) => s.trim().split('\n').length
    if (lines(value) !== lines(text.en)) {
      problems.push({ path: at, message: `has ${lines(value)} lines, English has ${lines(text.en)}`, severity: 'gap' })
    }
  }
  return problems
}

/** A translation file's skeleton: every text's path with its English (and the current translation where there is one). */
export function skeleton(file: QuestionnaireFile, lang: Language, current?: TranslationDoc): TranslationDoc {
  const out: TranslationDoc = {}
  for (const { path, text } of translatableTexts(file)) {
    const existing = lookup(current, path)
    let node = out
    path.slice(0, -1).forEach((k) => {
      node[k] ??= {}
      node = node[k] as TranslationDoc
    })
    const last = path[path.length - 1] as string
    node[last] = typeof existing === 'string' ? existing : (text[lang] ?? text.en)
  }
  return out
}

/**
 * A language's glossary (questionnaires/translations/glossary.<lang>.yaml): English term → the
 * accepted forms of its translation (the first is the base form; more for inflected languages).
 */
export type Glossary = Record<string, string | string[]>

/** Texts where a glossary term occurs in the English but none of its translated forms in the translation. */
export function glossaryProblems(file: QuestionnaireFile, lang: Language, doc: TranslationDoc, glossary: Glossary): TranslationProblem[] {
  const problems: TranslationProblem[] = []
  const terms = Object.entries(glossary).map(([term, forms]) => ({
    term,
    pattern: new RegExp(`(^|[^\\p{L}])${term.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\p{L}])`, 'iu'),
    forms: (Array.isArray(forms) ? forms : [forms]).map((f) => f.toLocaleLowerCase(lang)),
  }))
  for (const { path, text } of translatableTexts(file)) {
    const value = lookup(doc, path)
    if (typeof value !== 'string') continue
    const lower = value.toLocaleLowerCase(lang)
    for (const { term, pattern, forms } of terms) {
      if (pattern.test(text.en) && !forms.some((f) => lower.includes(f))) {
        problems.push({ path: displayPath(path), message: `glossary: "${term}" should be "${forms[0]}"`, severity: 'gap' })
      }
    }
  }
  return problems
}

/** Translations of an earlier version reused where the English of the same text did not change. */
export function carryOver(from: QuestionnaireFile, fromDoc: TranslationDoc, to: QuestionnaireFile): TranslationDoc {
  const before = new Map(translatableTexts(from).map((t) => [JSON.stringify(t.path), t.text.en]))
  const out: TranslationDoc = {}
  for (const { path, text } of translatableTexts(to)) {
    const value = lookup(fromDoc, path)
    if (typeof value !== 'string' || before.get(JSON.stringify(path)) !== text.en) continue
    let node = out
    path.slice(0, -1).forEach((k) => {
      node[k] ??= {}
      node = node[k] as TranslationDoc
    })
    node[path[path.length - 1] as string] = value
  }
  return out
}
