// Property tests of the scoring rules on random valid questionnaires and answer sets.
import { isDeepStrictEqual } from 'node:util'
import fc from 'fast-check'
import t from 'tap'
import { checkAnswer, type AnswerValue, type StoredAnswer } from '../../src/questionnaires/answers.js'
import { questionsOf, type Question, type QuestionnaireFile } from '../../src/questionnaires/schema.js'
import { rescore, score, type Readiness } from '../../src/scoring/score.js'
import { answersArb, fileArb } from '../helpers/questionnaire-arbitraries.js'

/** Enough runs to find counter-examples, few enough to finish in a few seconds. */
const RUNS = 150

const scenario = fileArb.chain((file) => fc.record({ file: fc.constant(file), answers: answersArb(file), pick: fc.nat(), pick2: fc.nat() }))

// ── Helpers ──────────────────────────────────────────────────────────────────────────────────────

/** Questions that no applies_if refers to: changing their answer cannot change applicability. */
function leaves(file: QuestionnaireFile): Question[] {
  const all = questionsOf(file).map((x) => x.question)
  const referenced = new Set(all.flatMap((q) => (q.applies_if ? [q.applies_if.question] : [])))
  return all.filter((q) => !referenced.has(q.id))
}

/** The score of the band a number falls in, computed independently of the module under test. */
function bandScore(q: Extract<Question, { type: 'number' }>, v: number): number {
  const fitting = (q.bands ?? []).filter((b) => b.min <= v)
  return fitting.length ? fitting[fitting.length - 1]!.score : 0
}

/**
 * Values that are at least as good as the current answer, by the meaning of each type, not by the
 * module's own raw score: a higher maturity level; no < partial < yes; an option scoring at least as
 * much; one more (non-exclusive) option selected, or a non-exclusive option scoring at least as much
 * as the exclusive one; a number whose band scores at least as much. From a missing answer (which
 * scores 0) any value is an improvement; so is any value from "unknown" when unknown scores zero.
 * Not from not_applicable or a non-scoring unknown: those change which questions count.
 */
function improvements(q: Question, current: StoredAnswer | undefined, unknownScoresZero: boolean): AnswerValue[] {
  const fromNothing = current === undefined || (current.special === 'unknown' && unknownScoresZero)
  if (!fromNothing && current?.special !== null) return []
  const v = fromNothing ? null : current!.value
  switch (q.type) {
    case 'maturity':
      return [0, 1, 2, 3, 4].filter((l) => v === null || l > (v as number))
    case 'yes_no_partial': {
      const order = ['no', 'partial', 'yes']
      return order.filter((x) => v === null || order.indexOf(x) > order.indexOf(v as string))
    }
    case 'single_choice': {
      const now = q.options.find((o) => o.id === v)
      return q.options.filter((o) => v === null || (o.id !== v && (o.score ?? 0) >= (now!.score ?? 0))).map((o) => o.id)
    }
    case 'multi_choice': {
      const plain = q.options.filter((o) => !o.exclusive)
      if (v === null) return q.options.map((o) => [o.id])
      const selected = v as string[]
      const exclusive = q.options.find((o) => o.exclusive && selected.includes(o.id))
      if (exclusive) return plain.filter((o) => (o.score ?? 0) >= (exclusive.score ?? 0)).map((o) => [o.id])
      return plain.filter((o) => !selected.includes(o.id)).map((o) => [...selected, o.id])
    }
    case 'number': {
      const inRange = (x: number) => (q.min === undefined || x >= q.min) && (q.max === undefined || x <= q.max)
      const candidates = [...(q.bands ?? []).map((b) => b.min), q.min, q.max, 0, 1000].filter(
        (x): x is number => x !== undefined && inRange(x) && (!q.integer || Number.isInteger(x)),
      )
      return candidates.filter((x) => v === null || (x !== v && bandScore(q, x) >= bandScore(q, v as number)))
    }
    case 'text':
      return []
  }
}

function withAnswer(answers: [string, StoredAnswer][], id: string, answer: StoredAnswer): [string, StoredAnswer][] {
  return [...answers.filter(([qid]) => qid !== id), [id, answer]]
}

