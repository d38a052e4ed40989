// The disclosure rules, without a database: property tests over random campaigns and corrections,
// and the attacker of test/helpers/disclosure-attack.ts run against what the rules publish.
import fc from 'fast-check'
import t from 'tap'
import {
  cellFigures,
  type CountryFigures,
  cellKey,
  type Decision,
  disclose,
  groupsOf,
  OVERALL,
  primarySuppression,
  type Release,
  violations,
  WORLD,
} from '../../src/publications/disclosure.js'
import { attack, type SeenPublication } from '../helpers/disclosure-attack.js'

const REGIONS = ['Africa', 'Americas', 'Arab States', 'Asia-Pacific', 'CIS', 'Europe']
const TABLES = ['data', OVERALL]
const TIERS = ['initial', 'developing', 'established', 'advanced']
const tierOf = (s: number | null) => (s === null ? null : s < 25 ? 'initial' : s < 50 ? 'developing' : s < 75 ? 'established' : 'advanced')

function country(code: string, region: string, score: number): CountryFigures {
  return { country: code, region, scores: { data: score, overall: score }, tiers: { data: tierOf(score), overall: tierOf(score) } }
}

/** A campaign: countries with regions and integer scores, then corrections (revise, add, remove). */
const campaign = fc
  .record({
    regions: fc.array(fc.constantFrom(...REGIONS), { minLength: 1, maxLength: 30 }),
    scores: fc.array(fc.integer({ min: 0, max: 100 }), { minLength: 30, maxLength: 30 }),
    corrections: fc.array(
      fc.record({
        revise: fc.array(fc.tuple(fc.nat(29), fc.integer({ min: 0, max: 100 })), { maxLength: 6 }),
        add: fc.array(fc.tuple(fc.constantFrom(...REGIONS), fc.integer({ min: 0, max: 100 })), { maxLength: 6 }),
        remove: fc.array(fc.nat(29), { maxLength: 3 }),
      }),
      { maxLength: 2 },
    ),
    k: fc.integer({ min: 3, max: 6 }),
  })
  .map(({ regions, scores, corrections, k }) => {
    const first = regions.map((r, i) => country(`C${String(i).padStart(2, '0')}`, r, scores[i]!))
    const states = [first]
    let next = first.length
    for (const c of corrections) {
      let list = [...states[states.length - 1]!]
      for (const [i, s] of c.revise)
        if (list[i % Math.max(1, list.length)]) list[i % list.length] = country(list[i % list.length]!.country, list[i % list.length]!.region, s)
      for (const [r, s] of c.add) list.push(country(`C${String(next++).padStart(2, '0')}`, r, s))
      for (const i of c.remove) if (list.length > 1) list = list.filter((_, j) => j !== i % list.length)
      states.push(list)
    }
    return { states, k }
  })

type Rules = (countries: readonly CountryFigures[], earlier: readonly Release[], k: number) => Decision
const safe: Rules = (countries, earlier, k) => disclose({ countries, tables: TABLES, earlier, k })
const thresholdOnly: Rules = (countries, _earlier, k) => primarySuppression(countries, TABLES, k)

/** Publishes each state in turn under the rules; what a reader sees of each. */
function publishAll(states: readonly CountryFigures[][], k: number, rules: Rules) {
  const releases: Release[] = []
  const seen: SeenPublication[] = []
  states.forEach((countries, i) => {
    const decision = rules(countries, releases, k)
    releases.push({ countries, published: decision.published })
    const before = new Map((states[i - 1] ?? []).map((c) => [c.country, c]))
    seen.push({
      members: countries.map((c) => ({ country: c.country, region: c.region })),
      revised: countries.filter((c) => before.has(c.country) && before.get(c.country)!.scores.data !== c.scores.data).map((c) => c.country),
      cells: cellFigures(countries, TABLES, TIERS, decision),
    })
  })
  return { releases, seen }
}

const attackEveryone = (states: readonly CountryFigures[][], seen: SeenPublication[]) => {
  const everyone = [...new Set(states.flat().map((c) => c.country))]
  return everyone.flatMap((attacker) => {
    const found = attack(seen, {
      country: attacker,
      own: (p, table) => states[p]!.find((c) => c.country === attacker)?.scores[table] ?? null,
    })
    return [...found].flatMap(([table, values]) => [...values].map(([victim, value]) => ({ attacker, table, victim, value })))
  })
}

t.test('no class of fewer than k countries is left in any table, whatever the corrections', async () => {
  fc.assert(
    fc.property(campaign, ({ states, k }) => {
      const { releases } = publishAll(states, k, safe)
      for (let i = 1; i <= releases.length; i++) {
        for (const table of TABLES) {
          const found = violations(releases.slice(0, i), table, k)
          if (found.length) throw new Error(`publication ${i}, ${table}: ${JSON.stringify(found)}`)
        }
      }
    }),
    { numRuns: 300 },
  )
})

t.test('every shown figure is about at least k countries; no minimum or maximum; no overall mean', async () => {
  fc.assert(
    fc.property(campaign, ({ states, k }) => {
      const { seen } = publishAll(states, k, safe)
      for (const p of seen) {
        for (const cell of p.cells) {
          if (!cell.suppressed && cell.scored !== 0) {
            if (cell.count < k || (cell.scored ?? 0) < k) throw new Error(`cell of ${cell.count} shown: ${JSON.stringify(cell)}`)
          }
          if (cell.suppressed && (cell.mean !== null || cell.median !== null || cell.q1 !== null || Object.keys(cell.tiers ?? {}).length)) {
            throw new Error('a withheld cell shows a figure')
          }
          if ('min' in cell || 'max' in cell) throw new Error('min/max published')
          if (cell.table === OVERALL && cell.mean !== null) throw new Error('overall mean published')
        }
      }
    }),
    { numRuns: 300 },
  )
})

