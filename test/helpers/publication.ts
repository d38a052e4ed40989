// Campaigns for publication tests, made with SQL (the campaign API is built elsewhere), and the
// calls a test makes to publish and read publications.
//   const campaign = await createCampaign(app, { cycle: 2026, state: 'closed' })
//   const res = await publishCampaign(app, staff, campaign.id)
import type { FastifyInstance } from 'fastify'
import type { CampaignState } from '../../src/db/schema.js'

export async function createCampaign(
  app: FastifyInstance,
  options: { questionnaire?: string; version?: number; cycle?: number; state?: CampaignState; title?: string } = {},
): Promise<{ id: string; cycle: number }> {
  const cycle = options.cycle ?? 2026
  const row = await app.db
    .insertInto('campaigns')
    .values({
      questionnaire: options.questionnaire ?? 'cdc',
      version: options.version ?? 1,
      cycle,
      title: options.title ?? `CDC readiness ${cycle}`,
      opens_at: new Date(Date.UTC(cycle, 0, 1)),
      deadline: new Date(Date.UTC(cycle, 5, 30)),
      state: options.state ?? 'closed',
    })
    .returning(['id', 'cycle'])
    .executeTakeFirstOrThrow()
  return row
}

export async function setCampaignState(app: FastifyInstance, id: string, state: CampaignState): Promise<void> {
  await app.db.updateTable('campaigns').set({ state }).where('id', '=', id).execute()
}

export function publishCampaign(app: FastifyInstance, authorization: string, campaignId: string, payload: { assessments?: string[]; note?: string } = {}) {
  return app.inject({ method: 'POST', url: `/campaigns/${campaignId}/publications`, headers: { authorization }, payload })
}
