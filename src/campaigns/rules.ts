// What a campaign decides for its assessments: whether one may be started, and whether a
// submission is on time, late, or refused. Called by the assessment service inside its transaction.
import type { Transaction } from 'kysely'
import type { Database } from '../db/schema.js'
import { AppError, unprocessable } from '../errors.js'
import { findCampaign, openCampaignFor } from './repository.js'

/**
 * The open campaign an assessment of this questionnaire, cycle and country belongs to. Without one
 * nobody starts an assessment: cycles are opened by staff as campaigns, so a country cannot open a
 * cycle of its own (and make every dashboard default to it).
 */
export async function campaignForNewAssessment(
  trx: Transaction<Database>,
  key: { questionnaire: string; cycle: number; country: string },
  version: number | undefined,
): Promise<{ id: string; version: number }> {
  const campaign = await openCampaignFor(trx, key.questionnaire, key.cycle, key.country)
  if (campaign?.state !== 'open') {
    throw new AppError(
      422,
      'no_open_campaign',
      campaign
        ? `the ${key.questionnaire} campaign for cycle ${key.cycle} is ${campaign.state}; assessments start only while a campaign is open`
        : `there is no open ${key.questionnaire} campaign for cycle ${key.cycle} that invites ${key.country}; assessments start only in a campaign opened by ITU-D staff`,
      { errors: [{ path: '/body/cycle', message: 'has no open campaign for this country' }] },
    )
  }
  if (version !== undefined && version !== campaign.version) {
    throw unprocessable(`the campaign for cycle ${key.cycle} uses version ${campaign.version}`, [
      { path: '/body/version', message: `must be ${campaign.version} (the campaign's version)` },
    ])
  }
  return { id: campaign.id, version: campaign.version }
}

/**
 * Whether a submission now is late. After the deadline it is refused unless the campaign allows
 * late submissions; once the campaign is closed nothing more is submitted.
 */
export async function submissionLateness(trx: Transaction<Database>, campaignId: string | null, now: Date): Promise<boolean> {
  if (!campaignId) return false
  const campaign = await findCampaign(trx, campaignId)
  if (!campaign) return false
  if (campaign.state === 'closed' || campaign.state === 'published') {
    throw new AppError(409, 'campaign_closed', `the campaign "${campaign.title}" is ${campaign.state}; submissions are no longer accepted`)
  }
  if (now.getTime() <= campaign.deadline.getTime()) return false
  if (!campaign.allow_late) {
    throw new AppError(
      409,
      'deadline_passed',
      `the deadline of the campaign "${campaign.title}" was ${campaign.deadline.toISOString()}; this campaign does not accept late submissions`,
      { deadline: campaign.deadline.toISOString() },
    )
  }
  return true
}
