// The questionnaire content against its source texts (questionnaires/sources; override
// with SEEDS_DIR): every treaty bullet is asked about, forces match the wording, and every
// Resolution 174 citation points at a paragraph of the final text (struck-through text deleted).
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { parseQuestionnaire } from '../../src/questionnaires/catalog.js'
import { questionsOf, type Force, type LocalizedText, type QuestionnaireFile } from '../../src/questionnaires/schema.js'

const root = fileURLToPath(new URL('../../', import.meta.url))
const seedsDir = process.env.SEEDS_DIR ?? path.join(root, 'questionnaires', 'sources')
const CDC_SEED = '000_54bcb26cc5291690.txt'
const RES174_SEED = '003_25b15ed7311895ec.txt'

async function load(name: string): Promise<{ text: string; content: QuestionnaireFile }> {
  const text = await readFile(path.join(root, 'questionnaires', name), 'utf8')
  const result = parseQuestionnaire(text, name)
  if (!result.ok) throw new Error(`${name} is invalid: ${result.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`)
  return { text, content: result.questionnaire.content }
}

const cdc = await load('cdc.v1.yaml')
const res174 = await load('res174.v1.yaml')
const cdcSeed = await readFile(path.join(seedsDir, CDC_SEED), 'utf8')
const res174Seed = await readFile(path.join(seedsDir, RES174_SEED), 'utf8')

// ─────────────────────────────────────────── the treaty text (seed 000, section 3)

type Bullet = { section: string; bullet: number; text: string }
type Section = { section: string; title: string; bullets: Bullet[] }

/** Section 3 of the contribution: "3.N Title" headings, each followed by "·" bullets. */
function treatySections(seed: string): Section[] {
  const lines = seed.split(/\r?\n/).map((l) => l.trim())
  const start = lines.findIndex((l) => /^3\.\s+The contents of the new treaty/.test(l))
  if (start < 0) throw new Error('section 3 not found in the seed text')
  const sections: Section[] = []
  for (const line of lines.slice(start + 1)) {
    if (/^[4-9]\.\s/.test(line)) break
    const heading = /^(3\.\d+)\s+(.+)$/.exec(line)
    if (heading) {
      sections.push({ section: heading[1]!, title: heading[2]!, bullets: [] })
      continue
    }
    const current = sections.at(-1)
    if (line.startsWith('·') && current) {
      current.bullets.push({ section: current.section, bullet: current.bullets.length + 1, text: line.replace(/^·\s*/, '') })
    }
  }
  return sections
}

/**
 * The force of a bullet as its wording states it: "are encouraged to" → encouraged; otherwise the
 * modal verb of the main clause, which in every bullet is the first "shall" or "may" ("shall not",
 * "shall refrain" and "shall endeavor" are still shall; a later "may" inside a relative clause,
 * as in "practices that may pose threats", does not count).
 */
function forceOf(bullet: string): Force | null {
  if (/\bare encouraged to\b/i.test(bullet)) return 'encouraged'
  const modal = /\b(shall|may)\b/i.exec(bullet)
  return modal ? (modal[1]!.toLowerCase() as Force) : null
}

const words = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9\s]/g, ' ')
    .split(/\s+/)
    .filter(Boolean)

/** Length of the longest run of consecutive words shared by a and b. */
function longestSharedRun(a: string[], b: string[]): number {
  let best = 0
  for (let i = 0; i < a.length; i++) {
    for (let j = 0; j < b.length; j++) {
      let k = 0
      while (i + k < a.length && a[i + k] === b[j + k]) k++
      best = Math.max(best, k)
    }
  }
  return best
}

const sections = treatySections(cdcSeed)
const bullets = sections.flatMap((s) => s.bullets)
const bulletKey = (section: string, bullet: number | undefined) => `${section} bullet ${bullet}`
const bulletByKey = new Map(bullets.map((b) => [bulletKey(b.section, b.bullet), b]))
const cdcQuestions = questionsOf(cdc.content)

const CDC_DOMAINS = [
  'human_rights',
  'data',
  'competition',
  'taxation',
  'internet_access',
  'msmes',
  'artificial_intelligence',
  'access_to_technology',
  'consumer_protection',
  'employment',
  'security',
]

t.test('the seed text has 44 bullets in 11 subsections', async (t) => {
  t.same(
    sections.map((s) => s.section),
    CDC_DOMAINS.map((_, i) => `3.${i + 1}`),
  )
  t.same(
    sections.map((s) => s.bullets.length),
    [1, 3, 3, 3, 3, 3, 1, 4, 3, 1, 19],
  )
  t.equal(bullets.length, 44)
  t.equal((cdcSeed.slice(cdcSeed.indexOf('3.1 Human rights')).match(/·/g) ?? []).length, 44, 'no "·" missed by the parser')
  for (const b of bullets) t.ok(forceOf(b.text), `${bulletKey(b.section, b.bullet)} has a modal verb`)
})

