// The answer model: what an administration may answer to a question, how it is checked and
// normalised before storage, and which questions apply given the other answers.
// Pure: no I/O. The answer route turns a failed check into a 4xx problem; scoring reads StoredAnswer.
import { DEFAULT_MATURITY_LABELS, SPECIALS, questionsOf, type Question, type QuestionnaireFile, type Special } from './schema.js'

/**
 * What a client sends: exactly one of a typed value or a special answer.
 * `null` counts as absent for both, so a StoredAnswer is also a valid AnswerInput.
 */
export type AnswerInput = { value?: unknown; special?: Special | null }

/**
 * A checked value, by question type:
 * maturity → integer 0..4; yes_no_partial → 'yes' | 'no' | 'partial'; single_choice → an option id;
 * multi_choice → distinct option ids (order as given); number → finite number; text → trimmed string.
 */
export type AnswerValue = number | string | string[]

/** An answer as stored: exactly one of `value` and `special` is non-null. */
export type StoredAnswer = { value: AnswerValue | null; special: Special | null }

export type CheckResult =
  | { ok: true; answer: StoredAnswer }
  | { ok: false /** What is wrong, as a sentence. */; problem: string /** What the question accepts. */; allowed: string }

export const YES_NO_PARTIAL = ['yes', 'no', 'partial'] as const
export type YesNoPartial = (typeof YES_NO_PARTIAL)[number]

const MATURITY_LEVELS = ['0', '1', '2', '3', '4'] as const

/**
 * Checks a client's answer against its question and returns it normalised for storage
 * (text trimmed; multi_choice kept in the given order), or a problem and a description of what is allowed.
 * `value: null` and `special: null` count as absent, so a StoredAnswer passes through unchanged.
 */
export function checkAnswer(question: Question, input: AnswerInput): CheckResult {
  const fail = (problem: string): CheckResult => ({ ok: false, problem, allowed: describeAllowed(question) })

  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return fail('an answer must be an object with either "value" or "special"')
  }
  const hasValue = input.value !== undefined && input.value !== null
  const special: unknown = input.special
  const hasSpecial = special !== undefined && special !== null
  if (hasValue && hasSpecial) return fail('give either a value or a special answer, not both')
  if (!hasValue && !hasSpecial) return fail('an answer needs either a value or a special answer')

  if (hasSpecial) {
    if (!isSpecial(special)) {
      return fail(`special must be ${orList(SPECIALS.map((s) => JSON.stringify(s)))}, got ${describeValue(special)}`)
    }
    if (!allowedSpecials(question).includes(special)) return fail(`"${special}" is not allowed for this question`)
    return { ok: true, answer: { value: null, special } }
  }

  const checked = checkValue(question, input.value)
  if (typeof checked === 'string') return fail(checked)
  return { ok: true, answer: { value: checked.value, special: null } }
}

