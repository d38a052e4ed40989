// Readiness: one assessment's stored figures beside its region's and the world's medians, a
// country's cycles for trends, and the aggregates across countries.
//
// Staff read live figures. Administrations read only publications (src/publications): GET
// /readiness and the medians beside their assessments come from the latest publication of the
// campaign, with the disclosure rules applied when it was made; before a publication there are
// none. Reading live figures twice would let them difference one country's submission out.
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { presentDomainProgress } from '../assessments/present.js'
import { domainProgress, findVisible, type AssessmentRow, type DomainProgressRow } from '../assessments/repository.js'
import { ASSESSMENT_STATUSES as STATUSES, CAMPAIGN_STATES, REGIONS, type Region } from '../db/schema.js'
import { PUBLISHED_STATUSES as PUBLISHED, statusList } from '../assessments/filters.js'
import { forbidden, notFound, problems } from '../errors.js'
import { pendingCredential, requireRole, type Principal } from '../plugins/auth.js'
import type { LoadedVersion } from '../questionnaires/store.js'
import { evidenceBackedByDomain } from '../evidence/repository.js'
import { cellStats, publishedAggregates, publishedMedians } from '../publications/readiness.js'
import { comparisonSchema, scenarioComparison } from '../scenarios/comparison.js'
import { AggregateCache } from './cache.js'
import { countryCycles, currentCampaign, currentCampaignConfirming, latestCycle, medians, type AggregateRow, type MedianRow } from './repository.js'

export const MIN_GROUP_SIZE = 3
/** Readiness is for administrations and staff; admin tokens manage tokens only (403). */
const READINESS_ROLES = ['administration', 'staff'] as const
const OVERALL = 'overall'

const questionnaireId = z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,39}$/, 'must be a questionnaire id')

const stats = z.object({
  count: z.number().describe('assessments in the group'),
  scored: z.number().nullable().describe('assessments with a score (the statistics cover these)'),
  mean: z.number().nullable(),
  median: z.number().nullable(),
  min: z.number().nullable(),
  max: z.number().nullable(),
  q1: z.number().nullable(),
  q3: z.number().nullable(),
  tiers: z.record(z.string(), z.number()),
  suppressed: z.boolean().describe("administrations: true when the publication's disclosure rules withheld the group's figures; staff: false"),
})
const figures = z.object({
  score: z.number().nullable(),
  coverage: z.number(),
  tier: z.string().nullable(),
  applicable: z.number(),
  answered: z.number(),
})
const domainFigures = figures.extend({
  domain: z.string(),
  title: z.string(),
  notApplicable: z.number(),
  unknown: z.number(),
  missing: z.number(),
})
const comparison = z.object({
  regionMedian: z.number().nullable(),
  regionCount: z.number(),
  worldMedian: z.number().nullable(),
  worldCount: z.number(),
})

type Stats = z.infer<typeof stats>
type Comparison = z.infer<typeof comparison>

/** Live figures of a group, for staff. */
function present(row: AggregateRow | undefined, tiers: readonly string[]): Stats {
  const count = row?.count ?? 0
  const empty = Object.fromEntries([...tiers, 'none'].map((t) => [t, 0]))
  return {
    count,
    scored: row?.scored ?? 0,
    mean: row?.mean ?? null,
    median: row?.median ?? null,
    min: row?.min ?? null,
    max: row?.max ?? null,
    q1: row?.q1 ?? null,
    q3: row?.q3 ?? null,
    tiers: row?.tiers ?? empty,
    suppressed: false,
  }
}

function compare(row: MedianRow | undefined, hide: boolean): Comparison {
  const regionCount = row?.regionCount ?? 0
  const worldCount = row?.worldCount ?? 0
  return {
    regionMedian: hide && regionCount < MIN_GROUP_SIZE ? null : (row?.regionMedian ?? null),
    regionCount,
    worldMedian: hide && worldCount < MIN_GROUP_SIZE ? null : (row?.worldMedian ?? null),
    worldCount,
  }
}

const hides = (p: Principal) => p.role === 'administration'

/** One assessment's stored figures, each beside the region's and the world's median. */
const cycleReadiness = z.object({
  id: z.string(),
  version: z.number(),
  cycle: z.number(),
  status: z.enum(STATUSES),
  overall: figures.extend(comparison.shape),
  domains: z.array(domainFigures.extend(comparison.shape)),
})

