// The audit trail of persons: who did what to whom, from where, in the transaction of the change.
import type { Kysely } from 'kysely'
import type { AuditAction, Database } from '../db/schema.js'
import type { Principal } from './principal.js'

export interface AuditEvent {
  action: AuditAction
  actor?: Pick<Principal, 'personId' | 'tokenId'> | null
  subject?: string | null
  address?: string | null
  details?: Record<string, unknown>
}

export async function audit(db: Kysely<Database>, event: AuditEvent): Promise<void> {
  await db
    .insertInto('audit_events')
    .values({
      action: event.action,
      actor_person: event.actor?.personId ?? null,
      actor_token: event.actor?.tokenId ?? null,
      subject_person: event.subject ?? null,
      address: event.address ?? null,
      details: JSON.stringify(event.details ?? {}),
    })
    .execute()
}
