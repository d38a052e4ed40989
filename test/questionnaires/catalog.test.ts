// loadCatalog on the real questionnaires/ directory and on scratch directories: content hashes,
// error collection across files, and the questionnaires:check command.
import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import t from 'tap'
import { parse, stringify } from 'yaml'
import { CatalogError, canonicalJson, formatCatalogError, loadCatalog, parseQuestionnaire } from '../../src/questionnaires/catalog.js'

const root = fileURLToPath(new URL('../../', import.meta.url))
const dir = path.join(root, 'questionnaires')
const cdcText = await readFile(path.join(dir, 'cdc.v1.yaml'), 'utf8')

function hashOf(text: string, name = 'cdc.v1.yaml'): string {
  const result = parseQuestionnaire(text, name)
  if (!result.ok) throw new Error(formatCatalogError(result.issues))
  return result.questionnaire.hash
}

/** Rebuilds every object with its keys in reverse order. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys)
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .reverse()
        .map(([k, v]) => [k, reverseKeys(v)]),
    )
  }
  return value
}

/** Rejects with the CatalogError that loadCatalog throws for `d`. */
async function catalogError(t: { fail: (m: string) => unknown }, d: string): Promise<CatalogError> {
  try {
    await loadCatalog(d)
  } catch (error) {
    if (error instanceof CatalogError) return error
    throw error
  }
  t.fail('loadCatalog should have thrown')
  return new CatalogError([])
}

t.test('the real questionnaires/ directory loads', async (t) => {
  const catalog = await loadCatalog(dir)
  t.same(
    catalog.questionnaires.map((q) => [q.file, q.content.id, q.content.version]),
    [
      ['cdc.v1.yaml', 'cdc', 1],
      ['cdc.v2.yaml', 'cdc', 2],
      ['res174.v1.yaml', 'res174', 1],
      ['res174.v2.yaml', 'res174', 2],
    ],
  )
  for (const q of catalog.questionnaires) t.match(q.hash, /^[0-9a-f]{64}$/, `${q.file} hash`)
  t.not(catalog.questionnaires[0]?.hash, catalog.questionnaires[1]?.hash)
  // loading twice gives the same hashes
  const again = await loadCatalog(dir)
  t.same(
    again.questionnaires.map((q) => q.hash),
    catalog.questionnaires.map((q) => q.hash),
  )
})

t.test('the hash ignores layout, comments, quoting, key order and spelled-out defaults', async (t) => {
  const base = hashOf(cdcText)
  const data = parse(cdcText)

  const reformatted = stringify(data, { indent: 4, lineWidth: 0, defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN' })
  t.equal(hashOf(reformatted), base, 're-indented, every string double-quoted, no folding')

  t.equal(hashOf(stringify(reverseKeys(data))), base, 'keys in reverse order at every level')

  const commented = `# a new comment at the top\n\n${cdcText.replace(/\n {2}- id: data\n/, '\n  # another comment\n  - id: data   # trailing\n')}`
  t.not(commented, cdcText)
  t.equal(hashOf(commented), base, 'comments and blank lines')

  const explicitDefaults = structuredClone(data)
  for (const d of explicitDefaults.domains) {
    d.weight ??= 1
    for (const q of d.questions) {
      q.weight ??= 1
      q.allow_unknown ??= true
    }
  }
  t.equal(hashOf(stringify(explicitDefaults)), base, 'defaults written out')

  t.equal(hashOf(JSON.stringify(data)), base, 'JSON is YAML too')
})

t.test('the hash changes when the content changes', async (t) => {
  const base = hashOf(cdcText)
  const data = parse(cdcText)
  // biome-ignore lint/suspicious/noExplicitAny: each edit breaks a parsed YAML document in its own way
  const edits: [string, (d: any) => void][] = [
    ['question text', (d) => (d.domains[1].questions[0].text.en += ' (amended)')],
    ['option score', (d) => (d.domains[0].questions[1].options[0].score = 0.3)],
    ['a translation added', (d) => (d.domains[0].questions[0].text.fr = 'Existe-t-il un instrument contraignant ?')],
    ['question order', (d) => d.domains[1].questions.reverse()],
    ['a weight', (d) => (d.domains[2].questions[0].weight = 1.5)],
    ['a tier bound', (d) => (d.scoring.tiers[3].min = 80)],
  ]
  const seen = new Set([base])
  for (const [name, edit] of edits) {
    const copy = structuredClone(data)
    edit(copy)
    const h = hashOf(stringify(copy))
    t.not(h, base, name)
    t.notOk(seen.has(h), `${name}: a hash of its own`)
    seen.add(h)
  }
})

t.test('canonicalJson sorts keys at every level and keeps array order', async (t) => {
  t.equal(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } }), '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}')
  t.equal(canonicalJson({ a: undefined, b: 'x' }), '{"b":"x"}')
  t.not(canonicalJson([1, 2]), canonicalJson([2, 1]))
})

