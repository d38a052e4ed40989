// The questionnaire schema (through parseQuestionnaire, which adds file, path and line) rejects each
// kind of bad file with a message that tells the author where and what to fix.
import t from 'tap'
import { stringify } from 'yaml'
import { formatPath, parseQuestionnaire, type CatalogIssue } from '../../src/questionnaires/catalog.js'
import { questionnaireFile } from '../../src/questionnaires/schema.js'

type Test = Parameters<Parameters<typeof t.test>[0]>[0]

const text = (en: string) => ({ en })
const question = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  type: 'maturity',
  force: 'shall',
  source: { document: 'seed.txt', section: '3.1', bullet: 1, ref: '§3.1 bullet 1' },
  text: text(`Question ${id}?`),
  guidance: text('Cite the law.'),
  ...extra,
})
const option = (id: string, score: number, extra: Record<string, unknown> = {}) => ({ id, label: text(id), score, ...extra })

/** A valid file: domain d1 with a maturity question, a yes/no/partial question and a single choice. */
// biome-ignore lint/suspicious/noExplicitAny: tests break this file in every way the schema must refuse
function validFile(): any {
  return {
    id: 'demo',
    version: 1,
    title: text('Demo'),
    description: text('A demo questionnaire'),
    source: { document: 'seed.txt', title: 'Seed' },
    scoring: {
      force_weights: { shall: 1, may: 0.5, encouraged: 0.5 },
      unknown_scores_zero: true,
      tiers: [
        { id: 'initial', label: text('Initial'), min: 0 },
        { id: 'developing', label: text('Developing'), min: 25 },
        { id: 'advanced', label: text('Advanced'), min: 75 },
      ],
    },
    domains: [
      {
        id: 'd1',
        title: text('Domain one'),
        description: text('First domain'),
        questions: [
          question('demo.d1.law'),
          question('demo.d1.body', { type: 'yes_no_partial' }),
          question('demo.d1.choice', { type: 'single_choice', options: [option('low', 0), option('high', 1)] }),
        ],
      },
    ],
  }
}

/** Parses `file` serialized as YAML under `name` and returns its issues (none when valid). */
function issuesOf(file: unknown, name = 'demo.v1.yaml'): CatalogIssue[] {
  const result = parseQuestionnaire(stringify(file), name)
  return result.ok ? [] : result.issues
}

/** Asserts that exactly one issue sits at `path` and that its message matches. */
function expectIssue(t: Test, issues: CatalogIssue[], path: string, message: RegExp | string) {
  const at = issues.filter((i) => i.path === path)
  t.equal(at.length, 1, `one issue at ${path} (got: ${issues.map((i) => `${i.path}: ${i.message}`).join(' | ')})`)
  if (typeof message === 'string') t.equal(at[0]?.message, message, `message at ${path}`)
  else t.match(at[0]?.message ?? '', message, `message at ${path}`)
  t.equal(at[0]?.file, 'demo.v1.yaml')
}

t.test('the valid base file parses, with defaults applied', async (t) => {
  const result = parseQuestionnaire(stringify(validFile()), 'demo.v1.yaml')
  t.ok(result.ok, 'valid')
  if (!result.ok) return
  const q = result.questionnaire.content.domains[0]!.questions[0]!
  t.equal(q.weight, 1)
  t.equal(q.allow_unknown, true)
  t.equal(q.allow_not_applicable, false)
  t.match(result.questionnaire.hash, /^[0-9a-f]{64}$/)
})

t.test('duplicate question id', async (t) => {
  const f = validFile()
  f.domains.push({ id: 'd2', title: text('Two'), description: text('Two'), questions: [question('demo.d1.law')] })
  expectIssue(t, issuesOf(f), 'domains[1].questions[0].id', 'duplicate question id "demo.d1.law"')
})

t.test('duplicate domain id', async (t) => {
  const f = validFile()
  f.domains.push({ ...f.domains[0], questions: [question('demo.d1.other')] })
  expectIssue(t, issuesOf(f), 'domains[1].id', 'duplicate domain id "d1"')
})