function checkFigures(r: Readiness): void {
  for (const f of [r.overall, ...r.domains]) {
    if (f.score !== null && !(f.score >= 0 && f.score <= 100)) throw new Error(`score out of range: ${f.score}`)
    if (!(f.coverage >= 0 && f.coverage <= 1)) throw new Error(`coverage out of range: ${f.coverage}`)
    if ((f.score === null) !== (f.tier === null)) throw new Error('tier must be null exactly when the score is')
    const c = f.counts
    if (c.applicable + c.notApplicable !== c.total || c.answered + c.missing !== c.applicable || c.unknown > c.answered) {
      throw new Error(`inconsistent counts ${JSON.stringify(c)}`)
    }
  }
  for (const q of r.questions) {
    if (q.raw !== null && !(q.raw >= 0 && q.raw <= 1)) throw new Error(`raw out of range: ${q.raw}`)
    if (!q.counted && q.contribution !== 0) throw new Error('a question that is not counted contributes')
  }
}

// ── Properties ───────────────────────────────────────────────────────────────────────────────────

t.test('scores lie in 0..100 or are null, coverage in 0..1, counts add up', async (t) => {
  fc.assert(
    fc.property(scenario, ({ file, answers }) => {
      checkFigures(score(file, answers))
    }),
    { numRuns: RUNS },
  )
  t.pass('property held')
})

t.test('improving one answer never lowers a domain score or the overall', async (t) => {
  // Restricted to questions no other question depends on: changing a condition question can change
  // which questions apply, and then scores may legitimately go either way.
  let improved = 0
  fc.assert(
    fc.property(scenario, ({ file, answers, pick, pick2 }) => {
      const current = new Map(answers)
      const options = leaves(file)
        .map((q) => ({ q, better: improvements(q, current.get(q.id), file.scoring.unknown_scores_zero) }))
        .filter((x) => x.better.length > 0)
      if (options.length === 0) return
      const { q, better } = options[pick % options.length]!
      const value = better[pick2 % better.length]!
      const after = withAnswer(answers, q.id, { value, special: null })
      const checked = checkAnswer(q, { value })
      if (!checked.ok) throw new Error(`improvement generator made an invalid value: ${checked.problem}`)

      const r0 = score(file, answers)
      const r1 = score(file, after)
      if (r0.questions.map((x) => x.applies).join() !== r1.questions.map((x) => x.applies).join()) {
        throw new Error('applicability changed; the restriction to leaf questions should prevent that')
      }
      r0.domains.forEach((d0, i) => {
        const d1 = r1.domains[i]!
        if ((d0.score === null) !== (d1.score === null)) throw new Error(`domain ${d0.domain} changed between null and a score`)
        if (d0.score !== null && d1.score! < d0.score) throw new Error(`domain ${d0.domain} fell from ${d0.score} to ${d1.score}`)
      })
      if (r0.overall.score !== null && r1.overall.score! < r0.overall.score) {
        throw new Error(`overall fell from ${r0.overall.score} to ${r1.overall.score}`)
      }
      improved++
    }),
    { numRuns: RUNS * 2 },
  )
  t.ok(improved > RUNS / 2, `most runs had an answer to improve (${improved})`)
})

t.test('adding a not_applicable answer never changes the other questions’ contributions', async (t) => {
  // Restricted to questions no other question depends on (a not_applicable condition question makes
  // its dependants stop applying, by rule).
  let tried = 0
  fc.assert(
    fc.property(scenario, ({ file, answers, pick }) => {
      const targets = leaves(file).filter((q) => q.allow_not_applicable)
      if (targets.length === 0) return
      const q = targets[pick % targets.length]!
      const r0 = score(file, answers)
      const r1 = score(file, withAnswer(answers, q.id, { value: null, special: 'not_applicable' }))
      r0.questions.forEach((x0, i) => {
        const x1 = r1.questions[i]!
        if (x0.questionId === q.id) {
          if (x1.counted || x1.contribution !== 0) throw new Error('a not_applicable question still counts')
          if (x1.applies && x1.status !== 'not_applicable') throw new Error(`status ${x1.status}`)
          return
        }
        if (JSON.stringify(x0) !== JSON.stringify(x1)) throw new Error(`${x0.questionId} changed: ${JSON.stringify(x0)} → ${JSON.stringify(x1)}`)
      })
      checkFigures(r1)
      tried++
    }),
    { numRuns: RUNS },
  )
  t.ok(tried > 0, `property exercised (${tried} runs)`)
})