function presentCycle(
  a: Pick<AssessmentRow, 'id' | 'version' | 'cycle' | 'status' | 'overall_score' | 'coverage' | 'tier' | 'applicable' | 'answered'>,
  domains: readonly DomainProgressRow[],
  medianOf: (domain: string) => MedianRow | undefined,
  hide: boolean,
) {
  return {
    id: a.id,
    version: a.version,
    cycle: a.cycle,
    status: a.status,
    overall: {
      score: a.overall_score,
      coverage: a.coverage,
      tier: a.tier,
      applicable: a.applicable,
      answered: a.answered,
      ...compare(medianOf(OVERALL), hide),
    },
    domains: domains.map((d) => ({ ...presentDomainProgress(d), ...compare(medianOf(d.domain), hide) })),
  }
}

export default async function readinessRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>()
  const aggregateCache = new AggregateCache()

  async function versionOf(questionnaire: string, version: number): Promise<LoadedVersion> {
    const loaded = await app.questionnaires.get(questionnaire, version)
    if (!loaded) throw notFound(`questionnaire ${questionnaire} v${version}`)
    return loaded
  }
  const domainTitles = (v: LoadedVersion) => new Map(v.content.domains.map((d) => [d.id, d.title.en] as const))

  r.get(
    '/assessments/:id/readiness',
    {
      schema: {
        operationId: 'getAssessmentReadiness',
        tags: ['readiness'],
        summary: "One assessment's stored readiness, overall and per domain, beside its region's and the world's medians",
        description:
          'Medians are over submitted and validated assessments of the same questionnaire, version and cycle. ' +
          "Administrations see the medians of the campaign's latest publication (none before it), where the disclosure rules withheld " +
          'what would isolate fewer than k countries (null, with the group size as count).',
        security: [{ bearer: [] }],
        params: z.object({ id: z.uuid({ message: 'must be an assessment id (a UUID)' }) }),
        response: {
          200: cycleReadiness.extend({
            country: z.string(),
            region: z.string(),
            questionnaire: z.string(),
            domains: z.array(
              domainFigures
                .extend(comparison.shape)
                .extend({ evidenceBacked: z.number().describe('Answers backed by at least one piece of accepted evidence') }),
            ),
          }),
          ...problems(400, 401, 403, 404),
        },
      },
    },
    async (request) => {
      const actor = requireRole(request, ...READINESS_ROLES)
      const a = await findVisible(app.db, actor, request.params.id)
      if (!a) throw notFound(`assessment ${request.params.id}`)
      const country = await app.db.selectFrom('countries').select(['region']).where('code', '=', a.country).executeTakeFirstOrThrow()
      const [domains, meds, backed] = await Promise.all([
        domainProgress(app.db, a.id),
        (hides(actor) ? publishedMedians : medians)(app.db, a.questionnaire, country.region, [{ version: a.version, cycle: a.cycle }]),
        evidenceBackedByDomain(app.db, a.id),
      ])
      const byDomain = new Map(meds.map((m) => [m.domain ?? OVERALL, m]))
      const hide = hides(actor)
      const cycle = presentCycle(a, domains, (domain) => byDomain.get(domain), hide)
      return {
        ...cycle,
        domains: cycle.domains.map((d) => ({ ...d, evidenceBacked: backed.get(d.domain) ?? 0 })),
        country: a.country,
        region: country.region,
        questionnaire: a.questionnaire,
      }
    },
  )

  r.get(
    '/countries/:code/readiness',
    {
      schema: {
        operationId: 'getCountryReadiness',
        tags: ['readiness'],
        summary: "A country's assessments of a questionnaire, every cycle, with domain scores beside region and world medians",
        description: 'Administrations see only their own country (another gives 404); staff any.',
        security: [{ bearer: [] }],
        params: z.object({ code: z.string().regex(/^[A-Za-z]{3}$/, 'must be an ISO 3166-1 alpha-3 code') }),
        querystring: z.object({ questionnaire: questionnaireId }),
        response: {
          200: z.object({
            country: z.string(),
            name: z.string(),
            region: z.string(),
            questionnaire: z.string(),
            cycles: z.array(cycleReadiness),
          }),
          ...problems(400, 401, 403, 404),
        },
      },
    },
    async (request) => {
      const actor = requireRole(request, ...READINESS_ROLES)
      const code = request.params.code.toUpperCase()
      if (actor.role === 'administration' && actor.country !== code) throw notFound(`country ${code}`)
      const country = await app.db.selectFrom('countries').select(['code', 'name', 'region']).where('code', '=', code).executeTakeFirst()
      if (!country) throw notFound(`country ${code}`)
      const { questionnaire } = request.query
      const { assessments, domains } = await countryCycles(app.db, code, questionnaire)
      const keys = [...new Map(assessments.map((a) => [`${a.version}/${a.cycle}`, { version: a.version, cycle: a.cycle }])).values()]
      const meds = await (hides(actor) ? publishedMedians : medians)(app.db, questionnaire, country.region, keys)
      const med = new Map(meds.map((m) => [`${m.version}/${m.cycle}/${m.domain ?? OVERALL}`, m]))
      const hide = hides(actor)
      return {
        country: country.code,
        name: country.name,
        region: country.region,
        questionnaire,
        cycles: assessments.map((a) =>
          presentCycle(
            a,
            domains.filter((d) => d.assessment_id === a.id),
            (domain) => med.get(`${a.version}/${a.cycle}/${domain}`),
            hide,
          ),
        ),
      }
    },
  )

  r.get(
    '/readiness',
    {
      config: { credentialInStatement: true },
      schema: {
        operationId: 'getReadinessAggregates',
        tags: ['readiness'],
        summary: 'Published readiness across countries: per domain and overall, count, mean, median, min, max, quartiles, tier counts',
        description:
          'Median and quartiles by linear interpolation (PostgreSQL percentile_cont). Statuses default to submitted and validated; ' +
          'other statuses (draft, returned) are for staff only. version defaults to the latest, cycle to the latest with published ' +
          'assessments. groupBy=region gives the same per ITU-D region. Staff read live figures. Administrations read the latest ' +
          'publication of the campaign (`publication`; nothing before one): validated assessments only, never min or max, and ' +
          'withheld groups (suppressed) per the disclosure rules.',
        security: [{ bearer: [] }],
        querystring: z.object({
          questionnaire: questionnaireId,
          version: z.coerce.number().int().positive().optional(),
          cycle: z.coerce.number().int().min(2000).max(2100).optional(),
          region: z.enum(REGIONS).optional(),
          status: statusList.optional().describe('comma-separated statuses; default submitted,validated'),
          groupBy: z.enum(['region']).optional(),
          scenario: z.uuid({ message: 'must be a scenario id (a UUID)' }).optional().describe('staff: a saved what-if scenario, shown beside these figures'),
        }),
        response: {
          200: z.object({
            questionnaire: z.string(),
            version: z.number(),
            cycle: z.number().nullable(),
            statuses: z.array(z.enum(STATUSES)),
            groupBy: z.enum(['region']).nullable(),
            minGroupSize: z.number(),
            tiers: z.array(z.string()),
            groups: z.array(
              z.object({
                region: z.string().nullable().describe('null: every region matching the filter'),
                overall: stats,
                domains: z.array(stats.extend({ domain: z.string(), title: z.string() })),
              }),
            ),
            publication: z
              .object({ campaign: z.string(), number: z.number(), publishedAt: z.string() })
              .nullable()
              .describe('administrations: the publication the figures come from (null: nothing published yet); staff: null, live figures'),
            campaign: z
              .object({ id: z.string(), title: z.string(), version: z.number(), cycle: z.number(), state: z.enum(CAMPAIGN_STATES) })
              .nullable()
              .optional()
              .describe("staff: the questionnaire's current campaign, whose version and cycle are the defaults"),
            scenario: comparisonSchema.optional().describe('with ?scenario=: the scenario beside the baseline'),
          }),
          ...problems(400, 401, 403, 404),
        },
      },
    },
    async (request) => {
      // A token remembered by this process (auth/statement-credential.ts) is confirmed by the
      // campaign's statement; anything else, a refusal included, is decided with a confirmed one.
      let pending = pendingCredential(request)
      const confirm = async () => {
        await pending!.confirm()
        pending = undefined
      }
      const refusal = () => {
        const actor = requireRole(request, ...READINESS_ROLES)
        if (actor.role === 'administration' && (request.query.status ?? PUBLISHED).some((s) => !PUBLISHED.includes(s))) {
          throw forbidden('administrations may read published figures only (submitted, validated)')
        }
        if (request.query.scenario) requireRole(request, 'staff')
        return actor
      }
      let actor: Principal
      try {
        actor = refusal()
      } catch (error) {
        if (!pending) throw error
        await confirm()
        actor = refusal()
      }
      if (pending && hides(actor)) {
        await confirm()
        actor = refusal()
      }
      const q = request.query
      const statuses = q.status ?? [...PUBLISHED]
      if (hides(actor)) return publishedReadiness(q)
      // Without a version or cycle: the current campaign's, then the latest.
      const first = await currentCampaignConfirming(app.db, app.pg.pool, q.questionnaire, pending?.credential ?? null, {
        version: q.version,
        cycle: q.cycle,
        region: q.region,
        statuses,
      })
      let campaign = first.campaign
      const known = first.holds ? first.group : undefined
      if (!first.holds) {
        await confirm()
        actor = refusal()
        if (hides(actor)) return publishedReadiness(q)
        campaign = await currentCampaign(app.db, q.questionnaire)
      }
      const version = q.version ?? campaign?.version ?? (first.holds ? (first.version ?? undefined) : await app.questionnaires.latestVersion(q.questionnaire))
      if (version === undefined) throw notFound(`questionnaire ${q.questionnaire}`)
      const loaded = await versionOf(q.questionnaire, version)
      const cycle = q.cycle ?? (campaign?.version === version ? campaign.cycle : await latestCycle(app.db, q.questionnaire, version, statuses))
      const tiers = loaded.content.scoring.tiers.map((t) => t.id)
      const titles = domainTitles(loaded)
      const rows =
        cycle === undefined
          ? []
          : await aggregateCache.get(
              app.db,
              { questionnaire: q.questionnaire, version, cycle, region: q.region, statuses },
              tiers,
              q.groupBy === 'region',
              known?.version === version && known.cycle === cycle ? known.fingerprint : undefined,
            )
      const groupKeys = q.groupBy === 'region' ? [...new Set(rows.map((r) => r.region))].sort((a, b) => String(a).localeCompare(String(b))) : [null]
      const groups = groupKeys.map((region) => {
        const inGroup = new Map(rows.filter((r) => r.region === region).map((r) => [r.domain ?? OVERALL, r]))
        return {
          region: q.groupBy === 'region' ? region : (q.region ?? null),
          overall: present(inGroup.get(OVERALL), tiers),
          domains: [...titles].map(([domain, title]) => ({ domain, title, ...present(inGroup.get(domain), tiers) })),
        }
      })
      return {
        questionnaire: q.questionnaire,
        version,
        cycle: cycle ?? null,
        statuses,
        groupBy: q.groupBy ?? null,
        minGroupSize: MIN_GROUP_SIZE,
        tiers,
        groups,
        publication: null,
        campaign: campaign ? { id: campaign.id, title: campaign.title, version: campaign.version, cycle: campaign.cycle, state: campaign.state } : null,
        ...(q.scenario && {
          scenario: await scenarioComparison(app, q.scenario, { cycle, region: q.region, statuses }, { questionnaire: q.questionnaire, version }),
        }),
      }
    },
  )

  /** GET /readiness for administrations: the latest publication's figures, or none. */
  async function publishedReadiness(q: {
    questionnaire: string
    version?: number | undefined
    cycle?: number | undefined
    region?: Region | undefined
    groupBy?: 'region' | undefined
  }) {
    const found = await publishedAggregates(app.db, q)
    const version = found?.campaign.version ?? q.version ?? (await app.questionnaires.latestVersion(q.questionnaire))
    if (version === undefined) throw notFound(`questionnaire ${q.questionnaire}`)
    const loaded = await versionOf(q.questionnaire, version)
    const tiers = loaded.content.scoring.tiers.map((t) => t.id)
    return {
      questionnaire: q.questionnaire,
      version,
      cycle: found?.campaign.cycle ?? null,
      statuses: ['validated' as const],
      groupBy: q.groupBy ?? null,
      minGroupSize: found?.publication.min_group_size ?? MIN_GROUP_SIZE,
      tiers,
      groups: (found?.groups ?? []).map((g) => ({
        region: g.region,
        overall: cellStats(g.cells.get(OVERALL)),
        domains: [...domainTitles(loaded)].map(([domain, title]) => ({ domain, title, ...cellStats(g.cells.get(domain)) })),
      })),
      publication: found ? { campaign: found.campaign.id, number: found.publication.number, publishedAt: found.publication.published_at.toISOString() } : null,
    }
  }
}
