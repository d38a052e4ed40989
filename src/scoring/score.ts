/**
 * Readiness scoring: (questionnaire, answers) → scores, coverage and tiers per domain and overall.
 * Pure and deterministic: no I/O, no fastify or kysely; the answer route calls it inside the
 * transaction that stores the answer, so stored scores are never stale.
 *
 * ## Rules
 *
 * 1. **Raw score** of an answered question, in 0..1:
 *    - maturity: level / 4;
 *    - yes_no_partial: yes 1, partial 0.5, no 0;
 *    - single_choice: the chosen option's score;
 *    - multi_choice: `combine: sum` → the sum of the selected options' scores, capped at 1;
 *      `combine: max` → the best selected option's score;
 *    - number: the score of the band with the highest `min` not above the value (0 below all bands);
 *    - text: unscored. A text question never enters a score, but an answer to it counts as answered
 *      in coverage.
 *    A question marked `scored: false` (an unscored fact) is treated exactly like text: never in a
 *    score, but answered or missing in coverage like any other question.
 * 2. **Effective weight** = question weight × `scoring.force_weights[question.force]` (0 for text and
 *    unscored facts). A question of effective weight 0 is left out of the score but still counts in
 *    coverage. The forces are shall, endeavour (best efforts), may and encouraged; each file sets
 *    their weights.
 * 3. **Applicability.** A question whose `applies_if` is not met (see `applies`), or that is answered
 *    `not_applicable`, leaves both the score's denominator and coverage's denominator.
 *    `unknown`: with `unknown_scores_zero` it scores 0 and stays in the denominator; without, it leaves
 *    the score's denominator. Either way it counts as "unknown" and as answered in coverage.
 *    A missing answer to an applicable question scores 0 (stays in the denominator) and shows as
 *    missing in coverage. (`required` is not used here: it governs submission, not scoring.)
 * 4. **Domain score** = 100 × Σ(weight × raw) / Σ(weight) over the domain's counted items
 *    (a question is counted when it is scored, of effective weight > 0, applicable, and answered with
 *    a value, missing, or unknown when unknown scores zero). A domain with no counted item has score
 *    null, not 0: nothing was measured, which is different from measuring nothing in place.
 *    **Alternatives** ("a model law or a treaty"): the questions of a domain's `alternatives` group
 *    are not items of the domain themselves. Each route's ratio is Σ(weight × raw) / Σ(weight) over
 *    its counted questions (null when none is counted); the group is one item whose raw score is
 *    its best route's ratio and whose weight is the group's weight × the force weight of its
 *    questions (null best route: the group is not counted). So either route alone can reach full
 *    marks, and a better answer on any route never lowers the group. A routed question's
 *    `contribution` is its weight × raw inside its route.
 * 5. **Overall score** = the mean of the non-null domain scores weighted by domain weight; null when
 *    every domain is null. Domains are weighted as the file says, not by their number of questions:
 *    each domain stands for a part of the treaty, and a domain with many detailed questions must not
 *    outweigh a short one the treaty holds equally important. A null domain is left out rather than
 *    counted as 0, for the same reason as rule 4.
 * 6. **Coverage** = answered / applicable, where answered includes `unknown` and text answers, and
 *    questions answered `not_applicable` or not applying by condition are not applicable; 1 when no
 *    question is applicable. Overall counts are the sums of the domain counts, and overall coverage
 *    is computed from them.
 * 7. **Tier**: the last tier (in file order, which ascends) whose `min` ≤ score; null when the score
 *    is null. The tier is taken from the exact score.
 * 8. Nothing is rounded internally; `roundScore` rounds to one decimal for presentation only.
 * 9. The result does not depend on the order of the answers. Answers to question ids the file does
 *    not have are ignored. A stored answer that is not valid for its question (impossible through
 *    `checkAnswer`) is treated as missing.
 */
