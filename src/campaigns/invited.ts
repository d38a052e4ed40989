// Which countries a campaign invites, from what staff chose: every Member State (the default), a
// list of country codes, or an ITU-D region. Pure: the caller passes the known countries.
import type { Region } from '../db/schema.js'
import type { FieldProblem } from '../errors.js'

export type Invitees = { all: true } | { countries: readonly string[] } | { region: Region }

export interface KnownCountry {
  code: string
  region: Region
}

export function resolveInvitees(
  invitees: Invitees,
  known: readonly KnownCountry[],
  path = '/body/countries',
): { codes: string[] } | { problems: FieldProblem[] } {
  if ('all' in invitees) return { codes: known.map((c) => c.code).sort() }
  if ('region' in invitees)
    return {
      codes: known
        .filter((c) => c.region === invitees.region)
        .map((c) => c.code)
        .sort(),
    }
  const codes = new Set(known.map((c) => c.code))
  const problems: FieldProblem[] = []
  const chosen = new Set<string>()
  invitees.countries.forEach((raw, i) => {
    const code = raw.toUpperCase()
    if (!codes.has(code)) problems.push({ path: `${path}/${i}`, message: `${raw} is not an ITU Member State code` })
    else if (chosen.has(code)) problems.push({ path: `${path}/${i}`, message: `${code} appears more than once` })
    else chosen.add(code)
  })
  if (chosen.size === 0 && problems.length === 0) problems.push({ path, message: 'must name at least one country' })
  return problems.length ? { problems } : { codes: [...chosen].sort() }
}
