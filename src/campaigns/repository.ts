// SQL of campaigns, their invited countries and the people their mails go to. Functions take db or
// trx first; the service owns the transactions.
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely'
import type { CampaignsTable, Database, Region } from '../db/schema.js'
import { domainScoreRows } from '../readiness/store.js'
import type { Readiness } from '../scoring/score.js'

type Db = Kysely<Database> | Transaction<Database>
export type CampaignRow = Selectable<CampaignsTable>

export async function findCampaign(db: Db, id: string, forUpdate = false): Promise<CampaignRow | undefined> {
  let q = db.selectFrom('campaigns').selectAll().where('id', '=', id)
  if (forUpdate) q = q.forUpdate()
  return q.executeTakeFirst()
}

export async function findByCycle(db: Db, questionnaire: string, cycle: number) {
  return db.selectFrom('campaigns').select(['id', 'state']).where('questionnaire', '=', questionnaire).where('cycle', '=', cycle).executeTakeFirst()
}

/** Campaigns with how many countries they invite and how far those have got, newest cycle first. */
export async function listCampaigns(db: Db) {
  return db
    .selectFrom('campaigns as c')
    .selectAll('c')
    .select([
      sql<number>`(select count(*)::int from campaign_countries cc where cc.campaign_id = c.id)`.as('invited'),
      sql<number>`(select count(*)::int from assessments a where a.campaign_id = c.id and a.status in ('submitted', 'validated'))`.as('submitted'),
      sql<number>`(select count(*)::int from assessments a where a.campaign_id = c.id and a.status = 'validated')`.as('validated'),
    ])
    .orderBy('c.cycle', 'desc')
    .orderBy('c.questionnaire')
    .execute()
}

export async function invitedCountries(db: Db, campaignId: string): Promise<string[]> {
  const rows = await db.selectFrom('campaign_countries').select('country').where('campaign_id', '=', campaignId).orderBy('country').execute()
  return rows.map((r) => r.country)
}

export async function replaceCountries(trx: Transaction<Database>, campaignId: string, codes: readonly string[]): Promise<void> {
  await trx.deleteFrom('campaign_countries').where('campaign_id', '=', campaignId).execute()
  if (codes.length)
    await trx
      .insertInto('campaign_countries')
      .values(codes.map((country) => ({ campaign_id: campaignId, country })))
      .execute()
}

export async function knownCountries(db: Db): Promise<{ code: string; region: Region }[]> {
  return db.selectFrom('countries').select(['code', 'region']).orderBy('code').execute()
}

/** The open campaign of a questionnaire and cycle that invites this country, if any. */
export async function openCampaignFor(db: Db, questionnaire: string, cycle: number, country: string) {
  return db
    .selectFrom('campaigns as c')
    .innerJoin('campaign_countries as cc', 'cc.campaign_id', 'c.id')
    .select(['c.id', 'c.version', 'c.deadline', 'c.allow_late', 'c.state'])
    .where('c.questionnaire', '=', questionnaire)
    .where('c.cycle', '=', cycle)
    .where('cc.country', '=', country)
    .executeTakeFirst()
}

/**
 * Draft assessments for the invited countries that have none for this questionnaire and cycle,
 * all at once: every new draft starts with the same (empty) readiness, so three statements make
 * them whatever the number of countries. Returns the new assessments' ids by country.
 */
export async function createDrafts(
  trx: Transaction<Database>,
  campaign: CampaignRow,
  personId: string,
  role: 'staff' | 'admin',
  empty: Readiness,
): Promise<Map<string, string>> {
  const rows = await trx
    .insertInto('assessments')
    .columns([
      'country',
      'questionnaire',
      'version',
      'cycle',
      'status',
      'created_by',
      'campaign_id',
      'overall_score',
      'coverage',
      'tier',
      'answered',
      'applicable',
    ])
    .expression((eb) =>
      eb
        .selectFrom('campaign_countries as cc')
        .select([
          'cc.country',
          sql.lit(campaign.questionnaire).as('questionnaire'),
          sql.lit(campaign.version).as('version'),
          sql.lit(campaign.cycle).as('cycle'),
          sql.lit('draft').as('status'),
          sql`${personId}::uuid`.as('created_by'),
          sql`${campaign.id}::uuid`.as('campaign_id'),
          sql`${empty.overall.score}::double precision`.as('overall_score'),
          sql`${empty.overall.coverage}::double precision`.as('coverage'),
          sql`${empty.overall.tier}::text`.as('tier'),
          sql`${empty.overall.counts.answered}::int`.as('answered'),
          sql`${empty.overall.counts.applicable}::int`.as('applicable'),
        ])
        .where('cc.campaign_id', '=', campaign.id)
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('assessments as a')
                .select('a.id')
                .whereRef('a.country', '=', 'cc.country')
                .where('a.questionnaire', '=', campaign.questionnaire)
                .where('a.cycle', '=', campaign.cycle),
            ),
          ),
        ),
    )
    .returning(['id', 'country'])
    .execute()
  if (rows.length === 0) return new Map()
  await trx
    .insertInto('domain_scores')
    .values(rows.flatMap((a) => domainScoreRows(a.id, empty.domains)))
    .execute()
  await trx
    .insertInto('transitions')
    .values(rows.map((a) => ({ assessment_id: a.id, from_status: null, to_status: 'draft' as const, comment: null, actor: personId, actor_role: role })))
    .execute()
  return new Map(rows.map((r) => [r.country, r.id]))
}

