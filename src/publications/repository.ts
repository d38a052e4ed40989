// SQL of publications: the campaign and its validated assessments, earlier publications as the
// disclosure rules see them, and the stored snapshots. Functions take db or trx first.
import type { Kysely, Selectable, Transaction } from 'kysely'
import type { CampaignsTable, Database, PublicationsTable, Region } from '../db/schema.js'
import type { Changes } from './changes.js'
import { type CellFigures, type CountryFigures, cellKey, OVERALL, type Release } from './disclosure.js'

type Db = Kysely<Database> | Transaction<Database>

export type CampaignRow = Selectable<CampaignsTable>
export type PublicationRow = Omit<Selectable<PublicationsTable>, 'cells' | 'changes'> & { cells: CellFigures[]; changes: Changes | null }

export async function lockCampaign(trx: Transaction<Database>, id: string): Promise<CampaignRow | undefined> {
  return trx.selectFrom('campaigns').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()
}

export async function findCampaign(db: Db, id: string): Promise<CampaignRow | undefined> {
  return db.selectFrom('campaigns').selectAll().where('id', '=', id).executeTakeFirst()
}

export interface Candidate extends CountryFigures {
  assessmentId: string
}

/** The campaign's validated assessments (its questionnaire, version and cycle), with their stored scores. */
export async function validatedAssessments(db: Db, campaign: CampaignRow): Promise<Candidate[]> {
  const rows = await db
    .selectFrom('assessments as a')
    .innerJoin('countries as c', 'c.code', 'a.country')
    .select(['a.id', 'a.country', 'c.region', 'a.overall_score', 'a.tier'])
    .where('a.questionnaire', '=', campaign.questionnaire)
    .where('a.version', '=', campaign.version)
    .where('a.cycle', '=', campaign.cycle)
    .where('a.status', '=', 'validated')
    .where((eb) => eb.or([eb('a.campaign_id', 'is', null), eb('a.campaign_id', '=', campaign.id)]))
    .orderBy('a.country')
    .execute()
  const ids = rows.map((r) => r.id)
  const domains = ids.length
    ? await db.selectFrom('domain_scores').select(['assessment_id', 'domain', 'score', 'tier']).where('assessment_id', 'in', ids).execute()
    : []
  return rows.map((r) => {
    const mine = domains.filter((d) => d.assessment_id === r.id)
    return {
      assessmentId: r.id,
      country: r.country,
      region: r.region,
      scores: { ...Object.fromEntries(mine.map((d) => [d.domain, d.score])), [OVERALL]: r.overall_score },
      tiers: { ...Object.fromEntries(mine.map((d) => [d.domain, d.tier])), [OVERALL]: r.tier },
    }
  })
}

/** The countries' figures of one publication. */
export async function publishedCountries(db: Db, publicationId: string, country?: string): Promise<Candidate[]> {
  let query = db
    .selectFrom('publication_countries')
    .select(['country', 'assessment_id', 'region', 'overall_score', 'tier'])
    .where('publication_id', '=', publicationId)
    .orderBy('country')
  if (country) query = query.where('country', '=', country)
  const rows = await query.execute()
  let domains = db.selectFrom('publication_domain_scores').select(['country', 'domain', 'score', 'tier']).where('publication_id', '=', publicationId)
  if (country) domains = domains.where('country', '=', country)
  const scores = rows.length ? await domains.execute() : []
  return rows.map((r) => {
    const mine = scores.filter((d) => d.country === r.country)
    return {
      assessmentId: r.assessment_id,
      country: r.country,
      region: r.region,
      scores: { ...Object.fromEntries(mine.map((d) => [d.domain, d.score])), [OVERALL]: r.overall_score },
      tiers: { ...Object.fromEntries(mine.map((d) => [d.domain, d.tier])), [OVERALL]: r.tier },
    }
  })
}

const parse = (row: Selectable<PublicationsTable>): PublicationRow => ({
  ...row,
  cells: row.cells as CellFigures[],
  changes: row.changes as Changes | null,
})

