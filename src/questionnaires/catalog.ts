// Loads the questionnaire files (questionnaires/*.yaml), validates them with the zod schema and
// reports every problem with its file, its path inside the file and, where known, its line.
// Only loadCatalog touches the file system; parseQuestionnaire is pure and is what tests feed.
import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { isMap, isPair, isScalar, isSeq, LineCounter, parse, parseDocument, type Document } from 'yaml'
import type { z } from 'zod'
import { LANGUAGES, questionnaireFile, type Language, type QuestionnaireFile } from './schema.js'
import { checkTranslation, type Glossary, type TranslationDoc } from './translations.js'

export type LoadedQuestionnaire = {
  /** File name (without directory), e.g. "cdc.v1.yaml". */
  file: string
  content: QuestionnaireFile
  /** sha256 hex of the canonical JSON of the parsed content: comments, layout and key order do not count. */
  hash: string
}

/** Translation files by "<id>@<version>", then language. */
export type TranslationSet = Map<string, Partial<Record<Language, TranslationDoc>>>

export type Catalog = { questionnaires: LoadedQuestionnaire[]; translations: TranslationSet }

export type CatalogIssue = {
  file: string
  /** Path inside the file, e.g. "domains[2].questions[4].options[1].score"; "" for the whole file. */
  path: string
  message: string
  /** 1-based line in the file, when it could be located. */
  line?: number
}

export class CatalogError extends Error {
  readonly issues: CatalogIssue[]
  constructor(issues: CatalogIssue[]) {
    super(formatCatalogError(issues))
    this.name = 'CatalogError'
    this.issues = issues
  }
}

/**
 * The outcome of parsing one file. On failure, `content` is present when the content itself is valid
 * and only the file name is wrong, so that loadCatalog can still detect duplicate (id, version) pairs.
 */
export type ParseResult = { ok: true; questionnaire: LoadedQuestionnaire } | { ok: false; issues: CatalogIssue[]; content?: QuestionnaireFile }

/** "<id>.v<version>.yaml", the only accepted file name. */
const FILE_NAME = /^([a-z][a-z0-9_]*)\.v([1-9][0-9]*)\.yaml$/

/** One line per issue: "file:line: path: message". */
export function formatIssue(issue: CatalogIssue): string {
  const where = issue.line ? `${issue.file}:${issue.line}` : issue.file
  return issue.path ? `${where}: ${issue.path}: ${issue.message}` : `${where}: ${issue.message}`
}

/** The text of a CatalogError (or of a list of issues): a count, then one line per issue. */
export function formatCatalogError(error: CatalogError | readonly CatalogIssue[]): string {
  const issues = Array.isArray(error) ? (error as readonly CatalogIssue[]) : (error as CatalogError).issues
  const files = new Set(issues.map((i) => i.file)).size
  const head = `${issues.length} problem${issues.length === 1 ? '' : 's'} in ${files} questionnaire file${files === 1 ? '' : 's'}:`
  return [head, ...issues.map((i) => `  ${formatIssue(i)}`)].join('\n')
}

