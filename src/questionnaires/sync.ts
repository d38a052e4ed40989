// Puts the questionnaire files into PostgreSQL in one transaction. A version already synced is
// immutable in everything that gives answers their meaning (see amendable.ts): if that changed,
// sync fails and says to publish a new version, because assessments pin versions. A change to the
// amendable fields only (guidance, quotes, evidence rules) is stored in place and reported.
import { sql, type Kysely } from 'kysely'
import type { Database } from '../db/schema.js'
import { frozenPart } from './amendable.js'
import type { Catalog } from './catalog.js'
import { questionsOf } from './schema.js'

export class PublishedVersionChangedError extends Error {
  override name = 'PublishedVersionChangedError'
}

export interface SyncResult {
  added: { questionnaire: string; version: number }[]
  /** Published versions whose amendable fields (guidance, quotes, evidence rules) were updated. */
  amended: { questionnaire: string; version: number }[]
  unchanged: number
}

// An arbitrary constant: the advisory lock that serialises syncs of concurrently starting instances.
const SYNC_LOCK = 7_402_001

export async function syncCatalog(db: Kysely<Database>, catalog: Catalog): Promise<SyncResult> {
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${SYNC_LOCK})`.execute(trx)
    const existing = await trx.selectFrom('questionnaire_versions').select(['questionnaire', 'version', 'hash', 'content']).execute()
    const known = new Map(existing.map((r) => [`${r.questionnaire}@${r.version}`, r]))
    const result: SyncResult = { added: [], amended: [], unchanged: 0 }
    const changed: string[] = []

    for (const { file, content, hash } of catalog.questionnaires) {
      const stored = known.get(`${content.id}@${content.version}`)
      if (stored?.hash === hash) {
        result.unchanged++
        continue
      }
      if (stored !== undefined && frozenPart(stored.content) === frozenPart(content)) {
        await trx
          .updateTable('questionnaire_versions')
          .set({ content: JSON.stringify(content), hash, synced_at: new Date() })
          .where('questionnaire', '=', content.id)
          .where('version', '=', content.version)
          .execute()
        result.amended.push({ questionnaire: content.id, version: content.version })
        continue
      }
      if (stored !== undefined) {
        changed.push(
          `${file}: questionnaire ${content.id} version ${content.version} is already published and its content changed; ` +
            `keep the published file as it was and publish the change as version ${content.version + 1} in a new file`,
        )
        continue
      }
      const questions = questionsOf(content)
      await trx
        .insertInto('questionnaire_versions')
        .values({
          questionnaire: content.id,
          version: content.version,
          title: content.title.en,
          content: JSON.stringify(content),
          hash,
          question_count: questions.length,
        })
        .execute()
      await trx
        .insertInto('questionnaire_domains')
        .values(
          content.domains.map((d, position) => ({
            questionnaire: content.id,
            version: content.version,
            domain: d.id,
            position,
            title: d.title.en,
          })),
        )
        .execute()
      await trx
        .insertInto('questionnaire_questions')
        .values(
          questions.map(({ domain, question }, position) => ({
            questionnaire: content.id,
            version: content.version,
            question_id: question.id,
            domain,
            position,
            type: question.type,
            force: question.force,
            source_ref: question.source.ref,
            weight: question.weight,
          })),
        )
        .execute()
      result.added.push({ questionnaire: content.id, version: content.version })
    }
    if (changed.length) throw new PublishedVersionChangedError(changed.join('\n'))
    return result
  })
}
