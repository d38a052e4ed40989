// Persons for tests: made directly in the database with the memberships asked for, a password, and
// optionally a second factor; signed in through POST /session like a browser, or given a token.
import type { FastifyInstance } from 'fastify'
import { generate, generateSecret } from 'otplib'
import { createToken } from '../../src/auth/tokens.js'
import type { MembershipRole, Role } from '../../src/db/schema.js'
import { hashPassword } from '../../src/people/passwords.js'
import type { MembershipInput } from '../../src/people/repository.js'

export const FETCH = { 'x-requested-with': 'fetch' }
export const PASSWORD = 'a long enough passphrase'

export interface TestPerson {
  id: string
  email: string
  /** The authenticator secret, when the person has a second factor. */
  totp: string | null
}

let counter = 0

export async function makePerson(
  app: FastifyInstance,
  memberships: MembershipInput[],
  options: { name?: string; email?: string; totp?: boolean } = {},
): Promise<TestPerson> {
  counter += 1
  const email = options.email ?? `person${counter}-${Date.now()}@example.org`
  const totp = options.totp ? generateSecret() : null
  const row = await app.db
    .insertInto('persons')
    .values({
      name: options.name ?? `Person ${counter}`,
      email,
      status: 'active',
      password_hash: await hashPassword(PASSWORD),
      ...(totp ? { totp_secret: totp, totp_enabled_at: new Date() } : {}),
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  if (memberships.length) {
    await app.db
      .insertInto('memberships')
      .values(
        memberships.map((m) => ({
          person_id: row.id,
          role: m.role,
          country: m.country ?? null,
          questionnaire: m.questionnaire ?? null,
          domains: m.domains ?? null,
        })),
      )
      .execute()
  }
  return { id: row.id, email, totp }
}

/** Signs in with e-mail and password (and a code when the person has a second factor); the session cookie's value. */
export async function signIn(app: FastifyInstance, person: TestPerson, userAgent = 'test-agent'): Promise<string> {
  const code = person.totp ? await generate({ secret: person.totp }) : undefined
  const res = await app.inject({
    method: 'POST',
    url: '/session',
    headers: { ...FETCH, 'user-agent': userAgent },
    payload: { email: person.email, password: PASSWORD, ...(code ? { code } : {}) },
  })
  if (res.statusCode !== 200) throw new Error(`sign-in failed: ${res.body}`)
  const raw = res.headers['set-cookie']
  const line = (Array.isArray(raw) ? raw : [String(raw)]).find((c) => c.startsWith('tr_session='))!
  return decodeURIComponent(line.split(';')[0]!.split('=').slice(1).join('='))
}

/** A token of the person's (the `authorization` header value). */
export async function tokenOf(app: FastifyInstance, personId: string, role: Role, country: string | null = null): Promise<string> {
  const { token } = await createToken(app.db, { role, country, label: `token of ${personId}`, personId })
  return `Bearer ${token}`
}

/** A person with an e-mail address and one membership, for tests that follow mails (tokens' own persons have no address). */
export async function mailablePerson(
  app: FastifyInstance,
  input: { name: string; email: string; role: MembershipRole; country?: string; language?: 'ar' | 'en' | 'es' | 'fr' | 'ru' | 'zh' },
): Promise<string> {
  const person = await app.db
    .insertInto('persons')
    .values({ name: input.name, email: input.email, language: input.language ?? 'en', status: 'active', password_hash: null })
    .returning('id')
    .executeTakeFirstOrThrow()
  await app.db
    .insertInto('memberships')
    .values({ person_id: person.id, role: input.role, country: input.country ?? null })
    .execute()
  return person.id
}
