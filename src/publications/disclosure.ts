/**
 * Disclosure rules of a publication. Pure: no I/O.
 *
 * A publication shows, for every group (the world and each ITU-D region) and every table (each
 * domain, and the overall score), a *cell*: count, mean, median, quartiles and tier counts of the
 * countries in the group. Which cells may be shown is decided here, once, at publication time.
 *
 * What a reader can compute. A mean with its count is a sum; a tier count is a sum of 0/1
 * indicators. Every such published figure is a linear equation over unknowns: one per country and
 * value of its score (or of its tier) in that table. A country whose score did not change between
 * two publications is the same unknown in both, so readers can subtract publications as well as
 * groups. Any vector in the span of the published equations is something a reader can compute.
 *
 * The rule (complementary suppression). Two unknowns that occur in exactly the same published
 * equations get the same coefficient in every combination of them, so whatever a reader computes
 * is a sum over whole *classes* of such unknowns. If every class holds at least k countries, no
 * combination of figures (world − region, region − the other regions, this publication − an
 * earlier one, any linear combination of means with known counts) isolates fewer than k countries;
 * with k ≥ 3 even a reader who knows its own score is left with a sum of at least two others.
 *
 * How cells are chosen: (1) a cell of fewer than k countries is withheld (`group_too_small`);
 * (2) while some class has between 1 and k − 1 countries, one more cell of this publication is
 * withheld (`complementary`), the one with the fewest countries among those that contain the class
 * or split it from the class it belonged to before this publication (regions before the world).
 * Withholding every cell of this publication gives back the earlier publications' classes, which
 * were safe, so the loop ends with a safe set. Earlier publications are never changed: they were
 * read.
 *
 * Tables are independent: the overall score carries no published mean (a country missing a domain
 * has an overall score weighted differently from the others, so the overall mean beside the domain
 * means would isolate it), only its median, quartiles and tier counts. Medians and quartiles are
 * shown only in cells that pass the rule, and minimum and maximum are never published: in a
 * small group they are some country's own score.
 */
import { aggregate } from '../readiness/aggregate.js'

export const WORLD = 'world'
export const OVERALL = 'overall'

export type Reason = 'group_too_small' | 'complementary'

/** One country's figures in a publication: per table (domain id or OVERALL) its score and tier. */
export interface CountryFigures {
  country: string
  region: string
  scores: Readonly<Record<string, number | null>>
  tiers: Readonly<Record<string, string | null>>
}

/** A publication as the rules see it: whose figures it holds and which cells it showed. */
export interface Release {
  countries: readonly CountryFigures[]
  /** cellKey(group, table) of every cell shown */
  published: ReadonlySet<string>
}

export interface Decision {
  published: Set<string>
  suppressed: Map<string, Reason>
}

export interface DisclosureInput {
  /** This publication's countries. */
  countries: readonly CountryFigures[]
  /** The tables: the questionnaire's domain ids and OVERALL. */
  tables: readonly string[]
  /** Earlier publications of the same campaign, oldest first. */
  earlier: readonly Release[]
  /** The smallest number of countries a figure may be about. */
  k: number
}

export const cellKey = (group: string, table: string) => `${group}|${table}`

/** The groups of a publication: the world, then each region present, in name order. */
export function groupsOf(countries: readonly CountryFigures[]): string[] {
  return [WORLD, ...[...new Set(countries.map((c) => c.region))].sort()]
}

export const inGroup = (c: CountryFigures, group: string) => group === WORLD || c.region === group

/** Rule 1: every cell of fewer than k countries is withheld. */
export function primarySuppression(countries: readonly CountryFigures[], tables: readonly string[], k: number): Decision {
  const decision: Decision = { published: new Set(), suppressed: new Map() }
  for (const group of groupsOf(countries)) {
    const members = countries.filter((c) => inGroup(c, group)).length
    for (const table of tables) {
      const key = cellKey(group, table)
      if (members < k) decision.suppressed.set(key, 'group_too_small')
      else decision.published.add(key)
    }
  }
  return decision
}

/** Unknowns of one table a release's cells are equations over: a score value or a tier of a country. */
function unknownsOf(c: CountryFigures, table: string): string[] {
  const score = c.scores[table] ?? null
  const tier = c.tiers[table] ?? null
  // The overall table publishes no mean, so its scores are in no equation.
  return [...(table !== OVERALL && score !== null ? [`score:${score}`] : []), `tier:${tier ?? 'none'}`]
}

interface Unknown {
  country: string
  kind: string
  /** The equations (publication index | group) it occurs in, in order. */
  rows: string[]
  /** The same, without this publication's. */
  old: string[]
}

function unknowns(releases: readonly Release[], table: string): Unknown[] {
  const all = new Map<string, Unknown>()
  const last = releases.length - 1
  releases.forEach((release, p) => {
    for (const c of release.countries) {
      const rows = [WORLD, c.region].filter((g) => release.published.has(cellKey(g, table))).map((g) => `${p}|${g}`)
      for (const value of unknownsOf(c, table)) {
        const id = `${c.country}|${value}`
        const u = all.get(id) ?? { country: c.country, kind: value.slice(0, value.indexOf(':')), rows: [], old: [] }
        all.set(id, u)
        u.rows.push(...rows)
        if (p < last) u.old.push(...rows)
      }
    }
  })
  return [...all.values()]
}