t.test('unknown domain field', async (t) => {
  const f = validFile()
  f.domains[0].colour = 'blue'
  const issues = issuesOf(f)
  expectIssue(t, issues, 'domains[0].colour', 'unknown field "colour"')
  t.ok(issues[0]?.line && issues[0].line > 1, 'the issue has the line of the unknown key')
})

t.test('unknown question field and misspelt field', async (t) => {
  const f = validFile()
  f.domains[0].questions[1].applies_when = { question: 'demo.d1.law', in: [3] }
  expectIssue(t, issuesOf(f), 'domains[0].questions[1].applies_when', 'unknown field "applies_when"')
})

t.test('option score out of range', async (t) => {
  const f = validFile()
  f.domains[0].questions[2].options[1].score = 1.5
  expectIssue(t, issuesOf(f), 'domains[0].questions[2].options[1].score', 'score must be between 0 and 1')
  const g = validFile()
  g.scoring.tiers[0].min = 0
  g.domains[0].questions[2].options[0].score = -0.1
  expectIssue(t, issuesOf(g), 'domains[0].questions[2].options[0].score', 'score must be between 0 and 1')
})

t.test('number band score out of range', async (t) => {
  const f = validFile()
  f.domains[0].questions.push(
    question('demo.d1.count', {
      type: 'number',
      bands: [
        { min: 0, score: 0 },
        { min: 5, score: 2 },
      ],
    }),
  )
  expectIssue(t, issuesOf(f), 'domains[0].questions[3].bands[1].score', 'score must be between 0 and 1')
})

t.test('number bands not ascending', async (t) => {
  const f = validFile()
  f.domains[0].questions.push(
    question('demo.d1.count', {
      type: 'number',
      bands: [
        { min: 5, score: 0 },
        { min: 5, score: 1 },
      ],
    }),
  )
  expectIssue(t, issuesOf(f), 'domains[0].questions[3].bands[1].min', 'band lower bounds must ascend')
})

t.test('missing English text', async (t) => {
  const f = validFile()
  f.domains[0].questions[0].text = { fr: 'Question ?' }
  expectIssue(t, issuesOf(f), 'domains[0].questions[0].text.en', 'English text is required')
  const g = validFile()
  g.domains[0].title = { en: '   ', fr: 'Domaine' }
  expectIssue(t, issuesOf(g), 'domains[0].title.en', 'English text is required')
})

t.test('unknown language', async (t) => {
  const f = validFile()
  f.title = { en: 'Demo', de: 'Demo' }
  expectIssue(t, issuesOf(f), 'title.de', 'unknown field "de"')
})

t.test('missing required field and unknown question type', async (t) => {
  const f = validFile()
  delete f.domains[0].questions[0].guidance
  expectIssue(t, issuesOf(f), 'domains[0].questions[0].guidance', 'is required but missing')
  const g = validFile()
  g.domains[0].questions[0].type = 'scale'
  expectIssue(
    t,
    issuesOf(g),
    'domains[0].questions[0].type',
    /unknown type "scale" \(expected one of: maturity, yes_no_partial, single_choice, multi_choice, number, text\)/,
  )
})

t.test('applies_if pointing at an unknown question', async (t) => {
  const f = validFile()
  f.domains[0].questions[1].applies_if = { question: 'demo.d1.lawz', in: [3] }
  expectIssue(t, issuesOf(f), 'domains[0].questions[1].applies_if.question', 'refers to unknown question "demo.d1.lawz"')
})

t.test('applies_if value that is not an answer of the target', async (t) => {
  const f = validFile()
  f.domains[0].questions[1].applies_if = { question: 'demo.d1.law', in: [3, 5] }
  expectIssue(t, issuesOf(f), 'domains[0].questions[1].applies_if.in[1]', '5 is not an answer of "demo.d1.law" (allowed: 0, 1, 2, 3, 4)')
  const g = validFile()
  g.domains[0].questions[0].applies_if = { question: 'demo.d1.choice', in: ['medium'] }
  expectIssue(t, issuesOf(g), 'domains[0].questions[0].applies_if.in[0]', '"medium" is not an answer of "demo.d1.choice" (allowed: low, high)')
  const h = validFile()
  h.domains[0].questions[0].applies_if = { question: 'demo.d1.body', in: ['3'] }
  expectIssue(t, issuesOf(h), 'domains[0].questions[0].applies_if.in[0]', /"3" is not an answer of "demo.d1.body" \(allowed: yes, no, partial\)/)
})

