// Server-side sessions (the Lucia guide's "Sessions with PostgreSQL"): the cookie holds a random
// secret, the database only its SHA-256, checked on every request; an idle timeout and an absolute
// lifetime; deleted on sign-out, all of a person's deleted when the person is disabled or changes
// password. Nothing lives in one process's memory, so several server processes behave as one.
import { sql, type Kysely } from 'kysely'
import type { Database } from '../db/schema.js'
import { hashSecret, isWellFormedSecret, newSecret } from './secrets.js'

export interface SessionPolicy {
  idleSeconds: number
  absoluteSeconds: number
}

export const DEFAULT_SESSION_POLICY: SessionPolicy = { idleSeconds: 30 * 60, absoluteSeconds: 12 * 60 * 60 }

/** last_seen_at is written at most this often, not on every request. */
const TOUCH_SECONDS = 60

export interface ValidSession {
  personId: string
  tokenId: string | null
  /** The session's public id (sessions.public_id), to tell it apart from the person's others. */
  publicId: string
}

export async function createSession(
  db: Kysely<Database>,
  policy: SessionPolicy,
  session: { personId: string; tokenId?: string | null; address?: string | null; userAgent?: string | null },
): Promise<string> {
  const secret = newSecret()
  await db
    .insertInto('sessions')
    .values({
      id: hashSecret(secret),
      person_id: session.personId,
      token_id: session.tokenId ?? null,
      expires_at: sql<Date>`now() + make_interval(secs => ${policy.absoluteSeconds})`,
      address: session.address ?? null,
      user_agent: session.userAgent?.slice(0, 300) ?? null,
    })
    .execute()
  return secret
}

/** The session a cookie stands for, if it is known, not expired, not idle too long, and its person is active. */
export async function validateSession(db: Kysely<Database>, policy: SessionPolicy, secret: string): Promise<ValidSession | null> {
  if (!isWellFormedSecret(secret)) return null
  const id = hashSecret(secret)
  const row = await db
    .selectFrom('sessions as s')
    .innerJoin('persons as p', 'p.id', 's.person_id')
    .select([
      's.person_id',
      's.token_id',
      's.public_id',
      sql<boolean>`s.expires_at > now() and s.last_seen_at > now() - make_interval(secs => ${policy.idleSeconds})`.as('live'),
      sql<boolean>`s.last_seen_at < now() - make_interval(secs => ${TOUCH_SECONDS})`.as('stale'),
      'p.status',
    ])
    .where('s.id', '=', id)
    .executeTakeFirst()
  if (!row) return null
  if (!row.live || row.status !== 'active') {
    await db.deleteFrom('sessions').where('id', '=', id).execute()
    return null
  }
  if (row.stale) await db.updateTable('sessions').set({ last_seen_at: sql<Date>`now()` }).where('id', '=', id).execute()
  return { personId: row.person_id, tokenId: row.token_id, publicId: row.public_id }
}

export async function deleteSession(db: Kysely<Database>, secret: string): Promise<void> {
  if (!isWellFormedSecret(secret)) return
  await db.deleteFrom('sessions').where('id', '=', hashSecret(secret)).execute()
}

/** Ends every session of a person (disabled, password changed, privileges changed). */
export async function deleteSessionsOf(db: Kysely<Database>, personId: string): Promise<number> {
  const result = await db.deleteFrom('sessions').where('person_id', '=', personId).executeTakeFirst()
  return Number(result.numDeletedRows)
}

export interface SessionInfo {
  id: string
  createdAt: Date
  lastSeenAt: Date
  expiresAt: Date
  address: string | null
  userAgent: string | null
  viaToken: boolean
}

/** A person's sessions that still work, newest first. */
export async function listSessionsOf(db: Kysely<Database>, policy: SessionPolicy, personId: string): Promise<SessionInfo[]> {
  const rows = await db
    .selectFrom('sessions')
    .select(['public_id', 'created_at', 'last_seen_at', 'expires_at', 'address', 'user_agent', 'token_id'])
    .where('person_id', '=', personId)
    .where('expires_at', '>', sql<Date>`now()`)
    .where('last_seen_at', '>', sql<Date>`now() - make_interval(secs => ${policy.idleSeconds})`)
    .orderBy('created_at', 'desc')
    .execute()
  return rows.map((s) => ({
    id: s.public_id,
    createdAt: s.created_at,
    lastSeenAt: s.last_seen_at,
    expiresAt: s.expires_at,
    address: s.address,
    userAgent: s.user_agent,
    viaToken: s.token_id !== null,
  }))
}

/** Ends one session of a person by its public id; whether there was one. */
export async function deleteSessionOf(db: Kysely<Database>, personId: string, publicId: string): Promise<boolean> {
  const result = await db.deleteFrom('sessions').where('person_id', '=', personId).where('public_id', '=', publicId).executeTakeFirst()
  return Number(result.numDeletedRows) > 0
}

/** Ends every session of a person but one (the one the request came with: a password change, "sign out elsewhere"). */
export async function deleteOtherSessionsOf(db: Kysely<Database>, personId: string, keepPublicId: string | null): Promise<number> {
  let q = db.deleteFrom('sessions').where('person_id', '=', personId)
  if (keepPublicId) q = q.where('public_id', '<>', keepPublicId)
  const result = await q.executeTakeFirst()
  return Number(result.numDeletedRows)
}
