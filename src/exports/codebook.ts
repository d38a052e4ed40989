/**
 * The codebook: one row per question and questionnaire version, saying what answers.csv's values
 * mean (text, type, options and levels with their labels and scores, weights, conditions, source
 * and the words of the treaty it is about). Pure: no I/O; built-in labels come from the catalogs.
 * The columns are CODEBOOK_FIELDS (tables.ts), in that order.
 */
import type { Language } from '../i18n/languages.js'
import { t } from '../i18n/catalogs.js'
import { isScored, localize, type LocalizedText, type Question, type QuestionnaireFile } from '../questionnaires/schema.js'
import { CODEBOOK_FIELDS } from './tables.js'

export type CodebookCell = string | number | boolean | null
export type CodebookRow = CodebookCell[]

export const CODEBOOK_COLUMNS: readonly string[] = CODEBOOK_FIELDS.map((f) => f.name)

/** The quoted source text of a citation, across versions: v1 files do not quote, their v2 successors do. */
export type QuoteIndex = Map<string, LocalizedText>

const citation = (q: Question) => `${q.source.document}#${q.source.section}#${q.source.bullet ?? ''}`

/** Every quote of the given versions, by the document, section and bullet it cites. */
export function quoteIndex(files: readonly QuestionnaireFile[]): QuoteIndex {
  const index: QuoteIndex = new Map()
  for (const file of files) {
    for (const d of file.domains) for (const q of d.questions) if (q.quote && !index.has(citation(q))) index.set(citation(q), q.quote)
  }
  return index
}

/** "value=label [score]" for each possible value, joined by " | "; scores left out when the question is unscored. */
export function optionsText(q: Question, lang: Language): string | null {
  const scored = isScored(q)
  const item = (value: string | number, label: string, score: number | undefined) =>
    scored && score !== undefined ? `${value}=${label} [${score}]` : `${value}=${label}`
  switch (q.type) {
    case 'maturity':
      return (['0', '1', '2', '3', '4'] as const)
        .map((level) => item(level, q.labels ? localize(q.labels[level], lang) : t(lang, `maturity.${level}`), Number(level) / 4))
        .join(' | ')
    case 'yes_no_partial':
      return [item('yes', t(lang, 'answer.yes'), 1), item('partial', t(lang, 'answer.partial'), 0.5), item('no', t(lang, 'answer.no'), 0)].join(' | ')
    case 'single_choice':
    case 'multi_choice':
      return q.options.map((o) => item(o.id, localize(o.label, lang), o.score)).join(' | ')
    case 'number':
      return q.bands ? q.bands.map((b) => `>=${b.min} [${b.score}]`).join(' | ') : null
    case 'text':
      return null
  }
}

/** Where a question sits in an "or" group of its domain ("group/route"), if it does. */
function alternativesOf(file: QuestionnaireFile, domainId: string, questionId: string): string | null {
  const domain = file.domains.find((d) => d.id === domainId)
  for (const g of domain?.alternatives ?? []) {
    for (const r of g.routes) if (r.questions.includes(questionId)) return `${g.id}/${r.id}`
  }
  return null
}

/** x rounded to 4 decimals: weights are the file's numbers, their products may not be exact in binary. */
const round4 = (x: number) => Math.round(x * 1e4) / 1e4

/**
 * The codebook rows of a version, in question order, with the translated columns in `lang`
 * (`file` must have its translations applied). `quotes` fills the treaty text of versions that do
 * not quote their sources themselves.
 */
export function codebookRows(file: QuestionnaireFile, lang: Language, quotes: QuoteIndex = quoteIndex([file])): CodebookRow[] {
  const weights = file.scoring.force_weights as Record<string, number | undefined>
  const rows: CodebookRow[] = []
  let position = 0
  for (const d of file.domains) {
    for (const q of d.questions) {
      position++
      const scored = isScored(q)
      const forceWeight = weights[q.force] ?? null
      const quote = q.quote ?? quotes.get(citation(q))
      const row: Record<string, CodebookCell> = {
        questionnaire: file.id,
        version: file.version,
        domain: d.id,
        'domain title': d.title.en,
        'domain title, translated': localize(d.title, lang),
        position,
        'question id': q.id,
        'question text': q.text.en,
        'question text, translated': localize(q.text, lang),
        language: lang,
        type: q.type,
        options: optionsText(q, 'en'),
        'options, translated': optionsText(q, lang),
        combine: q.type === 'multi_choice' ? q.combine : null,
        unit: q.type === 'number' && q.unit ? q.unit.en : null,
        minimum: q.type === 'number' ? (q.min ?? null) : null,
        maximum: q.type === 'number' ? (q.max ?? null) : null,
        weight: q.weight,
        force: q.force,
        'force weight': forceWeight,
        'effective weight': scored && forceWeight !== null ? round4(q.weight * forceWeight) : null,
        alternatives: alternativesOf(file, d.id, q.id),
        'applies if': q.applies_if ? `${q.applies_if.question} in ${q.applies_if.in.join(';')}` : null,
        required: q.required,
        'not applicable allowed': q.allow_not_applicable,
        'unknown allowed': q.allow_unknown,
        'source document': q.source.document,
        'source reference': q.source.ref,
        'treaty text': quote?.en ?? null,
        'treaty text, translated': quote ? localize(quote, lang) : null,
        scored,
      }
      if (rows.length === 0) assertColumns(Object.keys(row))
      rows.push(CODEBOOK_COLUMNS.map((c) => row[c] ?? null))
    }
  }
  return rows
}

/** The row's keys are the codebook's columns, in order: a renamed column fails at once, not as an empty one. */
function assertColumns(keys: string[]): void {
  if (keys.join('\n') !== CODEBOOK_COLUMNS.join('\n')) throw new Error(`codebook row keys ${keys.join(', ')} differ from CODEBOOK_FIELDS`)
}
