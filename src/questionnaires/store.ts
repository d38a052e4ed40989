// Questionnaire versions as the app reads them: from PostgreSQL, parsed once per process.
// Safe to cache for ever because a synced version never changes.
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema.js'
import { indexQuestions } from './answers.js'
import type { TranslationSet } from './catalog.js'
import { questionnaireFile, type Question, type QuestionnaireFile } from './schema.js'
import { applyTranslations } from './translations.js'

export interface LoadedVersion {
  /** With the translation files' texts applied (they are not part of the hashed content). */
  content: QuestionnaireFile
  hash: string
  questions: ReadonlyMap<string, Question>
  /** question id → domain id */
  domainOf: Map<string, string>
}

export interface VersionSummary {
  questionnaire: string
  version: number
  title: string
  questionCount: number
  hash: string
  syncedAt: Date
}

export class QuestionnaireStore {
  private readonly cache = new Map<string, Promise<LoadedVersion | undefined>>()

  constructor(
    private readonly db: Kysely<Database>,
    private readonly translations: TranslationSet = new Map(),
  ) {}

  /**
   * A version, from the cache or the database. Code holding a transaction passes it as `db`: on the
   * embedded backend the pool has one connection, which that transaction holds.
   */
  get(questionnaire: string, version: number, db: Kysely<Database> = this.db): Promise<LoadedVersion | undefined> {
    const key = `${questionnaire}@${version}`
    let hit = this.cache.get(key)
    if (!hit) {
      hit = this.load(db, questionnaire, version)
      this.cache.set(key, hit)
      // A miss or failure is not cached: the version may be synced later.
      hit.then(
        (v) => v ?? this.cache.delete(key),
        () => this.cache.delete(key),
      )
    }
    return hit
  }

  private async load(db: Kysely<Database>, questionnaire: string, version: number): Promise<LoadedVersion | undefined> {
    const row = await db
      .selectFrom('questionnaire_versions')
      .select(['content', 'hash'])
      .where('questionnaire', '=', questionnaire)
      .where('version', '=', version)
      .executeTakeFirst()
    if (!row) return undefined
    const content = applyTranslations(questionnaireFile.parse(row.content), this.translations.get(`${questionnaire}@${version}`) ?? {})
    const domainOf = new Map(content.domains.flatMap((d) => d.questions.map((q) => [q.id, d.id] as const)))
    return { content, hash: row.hash, questions: indexQuestions(content), domainOf }
  }

  async list(): Promise<VersionSummary[]> {
    const rows = await this.db
      .selectFrom('questionnaire_versions')
      .select(['questionnaire', 'version', 'title', 'question_count', 'hash', 'synced_at'])
      .orderBy('questionnaire')
      .orderBy('version')
      .execute()
    return rows.map((r) => ({
      questionnaire: r.questionnaire,
      version: r.version,
      title: r.title,
      questionCount: r.question_count,
      hash: r.hash,
      syncedAt: r.synced_at,
    }))
  }

  async latestVersion(questionnaire: string): Promise<number | undefined> {
    const row = await this.db
      .selectFrom('questionnaire_versions')
      .select((eb) => eb.fn.max('version').as('version'))
      .where('questionnaire', '=', questionnaire)
      .executeTakeFirst()
    return row?.version ?? undefined
  }
}
