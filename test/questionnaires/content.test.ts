// The questionnaire content against its source texts (questionnaires/sources; override
// with SEEDS_DIR): every treaty bullet is asked about, forces match the wording, and every
// Resolution 174 citation points at a paragraph of the final text (struck-through text deleted).
// Both published versions are checked; v2 also for what issue 14 changed: the endeavour force,
// the "or" alternatives of §3.7, capacity scoring of permissions with unscored facts, split items,
// proxies out of the score, justified not_applicable, rationales, and res174's new coverage.
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { parseQuestionnaire as parse } from '../../src/questionnaires/catalog.js'
import { isScored, questionsOf, type Force, type LocalizedText, type Question, type QuestionnaireFile } from '../../src/questionnaires/schema.js'
import { translatableTexts } from '../../src/questionnaires/translations.js'
import { score } from '../../src/scoring/score.js'
import type { StoredAnswer } from '../../src/questionnaires/answers.js'

const root = fileURLToPath(new URL('../../', import.meta.url))
const seedsDir = process.env.SEEDS_DIR ?? path.join(root, 'questionnaires', 'sources')
const CDC_SEED = '000_54bcb26cc5291690.txt'
const RES174_SEED = '003_25b15ed7311895ec.txt'

async function load(name: string): Promise<{ text: string; content: QuestionnaireFile; hash: string }> {
  const text = await readFile(path.join(root, 'questionnaires', name), 'utf8')
  const result = parse(text, name)
  if (!result.ok) throw new Error(`${name} is invalid: ${result.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`)
  return { text, content: result.questionnaire.content, hash: result.questionnaire.hash }
}

const cdcV1 = await load('cdc.v1.yaml')
const cdcV2 = await load('cdc.v2.yaml')
const res174V1 = await load('res174.v1.yaml')
const res174V2 = await load('res174.v2.yaml')
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

/**
 * v2: the forces of a bullet's clauses (split at ";"). Best-efforts wording ("shall endeavor",
 * "shall consider", "shall agree to") is endeavour; otherwise as forceOf. A clause without a modal
 * verb (an explanation, as in §3.11 bullet 8's last clause) has none.
 */