/** Checks a value; returns the normalised value, or the problem as a sentence. */
function checkValue(q: Question, v: unknown): { value: AnswerValue } | string {
  switch (q.type) {
    case 'maturity': {
      if (typeof v !== 'number') return `value must be a maturity level (a whole number from 0 to 4), got ${describeValue(v)}`
      if (!Number.isInteger(v)) return `value must be a whole maturity level, one of: ${maturityChoices(q)}; got ${describeValue(v)}`
      if (v < 0 || v > 4) return `value must be one of: ${maturityChoices(q)}; got ${describeValue(v)}, which is out of range`
      return { value: v }
    }
    case 'yes_no_partial': {
      if (typeof v !== 'string') return `value must be "yes", "no" or "partial", got ${describeValue(v)}`
      if (!(YES_NO_PARTIAL as readonly string[]).includes(v)) return `value must be "yes", "no" or "partial", got ${describeValue(v)}`
      return { value: v }
    }
    case 'single_choice': {
      if (typeof v !== 'string') return `value must be one option id, got ${describeValue(v)}`
      if (!q.options.some((o) => o.id === v)) return `${quote(v)} is not an option of this question; value must be one of: ${optionList(q.options)}`
      return { value: v }
    }
    case 'multi_choice': {
      if (!Array.isArray(v)) return `value must be a list of option ids, got ${describeValue(v)}`
      if (v.length === 0) return 'value must select at least one option'
      const seen = new Set<string>()
      for (const [i, id] of v.entries()) {
        if (typeof id !== 'string') return `item ${i + 1} of value must be an option id, got ${describeValue(id)}`
        if (!q.options.some((o) => o.id === id)) return `${quote(id)} is not an option of this question; options are: ${optionList(q.options)}`
        if (seen.has(id)) return `option "${id}" is selected more than once`
        seen.add(id)
      }
      if (v.length > 1) {
        const exclusive = q.options.find((o) => o.exclusive && seen.has(o.id))
        if (exclusive) return `option "${exclusive.id}" (${exclusive.label.en}) cannot be combined with other options`
      }
      return { value: [...(v as string[])] }
    }
    case 'number': {
      const what = q.integer ? 'a whole number' : 'a number'
      if (typeof v !== 'number') return `value must be ${what}, got ${describeValue(v)}`
      if (!Number.isFinite(v)) return `value must be a finite number, got ${describeValue(v)}`
      if (q.integer && !Number.isInteger(v)) return `value must be a whole number, got ${describeValue(v)}`
      if (q.min !== undefined && v < q.min) return `value ${describeValue(v)} is below the minimum of ${q.min}`
      if (q.max !== undefined && v > q.max) return `value ${describeValue(v)} is above the maximum of ${q.max}`
      return { value: v }
    }
    case 'text': {
      if (typeof v !== 'string') return `value must be text, got ${describeValue(v)}`
      const text = v.trim()
      if (text.length === 0) return 'value must not be empty or only spaces'
      const length = characterCount(text)
      if (length > q.max_length) return `value is ${length} characters long; the maximum is ${q.max_length}`
      return { value: text }
    }
  }
}

/**
 * The justification rule: where the file says `not_applicable_requires_comment`, a "not_applicable"
 * answer needs a non-blank comment saying why (declaring a question not applicable takes it out of
 * the score, so reviewers must see the reason). Returns the problem as a sentence, or null.
 */
export function commentProblem(question: Question, answer: StoredAnswer, comment: string | null | undefined): string | null {
  if (answer.special !== 'not_applicable' || !question.not_applicable_requires_comment) return null
  if (typeof comment === 'string' && comment.trim() !== '') return null
  return '"not_applicable" needs a comment saying why the question does not apply to your country (reviewers see it)'
}

/** The special answers a question accepts, in SPECIALS order. */
export function allowedSpecials(q: Question): Special[] {
  return SPECIALS.filter((s) => (s === 'not_applicable' ? q.allow_not_applicable : q.allow_unknown))
}

/** An English description of what a question accepts, for error messages and API documentation. */
export function describeAllowed(q: Question): string {
  let values: string
  switch (q.type) {
    case 'maturity':
      values = `a maturity level, one of: ${maturityChoices(q)}`
      break
    case 'yes_no_partial':
      values = '"yes", "no" or "partial"'
      break
    case 'single_choice':
      values = `one option id, one of: ${optionList(q.options)}`
      break
    case 'multi_choice': {
      const exclusive = q.options.filter((o) => o.exclusive).map((o) => `"${o.id}"`)
      values =
        `a non-empty list of distinct option ids from: ${optionList(q.options)}` +
        (exclusive.length ? `; ${orList(exclusive)} cannot be combined with other options` : '')
      break
    }
    case 'number': {
      const range =
        q.min !== undefined && q.max !== undefined
          ? ` from ${q.min} to ${q.max}`
          : q.min !== undefined
            ? ` of at least ${q.min}`
            : q.max !== undefined
              ? ` of at most ${q.max}`
              : ''
      values = `${q.integer ? 'a whole number' : 'a number'}${range}${q.unit ? ` (${q.unit.en})` : ''}`
      break
    }
    case 'text':
      values = `text of 1 to ${q.max_length} characters`
      break
  }
  const specials = allowedSpecials(q).map((s) => `"${s}"`)
  if (specials.length === 0) return values
  const justify = q.allow_not_applicable && q.not_applicable_requires_comment ? ' ("not_applicable" only with a comment saying why)' : ''
  return `${values}; or the special answer ${orList(specials)}${justify}`
}