t.test('applies_if on a question that cannot be a condition', async (t) => {
  const f = validFile()
  f.domains[0].questions.push(question('demo.d1.citation', { type: 'text' }))
  f.domains[0].questions[0].applies_if = { question: 'demo.d1.citation', in: ['x'] }
  expectIssue(t, issuesOf(f), 'domains[0].questions[0].applies_if.question', '"demo.d1.citation" is a text question and cannot be a condition')
})

t.test('condition cycle', async (t) => {
  const f = validFile()
  f.domains[0].questions[0].applies_if = { question: 'demo.d1.body', in: ['yes'] }
  f.domains[0].questions[1].applies_if = { question: 'demo.d1.law', in: [4] }
  const issues = issuesOf(f)
  expectIssue(t, issues, 'domains[0].questions[0].applies_if', 'conditions form a cycle through "demo.d1.law"')
  expectIssue(t, issues, 'domains[0].questions[1].applies_if', 'conditions form a cycle through "demo.d1.body"')
  const g = validFile()
  g.domains[0].questions[0].applies_if = { question: 'demo.d1.law', in: [4] }
  expectIssue(t, issuesOf(g), 'domains[0].questions[0].applies_if.question', 'a question cannot depend on itself')
})

t.test('tiers not ascending', async (t) => {
  const f = validFile()
  f.scoring.tiers[2].min = 25
  expectIssue(t, issuesOf(f), 'scoring.tiers[2].min', 'tier lower bounds must ascend')
  const g = validFile()
  g.scoring.tiers[0].min = 10
  expectIssue(t, issuesOf(g), 'scoring.tiers[0].min', 'the first tier must start at 0')
})

t.test('reserved option id', async (t) => {
  for (const id of ['unknown', 'not_applicable']) {
    const f = validFile()
    f.domains[0].questions[2].options[0].id = id
    expectIssue(t, issuesOf(f), 'domains[0].questions[2].options[0].id', 'is reserved for special answers')
  }
})

t.test('duplicate option id', async (t) => {
  const f = validFile()
  f.domains[0].questions[2].options[1].id = 'low'
  expectIssue(t, issuesOf(f), 'domains[0].questions[2].options[1].id', 'duplicate option id "low"')
})

t.test('maturity labels must give all five levels', async (t) => {
  const f = validFile()
  f.domains[0].questions[0].labels = { '0': text('None'), '1': text('Some'), '2': text('More'), '3': text('Most') }
  expectIssue(t, issuesOf(f), 'domains[0].questions[0].labels["4"]', 'is required but missing')
})

t.test('source section must be a section number (a YAML number is not)', async (t) => {
  // 3.10 written without quotes is the number 3.1 in YAML: the schema insists on a string.
  const yamlText = stringify(validFile()).replace("section: '3.1'", 'section: 3.10').replace('section: "3.1"', 'section: 3.10')
  const result = parseQuestionnaire(yamlText, 'demo.v1.yaml')
  t.notOk(result.ok)
  if (result.ok) return
  t.match(result.issues[0], { path: 'domains[0].questions[0].source.section', message: /expected string, received number/ })
})

t.test('bad file name', async (t) => {
  for (const name of ['demo.yaml', 'demo-v1.yaml', 'Demo.v1.yaml', 'demo.v1.yml', 'demo.v0.yaml', 'demo.v01.yaml']) {
    const issues = issuesOf(validFile(), name)
    const issue = issues.find((i) => i.path === '')
    t.ok(issue, `${name} is rejected`)
    t.equal(issue?.file, name)
    t.match(issue?.message, /file name must be "<id>\.v<version>\.yaml" \(for example "cdc\.v1\.yaml"\)/)
  }
  const wrongId = issuesOf(validFile(), 'other.v1.yaml')
  t.match(wrongId, [{ file: 'other.v1.yaml', path: 'id', message: 'is "demo" but the file name says "other"', line: 1 }])
  const wrongVersion = issuesOf(validFile(), 'demo.v2.yaml')
  t.match(wrongVersion, [{ file: 'demo.v2.yaml', path: 'version', message: 'is 1 but the file name says 2' }])
})

