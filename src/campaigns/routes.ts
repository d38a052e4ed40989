// Campaign API: staff create, change (while draft), open, close and remind; staff and admins read
// campaigns and their status board. Administrations get 403 on every route here.
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { CAMPAIGN_STATES, REGIONS } from '../db/schema.js'
import { notFound, problems } from '../errors.js'
import { requireRole } from '../plugins/auth.js'
import { BOARD_SORTS, boardCounts, boardCsv, filterAndSort, toBoardRow, type BoardStatus } from './board.js'
import type { Invitees } from './invited.js'
import { boardRows, findCampaign, invitedCountries, listCampaigns, type CampaignRow } from './repository.js'
import { closeCampaign, createCampaign, openCampaign, remind, updateCampaign, type CampaignChange } from './service.js'

const READERS = ['staff', 'admin'] as const

const countryCode = z.string().regex(/^[A-Za-z]{3}$/, 'must be an ISO 3166-1 alpha-3 code')
const countriesField = z
  .union([z.literal('all'), z.array(countryCode).min(1).max(194), z.strictObject({ region: z.enum(REGIONS) })])
  .describe('"all" (every Member State, the default), a list of country codes, or {"region": …}')
const dateTime = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date and time, e.g. 2027-03-31T23:59:59Z' })
const reminderDays = z
  .array(z.number().int().min(1).max(365))
  .max(10)
  .describe('Reminders go this many days before the deadline (one more goes the day after it)')

const campaignSchema = z
  .object({
    id: z.string(),
    questionnaire: z.string(),
    version: z.number(),
    cycle: z.number(),
    title: z.string(),
    opensAt: z.string(),
    deadline: z.string(),
    state: z.enum(CAMPAIGN_STATES),
    allowLate: z.boolean(),
    reminderDays: z.array(z.number()),
    createdAt: z.string(),
    openedAt: z.string().nullable(),
    closedAt: z.string().nullable(),
  })
  .meta({ id: 'Campaign' })
const campaignDetail = campaignSchema.extend({ countries: z.array(z.string()) }).meta({ id: 'CampaignDetail' })

const statusValues = ['not_started', 'draft', 'submitted', 'returned', 'validated'] as const
const boardRowSchema = z.object({
  country: z.string(),
  countryName: z.string(),
  region: z.string(),
  assessmentId: z.string().nullable(),
  status: z.enum(statusValues),
  started: z.boolean(),
  progress: z.number().describe('Answered / applicable questions, 0–1'),
  answered: z.number(),
  applicable: z.number(),
  late: z.boolean(),
  overdue: z.boolean(),
  returnedWaiting: z.boolean(),
  validated: z.boolean(),
  lastActivity: z.string().nullable(),
  lastRemindedAt: z.string().nullable(),
  focalPoints: z.array(
    z.object({ name: z.string(), email: z.string().nullable(), status: z.string(), signedIn: z.boolean(), lastSignInAt: z.string().nullable() }),
  ),
  domains: z.array(z.object({ domain: z.string(), title: z.string(), answered: z.number(), applicable: z.number(), coverage: z.number() })),
})
const countsSchema = z.object({
  invited: z.number(),
  started: z.number(),
  submitted: z.number(),
  returned: z.number(),
  validated: z.number(),
  overdue: z.number(),
  late: z.number(),
})

const bool = z.enum(['true', 'false']).transform((v) => v === 'true')
const boardQuery = z.object({
  status: z
    .string()
    .max(100)
    .optional()
    .transform((v, ctx) => {
      const list = v ? v.split(',').filter(Boolean) : []
      const bad = list.find((s) => !(statusValues as readonly string[]).includes(s))
      if (bad) ctx.addIssue({ code: 'custom', message: `${bad} is not one of ${statusValues.join(', ')}` })
      return list as BoardStatus[]
    })
    .describe(`Comma-separated: ${statusValues.join(', ')}`),
  region: z.enum(REGIONS).optional(),
  overdue: bool.optional(),
  late: bool.optional(),
  q: z.string().max(100).optional(),
  sort: z.enum(BOARD_SORTS).default('country'),
  order: z.enum(['asc', 'desc']).default('asc'),
})

const idParams = z.object({ id: z.uuid({ message: 'must be a campaign id (a UUID)' }) })