export interface Violation {
  table: string
  /** The countries whose unknowns form a class of fewer than k. */
  countries: string[]
  /** The equations they occur in. */
  rows: string[]
}

/**
 * Classes of fewer than k countries that this (last) release creates, per the rule above. A class
 * that is exactly a class of the earlier releases is not counted: nothing new is shown about it.
 */
export function violations(releases: readonly Release[], table: string, k: number): Violation[] {
  const list = unknowns(releases, table)
  const classes = new Map<string, Unknown[]>()
  const oldClasses = new Map<string, number>()
  for (const u of list) {
    const key = `${u.kind}#${u.rows.join(',')}`
    classes.set(key, [...(classes.get(key) ?? []), u])
    const oldKey = `${u.kind}#${u.old.join(',')}`
    oldClasses.set(oldKey, (oldClasses.get(oldKey) ?? 0) + 1)
  }
  const found: Violation[] = []
  for (const members of classes.values()) {
    const first = members[0]!
    if (first.rows.length === 0) continue
    const countries = new Set(members.map((u) => u.country))
    if (countries.size >= k) continue
    const unchanged = first.rows.length === first.old.length && oldClasses.get(`${first.kind}#${first.old.join(',')}`) === members.length
    if (unchanged) continue
    found.push({ table, countries: [...countries].sort(), rows: first.rows })
  }
  return found
}

/** This release's published cells of `table` that contain the violation's class or its former siblings. */
function candidates(releases: readonly Release[], table: string, v: Violation): string[] {
  const p = releases.length - 1
  const list = unknowns(releases, table)
  const inClass = list.filter((u) => v.countries.includes(u.country) && u.rows.join(',') === v.rows.join(','))
  const oldSigs = new Set(inClass.map((u) => `${u.kind}#${u.old.join(',')}`))
  const related = list.filter((u) => oldSigs.has(`${u.kind}#${u.old.join(',')}`))
  const groups = new Set<string>()
  for (const u of related) for (const row of u.rows) if (row.startsWith(`${p}|`)) groups.add(row.slice(row.indexOf('|') + 1))
  return [...groups]
}

/** Rules 1 and 2: the cells this publication may show, and why each other one is withheld. */
export function disclose(input: DisclosureInput): Decision {
  const { countries, tables, earlier, k } = input
  const decision = primarySuppression(countries, tables, k)
  const size = new Map(groupsOf(countries).map((g) => [g, countries.filter((c) => inGroup(c, g)).length]))
  for (const table of tables) {
    for (;;) {
      const releases = [...earlier, { countries, published: decision.published }]
      const [v] = violations(releases, table, k)
      if (!v) break
      const groups = candidates(releases, table, v)
      // The smallest first; the world last: it is the figure readers want most.
      groups.sort((a, b) => Number(a === WORLD) - Number(b === WORLD) || size.get(a)! - size.get(b)! || a.localeCompare(b))
      const chosen = groups[0]
      if (chosen === undefined) throw new Error(`disclosure: no cell left to withhold for ${table} (${v.countries.join(', ')})`)
      decision.published.delete(cellKey(chosen, table))
      decision.suppressed.set(cellKey(chosen, table), 'complementary')
    }
  }
  return decision
}

export interface CellFigures {
  group: string
  table: string
  /** countries in the group (shown even when the figures are withheld) */
  count: number
  /** countries with a score in this table; null when withheld */
  scored: number | null
  /** null for the overall table (see above) and when withheld */
  mean: number | null
  median: number | null
  q1: number | null
  q3: number | null
  /** tier id → countries; empty when withheld */
  tiers: Record<string, number>
  suppressed: boolean
  reason: Reason | null
}

/** The figures of every cell, with the withheld ones emptied. `tierIds` in the questionnaire's order. */
export function cellFigures(countries: readonly CountryFigures[], tables: readonly string[], tierIds: readonly string[], decision: Decision): CellFigures[] {
  const cells: CellFigures[] = []
  for (const group of groupsOf(countries)) {
    const members = countries.filter((c) => inGroup(c, group))
    for (const table of tables) {
      const key = cellKey(group, table)
      const reason = decision.suppressed.get(key) ?? null
      if (reason || !decision.published.has(key)) {
        cells.push({
          group,
          table,
          count: members.length,
          scored: null,
          mean: null,
          median: null,
          q1: null,
          q3: null,
          tiers: {},
          suppressed: true,
          reason: reason ?? 'complementary',
        })
        continue
      }
      const a = aggregate(
        members.map((c) => ({ score: c.scores[table] ?? null, tier: c.tiers[table] ?? null })),
        tierIds,
      )
      cells.push({
        group,
        table,
        count: a.count,
        scored: a.scored,
        mean: table === OVERALL ? null : a.mean,
        median: a.median,
        q1: a.q1,
        q3: a.q3,
        tiers: { ...Object.fromEntries(tierIds.map((t) => [t, 0])), none: 0, ...a.tiers },
        suppressed: false,
        reason: null,
      })
    }
  }
  return cells
}
