// Campaign use cases. Each write is one transaction that locks the campaign row, checks, changes,
// queues the mails and reminders it causes, and records the person in the audit trail.
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema.js'
import { AppError, conflict, forbidden, notFound, unprocessable } from '../errors.js'
import { enqueue } from '../jobs/queue.js'
import type { Clock } from '../jobs/clock.js'
import { audit } from '../people/audit.js'
import { hasMembership, type Principal } from '../people/principal.js'
import type { QuestionnaireStore } from '../questionnaires/store.js'
import { score } from '../scoring/score.js'
import { resolveInvitees, type Invitees } from './invited.js'
import { assessmentIds, mailJob, REMINDER_JOB } from './mails.js'
import {
  adoptAssessments,
  createDrafts,
  findByCycle,
  findCampaign,
  focalPoints,
  invitedCountries,
  knownCountries,
  notSubmitted,
  replaceCountries,
  type CampaignRow,
} from './repository.js'
import { reminderMoments } from './schedule.js'

export interface Context {
  db: Kysely<Database>
  questionnaires: QuestionnaireStore
  clock: Clock
}

/** Campaigns are run by reviewers and admins; analysts and administrations only read what they may. */
export function assertRunsCampaigns(actor: Principal): void {
  if (actor.role === 'administration' || !(hasMembership(actor, 'reviewer') || hasMembership(actor, 'admin'))) {
    throw forbidden('only reviewers and admins run campaigns')
  }
}

export interface CampaignInput {
  questionnaire: string
  version: number
  cycle: number
  title: string
  opensAt: Date
  deadline: Date
  countries: Invitees
  allowLate: boolean
  reminderDays: number[]
}

function checkDates(opensAt: Date, deadline: Date): void {
  if (deadline.getTime() <= opensAt.getTime()) {
    throw unprocessable('the deadline must come after the opening date', [{ path: '/body/deadline', message: 'must be after opensAt' }])
  }
}

async function resolve(db: Kysely<Database>, invitees: Invitees): Promise<string[]> {
  const result = resolveInvitees(invitees, await knownCountries(db))
  if ('problems' in result) throw unprocessable('some invited countries are not valid', result.problems)
  return result.codes
}

async function assertPublished(ctx: Context, questionnaire: string, version: number): Promise<void> {
  if (!(await ctx.questionnaires.get(questionnaire, version))) {
    throw unprocessable(`${questionnaire} version ${version} is not published`, [
      { path: '/body/version', message: 'is not a published questionnaire version' },
    ])
  }
}

export async function createCampaign(ctx: Context, actor: Principal, input: CampaignInput) {
  assertRunsCampaigns(actor)
  checkDates(input.opensAt, input.deadline)
  await assertPublished(ctx, input.questionnaire, input.version)
  return ctx.db.transaction().execute(async (trx) => {
    const existing = await findByCycle(trx, input.questionnaire, input.cycle)
    if (existing) {
      throw conflict(`${input.questionnaire} already has a campaign for cycle ${input.cycle}`, {
        existing: { id: existing.id, href: `/campaigns/${existing.id}`, state: existing.state },
      })
    }
    const codes = await resolve(trx, input.countries)
    const campaign = await trx
      .insertInto('campaigns')
      .values({
        questionnaire: input.questionnaire,
        version: input.version,
        cycle: input.cycle,
        title: input.title.trim(),
        opens_at: input.opensAt,
        deadline: input.deadline,
        allow_late: input.allowLate,
        reminder_days: [...new Set(input.reminderDays)].sort((a, b) => b - a),
        created_by: actor.personId,
      })
      .returningAll()
      .executeTakeFirstOrThrow()
    await replaceCountries(trx, campaign.id, codes)
    await audit(trx, {
      action: 'campaign_created',
      actor,
      details: { campaignId: campaign.id, questionnaire: input.questionnaire, cycle: input.cycle, countries: codes.length },
    })
    return { campaign, countries: codes }
  })
}

export type CampaignChange = Partial<Omit<CampaignInput, 'questionnaire' | 'cycle'>>

/** Changes a campaign that is still a draft (once open, countries hold drafts and reminders are scheduled). */
export async function updateCampaign(ctx: Context, actor: Principal, id: string, change: CampaignChange) {
  assertRunsCampaigns(actor)
  return ctx.db.transaction().execute(async (trx) => {
    const campaign = await lockCampaign(trx, id)
    if (campaign.state !== 'draft') throw conflict(`the campaign is ${campaign.state}; only a draft campaign can be changed`, { campaignState: campaign.state })
    if (change.version !== undefined) await assertPublished(ctx, campaign.questionnaire, change.version)
    checkDates(change.opensAt ?? campaign.opens_at, change.deadline ?? campaign.deadline)
    const codes = change.countries ? await resolve(trx, change.countries) : await invitedCountries(trx, id)
    const values = {
      ...(change.version !== undefined ? { version: change.version } : {}),
      ...(change.title !== undefined ? { title: change.title.trim() } : {}),
      ...(change.opensAt ? { opens_at: change.opensAt } : {}),
      ...(change.deadline ? { deadline: change.deadline } : {}),
      ...(change.allowLate !== undefined ? { allow_late: change.allowLate } : {}),
      ...(change.reminderDays ? { reminder_days: [...new Set(change.reminderDays)].sort((a, b) => b - a) } : {}),
    }
    const updated =
      Object.keys(values).length > 0 ? await trx.updateTable('campaigns').set(values).where('id', '=', id).returningAll().executeTakeFirstOrThrow() : campaign
    if (change.countries) await replaceCountries(trx, id, codes)
    await audit(trx, { action: 'campaign_changed', actor, details: { campaignId: id, fields: Object.keys(change) } })
    return { campaign: updated, countries: codes }
  })
}