/**
 * Whether a question applies given the answers. Without `applies_if` it always applies; with one it
 * applies only when the referenced question itself applies (transitively) and has a value listed in
 * `applies_if.in` (multi_choice: any selected option listed). A special or missing answer to the
 * referenced question means the question does not apply.
 */
export function applies(question: Question, answers: AnswerLookup, questionsById: ReadonlyMap<string, Question>): boolean {
  return resolve(question, answers, questionsById, new Map(), new Set())
}

/** What applicability reads of the answers: one question's at a time. */
export type AnswerLookup = Pick<ReadonlyMap<string, StoredAnswer>, 'get'>

/** Whether a question of the file applies, each question resolved at most once however often it is asked. */
export function applicabilityOf(file: QuestionnaireFile, answers: AnswerLookup): (question: Question) => boolean {
  const byId = indexQuestions(file)
  const memo = new Map<string, boolean>()
  const visiting = new Set<string>() // empty again after each resolve
  return (question) => resolve(question, answers, byId, memo, visiting)
}

/** Whether each question of the file applies, computed once for all questions (question id → applies). */
export function applicability(file: QuestionnaireFile, answers: AnswerLookup): Map<string, boolean> {
  const applies = applicabilityOf(file, answers)
  return new Map([...indexQuestions(file).values()].map((q) => [q.id, applies(q)]))
}

const indexes = new WeakMap<QuestionnaireFile, ReadonlyMap<string, Question>>()

/**
 * Question id → question, over all domains of the file. Made once per file object: scoring asks for
 * it on every answer write, and a parsed file is never changed afterwards.
 */
export function indexQuestions(file: QuestionnaireFile): ReadonlyMap<string, Question> {
  let index = indexes.get(file)
  if (!index) {
    index = new Map(questionsOf(file).map(({ question }) => [question.id, question]))
    indexes.set(file, index)
  }
  return index
}

/** Whether an answer value satisfies a condition's list of values. */
export function conditionMet(inList: readonly (string | number)[], value: AnswerValue | null): boolean {
  if (value === null) return false
  if (Array.isArray(value)) return value.some((v) => inList.includes(v))
  return inList.includes(value)
}

function resolve(q: Question, answers: AnswerLookup, byId: ReadonlyMap<string, Question>, memo: Map<string, boolean>, visiting: Set<string>): boolean {
  const known = memo.get(q.id)
  if (known !== undefined) return known
  let result: boolean
  if (!q.applies_if) {
    result = true
  } else if (visiting.has(q.id)) {
    // A cycle; the schema rejects these, so this only guards against unvalidated input.
    return false
  } else {
    visiting.add(q.id)
    const target = byId.get(q.applies_if.question)
    const answer = answers.get(q.applies_if.question)
    result =
      target !== undefined &&
      answer !== undefined &&
      answer.special === null &&
      resolve(target, answers, byId, memo, visiting) &&
      conditionMet(q.applies_if.in, answer.value)
    visiting.delete(q.id)
  }
  memo.set(q.id, result)
  return result
}

function isSpecial(x: unknown): x is Special {
  return typeof x === 'string' && (SPECIALS as readonly string[]).includes(x)
}

function maturityChoices(q: Extract<Question, { type: 'maturity' }>): string {
  const labels = q.labels ?? DEFAULT_MATURITY_LABELS
  return MATURITY_LEVELS.map((l) => `${labels[l].en} (${l})`).join(', ')
}

function optionList(options: readonly { id: string; label: { en: string } }[]): string {
  return options.map((o) => `"${o.id}" (${o.label.en})`).join(', ')
}

function orList(items: readonly string[]): string {
  if (items.length <= 1) return items.join('')
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`
}

/** Length in Unicode characters (code points), as PostgreSQL counts text. */
function characterCount(s: string): number {
  let n = 0
  for (const _ of s) n++
  return n
}

function quote(s: string): string {
  return JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s)
}

/** A short English rendering of a received value, for problem sentences. */
function describeValue(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'a list'
  switch (typeof v) {
    case 'string':
      return `the text ${quote(v)}`
    case 'number':
      return String(v)
    case 'boolean':
      return `the boolean ${v}`
    case 'undefined':
      return 'nothing'
    case 'object':
      return 'an object'
    default:
      return `a ${typeof v}`
  }
}
