// The attacker of the disclosure tests: given everything a reader saw (every publication's cells,
// who is in each group, which countries each correction revised) and its own scores, it tries to
// solve for another country's score, as an outside tester would:
// - linear combinations of means with known counts (world − region, region − region, this
//   publication − an earlier one, any combination): Gaussian elimination over every equation;
// - order statistics (median, quartiles, and min/max if anything shows them) of small groups:
//   the sorted values a cell's figures pin down, then attributed to a country when one country is
//   left once the attacker's own value and another cell's known values are taken away.
// Returns every other country's score it could solve for (country → value), per table.

export interface SeenCell {
  group: string
  table: string
  count: number
  scored: number | null
  mean: number | null
  median: number | null
  q1: number | null
  q3: number | null
  min?: number | null
  max?: number | null
  tiers?: Record<string, number>
  suppressed: boolean
}

export interface SeenPublication {
  /** Who is in it, with their regions (assumed known to the attacker). */
  members: { country: string; region: string }[]
  /** Countries whose figures changed since the previous publication (from its stated changes). */
  revised: string[]
  cells: SeenCell[]
}

export interface Attacker {
  country: string
  /** Its own score per publication and table (it knows its own answers). */
  own: (publication: number, table: string) => number | null
}

const EPS = 1e-7
const WORLD = 'world'

/** Unknown id per (country, publication): a new one whenever the country is new or revised. */
function versions(seen: readonly SeenPublication[]): Map<string, string>[] {
  const current = new Map<string, number>()
  return seen.map((p, i) => {
    const ids = new Map<string, string>()
    const before = i > 0 ? new Set(seen[i - 1]!.members.map((m) => m.country)) : new Set<string>()
    for (const m of p.members) {
      if (!current.has(m.country) || !before.has(m.country) || p.revised.includes(m.country)) current.set(m.country, i)
      ids.set(m.country, `${m.country}@${current.get(m.country)}`)
    }
    return ids
  })
}

const membersOf = (p: SeenPublication, group: string) => p.members.filter((m) => group === WORLD || m.region === group).map((m) => m.country)

/** Solves A·x = b for every unknown that the equations determine on their own. */
export function solveLinear(equations: { terms: Map<string, number>; value: number }[]): Map<string, number> {
  const names = [...new Set(equations.flatMap((e) => [...e.terms.keys()]))]
  const index = new Map(names.map((n, i) => [n, i]))
  const rows = equations.map((e) => {
    const r = new Array<number>(names.length + 1).fill(0)
    for (const [n, c] of e.terms) r[index.get(n)!]! += c
    r[names.length] = e.value
    return r
  })
  let pivotRow = 0
  for (let col = 0; col < names.length && pivotRow < rows.length; col++) {
    let best = pivotRow
    for (let r = pivotRow + 1; r < rows.length; r++) if (Math.abs(rows[r]![col]!) > Math.abs(rows[best]![col]!)) best = r
    if (Math.abs(rows[best]![col]!) < EPS) continue
    ;[rows[pivotRow], rows[best]] = [rows[best]!, rows[pivotRow]!]
    const pivot = rows[pivotRow]!
    const scale = pivot[col]!
    for (let c = 0; c <= names.length; c++) pivot[c]! /= scale
    for (let r = 0; r < rows.length; r++) {
      if (r === pivotRow) continue
      const f = rows[r]![col]!
      if (Math.abs(f) < EPS) continue
      for (let c = 0; c <= names.length; c++) rows[r]![c]! -= f * pivot[c]!
    }
    pivotRow++
  }
  const solved = new Map<string, number>()
  for (const r of rows) {
    const nonZero = r.slice(0, names.length).flatMap((v, i) => (Math.abs(v) > EPS ? [i] : []))
    if (nonZero.length === 1) solved.set(names[nonZero[0]!]!, r[names.length]! / r[nonZero[0]!]!)
  }
  return solved
}