t.test('the attacker solves for nobody under the rules, from any country, across corrections', async () => {
  fc.assert(
    fc.property(campaign, ({ states, k }) => {
      const { seen } = publishAll(states, k, safe)
      const leaks = attackEveryone(states, seen)
      if (leaks.length) throw new Error(`leaked: ${JSON.stringify(leaks.slice(0, 3))}`)
    }),
    { numRuns: 150 },
  )
})

t.test('nothing is withheld that need not be: regions of k or more, no corrections', async () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 5, max: 9 }), { minLength: 1, maxLength: 6 }), fc.integer({ min: 3, max: 5 }), (sizes, k) => {
      const countries = sizes.flatMap((n, r) => Array.from({ length: n }, (_, i) => country(`R${r}C${i}`, REGIONS[r]!, (i * 37 + r * 11) % 101)))
      const decision = safe(countries, [], k)
      if (decision.suppressed.size) throw new Error(`withheld ${[...decision.suppressed.keys()]}`)
    }),
  )
})

t.test('the attacks of issue 13 succeed against unsafe rules, so the attacker is real', async (t) => {
  const scores = [70, 20, 90, 40, 55, 61, 33, 48, 12, 85]
  // Africa 5, Europe 4, CIS 1: the CIS country is alone.
  const states = [
    [
      ...scores.slice(0, 5).map((s, i) => country(`AF${i}`, 'Africa', s)),
      ...scores.slice(5, 9).map((s, i) => country(`EU${i}`, 'Europe', s)),
      country('CIS0', 'CIS', scores[9]!),
    ],
  ]
  // k = 1: every figure shown; the lone country's mean is its score.
  const open = attackEveryone(states, publishAll(states, 1, safe).seen)
  t.ok(
    open.some((l) => l.victim === 'CIS0' && l.value === 85),
    'k = 1 gives away a country',
  )
  // Threshold alone (k = 5): Europe and CIS are withheld. A correction adds one late country to
  // Africa: world₂ − world₁ (means times counts) is its score.
  const revised = [...states[0]!, country('AF5', 'Africa', 66)]
  const threshold = publishAll([states[0]!, revised], 5, thresholdOnly)
  const overTime = attackEveryone([states[0]!, revised], threshold.seen)
  t.ok(
    overTime.some((l) => l.victim === 'AF5' && Math.abs(l.value - 66) < 1e-6),
    'threshold alone: differencing two publications gives the added country away',
  )
  const withRules = publishAll([states[0]!, revised], 5, safe)
  t.same(attackEveryone([states[0]!, revised], withRules.seen), [], 'the rules withhold what differencing needs')
  const africa2 = withRules.seen[1]!.cells.find((c) => c.group === 'Africa' && c.table === 'data')!
  t.equal(africa2.suppressed, true, "the added country's region is withheld in the correction")
  t.equal(withRules.seen[1]!.cells.find((c) => c.group === WORLD && c.table === 'data')!.suppressed, true, 'and the world')

  // Threshold alone, one publication: the lone CIS country under k = 5 is withheld, but
  // world − Africa − Europe = CIS0 when Europe is shown (Europe of 5 here).
  const five = [...states[0]!, country('EU4', 'Europe', 77)]
  const between = attackEveryone([five], publishAll([five], 5, thresholdOnly).seen)
  t.ok(
    between.some((l) => l.victim === 'CIS0' && Math.abs(l.value - 85) < 1e-6),
    'threshold alone: world − regions gives the lone country away',
  )
  const decision = safe(five, [], 5)
  t.equal(decision.suppressed.get(cellKey('Africa', 'data')) ?? decision.suppressed.get(cellKey('Europe', 'data')), 'complementary')
  t.same(attackEveryone([five], publishAll([five], 5, safe).seen), [])
})

t.test('small groups: the median of a region of two gives the other away without the rule (no mean needed)', async (t) => {
  const two = [country('A', 'Europe', 10), country('B', 'Europe', 80), ...[1, 2, 3, 4, 5].map((i) => country(`X${i}`, 'Africa', 20 * i))]
  const unsafe = attackEveryone([two], publishAll([two], 1, safe).seen)
  t.ok(unsafe.some((l) => l.attacker === 'A' && l.victim === 'B' && l.table === OVERALL && Math.abs(l.value - 80) < 1e-6))
  t.same(attackEveryone([two], publishAll([two], 3, safe).seen), [])
})

t.test('cell figures: counts of withheld cells, tiers of shown ones, groups in order', async (t) => {
  const list = [1, 2, 3, 4, 5].map((i) => country(`K${i}`, 'Africa', i * 20 - 10))
  const figures = cellFigures(list, TABLES, TIERS, safe(list, [], 3))
  t.same(groupsOf(list), [WORLD, 'Africa'])
  const data = figures.find((c) => c.group === WORLD && c.table === 'data')!
  t.match(data, { count: 5, scored: 5, mean: 50, median: 50, q1: 30, q3: 70, suppressed: false })
  t.same(data.tiers, { initial: 1, developing: 1, established: 2, advanced: 1, none: 0 })
  const withheld = cellFigures(list, TABLES, TIERS, safe(list, [], 6))
  t.ok(withheld.every((c) => c.suppressed && c.count === 5 && c.reason === 'group_too_small'))
})
