// What-if scenarios (staff only): saved, named definitions (CRUD, audited) and their comparison with
// the stored baseline. Administrations get 403 on every route: they can neither run nor read one.
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { PUBLISHED_STATUSES, statusList } from '../assessments/filters.js'
import { REGIONS } from '../db/schema.js'
import { conflict, notFound, problems, unprocessable } from '../errors.js'
import { audit } from '../people/audit.js'
import { requireRole } from '../plugins/auth.js'
import type { LoadedVersion } from '../questionnaires/store.js'
import { comparisonSchema, scenarioComparison } from './comparison.js'
import { definitionProblems, scenarioDefinition } from './definition.js'
import { deleteScenario, findScenario, insertScenario, listScenarios, nameTaken, updateScenario, type ScenarioRow } from './repository.js'

const questionnaireId = z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,39}$/, 'must be a questionnaire id')
const id = z.object({ id: z.uuid({ message: 'must be a scenario id (a UUID)' }) })

export const scenarioSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    questionnaire: z.string(),
    version: z.number(),
    definition: scenarioDefinition,
    createdAt: z.string(),
    createdBy: z.string().nullable(),
    updatedAt: z.string(),
    updatedBy: z.string().nullable(),
  })
  .meta({ id: 'Scenario' })

const body = z.object({
  name: z.string().trim().min(1, 'must not be empty').max(200),
  description: z.string().max(4000).default(''),
  definition: scenarioDefinition,
})

function present(row: ScenarioRow) {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    questionnaire: row.questionnaire,
    version: row.version,
    definition: scenarioDefinition.parse(row.definition),
    createdAt: row.created_at.toISOString(),
    createdBy: row.created_by,
    updatedAt: row.updated_at.toISOString(),
    updatedBy: row.updated_by,
  }
}

export default async function scenarioRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>()
  const tags = ['scenarios']
  const security = [{ bearer: [] }]

  async function versionOf(questionnaire: string, version: number): Promise<LoadedVersion> {
    const loaded = await app.questionnaires.get(questionnaire, version)
    if (!loaded)
      throw unprocessable('the questionnaire version does not exist', [{ path: '/body/version', message: `${questionnaire} v${version} is not published` }])
    return loaded
  }

  async function checkDefinition(loaded: LoadedVersion, definition: z.infer<typeof scenarioDefinition>) {
    const found = definitionProblems(loaded.content, definition)
    if (found.length) throw unprocessable('the scenario does not fit its questionnaire version', found)
  }

  r.get(
    '/scenarios',
    {
      schema: {
        operationId: 'listScenarios',
        tags,
        summary: 'Saved what-if scenarios (staff)',
        security,
        querystring: z.object({ questionnaire: questionnaireId.optional() }),
        response: { 200: z.object({ scenarios: z.array(scenarioSchema) }), ...problems(400, 401, 403) },
      },
    },
    async (request) => {
      requireRole(request, 'staff')
      return { scenarios: (await listScenarios(app.db, request.query.questionnaire)).map(present) }
    },
  )

  r.post(
    '/scenarios',
    {
      schema: {
        operationId: 'createScenario',
        tags,
        summary: 'Save a what-if scenario for a questionnaire version (staff)',
        description: 'Force weights, and per question a weight, a force or exclusion. Names are unique per questionnaire version (case-insensitive).',
        security,
        body: body.extend({ questionnaire: questionnaireId, version: z.number().int().positive() }),
        response: { 201: scenarioSchema, ...problems(400, 401, 403, 409, 422) },
      },
    },
    async (request, reply) => {
      const actor = requireRole(request, 'staff')
      const input = request.body
      await checkDefinition(await versionOf(input.questionnaire, input.version), input.definition)
      const row = await app.db.transaction().execute(async (trx) => {
        if (await nameTaken(trx, input.questionnaire, input.version, input.name)) throw conflict(`a scenario named "${input.name}" exists for this version`)
        const created = await insertScenario(trx, input, actor.personId)
        await audit(trx, { action: 'scenario_created', actor, address: request.ip, details: { scenario: created.id, name: created.name } })
        return created
      })
      reply.code(201)
      return present(row)
    },
  )

  r.get(
    '/scenarios/:id',
    {
      schema: {
        operationId: 'getScenario',
        tags,
        summary: 'One saved scenario (staff)',
        security,
        params: id,
        response: { 200: scenarioSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => {
      requireRole(request, 'staff')
      const row = await findScenario(app.db, request.params.id)
      if (!row) throw notFound(`scenario ${request.params.id}`)
      return present(row)
    },
  )

  r.put(
    '/scenarios/:id',
    {
      schema: {
        operationId: 'updateScenario',
        tags,
        summary: "Change a scenario's name, description or definition (staff)",
        security,
        params: id,
        body,
        response: { 200: scenarioSchema, ...problems(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request) => {
      const actor = requireRole(request, 'staff')
      const input = request.body
      const row = await app.db.transaction().execute(async (trx) => {
        const current = await findScenario(trx, request.params.id, true)
        if (!current) throw notFound(`scenario ${request.params.id}`)
        await checkDefinition(await versionOf(current.questionnaire, current.version), input.definition)
        if (await nameTaken(trx, current.questionnaire, current.version, input.name, current.id)) {
          throw conflict(`a scenario named "${input.name}" exists for this version`)
        }
        const updated = await updateScenario(trx, current.id, input, actor.personId)
        await audit(trx, { action: 'scenario_changed', actor, address: request.ip, details: { scenario: current.id, name: input.name } })
        return updated
      })
      return present(row)
    },
  )

  r.delete(
    '/scenarios/:id',
    {
      schema: {
        operationId: 'deleteScenario',
        tags,
        summary: 'Delete a scenario (staff)',
        security,
        params: id,
        response: { 204: z.null(), ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const actor = requireRole(request, 'staff')
      await app.db.transaction().execute(async (trx) => {
        const current = await findScenario(trx, request.params.id, true)
        if (!current) throw notFound(`scenario ${request.params.id}`)
        await deleteScenario(trx, current.id)
        await audit(trx, { action: 'scenario_deleted', actor, address: request.ip, details: { scenario: current.id, name: current.name } })
      })
      return reply.code(204).send(null)
    },
  )

  r.get(
    '/scenarios/:id/comparison',
    {
      schema: {
        operationId: 'getScenarioComparison',
        tags,
        summary: 'A scenario beside the baseline: per domain, per region, tier counts, countries that change tier (staff)',
        description:
          'Recomputed in memory from the stored per-question raw scores; no stored figure changes. The baseline is the stored figures. ' +
          'Statuses default to submitted and validated; cycle to the latest with such assessments.',
        security,
        params: id,
        querystring: z.object({
          cycle: z.coerce.number().int().min(2000).max(2100).optional(),
          region: z.enum(REGIONS).optional(),
          status: statusList.optional().describe('comma-separated statuses; default submitted,validated'),
        }),
        response: { 200: comparisonSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => {
      requireRole(request, 'staff')
      const q = request.query
      return scenarioComparison(app, request.params.id, { cycle: q.cycle, region: q.region, statuses: q.status ?? [...PUBLISHED_STATUSES] })
    },
  )
}