t.test('errors are collected across all files, each naming its file', async (t) => {
  const good = parse(cdcText)
  const badScore = structuredClone(good)
  badScore.id = 'alpha'
  badScore.domains[2].questions[3].options[1].score = 7
  const unknownField = structuredClone(good)
  unknownField.id = 'beta'
  unknownField.domains[0].questions[0].colour = 'red'
  const d = t.testdir({
    'alpha.v1.yaml': stringify(badScore),
    'beta.v2.yaml': stringify(unknownField).replace(/^version: 1$/m, 'version: 2'),
    'cdc.v1.yaml': cdcText,
    'copy.v1.yaml': cdcText, // same id and version as cdc.v1.yaml, misnamed
    'gamma.v1.yaml': 'id: gamma\nversion: 1\ntitle: [unclosed\n',
    'delta.yml': 'id: delta\n',
    'notes.txt': 'not a questionnaire, ignored',
  })
  const error = await catalogError(t, d)
  const where = error.issues.map((i) => `${i.file} ${i.path}`)
  t.same(where, [
    'alpha.v1.yaml domains[2].questions[3].options[1].score',
    'beta.v2.yaml domains[0].questions[0].colour',
    'copy.v1.yaml id',
    'delta.yml ',
    'gamma.v1.yaml ',
    'copy.v1.yaml id',
  ])
  t.match(error.issues, [
    { message: 'score must be between 0 and 1' },
    { message: 'unknown field "colour"' },
    { message: 'is "cdc" but the file name says "copy"' },
    { message: /must end in "\.yaml"/ },
    { message: /^YAML syntax error at line 4, column 1: /, line: 4 },
    { message: 'questionnaire cdc v1 is also defined in cdc.v1.yaml' },
  ])
  // The error's message lists every issue with file, line and path.
  t.match(error.message, /^6 problems in 5 questionnaire files:\n/)
  t.match(error.message, /\n {2}alpha\.v1\.yaml:\d+: domains\[2\]\.questions\[3\]\.options\[1\]\.score: score must be between 0 and 1/)
  t.match(error.message, /\n {2}beta\.v2\.yaml:\d+: domains\[0\]\.questions\[0\]\.colour: unknown field "colour"/)
  t.match(error.message, /\n {2}gamma\.v1\.yaml:4: YAML syntax error at line 4/)
  t.equal(formatCatalogError(error), error.message)
  t.equal(formatCatalogError(error.issues), error.message)
})

t.test('the line of an issue points at the offending key', async (t) => {
  const data = parse(cdcText)
  data.domains[1].questions[3].options[0].score = 2
  const text = stringify(data)
  const result = parseQuestionnaire(text, 'cdc.v1.yaml')
  t.notOk(result.ok)
  if (result.ok) return
  const [issue] = result.issues
  t.equal(issue?.path, 'domains[1].questions[3].options[0].score')
  t.match(text.split('\n')[(issue?.line ?? 0) - 1], /score: 2/)
})

t.test('an empty or missing directory is an error', async (t) => {
  const empty = await catalogError(t, t.testdir({ 'README.md': 'nothing here' }))
  t.match(empty.issues, [{ path: '', message: 'no questionnaire files (*.yaml) found' }])
  const missing = await catalogError(t, path.join(t.testdir({}), 'nope'))
  t.match(missing.issues, [{ message: /cannot read the questionnaire directory/ }])
})

t.test('npm run questionnaires:check', async (t) => {
  const run = promisify(execFile)
  const cli = path.join(root, 'src/cli/questionnaires-check.ts')
  const ok = await run(process.execPath, ['--import', 'tsx', cli], { cwd: root })
  t.match(ok.stdout, /^cdc v1 {2}Readiness for the Convention for Data and Cyberspace$/m)
  t.match(ok.stdout, /^res174 v1 {2}/m)
  t.match(ok.stdout, /sha256 [0-9a-f]{12}/)
  t.match(ok.stdout, /^ {2}security +\d+ /m)
  t.match(ok.stdout, /4 questionnaires, \d+ questions: OK/)

  const bad = t.testdir({ 'x.v1.yaml': 'id: x\nversion: 1\n', 'y.v1.yaml': 'id: [\n' })
  const failed = await run(process.execPath, ['--import', 'tsx', cli, bad], { cwd: root }).then(
    () => null,
    (e: { code: number; stderr: string }) => e,
  )
  t.equal(failed?.code, 1, 'exit code 1')
  t.match(failed?.stderr, /x\.v1\.yaml:1: title: is required but missing/)
  t.match(failed?.stderr, /y\.v1\.yaml:\d+: YAML syntax error/)
})
