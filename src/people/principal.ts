// Who a request acts as: a person with memberships, whatever the credential (a session cookie, an
// API token). A token carries at most its person's rights, and only those its own role names.
//
// `role` and `country` are the coarse view the routes check first (administration of a country,
// staff, admin); `memberships` decide the finer rights: a contributor's domains, reviewer versus
// analyst, and who may submit.
import { type Expression, type Kysely, sql } from 'kysely'
import type { TokenRow } from '../auth/tokens.js'
import type { Database, MembershipRole, Role } from '../db/schema.js'
import type { Language } from '../questionnaires/schema.js'

export interface Membership {
  role: MembershipRole
  country: string | null
  questionnaire: string | null
  domains: string[] | null
}

export interface Principal {
  personId: string
  name: string
  /** The API token used, if any (null for a password session). */
  tokenId: string | null
  role: Role
  /** The country an administration acts for; null for staff and admin. */
  country: string | null
  /** The token's label, or the person's name. */
  label: string
  /** The person's chosen language: pages and API answers come in it unless a request asks otherwise. */
  language: Language
  memberships: Membership[]
}

const STAFF: MembershipRole[] = ['reviewer', 'analyst']
const COUNTRY: MembershipRole[] = ['focal_point', 'contributor']

/** The coarse role of a set of memberships: a country's first, then staff, then admin. */
export function coarseRole(memberships: readonly Membership[]): { role: Role; country: string | null } | null {
  const national = memberships.find((m) => COUNTRY.includes(m.role))
  if (national) return { role: 'administration', country: national.country }
  if (memberships.some((m) => STAFF.includes(m.role))) return { role: 'staff', country: null }
  if (memberships.some((m) => m.role === 'admin')) return { role: 'admin', country: null }
  return null
}

/** The memberships a token may use: those its role names (and, for administration, its country). */
export function tokenMemberships(token: Pick<TokenRow, 'role' | 'country'>, memberships: readonly Membership[]): Membership[] {
  return memberships.filter((m) =>
    token.role === 'administration'
      ? COUNTRY.includes(m.role) && m.country === token.country
      : token.role === 'staff'
        ? STAFF.includes(m.role)
        : m.role === 'admin',
  )
}

export function hasMembership(p: Principal, role: MembershipRole, country?: string): boolean {
  return p.memberships.some((m) => m.role === role && (country === undefined || m.country === country))
}

/**
 * The domains of a questionnaire `p` may answer for `country`: 'all', a list (a contributor limited
 * to some domains), or none.
 */
export function answerableDomains(p: Principal, country: string, questionnaire: string): 'all' | string[] {
  let domains: string[] = []
  for (const m of p.memberships) {
    if (m.country !== country) continue
    if (m.role === 'focal_point') return 'all'
    if (m.role === 'contributor') {
      if (!m.domains) return 'all'
      if (m.questionnaire === questionnaire) domains = [...domains, ...m.domains]
    }
  }
  return domains
}

/** A person as principalFrom needs it: one JSON value, so it can be folded into another query. */
export interface PersonWithMemberships {
  id: string
  name: string
  status: string
  language: Language
  /** Whether a second factor is enrolled (admin rights through a password need one). */
  totp: boolean
  memberships: Membership[]
}

/** The SQL for a person with memberships as JSON (null when there is no such person); the person's id follows it. */
const PERSON_JSON = `select json_build_object('id', p.id, 'name', p.name, 'status', p.status, 'language', p.language,
      'totp', p.totp_enabled_at is not null,
      'memberships', coalesce((
        select json_agg(json_build_object('role', m.role, 'country', m.country, 'questionnaire', m.questionnaire, 'domains', m.domains) order by m.created_at, m.id)
          from memberships m where m.person_id = p.id), '[]'::json))
      from persons p where p.id = `

export function personWithMemberships(personId: Expression<string | null>) {
  return sql<PersonWithMemberships | null>`(${sql.raw(PERSON_JSON)}${personId})`
}

/**
 * What a principal was made from, as a value a statement can compare: the person's access version,
 * which triggers bump whenever their name, status, language, second factor or memberships change. A
 * statement that compares it with a remembered value knows whether a principal kept in memory still
 * holds exactly those rights.
 */
export function accessFingerprintSql(personId: string): string {
  return `(select p.access_version::text from persons p where p.id = ${personId})`
}

/** The principal of an active person (optionally through a token), or null when there is none. Pure. */
export function principalFrom(person: PersonWithMemberships | null | undefined, token?: Pick<TokenRow, 'id' | 'role' | 'country' | 'label'>): Principal | null {
  if (person?.status !== 'active') return null
  const all = person.memberships
  // Admin rights need a second factor when signing in with a password (a token is its own credential).
  const memberships = token ? tokenMemberships(token, all) : all.filter((m) => m.role !== 'admin' || person.totp)
  const coarse = token ? { role: token.role, country: token.country } : coarseRole(memberships)
  if (!coarse || memberships.length === 0) return null
  return {
    personId: person.id,
    name: person.name,
    tokenId: token?.id ?? null,
    role: coarse.role,
    country: coarse.country,
    label: token?.label ?? person.name,
    language: person.language,
    memberships,
  }
}

/** The principal of an active person (optionally through a token), or null when there is none. */
export async function loadPrincipal(
  db: Kysely<Database>,
  personId: string,
  token?: Pick<TokenRow, 'id' | 'role' | 'country' | 'label'>,
): Promise<Principal | null> {
  const { rows } = await sql<{ person: PersonWithMemberships | null }>`select ${personWithMemberships(sql`${personId}::uuid`)} as person`.execute(db)
  return principalFrom(rows[0]?.person, token)
}

/** The principal of a token that was just made (command-line tasks, tests). */
export async function principalOfToken(db: Kysely<Database>, token: Pick<TokenRow, 'id' | 'role' | 'country' | 'label' | 'person_id'>): Promise<Principal> {
  const principal = token.person_id ? await loadPrincipal(db, token.person_id, token) : null
  if (!principal) throw new Error(`token ${token.id} has no active person with its rights`)
  return principal
}