import { applicabilityOf, checkAnswer, indexQuestions, type AnswerLookup, type AnswerValue, type StoredAnswer } from '../questionnaires/answers.js'
import { isScored, type Alternatives, type Domain, type Force, type Question, type QuestionnaireFile, type Tier } from '../questionnaires/schema.js'

export type Counts = {
  /** Questions that apply and are not answered not_applicable: total − notApplicable. */
  applicable: number
  /** Applicable questions with an answer: a value (text included) or "unknown". */
  answered: number
  /** Questions answered not_applicable plus questions whose applies_if is not met. */
  notApplicable: number
  /** Answered "unknown" (included in answered). */
  unknown: number
  /** Applicable questions without an answer: applicable − answered. */
  missing: number
  /** All questions. */
  total: number
}

export type Figures = {
  /** 0..100, exact; null when nothing counted. */
  score: number | null
  /** answered / applicable in 0..1; 1 when nothing is applicable. */
  coverage: number
  tier: string | null
  counts: Counts
}

export type QuestionStatus = 'answered' | 'not_applicable' | 'unknown' | 'missing' | 'not_applicable_by_condition'

export type QuestionResult = {
  questionId: string
  domain: string
  /** Whether applies_if is met (true without a condition). */
  applies: boolean
  status: QuestionStatus
  /** 0..1; null when the question has no raw score (text, not applicable, unknown not scoring zero). */
  raw: number | null
  /** Effective weight: question weight × force weight; 0 for text. */
  weight: number
  /** weight × raw when counted, else 0. */
  contribution: number
  /** Whether the question enters its domain's score (for a routed question: its route's ratio). */
  counted: boolean
  /** The alternatives group and route the question belongs to, or null. */
  route: { group: string; route: string } | null
}

export type AlternativesResult = {
  domain: string
  group: string
  /** Effective weight of the group in its domain: group weight × force weight. */
  weight: number
  /** Each route's ratio in 0..1, null when none of its questions is counted; in file order. */
  routes: { route: string; ratio: number | null }[]
  /** The route with the highest ratio (the first of equals); null when no route has a ratio. */
  best: string | null
  /** The best route's ratio: the group's raw score. */
  raw: number | null
  counted: boolean
}

export type DomainReadiness = Figures & { domain: string }

export type Readiness = {
  overall: Figures
  /** In file order. */
  domains: DomainReadiness[]
  /** In file order. */
  questions: QuestionResult[]
  /** The alternatives groups, in file order. */
  alternatives: AlternativesResult[]
}

export function score(file: QuestionnaireFile, answers: ReadonlyMap<string, StoredAnswer> | Iterable<readonly [string, StoredAnswer]>): Readiness {
  const valid = validAnswers(file, answers)
  const applies = applicabilityOf(file, valid)
  const rules = rulesOf(file)
  return assemble(
    file,
    file.domains.map((domain) => scoreDomain(domain, rules, valid, applies)),
  )
}

/**
 * `score(file, answers)` when `previous` is `score(file, before)` (or a rescore of it) and `answers`
 * differs from `before` only in the questions `changed`: exactly the same figures, bit for bit, but
 * only the domains those questions can affect (their own, and those of questions whose applies_if
 * depends on them) are scored again; the others' results are taken from `previous`. The answer write
 * scores this way, one or a few questions of ~70 at a time. Falls back to `score` when `previous`
 * was not made here from the same file object.
 */
export function rescore(file: QuestionnaireFile, previous: Readiness, answers: AnswerLookup, changed: Iterable<string>): Readiness {
  const before = domainParts.get(previous)
  if (!before || before.file !== file) return score(file, lookedUp(file, answers))
  const affected = new Set<string>()
  const reach = dependentDomains(file)
  for (const id of changed) for (const domain of reach.get(id) ?? []) affected.add(domain)
  const valid = lazyValidAnswers(file, answers)
  const applies = applicabilityOf(file, valid)
  const rules = rulesOf(file)
  return assemble(
    file,
    file.domains.map((domain, i) => (affected.has(domain.id) ? scoreDomain(domain, rules, valid, applies) : before.parts[i]!)),
  )
}

