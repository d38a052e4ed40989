// Figures worked out by hand; quartiles by linear interpolation (PostgreSQL percentile_cont).
import t from 'tap'
import { aggregate, percentileCont, summarize, tierCounts } from '../../src/readiness/aggregate.js'

t.test('empty list: count 0, everything else null', async (t) => {
  t.same(summarize([]), { count: 0, mean: null, median: null, min: null, max: null, q1: null, q3: null })
})

t.test('one number is its own median and quartiles', async (t) => {
  t.same(summarize([42]), { count: 1, mean: 42, median: 42, min: 42, max: 42, q1: 42, q3: 42 })
})

t.test('two numbers: interpolated', async (t) => {
  // h(0.25) = 0.25 → 0 + 0.25·100 = 25; median 50; q3 75
  t.same(summarize([100, 0]), { count: 2, mean: 50, median: 50, min: 0, max: 100, q1: 25, q3: 75 })
})

t.test('four numbers, unsorted input', async (t) => {
  // sorted 10 20 30 40; h(.25)=0.75 → 10+0.75·10=17.5; h(.5)=1.5 → 25; h(.75)=2.25 → 32.5
  t.same(summarize([40, 10, 30, 20]), { count: 4, mean: 25, median: 25, min: 10, max: 40, q1: 17.5, q3: 32.5 })
})

t.test('five numbers: quartiles fall on ranks', async (t) => {
  // sorted 0 0 50 100 100: h(.25)=1 → 0; h(.5)=2 → 50; h(.75)=3 → 100; mean 250/5 = 50
  t.same(summarize([100, 0, 50, 100, 0]), { count: 5, mean: 50, median: 50, min: 0, max: 100, q1: 0, q3: 100 })
})

t.test('six numbers', async (t) => {
  // sorted 1 2 4 8 16 32: h(.25)=1.25 → 2+0.25·2=2.5; h(.5)=2.5 → 4+0.5·4=6; h(.75)=3.75 → 8+0.75·8=14
  const s = summarize([32, 1, 16, 2, 8, 4])
  t.equal(s.q1, 2.5)
  t.equal(s.median, 6)
  t.equal(s.q3, 14)
  t.equal(s.mean, 63 / 6)
})

t.test('percentileCont bounds', async (t) => {
  t.equal(percentileCont([1, 2, 3], 0), 1)
  t.equal(percentileCont([1, 2, 3], 1), 3)
  t.equal(percentileCont([], 0.5), null)
  t.throws(() => percentileCont([1], 1.5))
  t.throws(() => summarize([Number.NaN]))
})

t.test('tier counts list every known tier, nulls under none', async (t) => {
  t.same(tierCounts(['initial', 'advanced', null, 'advanced'], ['initial', 'developing', 'established', 'advanced']), {
    initial: 1,
    developing: 0,
    established: 0,
    advanced: 2,
    none: 1,
  })
  t.same(tierCounts([]), {})
})

t.test('aggregate leaves null scores out of the statistics, keeps them in tier counts', async (t) => {
  const a = aggregate(
    [
      { score: 80, tier: 'advanced' },
      { score: null, tier: null },
      { score: 20, tier: 'initial' },
    ],
    ['initial', 'advanced'],
  )
  t.same(a, { count: 3, scored: 2, mean: 50, median: 50, min: 20, max: 80, q1: 35, q3: 65, tiers: { initial: 1, advanced: 1, none: 1 } })
})
