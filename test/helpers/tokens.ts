// Tokens for tests: made directly through createToken on the app's database.
//   const auth = await tokenFor(app, 'administration', 'KEN')
//   await app.inject({ method: 'GET', url: '/me', headers: { authorization: auth } })
import type { FastifyInstance } from 'fastify'
import { createToken } from '../../src/auth/tokens.js'
import type { Role } from '../../src/db/schema.js'
import { principalOfToken, type Principal } from '../../src/people/principal.js'

export interface TestToken {
  /** The `authorization` header value: "Bearer tr_…". */
  authorization: string
  /** The plaintext token. */
  token: string
  /** Who the token stands for (principal.tokenId is the row's id). */
  principal: Principal
}

/** A fresh token; administration tokens default to Kenya (KEN). */
export async function testToken(app: FastifyInstance, role: Role, country?: string, options: { label?: string; expiresAt?: Date } = {}): Promise<TestToken> {
  const code = role === 'administration' ? (country ?? 'KEN') : null
  const { token, row } = await createToken(app.db, {
    role,
    country: code,
    label: options.label ?? `test ${role}${code ? ` ${code}` : ''}`,
    expiresAt: options.expiresAt ?? null,
  })
  return {
    authorization: `Bearer ${token}`,
    token,
    principal: await principalOfToken(app.db, row),
  }
}

/** The `authorization` header value of a fresh token with this role (administration: country, default KEN). */
export async function tokenFor(app: FastifyInstance, role: Role, country?: string): Promise<string> {
  return (await testToken(app, role, country)).authorization
}