async function lockCampaign(trx: Kysely<Database>, id: string): Promise<CampaignRow> {
  const campaign = await findCampaign(trx, id, true)
  if (!campaign) throw notFound(`campaign ${id}`)
  return campaign
}

/**
 * Opens a draft campaign: a draft assessment for every invited country that has none for this
 * cycle (one made earlier joins the campaign as it is), the invitation mails to each country's focal
 * points (sent at the opening date), and the scheduled reminders. All or nothing.
 */
export async function openCampaign(ctx: Context, actor: Principal, id: string) {
  assertRunsCampaigns(actor)
  const now = ctx.clock.now()
  return ctx.db.transaction().execute(async (trx) => {
    const campaign = await lockCampaign(trx, id)
    if (campaign.state !== 'draft') throw conflict(`the campaign is already ${campaign.state}`, { campaignState: campaign.state })
    if (campaign.deadline.getTime() <= now.getTime()) {
      throw unprocessable('the deadline has passed; change it before opening the campaign', [{ path: '/deadline', message: 'is in the past' }])
    }
    const version = await ctx.questionnaires.get(campaign.questionnaire, campaign.version, trx)
    if (!version) throw new AppError(500, 'questionnaire_missing', `${campaign.questionnaire} v${campaign.version} is not published`)
    await adoptAssessments(trx, campaign)
    const created = await createDrafts(trx, campaign, actor.personId, actor.role === 'admin' ? 'admin' : 'staff', score(version.content, new Map()))
    const opened = await trx.updateTable('campaigns').set({ state: 'open', opened_at: now }).where('id', '=', id).returningAll().executeTakeFirstOrThrow()

    const countries = await invitedCountries(trx, id)
    const assessments = await assessmentIds(trx, campaign, countries)
    const sendAt = campaign.opens_at.getTime() > now.getTime() ? campaign.opens_at : now
    const recipients = await focalPoints(trx, countries)
    await enqueue(
      trx,
      recipients.map((r) =>
        mailJob(
          { mail: 'campaign_invitation', personId: r.personId, campaignId: id, country: r.country, assessmentId: assessments.get(r.country ?? '') ?? null },
          sendAt,
          `campaign:${id}:invitation:${r.personId}:${r.country}`,
        ),
      ),
    )
    const moments = reminderMoments(campaign.deadline, campaign.reminder_days, now)
    await enqueue(
      trx,
      moments.map((m) => ({ kind: REMINDER_JOB, payload: { campaignId: id, days: m.days }, runAt: m.at, key: `campaign:${id}:reminder:${m.days}` })),
    )
    await audit(trx, { action: 'campaign_opened', actor, details: { campaignId: id, drafts: created.size, invitations: recipients.length } })
    return { campaign: opened, drafts: created.size, invitations: recipients.length, reminders: moments.map((m) => ({ days: m.days, at: m.at })) }
  })
}

export async function closeCampaign(ctx: Context, actor: Principal, id: string) {
  assertRunsCampaigns(actor)
  const now = ctx.clock.now()
  return ctx.db.transaction().execute(async (trx) => {
    const campaign = await lockCampaign(trx, id)
    if (campaign.state !== 'open') throw conflict(`only an open campaign can be closed; this one is ${campaign.state}`, { campaignState: campaign.state })
    const closed = await trx.updateTable('campaigns').set({ state: 'closed', closed_at: now }).where('id', '=', id).returningAll().executeTakeFirstOrThrow()
    await audit(trx, { action: 'campaign_closed', actor, details: { campaignId: id } })
    return closed
  })
}

/**
 * A reminder now, to the focal points of the chosen countries (default: every invited country not
 * submitted yet). A country that is not invited or has already submitted is refused by name.
 */
export async function remind(ctx: Context, actor: Principal, id: string, chosen: string[] | undefined) {
  assertRunsCampaigns(actor)
  const now = ctx.clock.now()
  return ctx.db.transaction().execute(async (trx) => {
    const campaign = await lockCampaign(trx, id)
    if (campaign.state !== 'open') throw conflict(`reminders go only for an open campaign; this one is ${campaign.state}`, { campaignState: campaign.state })
    const waiting = await notSubmitted(trx, campaign)
    let countries = waiting
    if (chosen) {
      const invited = new Set(await invitedCountries(trx, id))
      const open = new Set(waiting)
      const codes = chosen.map((c) => c.toUpperCase())
      const problems = codes.flatMap((code, i) =>
        !invited.has(code)
          ? [{ path: `/body/countries/${i}`, message: `${code} is not invited to this campaign` }]
          : !open.has(code)
            ? [{ path: `/body/countries/${i}`, message: `${code} has already submitted` }]
            : [],
      )
      if (problems.length) throw unprocessable('some countries cannot be reminded', problems)
      countries = [...new Set(codes)]
    }
    const assessments = await assessmentIds(trx, campaign, countries)
    const recipients = await focalPoints(trx, countries)
    const mail = campaign.deadline.getTime() > now.getTime() ? 'campaign_reminder' : 'campaign_overdue'
    await enqueue(
      trx,
      recipients.map((r) =>
        mailJob({ mail, personId: r.personId, campaignId: id, country: r.country, assessmentId: assessments.get(r.country ?? '') ?? null }, now),
      ),
    )
    const reached = new Set(recipients.map((r) => r.country))
    await audit(trx, { action: 'campaign_reminded', actor, details: { campaignId: id, countries } })
    return { countries, recipients: recipients.length, withoutFocalPoint: countries.filter((c) => !reached.has(c)) }
  })
}