t.test('the result does not depend on the order of the answers or of multi_choice selections', async (t) => {
  fc.assert(
    fc.property(
      scenario.chain((s) => fc.record({ s: fc.constant(s), shuffled: fc.shuffledSubarray(s.answers, { minLength: s.answers.length }) })),
      ({ s: { file, answers }, shuffled }) => {
        const expected = JSON.stringify(score(file, answers))
        if (JSON.stringify(score(file, shuffled)) !== expected) throw new Error('answer order changed the result')
        if (JSON.stringify(score(file, new Map(shuffled))) !== expected) throw new Error('a Map changed the result')
        const reversedSelections = answers.map(([id, a]): [string, StoredAnswer] => [id, Array.isArray(a.value) ? { ...a, value: [...a.value].reverse() } : a])
        const r = score(file, reversedSelections)
        if (JSON.stringify(r.domains) !== JSON.stringify(JSON.parse(expected).domains)) {
          throw new Error('multi_choice selection order changed a score')
        }
      },
    ),
    { numRuns: RUNS },
  )
  t.pass('property held')
})

t.test('answers to questions the file does not have are ignored', async (t) => {
  fc.assert(
    fc.property(
      scenario,
      fc.array(fc.tuple(fc.stringMatching(/^zz[a-z]{0,4}$/), fc.integer({ min: 0, max: 4 })), { maxLength: 3 }),
      ({ file, answers }, extra) => {
        const stray = [...new Map(extra)].map(([id, value]): [string, StoredAnswer] => [id, { value, special: null }])
        if (JSON.stringify(score(file, [...answers, ...stray])) !== JSON.stringify(score(file, answers))) {
          throw new Error('a stray answer changed the result')
        }
      },
    ),
    { numRuns: RUNS },
  )
  t.pass('property held')
})

// ── Alternatives and unscored facts ──────────────────────────────────────────────────────────────

/** Questions that an applies_if refers to: removing their answers could change applicability. */
function referenced(file: QuestionnaireFile): Set<string> {
  return new Set(questionsOf(file).flatMap(({ question: q }) => (q.applies_if ? [q.applies_if.question] : [])))
}

t.test('an alternatives group scores as its best route, and the domain score is recomputed from its items', async (t) => {
  let groups = 0
  fc.assert(
    fc.property(scenario, ({ file, answers }) => {
      const r = score(file, answers)
      checkFigures(r)
      for (const g of r.alternatives) {
        groups++
        // Each route's ratio, recomputed from the per-question results.
        for (const route of g.routes) {
          const members = r.questions.filter((q) => q.domain === g.domain && q.route?.group === g.group && q.route.route === route.route && q.counted)
          const weight = members.reduce((s, q) => s + q.weight, 0)
          const expected = weight > 0 ? members.reduce((s, q) => s + q.contribution, 0) / weight : null
          if (expected === null ? route.ratio !== null : Math.abs(expected - route.ratio!) > 1e-12) {
            throw new Error(`route ${route.route}: ratio ${route.ratio}, expected ${expected}`)
          }
          if (route.ratio !== null && !(route.ratio >= 0 && route.ratio <= 1)) throw new Error(`ratio out of range: ${route.ratio}`)
        }
        const ratios = g.routes.flatMap((x) => (x.ratio === null ? [] : [x.ratio]))
        const best = ratios.length ? Math.max(...ratios) : null
        if (g.raw !== best) throw new Error(`group raw ${g.raw}, best route ${best}`)
      }
      // Domain score = (unrouted counted contributions + group weight × best) / (their weights).
      for (const d of r.domains) {
        const plain = r.questions.filter((q) => q.domain === d.domain && q.counted && q.route === null)
        const items = r.alternatives.filter((g) => g.domain === d.domain && g.counted)
        const den = plain.reduce((s, q) => s + q.weight, 0) + items.reduce((s, g) => s + g.weight, 0)
        const num = plain.reduce((s, q) => s + q.contribution, 0) + items.reduce((s, g) => s + g.weight * g.raw!, 0)
        const expected = den > 0 ? (100 * num) / den : null
        if (expected === null ? d.score !== null : Math.abs(expected - d.score!) > 1e-9) throw new Error(`domain ${d.domain}: ${d.score} ≠ ${expected}`)
      }
    }),
    { numRuns: RUNS },
  )
  t.ok(groups > 0, `groups were generated (${groups})`)
})

