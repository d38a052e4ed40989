// Publications of a campaign: staff (reviewers, admins) publish; anybody reads the published
// aggregates (the disclosure rules were applied when they were made); each country's own figures
// are shown to staff and to that country only.
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { forbidden, notFound, problems } from '../errors.js'
import { requireRole } from '../plugins/auth.js'
import { hasMembership, type Principal } from '../people/principal.js'
import { REGIONS } from '../db/schema.js'
import type { Changes } from './changes.js'
import { OVERALL } from './disclosure.js'
import { type CampaignRow, type Candidate, findCampaign, findPublication, listPublications, type PublicationRow, publishedCountries } from './repository.js'
import { publish } from './service.js'

export interface PublicationRoutesOptions {
  /** k of the disclosure rules (config.publicationMinGroupSize). */
  minGroupSize: number
}

const campaignParams = z.object({ id: z.uuid({ message: 'must be a campaign id (a UUID)' }) })
const publicationParams = campaignParams.extend({ number: z.coerce.number().int().min(1).max(10_000) })

const stats = {
  count: z.number().describe('countries in the group (shown even when its figures are withheld)'),
  scored: z.number().nullable().describe('countries with a score in this table'),
  mean: z.number().nullable().describe('null for the overall score (see the README) and when withheld'),
  median: z.number().nullable(),
  q1: z.number().nullable(),
  q3: z.number().nullable(),
  tiers: z.record(z.string(), z.number()),
  suppressed: z.boolean(),
  reason: z.enum(['group_too_small', 'complementary']).nullable().describe('why the figures are withheld'),
}
const cell = z.object({ group: z.string().describe('"world" or an ITU-D region'), table: z.string().describe('a domain id, or "overall"'), ...stats })
const cellChange = z.object({ group: z.string(), table: z.string(), before: z.object(stats).nullable(), after: z.object(stats).nullable() })
const scoreChange = z.object({ country: z.string(), table: z.string(), before: z.number().nullable(), after: z.number().nullable() })
const changes = z.object({
  countriesAdded: z.array(z.string()),
  countriesRemoved: z.array(z.string()),
  countriesRevised: z.array(z.string()),
  cells: z.array(cellChange).describe('published figures that differ from the previous publication'),
  scores: z.array(scoreChange).describe("countries' own scores before and after: staff see all, a country its own"),
})
const campaignSummary = z.object({ id: z.string(), questionnaire: z.string(), version: z.number(), cycle: z.number(), title: z.string() })
const countryScores = z.object({
  country: z.string(),
  region: z.string(),
  overall: z.number().nullable(),
  tier: z.string().nullable(),
  domains: z.array(z.object({ domain: z.string(), score: z.number().nullable(), tier: z.string().nullable() })),
})
const publicationBody = z.object({
  id: z.string(),
  campaign: campaignSummary,
  number: z.number().describe('1 for the publication, 2… for its corrections'),
  publishedAt: z.string(),
  note: z.string().nullable(),
  minGroupSize: z.number().describe('k: no figure is about fewer than this many countries'),
  countries: z.array(z.object({ country: z.string(), region: z.enum(REGIONS) })),
  cells: z.array(cell),
  changes: changes.nullable().describe('since the previous publication; null for the first'),
  scores: z.array(countryScores).describe("per country per domain: every country's for staff, its own for an administration, none otherwise"),
})
const summary = z.object({
  number: z.number(),
  publishedAt: z.string(),
  note: z.string().nullable(),
  countries: z.number(),
  withheld: z.number().describe('cells whose figures are withheld'),
})

/** Staff, and admins, see every country; an administration its own; nobody else any. */
const countriesShown = (p: Principal | null) => (p === null ? 'none' : p.role === 'administration' ? (p.country ?? 'none') : 'all')

const campaignOf = (c: CampaignRow) => ({ id: c.id, questionnaire: c.questionnaire, version: c.version, cycle: c.cycle, title: c.title })

function presentScores(list: readonly Candidate[]) {
  return list.map((c) => ({
    country: c.country,
    region: c.region,
    overall: c.scores[OVERALL] ?? null,
    tier: c.tiers[OVERALL] ?? null,
    domains: Object.keys(c.scores)
      .filter((d) => d !== OVERALL)
      .map((domain) => ({ domain, score: c.scores[domain] ?? null, tier: c.tiers[domain] ?? null })),
  }))
}