t.test('cdc has exactly the 11 domains, in the order of section 3', async (t) => {
  t.same(
    cdc.content.domains.map((d) => d.id),
    CDC_DOMAINS,
  )
  cdc.content.domains.forEach((d, i) => {
    const section = `3.${i + 1}`
    for (const q of d.questions) {
      t.equal(q.source.section, section, `${q.id} cites its domain's section ${section}`)
      t.ok(q.id.startsWith(`cdc.${d.id}.`), `${q.id} is named after its domain`)
    }
  })
})

t.test('every bullet of section 3 has at least one cdc question citing it', async (t) => {
  const cited = new Map<string, string[]>()
  for (const { question: q } of cdcQuestions) {
    const key = bulletKey(q.source.section, q.source.bullet)
    cited.set(key, [...(cited.get(key) ?? []), q.id])
  }
  for (const b of bullets) {
    const key = bulletKey(b.section, b.bullet)
    t.ok(cited.get(key)?.length, `§${key} is asked about (${cited.get(key)?.join(', ') ?? 'no question'})`)
  }
  for (const key of cited.keys()) t.ok(bulletByKey.has(key), `cited §${key} exists in the text`)
})

t.test('cdc sources are well formed', async (t) => {
  for (const { question: q } of cdcQuestions) {
    t.equal(q.source.document, CDC_SEED, `${q.id} document`)
    t.type(q.source.bullet, 'number', `${q.id} names its bullet`)
    t.equal(q.source.ref, `§${q.source.section} bullet ${q.source.bullet}`, `${q.id} ref`)
  }
})

t.test("each cdc question's force matches its bullet's wording", async (t) => {
  for (const { question: q } of cdcQuestions) {
    const bullet = bulletByKey.get(bulletKey(q.source.section, q.source.bullet))
    if (!bullet) continue // reported by the coverage test
    t.equal(q.force, forceOf(bullet.text), `${q.id} (§${q.source.section} bullet ${q.source.bullet})`)
  }
  // the three non-"shall" bullets of the text, spelled out
  const forces = new Map(bullets.map((b) => [bulletKey(b.section, b.bullet), forceOf(b.text)]))
  t.same(
    [...forces].filter(([, f]) => f !== 'shall'),
    [
      ['3.4 bullet 1', 'may'],
      ['3.4 bullet 3', 'may'],
      ['3.8 bullet 2', 'encouraged'],
      ['3.8 bullet 4', 'may'],
    ],
  )
})

t.test('question texts are our own wording, not copies of the bullets', async (t) => {
  for (const { question: q } of cdcQuestions) {
    const bullet = bulletByKey.get(bulletKey(q.source.section, q.source.bullet))
    if (!bullet) continue
    const run = longestSharedRun(words(q.text.en), words(bullet.text))
    t.ok(run < 8, `${q.id} shares at most 7 consecutive words with its bullet (shares ${run})`)
    t.ok(/\?$/.test(q.text.en.trim()) || q.type === 'text', `${q.id} is a question`)
  }
})

t.test('cdc domains cite existing areas of section 1', async (t) => {
  const areas = new Set([...cdcSeed.matchAll(/^(1\.\d+)\s+\S/gm)].map((m) => m[1]))
  t.equal(areas.size, 15, 'the seed has areas 1.1–1.15')
  for (const d of cdc.content.domains) {
    t.ok(d.areas.length > 0, `${d.id} has areas`)
    for (const a of d.areas) t.ok(areas.has(a), `${d.id} area ${a} exists`)
    const sentences = d.description.en.split(/(?<=\.)\s+/).length
    t.ok(sentences >= 2 && sentences <= 3, `${d.id} description has 2–3 sentences (${sentences})`)
  }
})

t.test('cdc shape: size, conditions, answer types', async (t) => {
  t.ok(cdcQuestions.length >= 55 && cdcQuestions.length <= 70, `cdc has ${cdcQuestions.length} questions`)
  const conditional = cdcQuestions.filter(({ question: q }) => q.applies_if)
  t.ok(conditional.length >= 4, `${conditional.length} conditional questions`)
  const types = new Set(cdcQuestions.map(({ question: q }) => q.type))
  t.same([...types].sort(), ['maturity', 'multi_choice', 'number', 'single_choice', 'text', 'yes_no_partial'])
  for (const { question: q } of cdcQuestions) {
    if (q.type === 'text') t.equal(q.required, false, `${q.id}: text questions are optional`)
    if (q.type === 'multi_choice') {
      const exclusive = q.options.filter((o) => o.exclusive)
      t.ok(exclusive.length <= 1, `${q.id}: at most one exclusive option`)
      for (const o of exclusive) t.equal(o.score, 0, `${q.id}: the exclusive "${o.id}" option scores 0`)
      if (q.combine === 'sum') {
        const best = q.options.filter((o) => !o.exclusive).reduce((s, o) => s + (o.score ?? 0), 0)
        t.ok(best >= 0.999, `${q.id}: ticking every option reaches full score (${best})`)
      }
    }
    if (q.type === 'single_choice') t.equal(Math.max(...q.options.map((o) => o.score ?? 0)), 1, `${q.id}: best option scores 1`)
    if (q.type === 'number') t.equal(Math.max(...(q.bands ?? []).map((b) => b.score)), 1, `${q.id}: best band scores 1`)
    t.ok(q.weight >= 1 && q.weight <= 2, `${q.id}: weight ${q.weight} in 1..2`)
  }
})

