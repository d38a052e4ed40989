// Persons, memberships and invitations in SQL: functions taking `db` (or a transaction) first.
import { sql, type ExpressionBuilder, type Kysely, type Selectable } from 'kysely'
import type { Database, MembershipRole, PersonStatus, PersonsTable } from '../db/schema.js'
import type { Membership } from './principal.js'
import { hashSecret, isWellFormedSecret, newSecret } from './secrets.js'

export type PersonRow = Pick<Selectable<PersonsTable>, (typeof PERSON_COLUMNS)[number]>

const PERSON_COLUMNS = ['id', 'name', 'email', 'language', 'status', 'created_at', 'created_by', 'last_sign_in_at'] as const

export interface MembershipInput {
  role: MembershipRole
  country?: string | null | undefined
  questionnaire?: string | null | undefined
  domains?: string[] | null | undefined
}

export async function findPersonByEmail(db: Kysely<Database>, email: string): Promise<PersonRow | undefined> {
  return db.selectFrom('persons').select(PERSON_COLUMNS).where(sql<boolean>`lower(email) = lower(${email})`).executeTakeFirst()
}

export async function getPerson(db: Kysely<Database>, id: string): Promise<PersonRow | undefined> {
  return db.selectFrom('persons').select(PERSON_COLUMNS).where('id', '=', id).executeTakeFirst()
}

export async function membershipsOf(db: Kysely<Database>, personIds: string[]): Promise<Map<string, (Membership & { id: string })[]>> {
  const out = new Map<string, (Membership & { id: string })[]>()
  if (personIds.length === 0) return out
  const rows = await db
    .selectFrom('memberships')
    .select(['id', 'person_id', 'role', 'country', 'questionnaire', 'domains'])
    .where('person_id', 'in', personIds)
    .orderBy('created_at')
    .execute()
  for (const { person_id, ...m } of rows) out.set(person_id, [...(out.get(person_id) ?? []), m])
  return out
}

export interface PersonFilter {
  /** Only persons with a membership of this country. */
  country?: string | undefined
  /** Only persons holding this role (with `country`: this role of that country). */
  role?: MembershipRole | undefined
  status?: PersonStatus | undefined
  /** Only the contributors a focal point of this country manages: every membership of theirs is a contributor's of it. */
  contributorsOf?: string | undefined
  search?: string | undefined
}

/** Persons matching a filter; newest first, with a search on name or e-mail. */
export async function listPersons(db: Kysely<Database>, filter: PersonFilter): Promise<PersonRow[]> {
  let q = db.selectFrom('persons').select(PERSON_COLUMNS).orderBy('created_at', 'desc').orderBy('id').limit(500)
  if (filter.country || filter.role) {
    const { country, role } = filter
    q = q.where((eb) => {
      let m = eb.selectFrom('memberships as m').select('m.id').whereRef('m.person_id', '=', 'persons.id')
      if (country) m = m.where('m.country', '=', country)
      if (role) m = m.where('m.role', '=', role)
      return eb.exists(m)
    })
  }
  if (filter.contributorsOf) q = q.where(managedBy(filter.contributorsOf))
  if (filter.status) q = q.where('status', '=', filter.status)
  if (filter.search) {
    const like = `%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
    q = q.where((eb) => eb.or([eb('name', 'ilike', like), eb('email', 'ilike', like)]))
  }
  return q.execute()
}

/** Persons whose every membership (at least one) is a contributor's of `country`: those its focal point manages. */
export function managedBy(country: string) {
  return (eb: ExpressionBuilder<Database, 'persons'>) =>
    eb.and([
      eb.exists(
        eb
          .selectFrom('memberships as c')
          .select('c.id')
          .whereRef('c.person_id', '=', 'persons.id')
          .where('c.role', '=', 'contributor')
          .where('c.country', '=', country),
      ),
      eb.not(
        eb.exists(
          eb
            .selectFrom('memberships as o')
            .select('o.id')
            .whereRef('o.person_id', '=', 'persons.id')
            .where((x) => x.or([x('o.role', '<>', 'contributor'), x('o.country', '<>', country)])),
        ),
      ),
    ])
}

export async function addMemberships(db: Kysely<Database>, personId: string, memberships: MembershipInput[], createdBy: string | null): Promise<void> {
  if (memberships.length === 0) return
  await db
    .insertInto('memberships')
    .values(
      memberships.map((m) => ({
        person_id: personId,
        role: m.role,
        country: m.country ?? null,
        questionnaire: m.questionnaire ?? null,
        domains: m.domains ?? null,
        created_by: createdBy,
      })),
    )
    .onConflict((oc) => oc.doNothing())
    .execute()
}

export interface NewInvitation {
  id: string
  secret: string
  expiresAt: Date
}

/** A new invitation link for a person; any earlier one still open is revoked (a re-send replaces it). */
export async function createInvitation(db: Kysely<Database>, personId: string, days: number, createdBy: string | null): Promise<NewInvitation> {
  await db
    .updateTable('invitations')
    .set({ revoked_at: sql<Date>`now()` })
    .where('person_id', '=', personId)
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .execute()
  const secret = newSecret()
  const row = await db
    .insertInto('invitations')
    .values({ person_id: personId, secret_hash: hashSecret(secret), expires_at: sql<Date>`now() + make_interval(days => ${days})`, created_by: createdBy })
    .returning(['id', 'expires_at'])
    .executeTakeFirstOrThrow()
  return { id: row.id, secret, expiresAt: row.expires_at }
}

export type InvitationState = 'open' | 'unknown' | 'expired' | 'used' | 'revoked'

/** The invitation a link's secret stands for, and whether it can still be accepted. */
export async function findInvitation(db: Kysely<Database>, secret: string, lock = false) {
  if (!isWellFormedSecret(secret)) return { state: 'unknown' as const }
  let q = db
    .selectFrom('invitations as i')
    .innerJoin('persons as p', 'p.id', 'i.person_id')
    .select([
      'i.id',
      'i.person_id',
      'i.expires_at',
      'i.accepted_at',
      'i.revoked_at',
      'p.name',
      'p.email',
      'p.language',
      'p.status',
      sql<boolean>`i.expires_at <= now()`.as('expired'),
    ])
    .where('i.secret_hash', '=', hashSecret(secret))
  if (lock) q = q.forUpdate()
  const row = await q.executeTakeFirst()
  if (!row) return { state: 'unknown' as const }
  const state: InvitationState = row.revoked_at || row.status === 'disabled' ? 'revoked' : row.accepted_at ? 'used' : row.expired ? 'expired' : 'open'
  return { state, invitation: row }
}
