import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { sql } from 'kysely'
import { z } from 'zod'
import { problems } from '../errors.js'
import { sendProblem } from '../plugins/errors.js'

const status = z.object({ status: z.literal('ok') })

export default async function healthRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>()
  r.get(
    '/healthz',
    { schema: { operationId: 'checkAlive', security: [], tags: ['health'], summary: 'The process is alive', response: { 200: status } } },
    async () => ({ status: 'ok' as const }),
  )
  r.get(
    '/readyz',
    {
      schema: {
        operationId: 'checkReady',
        security: [],
        tags: ['health'],
        summary: 'The database answers',
        response: { 200: status, ...problems(503) },
      },
    },
    async (request, reply) => {
      try {
        await sql`select 1`.execute(app.db)
        return { status: 'ok' as const }
      } catch (err) {
        request.log.warn({ err }, 'readiness check failed')
        return sendProblem(reply, 503, 'database_unavailable', 'the database does not answer')
      }
    },
  )
}
