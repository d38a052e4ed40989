// What a correction changes since the previous publication. Pure: no I/O.
//
// Everybody may read which countries were added, removed or revised and which published figures
// changed (a figure withheld now or then is listed with null figures); only staff and each country
// for itself see scores before and after (`scores`, filtered by the route).
import { type CellFigures, type CountryFigures, OVERALL } from './disclosure.js'

export interface CellChange {
  group: string
  table: string
  before: Omit<CellFigures, 'group' | 'table'> | null
  after: Omit<CellFigures, 'group' | 'table'> | null
}

export interface ScoreChange {
  country: string
  table: string
  before: number | null
  after: number | null
}

export interface Changes {
  countriesAdded: string[]
  countriesRemoved: string[]
  countriesRevised: string[]
  cells: CellChange[]
  scores: ScoreChange[]
}

const strip = ({ group: _g, table: _t, ...rest }: CellFigures) => rest
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)

export function changesBetween(
  before: { countries: readonly CountryFigures[]; cells: readonly CellFigures[] },
  after: { countries: readonly CountryFigures[]; cells: readonly CellFigures[] },
  tables: readonly string[],
): Changes {
  const old = new Map(before.countries.map((c) => [c.country, c]))
  const now = new Map(after.countries.map((c) => [c.country, c]))
  const scores: ScoreChange[] = []
  const revised = new Set<string>()
  for (const c of after.countries) {
    const o = old.get(c.country)
    if (!o) continue
    for (const table of tables) {
      const a = o.scores[table] ?? null
      const b = c.scores[table] ?? null
      if (a !== b || (o.tiers[table] ?? null) !== (c.tiers[table] ?? null)) {
        revised.add(c.country)
        scores.push({ country: c.country, table, before: a, after: b })
      }
    }
  }
  for (const c of after.countries)
    if (!old.has(c.country)) for (const table of tables) scores.push({ country: c.country, table, before: null, after: c.scores[table] ?? null })
  for (const c of before.countries)
    if (!now.has(c.country)) for (const table of tables) scores.push({ country: c.country, table, before: c.scores[table] ?? null, after: null })
  const key = (c: CellFigures) => `${c.group}|${c.table}`
  const oldCells = new Map(before.cells.map((c) => [key(c), c]))
  const newCells = new Map(after.cells.map((c) => [key(c), c]))
  const cells: CellChange[] = []
  for (const k of new Set([...oldCells.keys(), ...newCells.keys()])) {
    const a = oldCells.get(k)
    const b = newCells.get(k)
    if (a && b && same(strip(a), strip(b))) continue
    const [group, table] = [(a ?? b)!.group, (a ?? b)!.table]
    cells.push({ group, table, before: a ? strip(a) : null, after: b ? strip(b) : null })
  }
  // The overall table first within a group, as pages show it.
  cells.sort((x, y) => x.group.localeCompare(y.group) || Number(y.table === OVERALL) - Number(x.table === OVERALL) || x.table.localeCompare(y.table))
  return {
    countriesAdded: after.countries.filter((c) => !old.has(c.country)).map((c) => c.country),
    countriesRemoved: before.countries.filter((c) => !now.has(c.country)).map((c) => c.country),
    countriesRevised: [...revised].sort(),
    cells,
    scores,
  }
}
