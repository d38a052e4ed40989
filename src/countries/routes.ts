import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { REGIONS } from '../db/schema.js'
import { notFound, problems } from '../errors.js'

const country = z
  .object({ code: z.string(), alpha2: z.string(), name: z.string(), region: z.enum(REGIONS) })
  .meta({ id: 'Country', description: 'An ITU Member State; region is its ITU-D region' })

export default async function countryRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>()

  r.get(
    '/countries',
    {
      schema: {
        operationId: 'listCountries',
        security: [],
        tags: ['countries'],
        summary: 'The 194 ITU Member States, optionally of one ITU-D region',
        querystring: z.object({ region: z.enum(REGIONS).optional() }),
        response: { 200: z.object({ items: z.array(country) }), ...problems(400) },
      },
    },
    async (request, reply) => {
      let q = app.db.selectFrom('countries').select(['code', 'alpha2', 'name', 'region']).orderBy('name')
      if (request.query.region) q = q.where('region', '=', request.query.region)
      reply.header('cache-control', 'public, max-age=3600')
      return { items: await q.execute() }
    },
  )

  r.get(
    '/countries/:code',
    {
      schema: {
        operationId: 'getCountry',
        security: [],
        tags: ['countries'],
        summary: 'One Member State by ISO 3166-1 alpha-3 or alpha-2 code (any case)',
        params: z.object({ code: z.string().max(10) }),
        response: { 200: country, ...problems(404) },
      },
    },
    async (request) => {
      const code = request.params.code.toUpperCase()
      const row = await app.db
        .selectFrom('countries')
        .select(['code', 'alpha2', 'name', 'region'])
        .where((eb) => (code.length === 2 ? eb('alpha2', '=', code) : eb('code', '=', code)))
        .executeTakeFirst()
      if (!row) throw notFound(`country ${request.params.code}`)
      return row
    },
  )
}