export default async function publicationRoutes(app: FastifyInstance, options: PublicationRoutesOptions): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>()

  async function present(campaign: CampaignRow, p: PublicationRow, viewer: Principal | null) {
    const shown = countriesShown(viewer)
    const all = await publishedCountries(app.db, p.id)
    const own = shown === 'all' ? all : all.filter((c) => c.country === shown)
    const change: Changes | null = p.changes && {
      ...p.changes,
      scores: shown === 'all' ? p.changes.scores : p.changes.scores.filter((s) => s.country === shown),
    }
    return {
      id: p.id,
      campaign: campaignOf(campaign),
      number: p.number,
      publishedAt: p.published_at.toISOString(),
      note: p.note,
      minGroupSize: p.min_group_size,
      countries: all.map((c) => ({ country: c.country, region: c.region as (typeof REGIONS)[number] })),
      cells: p.cells,
      changes: change,
      scores: presentScores(own),
    }
  }

  r.post(
    '/campaigns/:id/publications',
    {
      schema: {
        operationId: 'publishCampaign',
        tags: ['publications'],
        summary: "Publish a campaign's figures, or a dated correction of them",
        description:
          'Reviewers and admins. The first publication needs a closed campaign and marks it published; every later one is a ' +
          'correction and needs a note saying what it changes. Takes every validated assessment of the campaign, or the chosen ' +
          'ones. The disclosure rules (README, "Publication") are applied now, against every earlier publication of the campaign.',
        security: [{ bearer: [] }],
        params: campaignParams,
        body: z.object({
          assessments: z
            .array(z.uuid({ message: 'must be an assessment id (a UUID)' }))
            .min(1)
            .max(1000)
            .optional()
            .describe('the validated assessments to publish; all of them when absent'),
          note: z.string().max(4000).optional().describe('what a correction changes and why (required for a correction)'),
        }),
        response: { 201: publicationBody, ...problems(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      const actor = requireRole(request, 'staff', 'admin')
      if (actor.role === 'staff' && !hasMembership(actor, 'reviewer')) throw forbidden('publishing is for reviewers and admins')
      const publication = await publish(app.db, actor, request.params.id, request.body, {
        k: options.minGroupSize,
        versionOf: (q, v) => app.questionnaires.get(q, v),
        address: request.ip,
      })
      const campaign = (await findCampaign(app.db, request.params.id))!
      reply.code(201).header('location', `/campaigns/${campaign.id}/publications/${publication.number}`)
      return present(campaign, publication, actor)
    },
  )

  r.get(
    '/campaigns/:id/publications',
    {
      schema: {
        operationId: 'listPublications',
        tags: ['publications'],
        summary: "A campaign's publication and its corrections, oldest first",
        description: 'Public. A campaign with nothing published is a 404 to everybody but staff.',
        security: [],
        params: campaignParams,
        response: { 200: z.object({ campaign: campaignSummary, items: z.array(summary) }), ...problems(400, 404) },
      },
    },
    async (request) => {
      const campaign = await findCampaign(app.db, request.params.id)
      const items = campaign ? await listPublications(app.db, campaign.id) : []
      const staff = request.principal && request.principal.role !== 'administration'
      if (!campaign || (items.length === 0 && !staff)) throw notFound(`campaign ${request.params.id}`)
      return {
        campaign: campaignOf(campaign),
        items: await Promise.all(
          items.map(async (p) => ({
            number: p.number,
            publishedAt: p.published_at.toISOString(),
            note: p.note,
            countries: (await publishedCountries(app.db, p.id)).length,
            withheld: p.cells.filter((c) => c.suppressed).length,
          })),
        ),
      }
    },
  )

  r.get(
    '/campaigns/:id/publications/:number',
    {
      schema: {
        operationId: 'getPublication',
        tags: ['publications'],
        summary: 'One publication: its aggregate figures (disclosure rules applied), what changed, and the scores the caller may see',
        description: "Public. Countries' own scores: staff see every country's, an administration its own, anybody else none.",
        security: [],
        params: publicationParams,
        response: { 200: publicationBody, ...problems(400, 404) },
      },
    },
    async (request) => {
      const campaign = await findCampaign(app.db, request.params.id)
      const publication = campaign && (await findPublication(app.db, campaign.id, request.params.number))
      if (!campaign || !publication) throw notFound(`publication ${request.params.number} of campaign ${request.params.id}`)
      return present(campaign, publication, request.principal)
    },
  )
}
