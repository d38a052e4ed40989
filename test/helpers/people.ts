// Persons with an e-mail address and a membership, written straight to the database, for tests that
// follow mails (tokens' own persons have no address).
import type { FastifyInstance } from 'fastify'
import type { MembershipRole } from '../../src/db/schema.js'

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
