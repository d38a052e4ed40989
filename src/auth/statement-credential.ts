// A token's check folded into the statement a request runs anyway, for the hottest writes.
//
// Checking a token costs a round trip before the work; on the answer write that is one of two (the
// other is the write itself). So, for routes that opt in, a token checked recently by this process
// is taken from memory, and the route's one statement re-checks it in the database in the same
// snapshot as the write: the token still unrevoked and unexpired, and its person's access version
// (bumped by triggers on any change to their status or memberships) as when the principal was
// made. Nothing is decided from memory alone: a statement whose check fails changes nothing, and
// the route then checks the token the usual way and answers as it would have (401 for a revoked
// token, the new rights otherwise).
import { type RawBuilder, sql } from 'kysely'
import { accessFingerprintSql, type Principal } from '../people/principal.js'
import { LAST_USED_INTERVAL_SECONDS } from './tokens.js'

/** What a statement compares to confirm a remembered credential. */
export interface StatementCredential {
  hash: Buffer
  access: string
}

/** A principal taken from memory: the route's statement must confirm it, or `confirm` checks it the usual way. */
export interface PendingCredential {
  credential: StatementCredential
  /** Checks the token in the database: the principal it now gives, or a 401 (and the request has none). */
  confirm(): Promise<Principal>
}

interface Remembered extends StatementCredential {
  principal: Principal
  /** When the database last confirmed it (and wrote last_used_at if due), ms since the epoch. */
  checkedAt: number
  expiresAt: number | null
}

/** A token row `t` that can still be used, and whose person's access version is still (after the `=`) the remembered one. */
const USABLE = `t.revoked_at is null and (t.expires_at is null or t.expires_at > now()) and ${accessFingerprintSql('t.person_id')}`

/**
 * SQL that is true only while the token whose hash is `hash` is usable and its person's access is
 * still `access`: SQL expressions of the statement it goes into (parameters such as `$11::bytea`, or
 * columns).
 */
export function credentialHoldsSql(hash: string, access: string): string {
  return `exists (select from tokens t where t.hash = ${hash} and ${USABLE} = ${access})`
}

/** The same check as an expression of a Kysely query. */
export function credentialHolds(credential: StatementCredential): RawBuilder<boolean> {
  return sql<boolean>`exists (select from tokens t where t.hash = ${credential.hash} and ${sql.raw(USABLE)} = ${credential.access})`
}

/**
 * Principals of tokens this process checked in the last minute (a token's last_used_at is written
 * at most once a minute, so after that it is checked the usual way again), least recently used out
 * first beyond `limit`.
 */
export class CredentialMemory {
  private readonly entries = new Map<string, Remembered>()

  constructor(private readonly limit = 2000) {}

  remember(key: string, entry: Omit<Remembered, 'checkedAt'>, now = Date.now()): void {
    this.entries.delete(key)
    this.entries.set(key, { ...entry, checkedAt: now })
    if (this.entries.size > this.limit) this.entries.delete(this.entries.keys().next().value!)
  }

  /** The remembered credential, if it was confirmed recently enough and has not expired by this clock. */
  recall(key: string, now = Date.now()): Remembered | undefined {
    const entry = this.entries.get(key)
    if (!entry) return undefined
    if (now - entry.checkedAt >= LAST_USED_INTERVAL_SECONDS * 1000 || (entry.expiresAt !== null && entry.expiresAt <= now)) {
      this.entries.delete(key)
      return undefined
    }
    this.entries.delete(key)
    this.entries.set(key, entry)
    return entry
  }

  forget(key: string): void {
    this.entries.delete(key)
  }
}
