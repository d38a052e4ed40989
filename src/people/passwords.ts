// Passwords as NIST SP 800-63B and the OWASP cheat sheets say: a minimum length, a maximum that
// allows passphrases, no composition rules, a check against a list of very common passwords (the
// ~49,000 of @zxcvbn-ts/language-common), and argon2id with OWASP's parameters (19 MiB, t=2, p=1,
// the library's defaults) for storage.
import { hash, verify } from '@node-rs/argon2'

export const PASSWORD_MIN = 12
export const PASSWORD_MAX = 256

let common: Set<string> | undefined
async function commonPasswords(): Promise<Set<string>> {
  if (!common) {
    const { dictionary } = await import('@zxcvbn-ts/language-common')
    common = new Set((dictionary['passwords-common'] as string[]).map((p) => p.toLowerCase()))
  }
  return common
}

/** Why a password may not be used, or null when it may. */
export async function passwordProblem(password: string, person: { email?: string | null; name?: string }): Promise<string | null> {
  const length = [...password].length
  if (length < PASSWORD_MIN) return `must be at least ${PASSWORD_MIN} characters long`
  if (length > PASSWORD_MAX) return `must be at most ${PASSWORD_MAX} characters long`
  const lower = password.toLowerCase()
  if ((await commonPasswords()).has(lower)) return 'is one of the most common passwords; choose another'
  if (/^(.)\1+$/u.test(password)) return 'must not repeat one character'
  const email = person.email?.toLowerCase()
  if (email && (lower === email || lower === email.split('@')[0])) return 'must not be your e-mail address'
  if (person.name && lower === person.name.toLowerCase()) return 'must not be your name'
  return null
}

export function hashPassword(password: string): Promise<string> {
  return hash(password)
}

/** A hash to verify against when there is no person, so that an unknown e-mail takes as long as a wrong password. */
let decoy: Promise<string> | undefined
export async function verifyPassword(stored: string | null, password: string): Promise<boolean> {
  decoy ??= hash('no such person: a decoy to spend the same time')
  const target = stored ?? (await decoy)
  try {
    return (await verify(target, password)) && stored !== null
  } catch {
    return false
  }
}