t.test('a route alone keeps its ratio, and the group never scores below it, whatever happens on the other routes', async (t) => {
  let tried = 0
  fc.assert(
    fc.property(scenario, ({ file, answers, pick }) => {
      const refs = referenced(file)
      const groups = file.domains.flatMap((d) => (d.alternatives ?? []).map((group) => ({ domain: d.id, group })))
      if (groups.length === 0) return
      const { domain, group } = groups[pick % groups.length]!
      const keep = group.routes[pick % group.routes.length]!
      const others = new Set(group.routes.filter((r) => r.id !== keep.id).flatMap((r) => r.questions))
      if ([...others].some((id) => refs.has(id))) return
      const alone = answers.filter(([id]) => !others.has(id))
      const before = score(file, answers).alternatives.find((g) => g.group === group.id && g.domain === domain)!
      const after = score(file, alone).alternatives.find((g) => g.group === group.id && g.domain === domain)!
      const ratio = (g: typeof before) => g.routes.find((x) => x.route === keep.id)!.ratio
      if (ratio(before) !== ratio(after)) throw new Error(`route ${keep.id} changed from ${ratio(before)} to ${ratio(after)}`)
      if (ratio(after) !== null && after.raw! < ratio(after)!) throw new Error('the group scores below one of its routes')
      tried++
    }),
    { numRuns: RUNS },
  )
  t.ok(tried > 0, `property exercised (${tried} runs)`)
})

t.test('unscored facts never change a score, only coverage', async (t) => {
  let tried = 0
  fc.assert(
    fc.property(scenario, ({ file, answers }) => {
      const refs = referenced(file)
      const facts = new Set(
        questionsOf(file)
          .filter(({ question: q }) => q.scored === false && !refs.has(q.id))
          .map(({ question: q }) => q.id),
      )
      if (facts.size === 0) return
      const r0 = score(file, answers)
      const r1 = score(
        file,
        answers.filter(([id]) => !facts.has(id)),
      )
      for (const q of r0.questions) {
        if (facts.has(q.questionId) && (q.counted || q.weight !== 0 || q.raw !== null)) throw new Error(`unscored ${q.questionId} counts`)
      }
      if (JSON.stringify(r0.domains.map((d) => d.score)) !== JSON.stringify(r1.domains.map((d) => d.score))) throw new Error('a domain score changed')
      if (r0.overall.score !== r1.overall.score) throw new Error('the overall score changed')
      if (r0.overall.counts.answered < r1.overall.counts.answered) throw new Error('facts answered must count in coverage')
      tried++
    }),
    { numRuns: RUNS },
  )
  t.ok(tried > 0, `property exercised (${tried} runs)`)
})

t.test('rescoring the domains a change can affect gives exactly what scoring everything gives, write after write', async (t) => {
  const writes = fileArb.chain((file) =>
    fc.record({
      file: fc.constant(file),
      start: answersArb(file),
      // Each write: answers to take from another answer set, for a random subset of the questions.
      steps: fc.array(fc.record({ from: answersArb(file), picks: fc.array(fc.nat(), { minLength: 1, maxLength: 4 }) }), { minLength: 1, maxLength: 6 }),
    }),
  )
  fc.assert(
    fc.property(writes, ({ file, start, steps }) => {
      const ids = questionsOf(file).map((x) => x.question.id)
      let answers = new Map(start)
      let readiness = score(file, answers)
      for (const { from, picks } of steps) {
        const source = new Map(from)
        const changed = picks.map((p) => ids[p % ids.length]!)
        answers = new Map(answers)
        for (const id of changed) {
          const answer = source.get(id)
          if (answer) answers.set(id, answer)
          else answers.delete(id)
        }
        readiness = rescore(file, readiness, answers, changed)
        // Bit for bit (SameValue on every number), and so is every rescore built on this one.
        if (!isDeepStrictEqual(readiness, score(file, answers))) throw new Error(`rescore differs from score after changing ${changed.join(', ')}`)
      }
    }),
    { numRuns: RUNS },
  )
  t.pass('property held')
})