/** Assessments of the campaign's questionnaire and cycle made before it opened join it (and keep their answers). */
export async function adoptAssessments(trx: Transaction<Database>, campaign: CampaignRow): Promise<void> {
  await trx
    .updateTable('assessments')
    .set({ campaign_id: campaign.id })
    .where('questionnaire', '=', campaign.questionnaire)
    .where('cycle', '=', campaign.cycle)
    .where('campaign_id', 'is', null)
    .where('country', 'in', (eb) => eb.selectFrom('campaign_countries').select('country').where('campaign_id', '=', campaign.id))
    .execute()
}

export interface Recipient {
  personId: string
  country: string | null
}

/** The focal points of these countries who can read mail (active or invited, with an address). */
export async function focalPoints(db: Db, countries: readonly string[]): Promise<Recipient[]> {
  if (countries.length === 0) return []
  const rows = await db
    .selectFrom('memberships as m')
    .innerJoin('persons as p', 'p.id', 'm.person_id')
    .select(['p.id', 'm.country'])
    .distinct()
    .where('m.role', '=', 'focal_point')
    .where('m.country', 'in', countries)
    .where('p.status', 'in', ['active', 'invited'])
    .where('p.email', 'is not', null)
    .orderBy('m.country')
    .orderBy('p.id')
    .execute()
  return rows.map((r) => ({ personId: r.id, country: r.country }))
}

/** Active reviewers with an address: they hear when an assessment is submitted. */
export async function reviewers(db: Db): Promise<string[]> {
  const rows = await db
    .selectFrom('memberships as m')
    .innerJoin('persons as p', 'p.id', 'm.person_id')
    .select('p.id')
    .distinct()
    .where('m.role', '=', 'reviewer')
    .where('p.status', '=', 'active')
    .where('p.email', 'is not', null)
    .execute()
  return rows.map((r) => r.id)
}

/** Invited countries whose assessment is not submitted yet (none, draft or returned). */
export async function notSubmitted(db: Db, campaign: Pick<CampaignRow, 'id' | 'questionnaire' | 'cycle'>, among?: readonly string[]): Promise<string[]> {
  let q = db
    .selectFrom('campaign_countries as cc')
    .leftJoin('assessments as a', (j) =>
      j.onRef('a.country', '=', 'cc.country').on('a.questionnaire', '=', campaign.questionnaire).on('a.cycle', '=', campaign.cycle),
    )
    .select('cc.country')
    .where('cc.campaign_id', '=', campaign.id)
    .where((eb) => eb.or([eb('a.id', 'is', null), eb('a.status', 'in', ['draft', 'returned'])]))
  if (among) q = q.where('cc.country', 'in', among.length ? among : [''])
  const rows = await q.orderBy('cc.country').execute()
  return rows.map((r) => r.country)
}

export interface BoardFocalPoint {
  name: string
  email: string | null
  status: string
  lastSignInAt: string | null
}

export interface BoardDomain {
  domain: string
  title: string
  answered: number
  applicable: number
  coverage: number
}

/** One row per invited country with its assessment (if any), focal points and last reminder. */
export async function boardRows(db: Db, campaign: Pick<CampaignRow, 'id' | 'questionnaire' | 'version' | 'cycle'>) {
  return db
    .selectFrom('campaign_countries as cc')
    .innerJoin('countries as c', 'c.code', 'cc.country')
    .leftJoin('assessments as a', (j) =>
      j.onRef('a.country', '=', 'cc.country').on('a.questionnaire', '=', campaign.questionnaire).on('a.cycle', '=', campaign.cycle),
    )
    .select([
      'cc.country',
      'c.name as country_name',
      'c.region',
      'a.id as assessment_id',
      'a.status',
      'a.late',
      'a.coverage',
      'a.answered',
      'a.applicable',
      // The last thing the country did: an answer or a move through the workflow (not the draft's creation).
      sql<Date | null>`greatest(
        (select max(an.updated_at) from answers an where an.assessment_id = a.id),
        (select max(t.at) from transitions t where t.assessment_id = a.id and t.from_status is not null))`.as('last_activity'),
      sql<BoardDomain[]>`coalesce((
        select json_agg(json_build_object('domain', ds.domain, 'title', qd.title, 'answered', ds.answered, 'applicable', ds.applicable, 'coverage', ds.coverage) order by qd.position)
          from domain_scores ds
          join questionnaire_domains qd on qd.questionnaire = a.questionnaire and qd.version = a.version and qd.domain = ds.domain
         where ds.assessment_id = a.id), '[]'::json)`.as('domains'),
      sql<BoardFocalPoint[]>`coalesce((
        select json_agg(json_build_object('name', p.name, 'email', p.email, 'status', p.status, 'lastSignInAt', p.last_sign_in_at) order by p.name)
          from memberships m join persons p on p.id = m.person_id
         where m.role = 'focal_point' and m.country = cc.country and p.status <> 'disabled'), '[]'::json)`.as('focal_points'),
      sql<Date | null>`(select max(sm.sent_at) from sent_messages sm
         where sm.campaign_id = cc.campaign_id and sm.country = cc.country and sm.kind in ('campaign_reminder', 'campaign_overdue'))`.as('last_reminded_at'),
    ])
    .where('cc.campaign_id', '=', campaign.id)
    .orderBy('cc.country')
    .execute()
}

export type BoardRowData = Awaited<ReturnType<typeof boardRows>>[number]