/** Renders a zod path as "domains[2].questions[4].labels['0']". */
export function formatPath(segments: readonly PropertyKey[]): string {
  let out = ''
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`
    else if (typeof s === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(s)) out += out ? `.${s}` : s
    else out += `[${JSON.stringify(String(s))}]`
  }
  return out
}

/**
 * Parses and validates one questionnaire file. `fileName` is the bare file name; it must be
 * "<id>.v<version>.yaml" and agree with the content.
 */
export function parseQuestionnaire(text: string, fileName: string): ParseResult {
  const issues: CatalogIssue[] = []
  const issue = (p: string, message: string, line?: number) =>
    issues.push(line === undefined ? { file: fileName, path: p, message } : { file: fileName, path: p, message, line })

  const nameMatch = FILE_NAME.exec(fileName)
  if (!nameMatch) {
    issue('', `file name must be "<id>.v<version>.yaml" (for example "cdc.v1.yaml"), not "${fileName}"`)
  }

  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true })
  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      const pos = e.linePos?.[0]
      const first = (e.message.split('\n')[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, '')
      issue('', `YAML syntax error${pos ? ` at line ${pos.line}, column ${pos.col}` : ''}: ${first}`, pos?.line)
    }
    return { ok: false, issues }
  }

  const data: unknown = doc.toJS()
  const result = questionnaireFile.safeParse(data)
  if (!result.success) {
    for (const zi of result.error.issues) {
      for (const { segments, message } of describeZodIssue(zi, data)) {
        issue(formatPath(segments), message, lineOf(doc, lineCounter, segments))
      }
    }
    return { ok: false, issues }
  }

  const content = result.data
  if (nameMatch) {
    const [, nameId, nameVersion] = nameMatch
    if (content.id !== nameId) {
      issue('id', `is "${content.id}" but the file name says "${nameId}"`, lineOf(doc, lineCounter, ['id']))
    }
    if (String(content.version) !== nameVersion) {
      issue('version', `is ${content.version} but the file name says ${nameVersion}`, lineOf(doc, lineCounter, ['version']))
    }
  }
  if (issues.length > 0) return { ok: false, issues, content }
  return { ok: true, questionnaire: { file: fileName, content, hash: contentHash(content) } }
}

/**
 * Reads every *.yaml file of `dir` (not recursive), validates each one, and checks that no two
 * files hold the same (id, version). Throws a CatalogError listing every problem of every file.
 */
export async function loadCatalog(dir: string): Promise<Catalog> {
  let names: string[]
  try {
    names = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name)
  } catch (err) {
    throw new CatalogError([{ file: dir, path: '', message: `cannot read the questionnaire directory: ${(err as Error).message}` }])
  }
  names.sort()

  const issues: CatalogIssue[] = []
  const questionnaires: LoadedQuestionnaire[] = []
  const contents: { file: string; content: QuestionnaireFile; wellNamed: boolean }[] = []
  for (const name of names) {
    if (/\.yml$/i.test(name) || (/\.yaml$/i.test(name) && !name.endsWith('.yaml'))) {
      issues.push({ file: name, path: '', message: 'questionnaire files must end in ".yaml" (lower case); this file would be ignored' })
      continue
    }
    if (!name.endsWith('.yaml')) continue
    const result = parseQuestionnaire(await readFile(path.join(dir, name), 'utf8'), name)
    if (result.ok) {
      questionnaires.push(result.questionnaire)
      contents.push({ file: name, content: result.questionnaire.content, wellNamed: true })
    } else {
      issues.push(...result.issues)
      if (result.content) contents.push({ file: name, content: result.content, wellNamed: false })
    }
  }

  // File names make (id, version) unique among well-named files; a misnamed copy is caught here and
  // reported against itself rather than against the file that is named correctly.
  const seen = new Map<string, string>()
  for (const { file, content } of [...contents].sort((a, b) => Number(b.wellNamed) - Number(a.wellNamed))) {
    const key = `${content.id} v${content.version}`
    const other = seen.get(key)
    if (other) issues.push({ file, path: 'id', message: `questionnaire ${key} is also defined in ${other}` })
    else seen.set(key, file)
  }

  if (names.filter((n) => n.endsWith('.yaml')).length === 0 && issues.length === 0) {
    issues.push({ file: dir, path: '', message: 'no questionnaire files (*.yaml) found' })
  }
  const translations = await readTranslations(path.join(dir, TRANSLATIONS_DIR), issues)
  for (const [key, byLang] of translations) {
    const version = questionnaires.find((q) => `${q.content.id}@${q.content.version}` === key)
    for (const [lang, doc] of Object.entries(byLang) as [Language, TranslationDoc][]) {
      const file = `${TRANSLATIONS_DIR}/${key.replace('@', '.v')}.${lang}.yaml`
      if (!version) {
        // A version whose own file failed has been reported already.
        if (!contents.some((c) => `${c.content.id}@${c.content.version}` === key)) {
          issues.push({ file, path: '', message: `there is no questionnaire version ${key.replace('@', ' v')}` })
        }
        continue
      }
      for (const p of checkTranslation(version.content, lang, doc)) {
        if (p.severity === 'error') issues.push({ file, path: p.path, message: p.message })
      }
    }
  }
  if (issues.length > 0) throw new CatalogError(issues)
  return { questionnaires, translations }
}

export const TRANSLATIONS_DIR = 'translations'
const TRANSLATION_NAME = new RegExp(`^([a-z][a-z0-9_]*)\\.v([1-9][0-9]*)\\.(${LANGUAGES.filter((l) => l !== 'en').join('|')})\\.yaml$`)

const GLOSSARY_NAME = new RegExp(`^glossary\\.(${LANGUAGES.filter((l) => l !== 'en').join('|')})\\.yaml$`)

/** A language's glossary file, or undefined when there is none. */
export async function readGlossary(dir: string, lang: Language): Promise<Glossary | undefined> {
  try {
    return parse(await readFile(path.join(dir, `glossary.${lang}.yaml`), 'utf8')) as Glossary
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
}

/**
 * The translation files of `dir` (absent directory: none). Only their form is checked here; their
 * keys are checked against the versions by loadCatalog. The app reads them with this function too.
 */
export async function readTranslations(dir: string, issues: CatalogIssue[] = []): Promise<TranslationSet> {
  const set: TranslationSet = new Map()
  let names: string[]
  try {
    names = (await readdir(dir, { withFileTypes: true }))
      .filter((e) => e.isFile())
      .map((e) => e.name)
      .sort()
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return set
    throw err
  }
  for (const name of names) {
    const file = `${TRANSLATIONS_DIR}/${name}`
    if (GLOSSARY_NAME.test(name)) continue
    const m = TRANSLATION_NAME.exec(name)
    if (!m) {
      issues.push({
        file,
        path: '',
        message: `translation files are named "<id>.v<version>.<lang>.yaml" with lang one of ${LANGUAGES.filter((l) => l !== 'en').join(', ')}`,
      })
      continue
    }
    const lineCounter = new LineCounter()
    const doc = parseDocument(await readFile(path.join(dir, name), 'utf8'), { lineCounter, uniqueKeys: true })
    if (doc.errors.length > 0) {
      const e = doc.errors[0]
      issues.push({ file, path: '', message: `YAML syntax error: ${(e?.message ?? '').split('\n')[0]}`, ...(e?.linePos ? { line: e.linePos[0].line } : {}) })
      continue
    }
    const data: unknown = doc.toJS()
    if (data === null || typeof data !== 'object' || Array.isArray(data)) {
      issues.push({ file, path: '', message: 'must be a map of texts' })
      continue
    }
    const key = `${m[1]}@${m[2]}`
    const byLang = set.get(key) ?? {}
    byLang[m[3] as Language] = data as TranslationDoc
    set.set(key, byLang)
  }
  return set
}

/** sha256 hex of the canonical JSON of a parsed questionnaire. */
export function contentHash(content: QuestionnaireFile): string {
  return createHash('sha256').update(canonicalJson(content)).digest('hex')
}

/** JSON with object keys sorted at every level and undefined members left out. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new Error('cannot hash a non-finite number')
    return JSON.stringify(value)
  }
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
}

/** Turns one zod issue into the messages a questionnaire author needs (one per unknown key). */
function describeZodIssue(zi: z.core.$ZodIssue, data: unknown): { segments: PropertyKey[]; message: string }[] {
  const segments = [...zi.path]
  switch (zi.code) {
    case 'unrecognized_keys':
      return zi.keys.map((k) => ({ segments: [...segments, k], message: `unknown field "${k}"` }))
    case 'invalid_type': {
      if (valueAt(data, segments) !== undefined) return [{ segments, message: zi.message }]
      const last = segments[segments.length - 1]
      return [{ segments, message: last === 'en' ? 'English text is required' : 'is required but missing' }]
    }
    case 'invalid_union': {
      if ('discriminator' in zi && zi.discriminator) {
        const value = valueAt(data, segments)
        const allowed = (zi as { options?: unknown[] }).options?.map(String).join(', ') ?? ''
        return [
          {
            segments,
            message:
              value === undefined
                ? `required field "${zi.discriminator}" is missing (one of: ${allowed})`
                : `unknown ${zi.discriminator} ${JSON.stringify(value)} (expected one of: ${allowed})`,
          },
        ]
      }
      return [{ segments, message: zi.message }]
    }
    default:
      return [{ segments, message: zi.message }]
  }
}

function valueAt(data: unknown, segments: readonly PropertyKey[]): unknown {
  let cur: unknown = data
  for (const s of segments) {
    if (cur === null || typeof cur !== 'object') return undefined
    cur = (cur as Record<PropertyKey, unknown>)[s]
  }
  return cur
}

/** The line of the deepest node along `segments` that exists (a map entry's key line for map members). */
function lineOf(doc: Document, lineCounter: LineCounter, segments: readonly PropertyKey[]): number | undefined {
  let node: unknown = doc.contents
  let offset: number | undefined = rangeStart(node)
  for (const s of segments) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(s))
      if (!pair) break
      offset = rangeStart(pair.key) ?? offset
      node = pair.value
    } else if (isSeq(node) && typeof s === 'number') {
      const item = node.items[s]
      if (item === undefined) break
      offset = rangeStart(item) ?? offset
      node = item
    } else {
      break
    }
  }
  return offset === undefined ? undefined : lineCounter.linePos(offset).line
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as { range?: [number, number, number] } | null)?.range
  return range ? range[0] : undefined
}