/**
 * One domain's share of a Readiness: what `assemble` needs, and what `rescore` keeps of a domain it
 * need not score again. `closed` is its figures once assembled (a kept part is not closed again).
 */
type DomainPart = {
  questions: QuestionResult[]
  alternatives: AlternativesResult[]
  tally: Tally
  closed?: { readiness: DomainReadiness; ratio: number | null }
}

/** The parts each Readiness was assembled from, for `rescore`. */
const domainParts = new WeakMap<Readiness, { file: QuestionnaireFile; parts: DomainPart[] }>()

function rulesOf(file: QuestionnaireFile): TallyRules {
  return { forceWeights: file.scoring.force_weights, unknownScoresZero: file.scoring.unknown_scores_zero }
}

const answeredRaw = (a: StoredAnswer, q: Question) => (a.value === null ? null : rawScore(q, a.value))

function scoreDomain(domain: Domain, rules: TallyRules, valid: AnswerLookup, applies: (q: Question) => boolean): DomainPart {
  const tally = domainTally(domain, rules)
  const questions = domain.questions.map((q) => tallyQuestion(tally, q, applies(q), valid.get(q.id), answeredRaw))
  const alternatives = (domain.alternatives ?? []).map((g) => ({ domain: domain.id, group: g.id, ...tallyGroup(tally, g) }))
  return { questions, alternatives, tally }
}

/** The Readiness of the domains' parts (in file order): the domains closed and the overall summed in file order, as rule 5 says. */
function assemble(file: QuestionnaireFile, parts: DomainPart[]): Readiness {
  const tiers = file.scoring.tiers
  const overall = emptyTally()
  const domains = file.domains.map((domain, i) => {
    const part = parts[i]!
    if (part.closed) {
      addDomain(overall, domain.weight, part.closed.ratio, part.tally.counts)
      return part.closed.readiness
    }
    const readiness = { domain: domain.id, ...closeDomain(overall, domain.weight, part.tally, tiers) }
    part.closed = { readiness, ratio: ratioOf(part.tally) }
    return readiness
  })
  const readiness = {
    overall: overallFigures(overall, tiers),
    domains,
    questions: concat(parts, (p) => p.questions),
    alternatives: concat(parts, (p) => p.alternatives),
  }
  domainParts.set(readiness, { file, parts })
  return readiness
}

/** parts.flatMap(of), without flatMap's generic path (measurable on every answer write). */
function concat<T>(parts: DomainPart[], of: (part: DomainPart) => T[]): T[] {
  const out: T[] = []
  for (const part of parts) for (const item of of(part)) out.push(item)
  return out
}

const dependents = new WeakMap<QuestionnaireFile, ReadonlyMap<string, readonly string[]>>()

/**
 * Question id → the domains a change of its answer can change: its own, and the domains of every
 * question whose applies_if refers to it, directly or through other conditions. Once per file object.
 */
function dependentDomains(file: QuestionnaireFile): ReadonlyMap<string, readonly string[]> {
  const known = dependents.get(file)
  if (known) return known
  const domainOf = new Map(file.domains.flatMap((d) => d.questions.map((q) => [q.id, d.id] as const)))
  const conditioned = new Map<string, string[]>() // target question → questions whose applies_if names it
  for (const d of file.domains)
    for (const q of d.questions) if (q.applies_if) conditioned.set(q.applies_if.question, [...(conditioned.get(q.applies_if.question) ?? []), q.id])
  const map = new Map<string, string[]>()
  for (const id of domainOf.keys()) {
    const reached = new Set([id])
    const queue = [id]
    while (queue.length) {
      for (const next of conditioned.get(queue.pop()!) ?? []) {
        if (reached.has(next)) continue
        reached.add(next)
        queue.push(next)
      }
    }
    map.set(id, [...new Set([...reached].map((q) => domainOf.get(q)!))])
  }
  dependents.set(file, map)
  return map
}