/** A campaign's publications, oldest first. */
export async function listPublications(db: Db, campaignId: string): Promise<PublicationRow[]> {
  const rows = await db.selectFrom('publications').selectAll().where('campaign_id', '=', campaignId).orderBy('number').execute()
  return rows.map(parse)
}

export async function findPublication(db: Db, campaignId: string, number: number): Promise<PublicationRow | undefined> {
  const row = await db.selectFrom('publications').selectAll().where('campaign_id', '=', campaignId).where('number', '=', number).executeTakeFirst()
  return row ? parse(row) : undefined
}

/** Earlier publications as the disclosure rules see them: whose figures, which cells were shown. */
export async function releasesOf(db: Db, publications: readonly PublicationRow[]): Promise<(Release & { cells: CellFigures[] })[]> {
  return Promise.all(
    publications.map(async (p) => ({
      countries: await publishedCountries(db, p.id),
      published: new Set(p.cells.filter((c) => !c.suppressed).map((c) => cellKey(c.group, c.table))),
      cells: p.cells,
    })),
  )
}

export async function insertPublication(
  trx: Transaction<Database>,
  row: { campaignId: string; number: number; publishedBy: string; note: string | null; k: number; cells: CellFigures[]; changes: Changes | null },
  countries: readonly Candidate[],
): Promise<PublicationRow> {
  const inserted = await trx
    .insertInto('publications')
    .values({
      campaign_id: row.campaignId,
      number: row.number,
      published_by: row.publishedBy,
      note: row.note,
      min_group_size: row.k,
      cells: JSON.stringify(row.cells),
      changes: row.changes === null ? null : JSON.stringify(row.changes),
    })
    .returningAll()
    .executeTakeFirstOrThrow()
  if (countries.length) {
    await trx
      .insertInto('publication_countries')
      .values(
        countries.map((c) => ({
          publication_id: inserted.id,
          country: c.country,
          assessment_id: c.assessmentId,
          region: c.region as Region,
          overall_score: c.scores[OVERALL] ?? null,
          tier: c.tiers[OVERALL] ?? null,
        })),
      )
      .execute()
    const domainRows = countries.flatMap((c) =>
      Object.keys(c.scores)
        .filter((d) => d !== OVERALL)
        .map((domain) => ({ publication_id: inserted.id, country: c.country, domain, score: c.scores[domain] ?? null, tier: c.tiers[domain] ?? null })),
    )
    if (domainRows.length) await trx.insertInto('publication_domain_scores').values(domainRows).execute()
  }
  return parse(inserted)
}

export async function markPublished(trx: Transaction<Database>, campaignId: string): Promise<void> {
  await trx.updateTable('campaigns').set({ state: 'published' }).where('id', '=', campaignId).execute()
}

export interface LatestPublication {
  publication: PublicationRow
  campaign: CampaignRow
}

/**
 * The latest publication of a questionnaire's campaign: of this version and cycle when given,
 * otherwise of the most recent cycle published (of that version, when given).
 */
export async function latestPublication(db: Db, questionnaire: string, version?: number, cycle?: number): Promise<LatestPublication | undefined> {
  let query = db
    .selectFrom('publications as p')
    .innerJoin('campaigns as c', 'c.id', 'p.campaign_id')
    .select(['p.id as publicationId', 'c.id as campaignId'])
    .where('c.questionnaire', '=', questionnaire)
    .orderBy('c.cycle', 'desc')
    .orderBy('p.number', 'desc')
    .limit(1)
  if (version !== undefined) query = query.where('c.version', '=', version)
  if (cycle !== undefined) query = query.where('c.cycle', '=', cycle)
  const found = await query.executeTakeFirst()
  if (!found) return undefined
  const [publication, campaign] = await Promise.all([
    db.selectFrom('publications').selectAll().where('id', '=', found.publicationId).executeTakeFirstOrThrow(),
    db.selectFrom('campaigns').selectAll().where('id', '=', found.campaignId).executeTakeFirstOrThrow(),
  ])
  return { publication: parse(publication), campaign }
}
