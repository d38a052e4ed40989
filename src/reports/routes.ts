// The country report: its data (GET /assessments/{id}/report) and its PDF (…/report.pdf), printed by
// Chromium from the report's print page (/app/report.html?assessment=…). Seen by the country's own
// administration and by staff; another country's assessment is a 404, as everywhere.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { findVisible } from '../assessments/repository.js'
import { AppError, notFound, problems } from '../errors.js'
import { langQuery, requestLanguage } from '../i18n/request.js'
import { requireRole } from '../plugins/auth.js'
import { ChromiumMissing, ReportPrinter, type LocalFetch } from './printer.js'
import { buildReport, reportSchema } from './report.js'

export interface ReportOptions {
  chromiumPath: string
  pdfConcurrency: number
}

const REPORT_ROLES = ['administration', 'staff'] as const
const params = z.object({ id: z.uuid({ message: 'must be an assessment id (a UUID)' }) })

/** The print page of an assessment's report in a language. */
export const printPage = (id: string, lang: string) => `/app/report.html?assessment=${encodeURIComponent(id)}&lang=${lang}`

/** Request headers the printed page's own requests carry: the asking person's credentials, nothing else of theirs. */
const FORWARDED = ['authorization', 'cookie'] as const

export default async function reportRoutes(app: FastifyInstance, options: ReportOptions): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>()
  const printer = new ReportPrinter(options.chromiumPath, options.pdfConcurrency)
  app.addHook('onClose', async () => printer.close())

  async function visible(request: FastifyRequest, id: string) {
    const actor = requireRole(request, ...REPORT_ROLES)
    const a = await findVisible(app.db, actor, id)
    if (!a) throw notFound(`assessment ${id}`)
    const version = await app.questionnaires.get(a.questionnaire, a.version)
    if (!version) throw notFound(`questionnaire ${a.questionnaire} v${a.version}`)
    return { actor, a, version }
  }

  r.get(
    '/assessments/:id/report',
    {
      schema: {
        operationId: 'getAssessmentReport',
        tags: ['reports'],
        summary: "A country report's data: overall tier and score, domains against region and world, trend, largest gaps, evidence, review",
        description:
          "The country's own administration and staff; another country's assessment is a 404. Texts in the request's language " +
          '(each says its language: "en" where not yet translated). Region and world figures are current figures of submitted and ' +
          'validated assessments for staff (comparisonSource "live"); for administrations those of the latest publication (comparisonSource "published"; none before it).',
        security: [{ bearer: [] }],
        params,
        querystring: langQuery,
        response: { 200: reportSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { actor, a, version } = await visible(request, request.params.id)
      const lang = requestLanguage(request, reply, request.query.lang)
      reply.header('cache-control', 'private, no-store')
      return buildReport(app.db, a, version, lang, actor.role === 'administration')
    },
  )

  r.get(
    '/assessments/:id/report.pdf',
    {
      schema: {
        operationId: 'getAssessmentReportPdf',
        tags: ['reports'],
        summary: 'The country report as a PDF (A4, at most three pages), printed by Chromium from the print page',
        description:
          'Where the deployment has no Chromium (CHROMIUM_PATH), a 503 problem whose `printPage` names the print page ' +
          '(/app/report.html?assessment=…): a browser prints it to the same pages.',
        security: [{ bearer: [] }],
        params,
        querystring: langQuery,
        produces: ['application/pdf'],
        response: {
          200: z.any().describe('application/pdf').meta({ type: 'string', format: 'binary' }),
          ...problems(400, 401, 403, 404, 503),
        },
      },
    },
    async (request, reply) => {
      const { a } = await visible(request, request.params.id)
      const lang = requestLanguage(request, reply, request.query.lang)
      const page = printPage(a.id, lang)
      const credentials = Object.fromEntries(FORWARDED.flatMap((h) => (request.headers[h] ? [[h, String(request.headers[h])]] : [])))
      const fetch: LocalFetch = async ({ method, url, headers }) => {
        const res = await app.inject({ method: method as 'GET', url, headers: { ...headers, ...credentials, 'accept-encoding': 'identity' } })
        const out: Record<string, string> = {}
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined && k !== 'set-cookie') out[k] = Array.isArray(v) ? v.join(', ') : String(v)
        return { status: res.statusCode, headers: out, body: res.rawPayload }
      }
      let pdf: Buffer
      try {
        pdf = await printer.print(page, fetch, lang)
      } catch (err) {
        if (err instanceof ChromiumMissing) {
          throw new AppError(503, 'pdf_unavailable', `this deployment prints no PDF (no Chromium); print ${page} from a browser instead`, { printPage: page })
        }
        throw err
      }
      const country = a.country.toLowerCase()
      return reply
        .type('application/pdf')
        .header('cache-control', 'private, no-store')
        .header('content-disposition', `inline; filename="readiness-${country}-${a.questionnaire}-${a.cycle}-${lang}.pdf"`)
        .send(pdf)
    },
  )
}
