/**
 * CSV import of answers into a draft assessment: the answers.csv format (ANSWER_COLUMNS).
 *
 * - Columns are found by header name (case and surrounding spaces ignored); `question id` and
 *   `value` are required, `comment` and `evidence URLs` are read when present, every other column
 *   (country, score, last changed at, …) is ignored, so an exported file can be edited and sent back.
 * - `value` is converted by the question's type: maturity and number → a number; multi_choice →
 *   option ids split on `;`; `not_applicable` / `unknown` → the special answer; anything else as text.
 *   An empty comment clears it; evidence URLs are split on spaces, each becoming an evidence item
 *   titled by its URL (an absent column keeps the evidence as it is).
 * - A leading `'` that our export put before a formula character is removed again (see columns.ts).
 * - Each value is checked against its question here (checkAnswer), so that one 422 names every bad
 *   row; writeAnswers checks again (and whether each question applies) before writing.
 * - All rows are written in ONE writeAnswers call: all or nothing. Every bad row is reported with
 *   its line number (`/line/7`, the header being line 1) in one 422 problem, and nothing changes.
 * - An import deliberately overwrites: every row is written with precondition {kind: 'any'}
 *   (If-Match: *), whatever the answer's current revision. History records each change as usual.
 * - Limits: the API's own on every field (answer-fields.ts: comment, evidence count, title and URL
 *   length; the question's own for the value), at most MAX_IMPORT_ROWS rows in MAX_IMPORT_BYTES,
 *   and a 422 that lists the first MAX_REPORTED problems with the total count, so that neither the
 *   work nor the error body grows with a bad file.
 */
import { once } from 'node:events'
import { parse } from 'csv-parse'
import type { FieldProblem } from '../errors.js'
import { AppError, unprocessable } from '../errors.js'
import { comment as commentField, evidenceList } from '../assessments/answer-fields.js'
import type { AnswerWrite } from '../assessments/service.js'
import { checkAnswer } from '../questionnaires/answers.js'
import type { Question } from '../questionnaires/schema.js'
import { unneutralise } from './columns.js'

export const MAX_IMPORT_BYTES = 2 * 1024 * 1024
/** As many rows as a questionnaire has questions, with room to spare. */
export const MAX_IMPORT_ROWS = 2000
/** Problems listed in one 422; `total` says how many there were. */
export const MAX_REPORTED = 100
const SPECIALS = ['not_applicable', 'unknown'] as const
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/

interface Row {
  line: number
  cells: string[]
}

/** Parsed a slice at a time, yielding between slices: a large file never holds the event loop. */
const SLICE = 64 * 1024

async function readRows(csv: string): Promise<Row[]> {
  const parser = parse({ bom: true, relax_column_count: true, skip_empty_lines: true, info: true })
  const rows: Row[] = []
  let stop = false
  const feed = (async () => {
    for (let i = 0; i < csv.length && !stop; i += SLICE) {
      if (!parser.write(csv.slice(i, i + SLICE))) await once(parser, 'drain')
      await new Promise((resolve) => setImmediate(resolve))
    }
    if (!stop) parser.end()
  })()
  try {
    for await (const r of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      rows.push({ line: r.info.lines, cells: r.record })
      // One record more than allowed is enough to know the file is too long: the rest is not parsed.
      if (rows.length > MAX_IMPORT_ROWS + 1) {
        stop = true
        parser.destroy()
        throw unprocessable(`the file has more than ${MAX_IMPORT_ROWS} answers`, [
          { path: `/line/${r.info.lines}`, message: `at most ${MAX_IMPORT_ROWS} answers per import` },
        ])
      }
    }
    await feed
  } catch (error) {
    stop = true
    await feed.catch(() => undefined)
    if (error instanceof AppError) throw error
    const e = error as { lines?: number; message?: string }
    throw unprocessable('the file is not valid CSV', [{ path: `/line/${e.lines ?? 1}`, message: e.message ?? 'not valid CSV' }])
  }
  return rows
}

