// Random secrets for sessions and invitation links: 32 random bytes in base64url; only their
// SHA-256 is stored, the same mechanism as API tokens (src/auth/tokens.ts).
import { createHash, randomBytes } from 'node:crypto'

export function newSecret(): string {
  return randomBytes(32).toString('base64url')
}

export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest()
}

export function isWellFormedSecret(candidate: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(candidate)
}