t.test('YAML syntax errors carry file and line', async (t) => {
  const yamlText = 'id: demo\nversion: 1\ntitle: {en: Demo\ndescription: x\n'
  const result = parseQuestionnaire(yamlText, 'demo.v1.yaml')
  t.notOk(result.ok)
  if (result.ok) return
  t.ok(result.issues.length >= 1)
  t.match(result.issues[0], { file: 'demo.v1.yaml', path: '', message: /^YAML syntax error at line \d+, column \d+: / })
  t.type(result.issues[0]?.line, 'number')
  const dup = parseQuestionnaire('id: demo\nversion: 1\nid: again\n', 'demo.v1.yaml')
  t.match(dup.ok ? [] : dup.issues, [{ line: 3, message: /YAML syntax error at line 3, column 1: Map keys must be unique/ }])
})

t.test('every issue of a file is reported, each with its line', async (t) => {
  const f = validFile()
  f.domains[0].colour = 'blue'
  f.domains[0].questions[2].options[1].score = 3
  f.domains[0].questions[2].options[0].id = 'unknown'
  f.scoring.tiers[1].min = 0
  const issues = issuesOf(f)
  t.same(issues.map((i) => i.path).sort(), [
    'domains[0].colour',
    'domains[0].questions[2].options[0].id',
    'domains[0].questions[2].options[1].score',
    'scoring.tiers[1].min',
  ])
  const yamlLines = stringify(f).split('\n')
  for (const i of issues) {
    t.type(i.line, 'number', `${i.path} has a line`)
    const key = i.path
      .split('.')
      .pop()!
      .replace(/\[\d+\]$/, '')
    t.match(yamlLines[(i.line ?? 0) - 1], key, `${i.path}: line ${i.line} shows "${key}"`)
  }
})

t.test('the raw schema reports the same paths', async (t) => {
  const f = validFile()
  f.domains[0].questions[2].options[1].score = 2
  const r = questionnaireFile.safeParse(f)
  t.notOk(r.success)
  t.same(
    r.error?.issues.map((i) => formatPath(i.path)),
    ['domains[0].questions[2].options[1].score'],
  )
})

t.test('formatPath', async (t) => {
  t.equal(formatPath(['domains', 2, 'questions', 4, 'options', 1, 'score']), 'domains[2].questions[4].options[1].score')
  t.equal(formatPath(['labels', '0']), 'labels["0"]')
  t.equal(formatPath([]), '')
})

// ── v2 format: endeavour, unscored facts, the justification rule, rationales, alternatives ──────────

t.test('endeavour needs its weight in the file', async (t) => {
  const file = validFile()
  file.domains[0].questions[0].force = 'endeavour'
  expectIssue(t, issuesOf(file), 'scoring.force_weights.endeavour', /is required when a question has force "endeavour"/)
  file.scoring.force_weights.endeavour = 0.75
  t.same(issuesOf(file), [])
})

t.test('an unscored fact carries no scores; a scored question needs them', async (t) => {
  const file = validFile()
  file.domains[0].questions[2].scored = false
  expectIssue(t, issuesOf(file), 'domains[0].questions[2].options[0].score', /must be left out: the question is not scored/)
  file.domains[0].questions[2].options = [
    { id: 'low', label: text('low') },
    { id: 'high', label: text('high') },
  ]
  t.same(issuesOf(file), [], 'an unscored single choice without scores')
  delete file.domains[0].questions[2].scored
  expectIssue(t, issuesOf(file), 'domains[0].questions[2].options[0].score', /is required \(the question is scored\)/)

  const number = validFile()
  number.domains[0].questions.push(question('demo.d1.count', { type: 'number', scored: false, bands: [{ min: 0, score: 1 }] }))
  expectIssue(t, issuesOf(number), 'domains[0].questions[3].bands', /must be left out/)
  delete number.domains[0].questions[3].bands
  t.same(issuesOf(number), [])
  delete number.domains[0].questions[3].scored
  expectIssue(t, issuesOf(number), 'domains[0].questions[3].bands', /are required/)

  const textQ = validFile()
  textQ.domains[0].questions.push(question('demo.d1.cite', { type: 'text', scored: false }))
  expectIssue(t, issuesOf(textQ), 'domains[0].questions[3].scored', /a text question is never scored/)
})

