// CSV exports (staff only), streamed from PostgreSQL with COPY, and the CSV import of answers.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Readable } from 'node:stream'
import type { PoolClient } from 'pg'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { presentAssessment } from '../assessments/present.js'
import { findVisible } from '../assessments/repository.js'
import { writeAnswers } from '../assessments/service.js'
import { AppError, forbidden, notFound, problems } from '../errors.js'
import { langQuery, requestLanguage } from '../i18n/request.js'
import { hasMembership } from '../people/principal.js'
import { requireRole, type Principal } from '../plugins/auth.js'
import { scenarioCsv } from '../scenarios/csv.js'
import { releaseSlots, takeSlot } from './capacity.js'
import { MAX_IMPORT_BYTES, parseImport } from './import.js'
import { buildBundle, type Bundle, xlsxBundle, zipBundle } from './bundle.js'
import { codebookRows, CODEBOOK_COLUMNS, quoteIndex } from './codebook.js'
import { csvRow, UTF8_BOM } from './columns.js'
import { answersExport, copyOut, exportFilters, readinessExport, readinessLongExport, type BuiltExport } from './stream.js'

export interface ExportLimits {
  exportsPerPerson: number
  exportStallSeconds: number
}

const bomParam = z.enum(['0', '1', 'true', 'false']).optional().describe('1: prepend a UTF-8 byte order mark (for spreadsheet programs)')
const exportQuery = exportFilters.extend({ bom: bomParam })
const isOn = (flag: string | undefined) => flag === '1' || flag === 'true'

/** Exports are for analysts (staff with the analyst membership); administrations get a 403. */
function analyst(request: FastifyRequest): Principal {
  const who = requireRole(request, 'staff')
  if (!hasMembership(who, 'analyst')) throw forbidden('exports are for analysts')
  return who
}

