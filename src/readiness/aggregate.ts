/**
 * Summary statistics of a list of scores. Pure: no I/O.
 *
 * The SQL aggregate in repository.ts computes the same figures in PostgreSQL; this module is the
 * reference they are tested against and what callers use on lists already in memory.
 *
 * - `count` counts the numbers given (nulls are the caller's business: pass only measured scores).
 * - `mean` is the arithmetic mean.
 * - **Quartiles and median use linear interpolation between closest ranks**, exactly as
 *   PostgreSQL's `percentile_cont(p)` (and R type 7, Excel PERCENTILE.INC): for sorted x₀…xₙ₋₁,
 *   position h = (n − 1)·p, result = x⌊h⌋ + (h − ⌊h⌋)·(x⌊h⌋₊₁ − x⌊h⌋).
 *   So median = percentile 0.5, q1 = 0.25, q3 = 0.75; of one number all three are that number.
 * - An empty list has count 0 and every other figure null.
 * - Nothing is rounded.
 */
export interface Summary {
  count: number
  mean: number | null
  median: number | null
  min: number | null
  max: number | null
  q1: number | null
  q3: number | null
}

/** percentile_cont over an ascending-sorted list; null for an empty list. */
export function percentileCont(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null
  if (p < 0 || p > 1 || Number.isNaN(p)) throw new RangeError(`percentile must be within 0..1, got ${p}`)
  const h = (sorted.length - 1) * p
  const lo = Math.floor(h)
  const hi = Math.ceil(h)
  const a = sorted[lo]!
  const b = sorted[hi]!
  return a + (h - lo) * (b - a)
}

export function summarize(values: readonly number[]): Summary {
  for (const v of values) if (!Number.isFinite(v)) throw new RangeError(`not a finite number: ${v}`)
  const sorted = [...values].sort((x, y) => x - y)
  const n = sorted.length
  if (n === 0) return { count: 0, mean: null, median: null, min: null, max: null, q1: null, q3: null }
  return {
    count: n,
    mean: sorted.reduce((s, v) => s + v, 0) / n,
    median: percentileCont(sorted, 0.5),
    min: sorted[0]!,
    max: sorted[n - 1]!,
    q1: percentileCont(sorted, 0.25),
    q3: percentileCont(sorted, 0.75),
  }
}

/**
 * How many times each tier occurs. Every tier in `tiers` (the questionnaire's, in its ascending
 * order) appears, with 0 when absent, so tables line up; a null tier (nothing measured) is counted
 * under `none`; a tier not in the list is still counted under its own id.
 */
export function tierCounts(tiers: readonly (string | null)[], known: readonly string[] = []): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(known.map((t) => [t, 0]))
  for (const t of tiers) {
    const key = t ?? 'none'
    counts[key] = (counts[key] ?? 0) + 1
  }
  return counts
}

/**
 * Summary plus tier counts: what one group of the published aggregates shows. `count` is the number
 * of items (assessments) in the group; `scored` how many had a score, which the statistics cover.
 */
export function aggregate(items: readonly { score: number | null; tier: string | null }[], known: readonly string[] = []) {
  const scores = items.flatMap((i) => (i.score === null ? [] : [i.score]))
  return {
    ...summarize(scores),
    count: items.length,
    scored: scores.length,
    tiers: tierCounts(
      items.map((i) => i.tier),
      known,
    ),
  }
}