/** The sorted values of a cell of n that its published figures pin down, or null when they do not. */
function orderStatistics(cell: SeenCell, n: number, own: number | null): number[] | null {
  const equations: { terms: Map<string, number>; value: number }[] = []
  const y = (i: number) => `y${i}`
  const quantile = (p: number, v: number | null) => {
    if (v === null) return
    const h = (n - 1) * p
    const lo = Math.floor(h)
    const f = h - lo
    const terms = new Map([[y(lo), 1 - f]])
    if (f > 0) terms.set(y(lo + 1), f)
    equations.push({ terms, value: v })
  }
  quantile(0.25, cell.q1)
  quantile(0.5, cell.median)
  quantile(0.75, cell.q3)
  quantile(0, cell.min ?? null)
  quantile(1, cell.max ?? null)
  if (cell.mean !== null) equations.push({ terms: new Map(Array.from({ length: n }, (_, i) => [y(i), 1])), value: cell.mean * n })
  const candidates: number[][] = []
  for (const rank of own === null ? [null] : Array.from({ length: n }, (_, i) => i)) {
    const all = rank === null ? equations : [...equations, { terms: new Map([[y(rank), 1]]), value: own! }]
    const solved = solveLinear(all)
    if (solved.size < n) return null
    const values = Array.from({ length: n }, (_, i) => solved.get(y(i))!)
    const consistent = values.every((v, i) => i === 0 || v >= values[i - 1]! - EPS)
    if (consistent) candidates.push(values)
  }
  if (candidates.length === 0) return null
  const first = candidates[0]!
  return candidates.every((c) => c.every((v, i) => Math.abs(v - first[i]!) < 1e-6)) ? first : null
}

/** Removes each of `take` from `from` once (matching within EPS); null if one is missing. */
function without(from: readonly number[], take: readonly number[]): number[] | null {
  const left = [...from]
  for (const v of take) {
    const i = left.findIndex((x) => Math.abs(x - v) < 1e-6)
    if (i < 0) return null
    left.splice(i, 1)
  }
  return left
}

/** Every other country's score (per table: country → value) the attacker can solve for. */
export function attack(seen: readonly SeenPublication[], attacker: Attacker): Map<string, Map<string, number>> {
  const ids = versions(seen)
  const tables = [...new Set(seen.flatMap((p) => p.cells.map((c) => c.table)))]
  const found = new Map<string, Map<string, number>>()
  for (const table of tables) {
    const known = new Map<string, number>()
    seen.forEach((_, i) => {
      const own = attacker.own(i, table)
      const id = ids[i]!.get(attacker.country)
      if (own !== null && id) known.set(id, own)
    })
    // Linear: Σ members = mean × scored, for every cell showing a mean over all its members.
    const equations: { terms: Map<string, number>; value: number }[] = []
    // Order statistics: cells whose sorted values are pinned down, with the unknowns behind them.
    const multisets: { unknowns: string[]; values: number[] }[] = []
    seen.forEach((p, i) => {
      for (const cell of p.cells.filter((c) => c.table === table && !c.suppressed)) {
        const members = membersOf(p, cell.group).map((m) => ids[i]!.get(m)!)
        if (cell.scored !== members.length) continue
        if (cell.mean !== null) equations.push({ terms: new Map(members.map((m) => [m, 1])), value: cell.mean * members.length })
        const ownId = ids[i]!.get(attacker.country)
        const own = ownId && members.includes(ownId) ? (known.get(ownId) ?? null) : null
        const values = orderStatistics(cell, members.length, own)
        if (values) multisets.push({ unknowns: members, values })
      }
    })
    for (let round = 0; round < 3; round++) {
      const withKnown = [...equations, ...[...known].map(([id, v]) => ({ terms: new Map([[id, 1]]), value: v }))]
      for (const [id, v] of solveLinear(withKnown)) known.set(id, v)
      // A pinned cell, less the values already known, with one unknown left: that one's value.
      // Two pinned cells whose unknowns differ by one: the difference of their values.
      for (const m of multisets) {
        const rest = m.unknowns.filter((u) => !known.has(u))
        const left = without(
          m.values,
          m.unknowns.filter((u) => known.has(u)).map((u) => known.get(u)!),
        )
        if (rest.length === 1 && left?.length === 1) known.set(rest[0]!, left[0]!)
        for (const other of multisets) {
          if (other === m) continue
          const extra = m.unknowns.filter((u) => !other.unknowns.includes(u) && !known.has(u))
          const missing = other.unknowns.filter((u) => !m.unknowns.includes(u))
          if (extra.length !== 1) continue
          const shared = without(
            other.values,
            missing.map((u) => known.get(u) ?? Number.NaN),
          )
          if (!shared) continue
          const diff = without(m.values, [...shared, ...m.unknowns.filter((u) => known.has(u) && !other.unknowns.includes(u)).map((u) => known.get(u)!)])
          if (diff?.length === 1) known.set(extra[0]!, diff[0]!)
        }
      }
    }
    const others = new Map<string, number>()
    for (const [id, v] of known) {
      const country = id.slice(0, id.indexOf('@'))
      if (country !== attacker.country) others.set(country, v)
    }
    if (others.size) found.set(table, others)
  }
  return found
}