function clauseForces(bullet: string): Set<Force> {
  const forces = new Set<Force>()
  for (const clause of bullet.split(';')) {
    const modal = /\b(shall|may)\b/i.exec(clause)
    if (/\bare encouraged to\b/i.test(clause)) forces.add('encouraged')
    else if (modal && /^shall\s+(endeavou?r|consider|agree to)\b/i.test(clause.slice(modal.index))) forces.add('endeavour')
    else if (modal) forces.add(modal[1]!.toLowerCase() as Force)
  }
  return forces
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

for (const { version, content: cdc } of [
  { version: 1, content: cdcV1.content },
  { version: 2, content: cdcV2.content },
]) {
  const cdcQuestions = questionsOf(cdc)
  t.test(`v${version}: cdc has exactly the 11 domains, in the order of section 3`, async (t) => {
    t.same(
      cdc.domains.map((d) => d.id),
      CDC_DOMAINS,
    )
    cdc.domains.forEach((d, i) => {
      const section = `3.${i + 1}`
      for (const q of d.questions) {
        t.equal(q.source.section, section, `${q.id} cites its domain's section ${section}`)
        t.ok(q.id.startsWith(`cdc.${d.id}.`), `${q.id} is named after its domain`)
      }
    })
  })

  t.test(`v${version}: every bullet of section 3 has at least one cdc question citing it`, async (t) => {
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

  t.test(`v${version}: cdc sources are well formed`, async (t) => {
    for (const { question: q } of cdcQuestions) {
      t.equal(q.source.document, CDC_SEED, `${q.id} document`)
      t.type(q.source.bullet, 'number', `${q.id} names its bullet`)
      t.equal(q.source.ref, `§${q.source.section} bullet ${q.source.bullet}`, `${q.id} ref`)
    }
  })

  t.test(`v${version}: each cdc question's force matches its bullet's wording`, async (t) => {
    for (const { question: q } of cdcQuestions) {
      const bullet = bulletByKey.get(bulletKey(q.source.section, q.source.bullet))
      if (!bullet) continue // reported by the coverage test
      // v1 took a bullet's first modal verb; v2 reads each clause, so best efforts are endeavour.
      if (version === 1) t.equal(q.force, forceOf(bullet.text), `${q.id} (§${q.source.section} bullet ${q.source.bullet})`)
      else
        t.ok(clauseForces(bullet.text).has(q.force), `${q.id} (§${q.source.section} bullet ${q.source.bullet}): ${q.force} is the force of one of its clauses`)
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

  t.test(`v${version}: question texts are our own wording, not copies of the bullets`, async (t) => {
    for (const { question: q } of cdcQuestions) {
      const bullet = bulletByKey.get(bulletKey(q.source.section, q.source.bullet))
      if (!bullet) continue
      const run = longestSharedRun(words(q.text.en), words(bullet.text))
      t.ok(run < 8, `${q.id} shares at most 7 consecutive words with its bullet (shares ${run})`)
      t.ok(/\?$/.test(q.text.en.trim()) || q.type === 'text', `${q.id} is a question`)
    }
  })

  t.test(`v${version}: cdc domains cite existing areas of section 1`, async (t) => {
    const areas = new Set([...cdcSeed.matchAll(/^(1\.\d+)\s+\S/gm)].map((m) => m[1]))
    t.equal(areas.size, 15, 'the seed has areas 1.1–1.15')
    for (const d of cdc.domains) {
      t.ok(d.areas.length > 0, `${d.id} has areas`)
      for (const a of d.areas) t.ok(areas.has(a), `${d.id} area ${a} exists`)
      const sentences = d.description.en.split(/(?<=\.)\s+/).length
      t.ok(sentences >= 2 && sentences <= 3, `${d.id} description has 2–3 sentences (${sentences})`)
    }
  })

  t.test(`v${version}: cdc shape: size, conditions, answer types`, async (t) => {
    const [fewest, most] = version === 1 ? [55, 70] : [70, 90]
    t.ok(cdcQuestions.length >= fewest && cdcQuestions.length <= most, `cdc has ${cdcQuestions.length} questions`)
    const conditional = cdcQuestions.filter(({ question: q }) => q.applies_if)
    t.ok(conditional.length >= 4, `${conditional.length} conditional questions`)
    const types = new Set(cdcQuestions.map(({ question: q }) => q.type))
    t.same([...types].sort(), ['maturity', 'multi_choice', 'number', 'single_choice', 'text', 'yes_no_partial'])
    for (const { question: q } of cdcQuestions) {
      if (q.type === 'text') t.equal(q.required, false, `${q.id}: text questions are optional`)
      if (q.type === 'multi_choice') {
        const exclusive = q.options.filter((o) => o.exclusive)
        t.ok(exclusive.length <= 1, `${q.id}: at most one exclusive option`)
        if (isScored(q)) for (const o of exclusive) t.equal(o.score, 0, `${q.id}: the exclusive "${o.id}" option scores 0`)
        if (q.combine === 'sum' && isScored(q)) {
          const best = q.options.filter((o) => !o.exclusive).reduce((s, o) => s + (o.score ?? 0), 0)
          t.ok(best >= 0.999, `${q.id}: ticking every option reaches full score (${best})`)
        }
      }
      if (q.type === 'single_choice' && isScored(q)) t.equal(Math.max(...q.options.map((o) => o.score ?? 0)), 1, `${q.id}: best option scores 1`)
      if (q.type === 'number' && isScored(q)) t.equal(Math.max(...(q.bands ?? []).map((b) => b.score)), 1, `${q.id}: best band scores 1`)
      if (q.scored === false) t.equal(q.required, false, `${q.id}: unscored facts are optional`)
      // v2 splits v1's law_conformity (weight 2) into eight Convention 108+ elements of 0.25 each.
      const split = version === 2 && q.replaces?.includes('cdc.data.law_conformity')
      if (split) t.equal(q.weight, 0.25, `${q.id}: one of eight elements sharing the weight of 2`)
      else t.ok(q.weight >= 1 && q.weight <= 2, `${q.id}: weight ${q.weight} in 1..2`)
    }
  })
}

// ─────────────────────────────────────────── scoring blocks and translations

for (const { name, content } of [
  { name: 'cdc v1', content: cdcV1.content },
  { name: 'res174 v1', content: res174V1.content },
  { name: 'cdc v2', content: cdcV2.content },
  { name: 'res174 v2', content: res174V2.content },
]) {
  const version = content.version
  t.test(`${name}: scoring block`, async (t) => {
    t.same(content.scoring.force_weights, version === 1 ? { shall: 1, may: 0.5, encouraged: 0.5 } : { shall: 1, endeavour: 0.75, may: 0.5, encouraged: 0.5 })
    t.equal(content.scoring.rationale_from_weight, version === 1 ? undefined : 2)
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

  if (version === 2) {
    t.test(`${name}: English only (the other languages live in translation files)`, async (t) => {
      for (const { path, text } of translatableTexts(content)) t.same(Object.keys(text), ['en'], path.join('.'))
    })
    continue
  }

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
    const item = /^(?:-\s+)?([a-z]{1,4})\)\s+(.*)$/.exec(line) ?? (current.heading === 'requests the Secretary-General' ? /^(\d+)\s+(.*)$/.exec(line) : null)
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
const res174Versions = [
  { version: 1, res174: res174V1 },
  { version: 2, res174: res174V2 },
]

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

for (const { version, res174 } of res174Versions) {
  const res174Questions = questionsOf(res174.content)
  t.test(`the numbering documented in res174.v${version}.yaml is the one the text gives`, async (t) => {
    const documented = [...res174.text.matchAll(/^#\s+(\d+)\s{2}(\S.*?)\s{2,}/gm)].map((m) => [Number(m[1]), m[2]])
    t.same(
      documented,
      RES174_HEADINGS.map((h, i) => [i + 1, h]),
    )
  })

  t.test(`v${version}: every res174 source resolves to a paragraph of the final text`, async (t) => {
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

  t.test(`v${version}: res174 forces and shape`, async (t) => {
    t.ok(res174.content.domains.length >= 4 && res174.content.domains.length <= 6, 'four to six domains')
    t.ok(res174Questions.length >= 15 && res174Questions.length <= (version === 1 ? 25 : 30), `${res174Questions.length} questions`)
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
}

// ─────────────────────────────────────────── what v2 changed (issue 14)

const v2Questions = questionsOf(cdcV2.content)
const v2ById = new Map(v2Questions.map(({ question: q }) => [q.id, q]))
const citing = (section: string, bullet: number) =>
  v2Questions.filter(({ question: q }) => q.source.section === section && q.source.bullet === bullet).map(({ question: q }) => q)

t.test('v1 is published and unchanged: its content hashes are the published ones', async (t) => {
  t.equal(cdcV1.hash, '6d9c299b6e2d97461d8eafed86edbd6a66bba1184b4c402330174093747c73c9')
  t.equal(res174V1.hash, 'ecef35bdfa579bffe204d36c8847e685124a4d775246bd8e3a89650d537504cf')
})

t.test('v2: best-efforts wording has the endeavour force, weighted between shall and may', async (t) => {
  const bestEfforts = bullets.filter((b) => clauseForces(b.text).has('endeavour')).map((b) => bulletKey(b.section, b.bullet))
  t.same(
    bestEfforts,
    ['3.11 bullet 4', '3.11 bullet 6', '3.11 bullet 8', '3.11 bullet 11', '3.11 bullet 13'],
    'the text has exactly these best-efforts bullets',
  )
  for (const b of bullets) {
    // Every clause force of a bullet is asked about, and nothing else.
    const asked = new Set(citing(b.section, b.bullet).map((q) => q.force))
    t.same([...asked].sort(), [...clauseForces(b.text)].sort(), `§${bulletKey(b.section, b.bullet)}: forces asked = forces of its clauses`)
  }
  // §3.11 bullet 8: "shall endeavor to assist" (endeavour) and "shall enable … CERTs" (shall).
  t.equal(v2ById.get('cdc.security.private_sector_assistance')?.force, 'endeavour')
  t.equal(v2ById.get('cdc.security.national_cirt')?.force, 'shall')
  // §3.8 bullet 3's rule of construction stays shall: it binds absolutely once in force.
  t.same([...clauseForces(bulletByKey.get('3.8 bullet 3')!.text)], ['shall'])
  t.equal(v2ById.get('cdc.access_to_technology.trade_agreements_open_source')?.force, 'shall')
  const w = cdcV2.content.scoring.force_weights
  t.ok(w.endeavour! < w.shall && w.endeavour! > w.may, `endeavour ${w.endeavour} between may ${w.may} and shall ${w.shall}`)
  for (const q of v2Questions.map((x) => x.question).filter((q) => q.force === 'endeavour')) {
    t.match(q.guidance.en, /best-efforts duty \("shall [^)]+\): readiness means/, `${q.id}: guidance says what readiness means for best efforts`)
  }
})

/** The best answer to a scored question: its highest level, yes, its best option(s), its best band. */
function best(q: Question): StoredAnswer {
  switch (q.type) {
    case 'maturity':
      return { value: 4, special: null }
    case 'yes_no_partial':
      return { value: 'yes', special: null }
    case 'single_choice':
      return { value: [...q.options].sort((a, b) => (b.score ?? 0) - (a.score ?? 0))[0]!.id, special: null }
    case 'multi_choice':
      return { value: q.options.filter((o) => !o.exclusive).map((o) => o.id), special: null }
    case 'number':
      return { value: [...(q.bands ?? [])].sort((a, b) => b.score - a.score)[0]?.min ?? 0, special: null }
    case 'text':
      return { value: 'Act No. 1 of 2025', special: null }
  }
}

t.test('§3.7 "a model law or a treaty": either route alone reaches 100 on the domain', async (t) => {
  const domain = cdcV2.content.domains.find((d) => d.id === 'artificial_intelligence')!
  const [group] = domain.alternatives ?? []
  t.ok(group, 'the domain has an alternatives group')
  t.same(
    group!.routes.map((r) => r.id),
    ['national_law', 'treaty'],
  )
  const routed = group!.routes.flatMap((r) => r.questions)
  for (const q of citing('3.7', 1)) if (isScored(q)) t.ok(routed.includes(q.id), `${q.id} is on a route`)
  const scoreWith = (file: QuestionnaireFile, ids: string[]) => {
    const answers = ids.map((id): [string, StoredAnswer] => [id, best(questionsOf(file).find((x) => x.question.id === id)!.question)])
    return score(file, answers).domains.find((d) => d.domain === 'artificial_intelligence')!.score
  }
  const lawRoute = group!.routes.find((r) => r.id === 'national_law')!.questions
  const treatyRoute = group!.routes.find((r) => r.id === 'treaty')!.questions
  t.equal(scoreWith(cdcV2.content, lawRoute), 100, 'the national-law route alone')
  t.equal(scoreWith(cdcV2.content, treatyRoute), 100, 'the treaty route alone')
  t.equal(scoreWith(cdcV2.content, [...lawRoute, ...treatyRoute]), 100, 'both')
  t.equal(scoreWith(cdcV2.content, []), 0, 'neither')
  // v1 required both: what issue 14 measured.
  t.equal(Math.round(scoreWith(cdcV1.content, treatyRoute)! * 10) / 10, 33.3, 'v1: the treaty route alone scored 33.3')
  t.equal(scoreWith(cdcV1.content, lawRoute), 75, 'v1: the national-law route alone scored 75')
})

t.test('v2: permissions ("may") score the capacity; actual use is an unscored fact', async (t) => {
  for (const key of ['3.4 bullet 1', '3.4 bullet 3', '3.8 bullet 4']) {
    const [section, , bullet] = key.split(' ')
    const qs = citing(section!, Number(bullet))
    t.ok(
      qs.every((q) => q.force === 'may'),
      `§${key}: may`,
    )
    const scored = qs.filter(isScored)
    const facts = qs.filter((q) => !isScored(q))
    t.ok(scored.length === 1 && /capacity/.test(scored[0]!.id), `§${key}: one scored capacity question (${scored.map((q) => q.id)})`)
    t.match(scored[0]!.guidance.en, /capacity/, `§${key}: the guidance explains capacity`)
    t.ok(facts.length === 1 && facts[0]!.required === false, `§${key}: one optional unscored fact about use`)
  }
  const customs = v2ById.get('cdc.taxation.customs_duties_capacity')!
  if (customs.type !== 'single_choice') throw new Error('customs_duties_capacity is a single choice')
  const moratorium = customs.options.find((o) => o.id === 'moratorium_only')!.score!
  t.ok(moratorium > 0 && moratorium < 1, `the temporary WTO moratorium limits the capacity only in part (${moratorium})`)
  t.equal(customs.options.find((o) => o.id === 'permanently_bound')!.score, 0)
})

t.test('v2: proxies not in the text are out of the score; unscored facts change no score', async (t) => {
  for (const id of ['cdc.internet_access.ixp_count', 'cdc.competition.global_rules_development']) {
    const q = v2ById.get(id)!
    t.equal(q.scored, false, `${id} is unscored context`)
    t.match(q.guidance.en, /not scored/, `${id}: the guidance says so`)
  }
  const memberships = v2ById.get('cdc.competition.global_rules_development')!
  if (memberships.type !== 'multi_choice') throw new Error('global_rules_development is a multi choice')
  t.notOk(
    memberships.options.some((o) => o.id === 'proposals'),
    'tabling proposals moved to the scored question',
  )
  t.ok(
    citing('3.3', 2).some((q) => q.id === 'cdc.competition.global_rules_contribution' && isScored(q)),
    '§3.3 bullet 2 scores the contribution to binding rules',
  )
  t.same(
    citing('3.5', 2)
      .filter(isScored)
      .map((q) => q.id),
    ['cdc.internet_access.d50_transposition'],
    '§3.5 bullet 2 scores D.50 alone',
  )

  // Everything answered at best, then every fact answered differently or not at all: same scores.
  const all = v2Questions.map(({ question: q }): [string, StoredAnswer] => [q.id, best(q)])
  const facts = new Set(v2Questions.filter(({ question: q }) => q.scored === false).map(({ question: q }) => q.id))
  t.equal(facts.size, 5, 'five unscored facts')
  const full = score(cdcV2.content, all)
  const noFacts = score(
    cdcV2.content,
    all.filter(([id]) => !facts.has(id)),
  )
  const otherFacts = score(
    cdcV2.content,
    all.map(([id, a]): [string, StoredAnswer] => {
      const q = v2ById.get(id)!
      if (!facts.has(id)) return [id, a]
      if (q.type === 'number') return [id, { value: 0, special: null }]
      if (q.type === 'single_choice' || q.type === 'multi_choice') {
        const first = q.options[0]!.id
        return [id, { value: q.type === 'single_choice' ? first : [first], special: null }]
      }
      return [id, a]
    }),
  )
  t.same(
    noFacts.domains.map((d) => d.score),
    full.domains.map((d) => d.score),
    'facts left out: same domain scores',
  )
  t.same(
    otherFacts.domains.map((d) => d.score),
    full.domains.map((d) => d.score),
    'facts answered otherwise: same domain scores',
  )
  t.equal(full.overall.score, 100, 'every scored question at its best gives 100')
  t.ok(noFacts.overall.coverage < full.overall.coverage, 'unanswered facts show in coverage')
})

t.test('v2: double-barrelled items are split, each part citing its bullet and naming the v1 item it replaces', async (t) => {
  const v1Ids = new Set(questionsOf(cdcV1.content).map(({ question: q }) => q.id))
  const replacing = (old: string) => v2Questions.filter(({ question: q }) => q.replaces?.includes(old)).map(({ question: q }) => q)
  for (const [old, count, section, bullet] of [
    ['cdc.data.law_conformity', 8, '3.2', 2],
    ['cdc.consumer_protection.number_misuse_law', 2, '3.9', 3],
    ['cdc.msmes.international_payments', 2, '3.6', 1],
  ] as const) {
    t.notOk(v2ById.has(old), `${old} is gone`)
    const parts = replacing(old)
    t.equal(parts.length, count, `${old} → ${parts.map((q) => q.id).join(', ')}`)
    for (const q of parts) t.ok(q.source.section === section && q.source.bullet === bullet, `${q.id} cites §${section} bullet ${bullet}`)
  }
  t.equal(
    replacing('cdc.data.law_conformity').reduce((s, q) => s + q.weight, 0),
    2,
    'the eight Convention 108+ elements weigh together what the single item weighed',
  )
  for (const { question: q } of v2Questions) for (const old of q.replaces ?? []) t.ok(v1Ids.has(old), `${q.id} replaces ${old}, a v1 question`)
})

t.test('v2: not applicable needs a justification on §3.11 bullets 5 and 7, and only there', async (t) => {
  const flagged = v2Questions.filter(({ question: q }) => q.not_applicable_requires_comment).map(({ question: q }) => q)
  t.same(
    flagged.map((q) => q.id),
    ['cdc.security.cyber_capability_restraint', 'cdc.security.cyber_capability_custody', 'cdc.security.offensive_operations_limits'],
  )
  for (const q of [...citing('3.11', 5), ...citing('3.11', 7)]) {
    t.ok(q.allow_not_applicable && q.not_applicable_requires_comment, `${q.id} requires a comment for not_applicable`)
    t.match(q.guidance.en, /comment must say/, `${q.id}: the guidance asks for the reason`)
  }
})

t.test('v2: every core (weight 2) question and group says why it is core', async (t) => {
  for (const { name, content } of [
    { name: 'cdc', content: cdcV2.content },
    { name: 'res174', content: res174V2.content },
  ]) {
    const core = questionsOf(content).filter(({ question: q }) => q.weight >= 2)
    t.ok(core.length > 0, `${name} has core questions`)
    for (const { question: q } of core) t.ok((q.rationale?.en.length ?? 0) > 60, `${q.id}: rationale`)
    for (const g of content.domains.flatMap((d) => d.alternatives ?? [])) if (g.weight >= 2) t.ok(g.rationale, `${g.id}: rationale`)
  }
  // v1 has none and still parses: the rule is opted into per version.
  t.notOk(questionsOf(cdcV1.content).some(({ question: q }) => q.rationale))
})

t.test('v2: ids of unchanged questions are v1 ids, so answers and translations carry over', async (t) => {
  const v1Texts = new Map(translatableTexts(cdcV1.content).map((x) => [x.path.join('/'), x.text.en]))
  const same = translatableTexts(cdcV2.content).filter((x) => v1Texts.get(x.path.join('/')) === x.text.en)
  t.ok(same.length >= 300, `${same.length} texts of cdc v2 read exactly as in v1`)
})

t.test('res174 v2 covers the paragraphs v1 left out', async (t) => {
  const cited = (content: QuestionnaireFile) => new Set(questionsOf(content).map(({ question: q }) => q.source.section))
  const v1 = cited(res174V1.content)
  const v2 = cited(res174V2.content)
  for (const [section, ref] of [
    ['2.4', 'reaffirming d)'],
    ['5.2', 'recalling b)'],
    ['5.4', 'recalling d)'],
    ['5.5', 'recalling e)'],
    ['7.1', 'noting a)'],
  ]) {
    t.notOk(v1.has(section!), `v1 did not cite ${ref}`)
    t.ok(v2.has(section!), `v2 cites ${ref}`)
    t.equal(paragraphBySection.get(section!)?.ref, ref)
  }
  for (const s of v1) t.ok(v2.has(s), `v2 still cites ${paragraphBySection.get(s)?.ref}`)
  // Recalling e) is cited for its cybersecurity half; its spam half is asked under recalling g).
  const e = questionsOf(res174V2.content).filter(({ question: q }) => q.source.section === '5.5')
  t.ok(
    e.every(({ question: q }) => /cybersecurity/i.test(q.text.en) && !/spam/i.test(q.text.en)),
    'recalling e): cybersecurity, not spam',
  )
  // Nothing struck through is cited: every cited section is a paragraph of the final text.
  for (const s of v2) t.ok(paragraphBySection.has(s), `${s} is in the final text`)
})

// ─────────────────────────────────────────── quotes (the codebook's treaty text)

t.test('v2: every question quotes the words of the bullet or paragraph it cites', async (t) => {
  const squash = (s: string) => s.replace(/\s+/g, ' ').trim()
  for (const { question: q } of questionsOf(cdcV2.content)) {
    t.equal(squash(q.quote?.en ?? ''), squash(bulletByKey.get(bulletKey(q.source.section, q.source.bullet))?.text ?? '?'), `${q.id}: ${q.source.ref}`)
  }
  for (const { question: q } of questionsOf(res174V2.content)) {
    t.equal(squash(q.quote?.en ?? ''), squash(paragraphBySection.get(q.source.section)?.text ?? '?'), `${q.id}: ${q.source.ref}`)
  }
})
