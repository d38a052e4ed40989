// CSV exports (staff only), streamed from PostgreSQL with COPY, and the CSV import of answers.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { PoolClient } from 'pg'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { presentAssessment } from '../assessments/present.js'
import { findVisible } from '../assessments/repository.js'
import { writeAnswers } from '../assessments/service.js'
import { AppError, forbidden, notFound, problems } from '../errors.js'
import { hasMembership } from '../people/principal.js'
import { requireRole, type Principal } from '../plugins/auth.js'
import { scenarioCsv } from '../scenarios/csv.js'
import { releaseSlots, takeSlot } from './capacity.js'
import { MAX_IMPORT_BYTES, parseImport } from './import.js'
import { answersExport, copyOut, exportFilters, readinessExport, type BuiltExport } from './stream.js'

export interface ExportLimits {
  exportsPerPerson: number
  exportStallSeconds: number
}

const exportQuery = exportFilters.extend({
  bom: z.enum(['0', '1', 'true', 'false']).optional().describe('1: prepend a UTF-8 byte order mark (for spreadsheet programs)'),
})

export default async function exportRoutes(app: FastifyInstance, config: ExportLimits): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>()

  // text/csv bodies arrive as a string, within their own size limit (this plugin only).
  app.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: MAX_IMPORT_BYTES }, (_request, body, done) => done(null, body))

  /**
   * Sends an export: headers only for HEAD (the query is not run); otherwise the COPY stream on a
   * connection of the export pool, within the principal's concurrent-export limit, ended when its
   * client stops reading for exportStallSeconds.
   */
  async function send(request: FastifyRequest, reply: FastifyReply, who: Principal, built: BuiltExport, bom: boolean) {
    if (!hasMembership(who, 'analyst')) throw forbidden('exports are for analysts')
    reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${built.filename}"`)
      .header('cache-control', 'no-store')
    if (request.method === 'HEAD') return reply.send()

    let client: PoolClient
    try {
      client = await app.exportPool.connect()
    } catch (err) {
      request.log.warn({ err }, 'no export connection free')
      reply.header('retry-after', '10')
      throw new AppError(503, 'exports_busy', 'all export connections are in use; try again shortly')
    }
    try {
      await takeSlot(client, who.personId, config.exportsPerPerson)
    } catch (error) {
      client.release()
      if (error instanceof AppError && error.status === 429) reply.header('retry-after', '10')
      throw error
    }
    const stream = copyOut(client, built.select, {
      bom,
      release: (err) => {
        clearInterval(watch)
        if (err) {
          request.log.warn({ err }, 'export stream ended early')
          client.release(err) // the connection may be mid-COPY: the pool discards it, and its slot with it
        } else {
          releaseSlots(client).then(
            () => client.release(),
            (e: Error) => client.release(e),
          )
        }
      },
    })
    // A client that reads nothing for the stall time (its socket's buffer full all along) loses the export.
    const stallMs = config.exportStallSeconds * 1000
    let progress = Date.now()
    const res = reply.raw
    res.on('drain', () => (progress = Date.now()))
    const watch = setInterval(
      () => {
        if (!res.writableNeedDrain) progress = Date.now()
        else if (Date.now() - progress > stallMs) stream.destroy(new Error(`the client read nothing for ${config.exportStallSeconds} s`))
      },
      Math.min(1000, stallMs / 4),
    )
    watch.unref()
    return reply.send(stream)
  }

  const csv = z.string().describe('CSV (RFC 4180), UTF-8')
  r.get(
    '/exports/readiness.csv',
    {
      schema: {
        operationId: 'exportReadinessCsv',
        tags: ['exports'],
        summary: 'Readiness per assessment as CSV: one score column per domain (questionnaire required)',
        description:
          'Columns: country code, country name, region, questionnaire, version, cycle, status, <domain ids in questionnaire order>, overall, coverage, tier. ' +
          'Version defaults to the latest; statuses to submitted,validated. Staff only.',
        security: [{ bearer: [] }],
        querystring: exportQuery.extend({
          scenario: z
            .uuid({ message: 'must be a scenario id (a UUID)' })
            .optional()
            .describe('a saved what-if scenario: each figure twice, baseline then scenario'),
        }),
        response: { 200: csv, ...problems(400, 401, 403, 404, 429, 503) },
      },
    },
    async (request, reply) => {
      const who = requireRole(request, 'staff')
      const { bom, scenario, ...filters } = request.query
      if (scenario) {
        const built = await scenarioCsv(app, scenario, filters, bom === '1' || bom === 'true')
        return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${built.name}"`).send(built.body)
      }
      return send(request, reply, who, await readinessExport(app.db, filters), bom === '1' || bom === 'true')
    },
  )

  r.get(
    '/exports/answers.csv',
    {
      schema: {
        operationId: 'exportAnswersCsv',
        tags: ['exports'],
        summary: 'Every answer as CSV, one row per answer (long format; the format the CSV import reads)',
        description:
          'Columns: country code, country name, region, questionnaire, version, cycle, status, question id, domain, source reference, force, ' +
          'value, score, comment, evidence URLs, carried forward, last changed at, last changed by role. Statuses default to submitted,validated. Staff only.',
        security: [{ bearer: [] }],
        querystring: exportQuery,
        response: { 200: csv, ...problems(400, 401, 403, 404, 429, 503) },
      },
    },
    async (request, reply) => {
      const who = requireRole(request, 'staff')
      const { bom, ...filters } = request.query
      return send(request, reply, who, await answersExport(app.db, filters), bom === '1' || bom === 'true')
    },
  )

  r.post(
    '/assessments/:id/import',
    {
      schema: {
        operationId: 'importAnswersCsv',
        tags: ['answers'],
        summary: 'Import answers from CSV (the answers.csv columns) into a draft: all or nothing, overwriting',
        description:
          'Needs the columns "question id" and "value"; "comment" and "evidence URLs" are read when present, others ignored. ' +
          'Every row is written at once with If-Match: * semantics (an import deliberately overwrites); every bad row is reported ' +
          'with its line number (/line/N) in one 422, and nothing changes. Administration of the country only; draft only.',
        security: [{ bearer: [] }],
        params: z.object({ id: z.uuid({ message: 'must be an assessment id (a UUID)' }) }),
        body: csv,
        response: {
          200: z.object({ imported: z.number(), assessment: z.object({}).loose() }),
          ...problems(400, 401, 403, 404, 409, 413, 415, 422),
        },
      },
    },
    async (request) => {
      const actor = requireRole(request, 'administration')
      const assessment = await findVisible(app.db, actor, request.params.id)
      if (!assessment) throw notFound(`assessment ${request.params.id}`)
      const version = await app.questionnaires.get(assessment.questionnaire, assessment.version)
      if (!version) throw notFound(`questionnaire ${assessment.questionnaire} v${assessment.version}`)
      const writes = await parseImport(request.body, version.questions)
      const result = await writeAnswers({ db: app.db, questionnaires: app.questionnaires }, actor, assessment.id, writes)
      return { imported: writes.length, assessment: presentAssessment(result.assessment) }
    },
  )
}
