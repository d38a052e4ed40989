// Publishing a campaign: one transaction that locks the campaign, takes the chosen validated
// assessments, applies the disclosure rules against every earlier publication of the campaign,
// stores the snapshot and what changed, marks the campaign published and records who did it.
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema.js'
import { conflict, notFound, unprocessable } from '../errors.js'
import { audit } from '../people/audit.js'
import type { Principal } from '../plugins/auth.js'
import type { LoadedVersion } from '../questionnaires/store.js'
import { changesBetween } from './changes.js'
import { cellFigures, disclose, OVERALL } from './disclosure.js'
import { insertPublication, listPublications, lockCampaign, markPublished, type PublicationRow, releasesOf, validatedAssessments } from './repository.js'

export interface PublishInput {
  /** A chosen set of the campaign's validated assessments; all of them when absent. */
  assessments?: string[] | undefined
  /** Required for a correction: what it changes and why. */
  note?: string | undefined
}

export async function publish(
  db: Kysely<Database>,
  actor: Principal,
  campaignId: string,
  input: PublishInput,
  options: { k: number; versionOf: (questionnaire: string, version: number) => Promise<LoadedVersion | undefined>; address: string },
): Promise<PublicationRow> {
  return db.transaction().execute(async (trx) => {
    const campaign = await lockCampaign(trx, campaignId)
    if (!campaign) throw notFound(`campaign ${campaignId}`)
    const earlier = await listPublications(trx, campaign.id)
    const correction = earlier.length > 0
    if (!correction && campaign.state !== 'closed') {
      throw conflict(`campaign ${campaign.id} is ${campaign.state}: close it before publishing, so no answer changes under the published figures`)
    }
    const note = input.note?.trim() || null
    if (correction && !note) {
      throw unprocessable('a correction must say what it changes', [{ path: '/body/note', message: 'required for a correction: what changed and why' }])
    }
    const loaded = await options.versionOf(campaign.questionnaire, campaign.version)
    if (!loaded) throw notFound(`questionnaire ${campaign.questionnaire} v${campaign.version}`)
    const tables = [...loaded.content.domains.map((d) => d.id), OVERALL]
    const tierIds = loaded.content.scoring.tiers.map((t) => t.id)

    const validated = await validatedAssessments(trx, campaign)
    let chosen = validated
    if (input.assessments) {
      const byId = new Map(validated.map((c) => [c.assessmentId, c]))
      const problems = input.assessments.flatMap((id, i) =>
        byId.has(id) ? [] : [{ path: `/body/assessments/${i}`, message: 'is not a validated assessment of this campaign' }],
      )
      if (problems.length) throw unprocessable('some assessments cannot be published', problems.slice(0, 100), { total: problems.length })
      const ids = new Set(input.assessments)
      chosen = validated.filter((c) => ids.has(c.assessmentId))
    }
    if (chosen.length === 0) {
      throw unprocessable('nothing to publish', [{ path: '/body/assessments', message: 'the campaign has no validated assessment to publish' }])
    }

    const releases = await releasesOf(trx, earlier)
    const decision = disclose({ countries: chosen, tables, earlier: releases, k: options.k })
    const cells = cellFigures(chosen, tables, tierIds, decision)
    const previous = releases[releases.length - 1]
    const changes = previous ? changesBetween(previous, { countries: chosen, cells }, tables) : null
    const publication = await insertPublication(
      trx,
      { campaignId: campaign.id, number: earlier.length + 1, publishedBy: actor.personId, note, k: options.k, cells, changes },
      chosen,
    )
    await markPublished(trx, campaign.id)
    await audit(trx, {
      action: 'publication_made',
      actor,
      address: options.address,
      details: {
        campaign: campaign.id,
        publication: publication.id,
        number: publication.number,
        countries: chosen.length,
        withheld: cells.filter((c) => c.suppressed).length,
      },
    })
    return publication
  })
}