/**
 * A question's weight or force in place of the file's (what-if scenarios, src/scenarios/score.ts);
 * an absent field keeps the file's.
 */
export type Reweighing = { weight?: number | undefined; force?: Force | undefined }

/** How a tally weighs and scores questions: the file's settings, or a scenario's. */
export type TallyRules = {
  forceWeights: Readonly<Partial<Record<Force, number | undefined>>>
  unknownScoresZero: boolean
  /** Per question id; without it every question weighs as the file says. */
  reweigh?: ((questionId: string) => Reweighing) | undefined
}

type Sums = { numerator: number; denominator: number }

/** Running Σ(weight × raw) and Σ(weight) of counted items, with the counts: of one domain, or of all (then the items are domains). */
export type Tally = Sums & { counts: Counts }

/**
 * One domain's tally while its questions are added (rules 2–4 and 6), also holding each alternatives
 * route's sums until its group is added. The stored scoring and the scenario scoring both count
 * through it, so the two cannot drift apart; the empty scenario gives exactly the stored figures.
 */
export type DomainTally = Tally & {
  domain: Domain
  rules: TallyRules
  routeOf: ReadonlyMap<string, { group: string; route: string }>
  /** Per "group route" key. */
  routeSums: Map<string, Sums>
}

export function emptyTally(): Tally {
  return { numerator: 0, denominator: 0, counts: emptyCounts() }
}

export function domainTally(domain: Domain, rules: TallyRules): DomainTally {
  return { ...emptyTally(), domain, rules, routeOf: routesOf(domain), routeSums: new Map() }
}

/**
 * Adds one question of the tally's domain: its status to the counts and, when it is counted, weight ×
 * raw to its route's sums or else to the domain's. `answeredRaw` gives the raw score of an answered
 * question's answer (null: it has none); it is asked only for scored questions answered with a value.
 */
export function tallyQuestion<A extends StoredAnswer>(
  t: DomainTally,
  q: Question,
  applies: boolean,
  answer: A | undefined,
  answeredRaw: (answer: A, q: Question) => number | null,
): QuestionResult {
  const status: QuestionStatus = !applies
    ? 'not_applicable_by_condition'
    : answer === undefined
      ? 'missing'
      : answer.special === 'not_applicable'
        ? 'not_applicable'
        : answer.special === 'unknown'
          ? 'unknown'
          : 'answered'

  const scored = isScored(q)
  const change = t.rules.reweigh?.(q.id)
  const weight = scored ? (change?.weight ?? q.weight) * forceWeight(t.rules.forceWeights, change?.force ?? q.force) : 0
  let raw: number | null = null
  if (scored) {
    if (status === 'answered' && answer) raw = answeredRaw(answer, q)
    else if (status === 'missing' || (status === 'unknown' && t.rules.unknownScoresZero)) raw = 0
  }
  const counted = raw !== null && weight > 0
  const contribution = counted ? weight * (raw as number) : 0
  const route = t.routeOf.get(q.id) ?? null
  if (counted) {
    const sums = route ? routeSums(t, `${route.group} ${route.route}`) : t
    sums.numerator += contribution
    sums.denominator += weight
  }

  t.counts.total++
  if (status === 'not_applicable' || status === 'not_applicable_by_condition') t.counts.notApplicable++
  else {
    t.counts.applicable++
    if (status === 'missing') t.counts.missing++
    else t.counts.answered++
    if (status === 'unknown') t.counts.unknown++
  }

  return { questionId: q.id, domain: t.domain.id, applies, status, raw, weight, contribution, counted, route }
}

function routeSums(t: DomainTally, key: string): Sums {
  const sums = t.routeSums.get(key) ?? { numerator: 0, denominator: 0 }
  t.routeSums.set(key, sums)
  return sums
}

