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
  return { personId: row.person_id, tokenId: row.token_id }
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