// ─────────────────────────────────────────── scoring blocks and translations

for (const { name, content } of [
  { name: 'cdc', content: cdc.content },
  { name: 'res174', content: res174.content },
]) {
  t.test(`${name}: scoring block`, async (t) => {
    t.same(content.scoring.force_weights, { shall: 1, may: 0.5, encouraged: 0.5 })
    t.equal(content.scoring.unknown_scores_zero, true)
    t.same(
      content.scoring.tiers.map((x) => [x.id, x.min, x.label.en]),
      [
        ['initial', 0, 'Initial'],
        ['developing', 25, 'Developing'],
        ['established', 50, 'Established'],
        ['advanced', 75, 'Advanced'],
      ],
    )
  })

  t.test(`${name}: translations of titles, descriptions and tier labels`, async (t) => {
    const texts: [string, LocalizedText][] = [
      ['title', content.title],
      ['description', content.description],
      ...content.domains.map((d): [string, LocalizedText] => [`domain ${d.id} title`, d.title]),
      ...content.scoring.tiers.map((x): [string, LocalizedText] => [`tier ${x.id}`, x.label]),
    ]
    for (const [what, text] of texts) {
      t.ok(text.fr, `${what} has French`)
      t.ok(text.es, `${what} has Spanish`)
    }
    // Arabic wherever given: Arabic script, with digits and punctuation only, never Latin letters.
    const allArabic = [...texts.map(([w, x]) => [w, x.ar] as const)]
    for (const { question: q } of questionsOf(content)) {
      if (q.type === 'maturity' && q.labels) for (const [level, l] of Object.entries(q.labels)) allArabic.push([`${q.id} label ${level}`, l.ar])
    }
    for (const [what, ar] of allArabic) {
      if (ar === undefined) continue
      t.match(ar, /^[\u0600-\u06FF\u0750-\u077F0-9\s().,،؛:–-]+$/, `${what}: Arabic text in Arabic script`)
      t.notMatch(ar, /[A-Za-z]/, `${what}: no Latin letters in Arabic`)
    }
  })
}

// ─────────────────────────────────────────── Resolution 174 (seed 003)

/** Headings of the resolution, in order; the section number of a heading is its position (1-based). */
const RES174_HEADINGS = [
  'aware',
  'reaffirming',
  'considering',
  'considering further',
  'recalling',
  'recognizing further',
  'noting',
  'resolves to instruct the Secretary-General',
  'requests the Secretary-General',
  'invites Member States and relevant ICT stakeholders',
  'invites the Secretary-General',
  'instructs the Secretary-General',
  'invites Member States',
]

type Paragraph = { section: string; ref: string; text: string; bracketed: boolean }

/**
 * The paragraphs of the final resolution: struck-through spans (~~…~~) are deleted first, then
 * each heading starts section N (its position), and its items a), b)… / i), ii)… / 1 become N.1,
 * N.2… in order. A heading without items is one paragraph, section N. Lines inside square
 * brackets (proposals still under discussion) are kept but marked bracketed.
 */