t.test('not_applicable_requires_comment needs not_applicable to be allowed', async (t) => {
  const file = validFile()
  file.domains[0].questions[1].not_applicable_requires_comment = true
  expectIssue(t, issuesOf(file), 'domains[0].questions[1].not_applicable_requires_comment', /needs allow_not_applicable: true/)
  file.domains[0].questions[1].allow_not_applicable = true
  t.same(issuesOf(file), [])
})

t.test('rationale_from_weight: core questions and groups need a rationale; files that do not opt in are unchanged', async (t) => {
  const file = validFile()
  file.domains[0].questions[0].weight = 2
  t.same(issuesOf(file), [], 'without rationale_from_weight, no rationale is needed')
  file.scoring.rationale_from_weight = 2
  expectIssue(t, issuesOf(file), 'domains[0].questions[0].rationale', /a question of weight 2 needs a rationale/)
  file.domains[0].questions[0].rationale = text('It is the treaty’s central obligation.')
  t.same(issuesOf(file), [])
})

t.test('alternatives: routes of scored questions of the domain, each in one route, of one force', async (t) => {
  const withGroup = (routes: { id: string; questions: string[] }[], extra: Record<string, unknown> = {}) => {
    const file = validFile()
    file.domains[0].questions.push(question('demo.d1.cite', { type: 'text' }), question('demo.d1.permit', { force: 'may' }))
    file.domains[0].alternatives = [{ id: 'either', title: text('A law or a treaty'), routes: routes.map((r) => ({ ...r, label: text(r.id) })), ...extra }]
    return file
  }
  t.same(
    issuesOf(
      withGroup([
        { id: 'law', questions: ['demo.d1.law', 'demo.d1.body'] },
        { id: 'treaty', questions: ['demo.d1.choice'] },
      ]),
    ),
    [],
  )
  const at = 'domains[0].alternatives[0]'
  expectIssue(
    t,
    issuesOf(
      withGroup([
        { id: 'law', questions: ['demo.d1.law'] },
        { id: 'treaty', questions: ['demo.d9.x'] },
      ]),
    ),
    `${at}.routes[1].questions[0]`,
    /"demo.d9.x" is not a question of domain "d1"/,
  )
  expectIssue(
    t,
    issuesOf(
      withGroup([
        { id: 'law', questions: ['demo.d1.law'] },
        { id: 'treaty', questions: ['demo.d1.cite'] },
      ]),
    ),
    `${at}.routes[1].questions[0]`,
    /is not scored and cannot be part of a route/,
  )
  expectIssue(
    t,
    issuesOf(
      withGroup([
        { id: 'law', questions: ['demo.d1.law'] },
        { id: 'treaty', questions: ['demo.d1.law'] },
      ]),
    ),
    `${at}.routes[1].questions[0]`,
    /is already in a route/,
  )
  expectIssue(
    t,
    issuesOf(
      withGroup([
        { id: 'law', questions: ['demo.d1.law'] },
        { id: 'law', questions: ['demo.d1.body'] },
      ]),
    ),
    `${at}.routes[1].id`,
    /duplicate route id "law"/,
  )
  expectIssue(
    t,
    issuesOf(
      withGroup([
        { id: 'law', questions: ['demo.d1.law'] },
        { id: 'permit', questions: ['demo.d1.permit'] },
      ]),
    ),
    `${at}.routes`,
    /must share one force \(found shall, may\)/,
  )
  expectIssue(t, issuesOf(withGroup([{ id: 'law', questions: ['demo.d1.law'] }])), `${at}.routes`, /at least 2|>=2/)
  const core = withGroup(
    [
      { id: 'law', questions: ['demo.d1.law'] },
      { id: 'treaty', questions: ['demo.d1.choice'] },
    ],
    { weight: 2 },
  )
  core.scoring.rationale_from_weight = 2
  expectIssue(t, issuesOf(core), `${at}.rationale`, /a group of weight 2 needs a rationale/)
})