function present(c: CampaignRow) {
  return {
    id: c.id,
    questionnaire: c.questionnaire,
    version: c.version,
    cycle: c.cycle,
    title: c.title,
    opensAt: c.opens_at.toISOString(),
    deadline: c.deadline.toISOString(),
    state: c.state,
    allowLate: c.allow_late,
    reminderDays: c.reminder_days,
    createdAt: c.created_at.toISOString(),
    openedAt: c.opened_at?.toISOString() ?? null,
    closedAt: c.closed_at?.toISOString() ?? null,
  }
}

function invitees(field: z.infer<typeof countriesField>): Invitees {
  return field === 'all' ? { all: true } : Array.isArray(field) ? { countries: field } : { region: field.region }
}

export default async function campaignRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>()
  const ctx = { db: app.db, questionnaires: app.questionnaires, clock: app.clock }

  async function loadCampaign(id: string): Promise<CampaignRow> {
    const campaign = await findCampaign(app.db, id)
    if (!campaign) throw notFound(`campaign ${id}`)
    return campaign
  }

  r.post(
    '/campaigns',
    {
      schema: {
        operationId: 'createCampaign',
        tags: ['campaigns'],
        summary: 'Create a campaign (a draft): a questionnaire version and cycle, opening date, deadline and the countries invited',
        security: [{ bearer: [] }],
        body: z.strictObject({
          questionnaire: z.string().min(1).max(40),
          version: z.number().int().positive(),
          cycle: z.number().int().min(2000).max(2100),
          title: z.string().trim().min(1).max(200),
          opensAt: dateTime,
          deadline: dateTime,
          countries: countriesField.default('all'),
          allowLate: z.boolean().default(true).describe('Whether a submission after the deadline is accepted (and marked late) or refused'),
          reminderDays: reminderDays.default([14, 3]),
        }),
        response: { 201: campaignDetail, ...problems(400, 401, 403, 409, 422) },
      },
    },
    async (request, reply) => {
      const actor = requireRole(request, ...READERS)
      const b = request.body
      const { campaign, countries } = await createCampaign(ctx, actor, {
        ...b,
        opensAt: new Date(b.opensAt),
        deadline: new Date(b.deadline),
        countries: invitees(b.countries),
      })
      reply.code(201).header('location', `/campaigns/${campaign.id}`)
      return { ...present(campaign), countries }
    },
  )

  r.get(
    '/campaigns',
    {
      schema: {
        operationId: 'listCampaigns',
        tags: ['campaigns'],
        summary: 'Every campaign, newest cycle first, with how many countries are invited, have submitted and are validated',
        security: [{ bearer: [] }],
        response: {
          200: z.object({ items: z.array(campaignSchema.extend({ invited: z.number(), submitted: z.number(), validated: z.number() })) }),
          ...problems(401, 403),
        },
      },
    },
    async (request) => {
      requireRole(request, ...READERS)
      const rows = await listCampaigns(app.db)
      return { items: rows.map((c) => ({ ...present(c), invited: c.invited, submitted: c.submitted, validated: c.validated })) }
    },
  )

  r.get(
    '/campaigns/:id',
    {
      schema: {
        operationId: 'getCampaign',
        tags: ['campaigns'],
        summary: 'A campaign with the countries it invites',
        security: [{ bearer: [] }],
        params: idParams,
        response: { 200: campaignDetail, ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => {
      requireRole(request, ...READERS)
      const campaign = await loadCampaign(request.params.id)
      return { ...present(campaign), countries: await invitedCountries(app.db, campaign.id) }
    },
  )

  r.patch(
    '/campaigns/:id',
    {
      schema: {
        operationId: 'updateCampaign',
        tags: ['campaigns'],
        summary: 'Change a campaign while it is a draft',
        security: [{ bearer: [] }],
        params: idParams,
        body: z.strictObject({
          version: z.number().int().positive().optional(),
          title: z.string().trim().min(1).max(200).optional(),
          opensAt: dateTime.optional(),
          deadline: dateTime.optional(),
          countries: countriesField.optional(),
          allowLate: z.boolean().optional(),
          reminderDays: reminderDays.optional(),
        }),
        response: { 200: campaignDetail, ...problems(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request) => {
      const actor = requireRole(request, ...READERS)
      const b = request.body
      const change: CampaignChange = {
        ...(b.version !== undefined ? { version: b.version } : {}),
        ...(b.title !== undefined ? { title: b.title } : {}),
        ...(b.opensAt ? { opensAt: new Date(b.opensAt) } : {}),
        ...(b.deadline ? { deadline: new Date(b.deadline) } : {}),
        ...(b.countries ? { countries: invitees(b.countries) } : {}),
        ...(b.allowLate !== undefined ? { allowLate: b.allowLate } : {}),
        ...(b.reminderDays ? { reminderDays: b.reminderDays } : {}),
      }
      const { campaign, countries } = await updateCampaign(ctx, actor, request.params.id, change)
      return { ...present(campaign), countries }
    },
  )

  r.post(
    '/campaigns/:id/open',
    {
      schema: {
        operationId: 'openCampaign',
        tags: ['campaigns'],
        summary: "Open a campaign: a draft assessment per invited country, invitations to each country's focal points, reminders scheduled",
        security: [{ bearer: [] }],
        params: idParams,
        response: {
          200: z.object({
            campaign: campaignSchema,
            drafts: z.number().describe('Draft assessments created'),
            invitations: z.number().describe('Invitation mails queued (sent at the opening date)'),
            reminders: z.array(z.object({ days: z.number().describe('-1: the day after the deadline'), at: z.string() })),
          }),
          ...problems(400, 401, 403, 404, 409, 422),
        },
      },
    },
    async (request) => {
      const actor = requireRole(request, ...READERS)
      const result = await openCampaign(ctx, actor, request.params.id)
      return { ...result, campaign: present(result.campaign), reminders: result.reminders.map((m) => ({ days: m.days, at: m.at.toISOString() })) }
    },
  )

  r.post(
    '/campaigns/:id/close',
    {
      schema: {
        operationId: 'closeCampaign',
        tags: ['campaigns'],
        summary: 'Close an open campaign: no more submissions or reminders',
        security: [{ bearer: [] }],
        params: idParams,
        response: { 200: campaignSchema, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const actor = requireRole(request, ...READERS)
      return present(await closeCampaign(ctx, actor, request.params.id))
    },
  )

  r.post(
    '/campaigns/:id/reminders',
    {
      schema: {
        operationId: 'remindCampaignCountries',
        tags: ['campaigns'],
        summary: 'Remind the focal points of some countries now (default: every invited country not submitted yet)',
        security: [{ bearer: [] }],
        params: idParams,
        body: z.strictObject({ countries: z.array(countryCode).min(1).max(194).optional() }),
        response: {
          202: z.object({ countries: z.array(z.string()), recipients: z.number(), withoutFocalPoint: z.array(z.string()) }),
          ...problems(400, 401, 403, 404, 409, 422),
        },
      },
    },
    async (request, reply) => {
      const actor = requireRole(request, ...READERS)
      const result = await remind(ctx, actor, request.params.id, request.body.countries)
      reply.code(202)
      return result
    },
  )

  async function board(id: string, query: z.infer<typeof boardQuery>) {
    const campaign = await loadCampaign(id)
    const now = app.clock.now()
    const all = (await boardRows(app.db, campaign)).map((row) => toBoardRow(row, campaign.deadline, now))
    return { campaign, counts: boardCounts(all), rows: filterAndSort(all, query) }
  }

  r.get(
    '/campaigns/:id/board',
    {
      schema: {
        operationId: 'getCampaignBoard',
        tags: ['campaigns'],
        summary: 'The status board: one row per invited country, with counts over all of them at the top',
        security: [{ bearer: [] }],
        params: idParams,
        querystring: boardQuery,
        response: { 200: z.object({ campaign: campaignSchema, counts: countsSchema, rows: z.array(boardRowSchema) }), ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => {
      requireRole(request, ...READERS)
      const result = await board(request.params.id, request.query)
      return { ...result, campaign: present(result.campaign) }
    },
  )

  r.get(
    '/campaigns/:id/board.csv',
    {
      schema: {
        operationId: 'getCampaignBoardCsv',
        tags: ['campaigns'],
        summary: 'The status board as CSV, with the same filters and sorting',
        security: [{ bearer: [] }],
        params: idParams,
        querystring: boardQuery,
        produces: ['text/csv'],
        response: { 200: z.string().describe('CSV (RFC 4180), UTF-8'), ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      requireRole(request, ...READERS)
      const { campaign, rows } = await board(request.params.id, request.query)
      reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="board-${campaign.questionnaire}-${campaign.cycle}.csv"`)
        .header('cache-control', 'no-store')
      return boardCsv(rows)
    },
  )
}