/** Adds an alternatives group of the tally's domain as one item scored by its best route; call it after the domain's questions. */
export function tallyGroup(t: DomainTally, g: Alternatives): Omit<AlternativesResult, 'domain' | 'group'> {
  const routes = g.routes.map((r) => {
    const sums = t.routeSums.get(`${g.id} ${r.id}`)
    // ≤ 1 exactly: the numerator is a sum of terms each ≤ its weight.
    return { route: r.id, ratio: sums && sums.denominator > 0 ? sums.numerator / sums.denominator : null }
  })
  let best: { route: string; ratio: number } | null = null
  for (const r of routes) if (r.ratio !== null && (best === null || r.ratio > best.ratio)) best = { route: r.route, ratio: r.ratio }
  const weight = g.weight * forceWeight(t.rules.forceWeights, groupForce(t, g))
  const counted = best !== null && weight > 0
  if (counted) {
    t.numerator += weight * best!.ratio
    t.denominator += weight
  }
  return { weight, routes, best: best?.route ?? null, raw: best?.ratio ?? null, counted }
}

/**
 * The schema makes the questions of a group share one force; a scenario that changes the force of
 * any of them changes the group's (the first changed question in file order decides).
 */
function groupForce(t: DomainTally, g: Alternatives): Force {
  const ids = g.routes.flatMap((r) => r.questions)
  for (const id of ids) {
    const forced = t.rules.reweigh?.(id).force
    if (forced) return forced
  }
  return t.domain.questions.find((q) => q.id === ids[0])!.force
}

/** A domain's figures once all its items are added; its ratio and counts enter the overall tally. */
export function closeDomain(overall: Tally, domainWeight: number, t: Tally, tiers: readonly Tier[]): Figures {
  // ratio ≤ 1 exactly in floating point: each weight × raw ≤ weight, and sums round monotonically.
  const ratio = ratioOf(t)
  addDomain(overall, domainWeight, ratio, t.counts)
  return figures(ratio, t.counts, tiers)
}

/** A closed domain's ratio and counts into the overall tally (rule 5: domains weighted, null ones left out). */
function addDomain(overall: Tally, domainWeight: number, ratio: number | null, counts: Counts): void {
  if (ratio !== null) {
    overall.numerator += domainWeight * ratio
    overall.denominator += domainWeight
  }
  addCounts(overall.counts, counts)
}

export function overallFigures(overall: Tally, tiers: readonly Tier[]): Figures {
  return figures(ratioOf(overall), overall.counts, tiers)
}

function ratioOf(t: Sums): number | null {
  return t.denominator > 0 ? t.numerator / t.denominator : null
}

/** The force's weight; the schema requires a weight for every force a file uses. */
function forceWeight(weights: TallyRules['forceWeights'], force: Force): number {
  return weights[force] ?? 0
}

const routeIndexes = new WeakMap<Domain, ReadonlyMap<string, { group: string; route: string }>>()

/** Question id → its alternatives group and route, for one domain; made once per domain object, as indexQuestions. */
function routesOf(domain: Domain): ReadonlyMap<string, { group: string; route: string }> {
  let out = routeIndexes.get(domain)
  if (!out) {
    const index = new Map<string, { group: string; route: string }>()
    for (const g of domain.alternatives ?? []) for (const r of g.routes) for (const id of r.questions) index.set(id, { group: g.id, route: r.id })
    routeIndexes.set(domain, index)
    out = index
  }
  return out
}

