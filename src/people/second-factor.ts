// The second factor: TOTP (RFC 6238; otplib) with ten single-use recovery codes. Required for
// persons with the admin membership (set up while accepting the invitation), optional for the others.
// A code is accepted once (the last time step is kept) and within one step of clock drift.
import { randomBytes } from 'node:crypto'
import { sql, type Kysely } from 'kysely'
import { generateSecret, generateURI, verify } from 'otplib'
import type { Database } from '../db/schema.js'
import { hashSecret } from './secrets.js'

export const ISSUER = 'Treaty readiness'

export function newTotpSecret(): string {
  return generateSecret()
}

export function totpUri(secret: string, label: string): string {
  return generateURI({ issuer: ISSUER, label, secret })
}

/** Checks a 6-digit code against a secret, refusing a time step at or before `lastStep`. */
export async function checkTotp(secret: string, code: string, lastStep: number | null): Promise<number | null> {
  if (!/^\d{6}$/.test(code)) return null
  const result = await verify({ secret, token: code, epochTolerance: 30, ...(lastStep !== null ? { afterTimeStep: lastStep } : {}) })
  return result.valid ? (result as { timeStep: number }).timeStep : null
}

export function newRecoveryCodes(): string[] {
  // 10 codes of 10 base32 characters (50 bits each), grouped for reading: xxxxx-xxxxx.
  const alphabet = 'abcdefghijkmnpqrstuvwxyz23456789'
  return Array.from({ length: 10 }, () => {
    const bytes = randomBytes(10)
    const chars = [...bytes].map((b) => alphabet[b % alphabet.length]).join('')
    return `${chars.slice(0, 5)}-${chars.slice(5)}`
  })
}

const normalise = (code: string) => code.trim().toLowerCase().replace(/[\s-]/g, '')

export async function storeRecoveryCodes(db: Kysely<Database>, personId: string, codes: string[]): Promise<void> {
  await db.deleteFrom('recovery_codes').where('person_id', '=', personId).execute()
  await db
    .insertInto('recovery_codes')
    .values(codes.map((c) => ({ person_id: personId, code_hash: hashSecret(normalise(c)) })))
    .execute()
}

/**
 * Whether `code` is the person's second factor now: a TOTP code (recorded, so it works once) or an
 * unused recovery code (used up). 'totp' | 'recovery' when accepted, null otherwise.
 */
export async function useSecondFactor(db: Kysely<Database>, personId: string, code: string): Promise<'totp' | 'recovery' | null> {
  const person = await db.selectFrom('persons').select(['totp_secret', 'totp_last_step']).where('id', '=', personId).forUpdate().executeTakeFirst()
  if (!person?.totp_secret) return null
  const step = await checkTotp(person.totp_secret, code.trim(), person.totp_last_step === null ? null : Number(person.totp_last_step))
  if (step !== null) {
    await db.updateTable('persons').set({ totp_last_step: step }).where('id', '=', personId).execute()
    return 'totp'
  }
  const used = await db
    .updateTable('recovery_codes')
    .set({ used_at: sql<Date>`now()` })
    .where('person_id', '=', personId)
    .where('code_hash', '=', hashSecret(normalise(code)))
    .where('used_at', 'is', null)
    .executeTakeFirst()
  return Number(used.numUpdatedRows) > 0 ? 'recovery' : null
}