export default async function exportRoutes(app: FastifyInstance, config: ExportLimits): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>()

  // text/csv bodies arrive as a string, within their own size limit (this plugin only).
  app.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: MAX_IMPORT_BYTES }, (_request, body, done) => done(null, body))

  /**
   * A connection of the export pool for `who`, within their concurrent-export limit: 503 when the
   * pool is full, 429 beyond the limit (both with Retry-After). Analysts only.
   */
  async function checkout(request: FastifyRequest, reply: FastifyReply): Promise<PoolClient> {
    let client: PoolClient
    try {
      client = await app.exportPool.connect()
    } catch (err) {
      request.log.warn({ err }, 'no export connection free')
      reply.header('retry-after', '10')
      throw new AppError(503, 'exports_busy', 'all export connections are in use; try again shortly')
    }
    try {
      await takeSlot(client, analyst(request).personId, config.exportsPerPerson)
    } catch (error) {
      client.release()
      if (error instanceof AppError && error.status === 429) reply.header('retry-after', '10')
      throw error
    }
    return client
  }

  /** Gives the connection back: discarded when the export failed (it may be mid-COPY), else with its slot freed. */
  function giveBack(request: FastifyRequest, client: PoolClient, err?: Error): void {
    if (err) {
      request.log.warn({ err }, 'export stream ended early')
      client.release(err)
    } else {
      releaseSlots(client).then(
        () => client.release(),
        (e: Error) => client.release(e),
      )
    }
  }

  /** A client that reads nothing for the stall time (its socket's buffer full all along) loses the export. */
  function endWhenStalled(reply: FastifyReply, stream: Readable): () => void {
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
    return () => clearInterval(watch)
  }

  function attachment(reply: FastifyReply, type: string, filename: string): void {
    reply.header('content-type', type).header('content-disposition', `attachment; filename="${filename}"`).header('cache-control', 'no-store')
  }

  /** Sends a CSV export: headers only for HEAD (the query is not run), otherwise the COPY stream. */
  async function send(request: FastifyRequest, reply: FastifyReply, built: BuiltExport, bom: boolean) {
    attachment(reply, 'text/csv; charset=utf-8', built.filename)
    if (request.method === 'HEAD') return reply.send()
    const client = await checkout(request, reply)
    let stopWatch = () => {}
    const stream = copyOut(client, built.select, {
      bom,
      release: (err) => {
        stopWatch()
        giveBack(request, client, err)
      },
    })
    stopWatch = endWhenStalled(reply, stream)
    return reply.send(stream)
  }

  /** Sends a bundle (zip or xlsx) written by `write` from the export's connection. */
  async function sendBundle(request: FastifyRequest, reply: FastifyReply, bundle: Bundle, kind: { type: string; extension: string; write: typeof zipBundle }) {
    attachment(reply, kind.type, `${bundle.name}.${kind.extension}`)
    if (request.method === 'HEAD') return reply.send()
    const client = await checkout(request, reply)
    let stopWatch = () => {}
    let stream: Readable
    try {
      stream = await kind.write(client, bundle, (err) => {
        stopWatch()
        giveBack(request, client, err)
      })
    } catch (err) {
      giveBack(request, client, err as Error)
      throw err
    }
    stopWatch = endWhenStalled(reply, stream)
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
      analyst(request)
      const { bom, scenario, ...filters } = request.query
      if (scenario) {
        const built = await scenarioCsv(app, scenario, filters, isOn(bom))
        return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${built.name}"`).send(built.body)
      }
      return send(request, reply, await readinessExport(app.db, filters), isOn(bom))
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
      analyst(request)
      const { bom, ...filters } = request.query
      return send(request, reply, await answersExport(app.db, filters), isOn(bom))
    },
  )

  r.get(
    '/exports/readiness-long.csv',
    {
      schema: {
        operationId: 'exportReadinessLongCsv',
        tags: ['exports'],
        summary: 'Readiness per assessment and domain as CSV (long, tidy format)',
        description:
          'Columns: assessment id, country code, country name, region, questionnaire, version, cycle, status, submitted at, submitted by, ' +
          'validated at, validated by, domain, score, tier, coverage, answered, applicable, not applicable, unknown, missing, region median, world median. ' +
          'Scores rounded to 2 decimals, coverage to 4. Statuses default to submitted,validated; medians always over the published assessments. Analysts only.',
        security: [{ bearer: [] }],
        querystring: exportQuery,
        response: { 200: csv, ...problems(400, 401, 403, 429, 503) },
      },
    },
    async (request, reply) => {
      analyst(request)
      const { bom, ...filters } = request.query
      return send(request, reply, await readinessLongExport(app.db, filters), isOn(bom))
    },
  )

  r.get(
    '/exports/codebook.csv',
    {
      schema: {
        operationId: 'exportCodebookCsv',
        tags: ['exports'],
        summary: 'The codebook: one row per question and questionnaire version (what every value of answers.csv means)',
        description:
          'Domain and title, question text in English and in the requested language (?lang=), type, options and levels with labels and scores, ' +
          'weight, force, effective weight, applies_if, source reference and the quoted treaty text. Analysts only.',
        security: [{ bearer: [] }],
        querystring: langQuery.extend({
          questionnaire: exportFilters.shape.questionnaire,
          version: exportFilters.shape.version,
          bom: bomParam,
        }),
        response: { 200: csv, ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      analyst(request)
      const { questionnaire, version, bom } = request.query
      const lang = requestLanguage(request, reply, request.query.lang)
      const all = await app.questionnaires.list()
      const chosen = all.filter((v) => (!questionnaire || v.questionnaire === questionnaire) && (version === undefined || v.version === version))
      if (chosen.length === 0) throw notFound(`questionnaire ${questionnaire ?? ''}${version ? ` v${version}` : ''}`.trim())
      const files = await Promise.all(all.map(async (v) => (await app.questionnaires.get(v.questionnaire, v.version))!.content))
      const quotes = quoteIndex(files)
      const rows = chosen.flatMap((v) => codebookRows(files.find((f) => f.id === v.questionnaire && f.version === v.version)!, lang, quotes))
      const name = ['codebook', questionnaire, version ? `v${version}` : undefined, lang].filter(Boolean).join('-')
      attachment(reply, 'text/csv; charset=utf-8', `${name}.csv`)
      return reply.send(`${isOn(bom) ? UTF8_BOM : ''}${[CODEBOOK_COLUMNS, ...rows].map(csvRow).join('')}`)
    },
  )

  const bundleQuery = langQuery.extend(exportFilters.shape)
  const bundleResponses = (type: string) => ({
    200: z.string().describe(type),
    ...problems(400, 401, 403, 404, 429, 503),
  })
  r.get(
    '/exports/package.zip',
    {
      schema: {
        operationId: 'exportDataPackage',
        tags: ['exports'],
        summary: 'A Frictionless Data Package (zip): the CSV files, the codebook and datapackage.json describing every column',
        description:
          'For one campaign (campaign_id) or the export filters. Holds readiness.csv (when one questionnaire is chosen), readiness-long.csv, answers.csv, ' +
          'codebook.csv (translated columns in ?lang=) and datapackage.json (profile tabular-data-package). Streamed. Analysts only.',
        security: [{ bearer: [] }],
        querystring: bundleQuery,
        response: bundleResponses('application/zip'),
      },
    },
    async (request, reply) => {
      analyst(request)
      const { lang: asked, ...filters } = request.query
      const bundle = await buildBundle(app.db, app.questionnaires, filters, requestLanguage(request, reply, asked), new Date())
      return sendBundle(request, reply, bundle, { type: 'application/zip', extension: 'zip', write: zipBundle })
    },
  )

  r.get(
    '/exports/data.xlsx',
    {
      schema: {
        operationId: 'exportWorkbook',
        tags: ['exports'],
        summary: 'The same files as an Excel workbook: one sheet per file plus the codebook, typed cells, header row frozen',
        description:
          'Numbers are numbers, times are dates, every text is a string cell (never a formula). For one campaign (campaign_id) or the export filters. ' +
          'Streamed. Analysts only.',
        security: [{ bearer: [] }],
        querystring: bundleQuery,
        response: bundleResponses('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'),
      },
    },
    async (request, reply) => {
      analyst(request)
      const { lang: asked, ...filters } = request.query
      const bundle = await buildBundle(app.db, app.questionnaires, filters, requestLanguage(request, reply, asked), new Date())
      return sendBundle(request, reply, bundle, {
        type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        extension: 'xlsx',
        write: xlsxBundle,
      })
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