/** A question's raw score in 0..1 for a checked value; null for text and unscored facts. */
export function rawScore(q: Question, value: AnswerValue): number | null {
  if (!isScored(q)) return null
  switch (q.type) {
    case 'maturity':
      return (value as number) / 4
    case 'yes_no_partial':
      return value === 'yes' ? 1 : value === 'partial' ? 0.5 : 0
    case 'single_choice':
      return q.options.find((o) => o.id === value)?.score ?? 0
    case 'multi_choice': {
      const selected = q.options.filter((o) => (value as string[]).includes(o.id)).map((o) => o.score ?? 0)
      if (q.combine === 'max') return Math.max(0, ...selected)
      return Math.min(
        1,
        selected.reduce((a, b) => a + b, 0),
      )
    }
    case 'number': {
      let result = 0
      let best = -Infinity
      for (const band of q.bands ?? []) {
        if (band.min <= (value as number) && band.min >= best) {
          best = band.min
          result = band.score
        }
      }
      return result
    }
    case 'text':
      return null
  }
}

/** The last tier whose min ≤ score; null for a null score. */
export function tierOf(tiers: readonly Tier[], score: number | null): string | null {
  if (score === null) return null
  let result: string | null = null
  for (const t of tiers) if (t.min <= score) result = t.id
  return result
}

/** Rounds a score to one decimal, for presentation only. */
export function roundScore(x: number): number
export function roundScore(x: number | null): number | null
export function roundScore(x: number | null): number | null {
  return x === null ? null : Math.round(x * 10) / 10
}

/** A ratio (0–1) and counts as the figures shown: score out of 100, coverage, tier. */
function figures(ratio: number | null, counts: Counts, tiers: readonly Tier[]): Figures {
  const score = ratio === null ? null : 100 * ratio
  return {
    score,
    coverage: counts.applicable === 0 ? 1 : counts.answered / counts.applicable,
    tier: tierOf(tiers, score),
    counts,
  }
}

function emptyCounts(): Counts {
  return { applicable: 0, answered: 0, notApplicable: 0, unknown: 0, missing: 0, total: 0 }
}

function addCounts(into: Counts, add: Counts): void {
  into.applicable += add.applicable
  into.answered += add.answered
  into.notApplicable += add.notApplicable
  into.unknown += add.unknown
  into.missing += add.missing
  into.total += add.total
}

/** The answers to the file's questions, as a map, from a lookup. */
function lookedUp(file: QuestionnaireFile, answers: AnswerLookup): Map<string, StoredAnswer> {
  const out = new Map<string, StoredAnswer>()
  for (const id of indexQuestions(file).keys()) {
    const answer = answers.get(id)
    if (answer) out.set(id, answer)
  }
  return out
}

/** validAnswers for a lookup, checking an answer only when it is asked for (rescore asks for a few domains' worth). */
function lazyValidAnswers(file: QuestionnaireFile, answers: AnswerLookup): AnswerLookup {
  const byId = indexQuestions(file)
  const checked = new Map<string, StoredAnswer | null>()
  return {
    get(id) {
      let answer = checked.get(id)
      if (answer === undefined) {
        const q = byId.get(id)
        const given = answers.get(id)
        const result = q && given ? checkAnswer(q, given) : undefined
        answer = result?.ok ? result.answer : null
        checked.set(id, answer)
      }
      return answer ?? undefined
    },
  }
}

/**
 * The answers to the file's questions that are valid for them, keyed by question id.
 * Unknown ids are dropped; invalid answers are dropped (so they count as missing).
 * The same question id twice in an iterable is ambiguous and throws.
 */
function validAnswers(
  file: QuestionnaireFile,
  answers: ReadonlyMap<string, StoredAnswer> | Iterable<readonly [string, StoredAnswer]>,
): Map<string, StoredAnswer> {
  const byId = indexQuestions(file)
  const result = new Map<string, StoredAnswer>()
  const seen = new Set<string>()
  for (const [id, answer] of answers) {
    if (seen.has(id)) throw new Error(`score: more than one answer for question "${id}"`)
    seen.add(id)
    const q = byId.get(id)
    if (!q) continue
    const checked = checkAnswer(q, answer)
    if (checked.ok) result.set(id, checked.answer)
  }
  return result
}
