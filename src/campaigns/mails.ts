// The campaign's mails as jobs: queued in the transaction of the change that causes them (opening,
// a reminder moment, a return…), rendered when sent in the recipient's language of that moment,
// and recorded in sent_messages in the same transaction that marks the job done.
import type { Transaction } from 'kysely'
import type { Database } from '../db/schema.js'
import type { JobHandler } from '../jobs/runner.js'
import { enqueue, type NewJob } from '../jobs/queue.js'
import type { Mailer } from '../mail/mailer.js'
import { formatDate, renderMail, type CampaignMailKind } from '../mail/messages.js'
import type { Language } from '../questionnaires/schema.js'
import { findCampaign, focalPoints, notSubmitted, reviewers } from './repository.js'
import { daysLeft } from './schedule.js'

type Trx = Transaction<Database>

export const MAIL_JOB = 'mail'
export const REMINDER_JOB = 'campaign.reminder'

export interface MailPayload {
  mail: CampaignMailKind
  personId: string
  campaignId?: string | null
  country?: string | null
  assessmentId?: string | null
  comment?: string | null
  late?: boolean
  [key: string]: unknown
}

export function mailJob(payload: MailPayload, runAt: Date, key: string | null = null): NewJob {
  return { kind: MAIL_JOB, payload, runAt, key }
}

/** Kinds that chase a country: dropped at send time if the country has submitted meanwhile or the campaign is no longer open. */
const CHASING: readonly CampaignMailKind[] = ['campaign_reminder', 'campaign_overdue']

/** The country's name as a reader of `language` writes it. */
function countryName(alpha2: string, fallback: string, language: Language): string {
  try {
    return new Intl.DisplayNames([language], { type: 'region' }).of(alpha2) ?? fallback
  } catch {
    return fallback
  }
}

export function mailHandler(options: { mailer: Mailer; publicUrl: string }): JobHandler {
  return async (trx, job, now) => {
    const p = job.payload as MailPayload
    const person = await trx.selectFrom('persons').select(['id', 'name', 'email', 'language', 'status']).where('id', '=', p.personId).executeTakeFirst()
    // A person disabled (or without an address) since the mail was queued gets nothing.
    if (!person?.email || person.status === 'disabled') return
    const campaign = p.campaignId ? await findCampaign(trx, p.campaignId) : undefined
    if (CHASING.includes(p.mail)) {
      if (campaign?.state !== 'open' || !p.country) return
      if ((await notSubmitted(trx, campaign, [p.country])).length === 0) return
    }
    const country = p.country ? await trx.selectFrom('countries').select(['alpha2', 'name']).where('code', '=', p.country).executeTakeFirst() : undefined
    const lang = person.language
    const link = p.assessmentId ? `${options.publicUrl}/app/assessment.html?id=${p.assessmentId}` : `${options.publicUrl}/app/`
    const mail = renderMail(p.mail, lang, {
      name: person.name,
      campaign: campaign?.title ?? '',
      country: country ? countryName(country.alpha2, country.name, lang) : '',
      deadline: campaign ? formatDate(campaign.deadline, lang) : '',
      days: campaign ? daysLeft(campaign.deadline, now) : 0,
      comment: p.comment ?? '',
      late: p.late ? 'yes' : 'no',
      link,
    })
    await options.mailer.send({ to: person.email, subject: mail.subject, text: mail.text, language: lang })
    await trx
      .insertInto('sent_messages')
      .values({
        kind: p.mail,
        to_address: person.email,
        person_id: person.id,
        campaign_id: campaign?.id ?? null,
        country: p.country ?? null,
        assessment_id: p.assessmentId ?? null,
        language: lang,
        subject: mail.subject,
        job_id: job.id,
        sent_at: now,
      })
      .execute()
  }
}

/**
 * A scheduled reminder moment: a mail to each focal point of every invited country not submitted
 * yet, each its own job (one failing address does not hold up or repeat the others), each queued
 * once whatever happens to this job.
 */
export const reminderHandler: JobHandler = async (trx, job, now) => {
  const { campaignId, days } = job.payload as { campaignId: string; days: number }
  const campaign = await findCampaign(trx, campaignId)
  if (campaign?.state !== 'open') return
  const countries = await notSubmitted(trx, campaign)
  const assessments = await assessmentIds(trx, campaign, countries)
  const mail: CampaignMailKind = days > 0 ? 'campaign_reminder' : 'campaign_overdue'
  await enqueue(
    trx,
    (await focalPoints(trx, countries)).map((r) =>
      mailJob(
        { mail, personId: r.personId, campaignId, country: r.country, assessmentId: assessments.get(r.country ?? '') ?? null },
        now,
        `campaign:${campaignId}:reminder:${days}:${r.personId}:${r.country}`,
      ),
    ),
  )
}

export async function assessmentIds(trx: Trx, campaign: { questionnaire: string; cycle: number }, countries: readonly string[]): Promise<Map<string, string>> {
  if (countries.length === 0) return new Map()
  const rows = await trx
    .selectFrom('assessments')
    .select(['id', 'country'])
    .where('questionnaire', '=', campaign.questionnaire)
    .where('cycle', '=', campaign.cycle)
    .where('country', 'in', countries)
    .execute()
  return new Map(rows.map((r) => [r.country, r.id]))
}

/**
 * Mails that follow a review transition, queued in its transaction: reviewers hear of a submission;
 * the country's focal points hear of a return (with the comment) or a validation.
 */
export async function queueTransitionMails(
  trx: Trx,
  assessment: { id: string; country: string; campaign_id: string | null },
  action: string,
  comment: string | null,
  late: boolean,
  now: Date,
): Promise<void> {
  const base = { campaignId: assessment.campaign_id, country: assessment.country, assessmentId: assessment.id }
  if (action === 'submit') {
    const people = await reviewers(trx)
    await enqueue(
      trx,
      people.map((personId) => mailJob({ ...base, mail: 'assessment_submitted', personId, late }, now)),
    )
  } else if (action === 'return' || action === 'validate') {
    const mail: CampaignMailKind = action === 'return' ? 'assessment_returned' : 'assessment_validated'
    const people = await focalPoints(trx, [assessment.country])
    await enqueue(
      trx,
      people.map((r) => mailJob({ ...base, mail, personId: r.personId, comment }, now)),
    )
  }
}
