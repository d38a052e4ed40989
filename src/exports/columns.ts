/**
 * CSV columns of the exports, and the cell rules. Pure: no I/O.
 *
 * The column order is part of the interface (spreadsheets and scripts read columns by position):
 * add new columns at the end only, never reorder or rename.
 *
 * readiness.csv, one row per assessment:
 *   country code, country name, region, questionnaire, version, cycle, status,
 *   <one column per domain, headed by the domain id, in questionnaire order>,
 *   overall, coverage, tier
 * Scores are 0–100 (exact, not rounded), empty when nothing was measured; coverage 0–1.
 *
 * answers.csv, one row per answer (long format), ANSWER_COLUMNS below. It is also the format the
 * CSV import reads (POST /assessments/{id}/import), which needs `question id` and `value` and
 * reads `comment` and `evidence URLs` when present.
 *   value: the typed value as text: a maturity level or number as digits, yes/no/partial or an
 *     option id as is, multi-choice option ids joined by `;`, text as written, or
 *     `not_applicable` / `unknown` for the special answers.
 *   evidence URLs: joined by one space. carried forward: true/false.
 *   last changed at: ISO 8601 UTC with milliseconds (2026-11-24T10:00:00.000Z).
 *
 * Cells (RFC 4180): separated by commas, rows end in CRLF from csvRow (the database's COPY ends
 * them in LF, which RFC 4180 readers accept); a cell holding a comma, a double quote, CR or LF is
 * enclosed in double quotes with inner quotes doubled. UTF-8, optionally preceded by a BOM (?bom=1)
 * for spreadsheet programs that otherwise guess the encoding.
 *
 * Formula injection: a text cell starting with `=`, `+`, `-`, `@`, tab or CR would be run as a
 * formula by spreadsheet programs, so it gets a leading `'` (OWASP "CSV injection"). Numbers this
 * service emits itself (scores, versions, cycles, coverage; never negative) are not text cells and
 * are left alone. The same rule is applied inside the export SELECT (neutraliseSql in stream.ts).
 */

export const ASSESSMENT_COLUMNS = ['country code', 'country name', 'region', 'questionnaire', 'version', 'cycle', 'status'] as const
export const READINESS_TAIL = ['overall', 'coverage', 'tier'] as const

/** The readiness.csv header for a questionnaire version's domain ids (in questionnaire order). */
export function readinessColumns(domains: readonly string[]): string[] {
  return [...ASSESSMENT_COLUMNS, ...domains, ...READINESS_TAIL]
}

/**
 * answers.csv's evidence columns: the titles of the answer's links and the names of its attached
 * documents (each list joined by " | "), and how many of its pieces a reviewer accepted.
 */
export const ANSWER_EVIDENCE_COLUMNS = ['evidence titles', 'evidence documents', 'accepted evidence'] as const

/** The answers.csv header, in order; also the columns the CSV import reads. */
export const ANSWER_COLUMNS = [
  ...ASSESSMENT_COLUMNS,
  'question id',
  'domain',
  'source reference',
  'force',
  'value',
  'score',
  'comment',
  'evidence URLs',
  'carried forward',
  'last changed at',
  'last changed by role',
  ...ANSWER_EVIDENCE_COLUMNS,
] as const
export type AnswerColumn = (typeof ANSWER_COLUMNS)[number]

/** Characters that make a spreadsheet read a cell as a formula when they come first. */
export const FORMULA_START = ['=', '+', '-', '@', '\t', '\r'] as const

/** A text cell that would start a formula, with a leading apostrophe; other text unchanged. */
export function neutralise(text: string): string {
  return text.length > 0 && (FORMULA_START as readonly string[]).includes(text[0]!) ? `'${text}` : text
}

/**
 * One CSV cell. null/undefined → empty; numbers and booleans as we emit them (not neutralised);
 * strings neutralised against formula injection, then quoted when they hold `,` `"` CR or LF.
 */
export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`)
    return String(value)
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  const text = neutralise(value)
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

/** One CSV record, CRLF-terminated. */
export function csvRow(cells: readonly (string | number | boolean | null | undefined)[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`
}

export const UTF8_BOM = '\uFEFF'

/** Undoes `neutralise` on a cell read back from our own export: `'=x` → `=x`; other text unchanged. */
export function unneutralise(text: string): string {
  return text.length > 1 && text[0] === "'" && (FORMULA_START as readonly string[]).includes(text[1]!) ? text.slice(1) : text
}
