// SQL of scenarios: the saved definitions, and the stored figures and raw scores a scenario is
// applied to. Functions take db or trx first; nothing here writes an assessment, answer or score.
import type { Kysely, Selectable, Transaction } from 'kysely'
import type { AssessmentStatus, Database, Region, ScenariosTable } from '../db/schema.js'
import type { Special } from '../questionnaires/schema.js'
import type { AnswerValue } from '../questionnaires/answers.js'
import type { ScenarioDefinition } from './definition.js'

type Db = Kysely<Database> | Transaction<Database>
export type ScenarioRow = Selectable<ScenariosTable>

export async function listScenarios(db: Db, questionnaire?: string): Promise<ScenarioRow[]> {
  let q = db.selectFrom('scenarios').selectAll().orderBy('questionnaire').orderBy('version').orderBy('name')
  if (questionnaire) q = q.where('questionnaire', '=', questionnaire)
  return q.execute()
}

export async function findScenario(db: Db, id: string, lock = false): Promise<ScenarioRow | undefined> {
  const q = db.selectFrom('scenarios').selectAll().where('id', '=', id)
  return (lock ? q.forUpdate() : q).executeTakeFirst()
}

export async function nameTaken(db: Db, questionnaire: string, version: number, name: string, except?: string): Promise<boolean> {
  let q = db
    .selectFrom('scenarios')
    .select('id')
    .where('questionnaire', '=', questionnaire)
    .where('version', '=', version)
    .where((eb) => eb(eb.fn('lower', ['name']), '=', name.toLowerCase()))
  if (except) q = q.where('id', '<>', except)
  return (await q.executeTakeFirst()) !== undefined
}

export interface ScenarioInput {
  name: string
  description: string
  questionnaire: string
  version: number
  definition: ScenarioDefinition
}

export async function insertScenario(trx: Transaction<Database>, input: ScenarioInput, by: string): Promise<ScenarioRow> {
  return trx
    .insertInto('scenarios')
    .values({ ...input, definition: JSON.stringify(input.definition), created_by: by, updated_by: by })
    .returningAll()
    .executeTakeFirstOrThrow()
}

export async function updateScenario(trx: Transaction<Database>, id: string, input: Pick<ScenarioInput, 'name' | 'description' | 'definition'>, by: string) {
  return trx
    .updateTable('scenarios')
    .set({ ...input, definition: JSON.stringify(input.definition), updated_by: by, updated_at: new Date() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow()
}

export async function deleteScenario(trx: Transaction<Database>, id: string): Promise<void> {
  await trx.deleteFrom('scenarios').where('id', '=', id).execute()
}

export interface ScenarioFilters {
  questionnaire: string
  version: number
  cycle: number
  region?: Region | undefined
  statuses: readonly AssessmentStatus[]
  country?: string | undefined
}

export interface ScenarioInputRow {
  id: string
  country: string
  name: string
  region: Region
  status: AssessmentStatus
  cycle: number
  overall_score: number | null
  tier: string | null
  domains: { domain: string; score: number | null; tier: string | null }[]
  answers: { question_id: string; value: AnswerValue | null; special: Special | null; score: number | null }[]
}

/** The assessments a scenario runs over, with their stored figures and stored answer rows (three queries). */
export async function scenarioInputs(db: Db, f: ScenarioFilters): Promise<ScenarioInputRow[]> {
  let q = db
    .selectFrom('assessments as a')
    .innerJoin('countries as c', 'c.code', 'a.country')
    .select(['a.id', 'a.country', 'c.name', 'c.region', 'a.status', 'a.cycle', 'a.overall_score', 'a.tier'])
    .where('a.questionnaire', '=', f.questionnaire)
    .where('a.version', '=', f.version)
    .where('a.cycle', '=', f.cycle)
    .where('a.status', 'in', [...f.statuses])
  if (f.region) q = q.where('c.region', '=', f.region)
  if (f.country) q = q.where('a.country', '=', f.country)
  const assessments = await q.orderBy('a.country').execute()
  if (assessments.length === 0) return []
  const ids = assessments.map((a) => a.id)
  const [domains, answers] = await Promise.all([
    db.selectFrom('domain_scores').select(['assessment_id', 'domain', 'score', 'tier']).where('assessment_id', 'in', ids).execute(),
    db.selectFrom('answers').select(['assessment_id', 'question_id', 'value', 'special', 'score']).where('assessment_id', 'in', ids).execute(),
  ])
  const byAssessment = new Map(assessments.map((a) => [a.id, { ...a, domains: [] as ScenarioInputRow['domains'], answers: [] as ScenarioInputRow['answers'] }]))
  for (const d of domains) byAssessment.get(d.assessment_id)!.domains.push(d)
  for (const a of answers) byAssessment.get(a.assessment_id)!.answers.push({ ...a, value: (a.value ?? null) as AnswerValue | null })
  return [...byAssessment.values()]
}