function resolutionParagraphs(seed: string): Paragraph[] {
  const sections: { n: number; heading: string; intro: string[]; items: { label: string; text: string; bracketed: boolean }[] }[] = []
  let depth = 0
  for (const raw of seed.split(/\r?\n/)) {
    const line = raw.replace(/~~.*?~~/g, '').trim()
    if (line.includes('~~')) throw new Error(`unbalanced strike-through: ${raw}`)
    if (!line) continue
    const opens = line.startsWith('[')
    if (opens) depth++
    const bracketed = depth > 0
    if (line.endsWith(']')) depth = Math.max(0, depth - 1)
    const h = RES174_HEADINGS.indexOf(line)
    if (h >= 0) {
      sections.push({ n: sections.length + 1, heading: line, intro: [], items: [] })
      continue
    }
    const current = sections.at(-1)
    if (!current) continue
    const item =
      /^(?:-\s+)?([a-z]{1,4})\)\s+(.*)$/.exec(line) ??
      (current.heading === 'requests the Secretary-General' ? /^(\d+)\s+(.*)$/.exec(line) : null)
    if (item && !opens) current.items.push({ label: item[1]!, text: item[2]!, bracketed })
    else if (bracketed) continue
    else if (current.items.length > 0) current.items.at(-1)!.text += ` ${line}`
    else current.intro.push(line)
  }
  const paragraphs: Paragraph[] = []
  for (const s of sections) {
    if (s.items.length === 0) {
      paragraphs.push({ section: String(s.n), ref: s.heading, text: s.intro.join(' '), bracketed: false })
    }
    s.items.forEach((it, i) => {
      const label = /^\d+$/.test(it.label) ? it.label : `${it.label})`
      paragraphs.push({ section: `${s.n}.${i + 1}`, ref: `${s.heading} ${label}`, text: it.text, bracketed: it.bracketed })
    })
  }
  return paragraphs
}

const paragraphs = resolutionParagraphs(res174Seed)
const paragraphBySection = new Map(paragraphs.map((p) => [p.section, p]))
const res174Questions = questionsOf(res174.content)

t.test('the resolution text parses into its final paragraphs', async (t) => {
  t.equal(new Set(paragraphs.map((p) => p.section.split('.')[0])).size, RES174_HEADINGS.length, 'all 13 headings found')
  t.match(paragraphBySection.get('5.6')?.text, /^the +Dubai Action Plan/, 'recalling f) is the Dubai Action Plan, not the struck Hyderabad Declaration')
  t.match(paragraphBySection.get('8.3')?.text, /^Inform the Secretary General of the United Nation/, 'resolves iii) is the surviving one')
  t.equal(paragraphBySection.get('6.3')?.ref, 'recognizing further c)')
  t.match(paragraphBySection.get('6.3')?.text, /^That sharing information at global level/)
  t.equal(paragraphBySection.get('9.2'), undefined, 'requests the Secretary-General 2 was struck out')
  t.same(
    paragraphs.filter((p) => p.bracketed).map((p) => p.section),
    ['2.5', '2.6', '2.7'],
    'only the alternative reaffirming e) proposals are bracketed',
  )
  for (const p of paragraphs) t.notMatch(p.text, /~~/, `${p.section} has no struck text left`)
})

t.test('the numbering documented in res174.v1.yaml is the one the text gives', async (t) => {
  const documented = [...res174.text.matchAll(/^#\s+(\d+)\s{2}(\S.*?)\s{2,}/gm)].map((m) => [Number(m[1]), m[2]])
  t.same(
    documented,
    RES174_HEADINGS.map((h, i) => [i + 1, h]),
  )
})

t.test('every res174 source resolves to a paragraph of the final text', async (t) => {
  for (const { question: q } of res174Questions) {
    t.equal(q.source.document, RES174_SEED, `${q.id} document`)
    const p = paragraphBySection.get(q.source.section)
    t.ok(p, `${q.id}: section ${q.source.section} exists`)
    if (!p) continue
    t.equal(q.source.ref, p.ref, `${q.id}: ref names section ${q.source.section}`)
    t.notOk(p.bracketed, `${q.id}: cites no bracketed proposal`)
    t.ok(p.text.length > 20, `${q.id}: the cited paragraph has text`)
    t.equal(q.source.bullet, undefined, `${q.id}: the resolution has no bullets`)
  }
})

t.test('res174 forces and shape', async (t) => {
  t.ok(res174.content.domains.length >= 4 && res174.content.domains.length <= 6, 'four to six domains')
  t.ok(res174Questions.length >= 15 && res174Questions.length <= 25, `${res174Questions.length} questions`)
  for (const { domain, question: q } of res174Questions) {
    t.ok(q.id.startsWith('res174.'), `${q.id} prefix`)
    // The resolution obliges Member States to nothing: invitations and preambular concerns are
    // encouraged; paragraphs addressed to the Secretary-General are asked about as national
    // engagement, still encouraged, and the guidance says whom the paragraph addresses.
    t.equal(q.force, 'encouraged', `${q.id} force`)
    const heading = paragraphBySection.get(q.source.section)?.ref ?? ''
    if (/Secretary-General/.test(heading)) t.match(q.guidance.en, /Secretary-General/, `${q.id}: guidance says the paragraph addresses the Secretary-General`)
    t.ok(domain, `${q.id} has a domain`)
  }
  const conditional = res174Questions.filter(({ question: q }) => q.applies_if)
  t.ok(conditional.length >= 1, 'has follow-up questions')
  for (const d of res174.content.domains) {
    for (const a of d.areas) t.ok(paragraphBySection.has(a), `${d.id}: area ${a} is a paragraph of the resolution`)
  }
})