/** The answer writes of a CSV file for these questions, or a 422 naming every bad line. */
export async function parseImport(csv: string, questions: ReadonlyMap<string, Question>): Promise<AnswerWrite[]> {
  const rows = await readRows(csv)
  const header = rows[0]
  if (!header) throw unprocessable('the file is empty', [{ path: '/line/1', message: 'a header row is required' }])
  const index = (name: string) =>
    header.cells.findIndex(
      (c) =>
        c
          .replace(/^\uFEFF/, '')
          .trim()
          .toLowerCase() === name.toLowerCase(),
    )
  const col = { question: index('question id'), value: index('value'), comment: index('comment'), evidence: index('evidence URLs') }
  const missing = (['question id', 'value'] as const).filter((_, i) => (i === 0 ? col.question : col.value) < 0)
  if (missing.length) {
    throw unprocessable(
      'the header lacks required columns',
      missing.map((m) => ({ path: `/line/${header.line}`, message: `column "${m}" is required` })),
    )
  }
  if (rows.length === 1) throw unprocessable('the file has no answers', [{ path: `/line/${header.line}`, message: 'no rows follow the header' }])

  const problems: FieldProblem[] = []
  const writes: AnswerWrite[] = []
  const seen = new Map<string, number>()
  for (const row of rows.slice(1)) {
    const path = `/line/${row.line}`
    const cell = (i: number) => (i >= 0 ? unneutralise(row.cells[i] ?? '') : undefined)
    const questionId = (cell(col.question) ?? '').trim()
    const raw = (cell(col.value) ?? '').trim()
    if (!questionId) {
      problems.push({ path, message: 'question id is empty' })
      continue
    }
    const question = questions.get(questionId)
    if (!question) {
      problems.push({ path, message: `${questionId} is not a question of this assessment's questionnaire` })
      continue
    }
    const before = seen.get(questionId)
    if (before !== undefined) {
      problems.push({ path, message: `${questionId} appears more than once (also on line ${before})` })
      continue
    }
    seen.set(questionId, row.line)
    if (!raw) {
      problems.push({ path, message: `${questionId}: value is empty` })
      continue
    }
    const write: AnswerWrite = { questionId, precondition: { kind: 'any' }, path }
    if ((SPECIALS as readonly string[]).includes(raw)) {
      write.special = raw as (typeof SPECIALS)[number]
      write.value = null
    } else if (question.type === 'maturity' || question.type === 'number') {
      if (!NUMBER.test(raw)) {
        problems.push({ path, message: `${questionId}: value must be a number, got "${raw}"` })
        continue
      }
      write.value = Number(raw)
    } else if (question.type === 'multi_choice') {
      write.value = raw
        .split(';')
        .map((s) => s.trim())
        .filter(Boolean)
    } else {
      write.value = raw
    }
    // The answer's own checks, here too, so that every bad row is reported at once.
    const checked = checkAnswer(question, { value: write.value, special: write.special ?? null })
    if (!checked.ok) {
      problems.push({ path, message: `${questionId}: ${checked.problem}; allowed: ${checked.allowed}` })
      continue
    }
    const comment = cell(col.comment)
    if (comment !== undefined) {
      const checkedComment = commentField.safeParse(comment.trim())
      if (!checkedComment.success) {
        problems.push({ path, message: `${questionId}: comment ${checkedComment.error.issues[0]?.message ?? 'is not valid'}` })
        continue
      }
      write.comment = checkedComment.data || null
    }
    const evidence = cell(col.evidence)
    if (evidence !== undefined) {
      const checkedEvidence = evidenceList.safeParse(
        evidence
          .split(/\s+/)
          .filter(Boolean)
          .map((url) => ({ title: url.slice(0, 300), url })),
      )
      if (!checkedEvidence.success) {
        const issue = checkedEvidence.error.issues[0]
        const item = typeof issue?.path[0] === 'number' ? ` "${evidence.split(/\s+/).filter(Boolean)[issue.path[0]]?.slice(0, 100)}"` : ''
        problems.push({ path, message: `${questionId}: evidence${item} ${issue?.message ?? 'is not valid'}` })
        continue
      }
      write.evidence = checkedEvidence.data
    }
    writes.push(write)
  }
  if (problems.length) {
    const sorted = sortByLine(problems)
    const shown = sorted.slice(0, MAX_REPORTED)
    throw unprocessable(
      `${problems.length} row(s) of the file are not valid; nothing was imported` +
        (problems.length > shown.length ? ` (the first ${shown.length} are listed)` : ''),
      shown,
      { total: problems.length },
    )
  }
  return writes
}

function sortByLine(problems: FieldProblem[]): FieldProblem[] {
  const line = (p: FieldProblem) => Number(/^\/line\/(\d+)/.exec(p.path)?.[1] ?? 0)
  return [...problems].sort((a, b) => line(a) - line(b))
}
