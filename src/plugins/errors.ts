// One error handler for the whole app: every error response is application/problem+json.
// 4xx details pass through; 5xx say only "internal error" and the request id, and are logged in full.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { AppError, problemType, titleFor, type FieldProblem, type ProblemBody } from '../errors.js'

export function sendProblem(reply: FastifyReply, status: number, code: string, detail: string, extra: Record<string, unknown> = {}): FastifyReply {
  const body: ProblemBody = {
    type: problemType(code),
    title: titleFor(status),
    status,
    detail,
    code,
    instance: reply.request.url.split('?')[0],
    requestId: String(reply.request.id),
    ...extra,
  }
  return reply.code(status).type('application/problem+json; charset=utf-8').serializer(JSON.stringify).send(body)
}

/** PostgreSQL and driver failures that mean "the database is not reachable right now". */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false
  const e = error as { code?: unknown; message?: unknown }
  const code = typeof e.code === 'string' ? e.code : ''
  if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300') return true
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'EPIPE' || code === 'ETIMEDOUT') return true
  const message = typeof e.message === 'string' ? e.message : ''
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|is not currently accepting connections|the database system is (starting up|shutting down|in recovery mode)/i.test(
    message,
  )
}

/**
 * Strings PostgreSQL cannot store (NUL) or that are not Unicode text (a lone UTF-16 surrogate, which
 * the driver would silently turn into U+FFFD), and how deep a request's JSON may nest.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is exactly what PostgreSQL cannot store in text
const UNSTORABLE_TEXT = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/
export const MAX_INPUT_DEPTH = 32

/** The first problem with a request's input (body, params, query): a path and a message, or null. */
export function inputTextProblem(where: string, input: unknown): FieldProblem | null {
  // Iterative, so a hostile 10,000-level body cannot exhaust the stack.
  const stack: { value: unknown; path: string; depth: number }[] = [{ value: input, path: `/${where}`, depth: 0 }]
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop()!
    if (typeof value === 'string') {
      if (UNSTORABLE_TEXT.test(value)) return { path, message: 'contains a NUL character or an unpaired surrogate, which is not text' }
      continue
    }
    if (value === null || typeof value !== 'object') continue
    if (depth >= MAX_INPUT_DEPTH) return { path, message: `nests deeper than ${MAX_INPUT_DEPTH} levels` }
    for (const [key, child] of Object.entries(value)) {
      if (UNSTORABLE_TEXT.test(key)) return { path, message: 'has a key with a NUL character or an unpaired surrogate' }
      stack.push({ value: child, path: `${path}/${key}`, depth: depth + 1 })
    }
  }
  return null
}

/** PostgreSQL data exceptions a client's input can cause (bad text, bad number, too long). */
const CLIENT_DATA_ERRORS = new Set(['22P05', '22021', '22001', '22003', '22P02', '54001'])

/** "/body/evidence/0/url" from where the value was ("body", "querystring", ...) and its instance path. */
function pathOf(where: string, instancePath: string | undefined): string {
  if (!instancePath || instancePath === '/') return `/${where}`
  return `/${where}${instancePath.startsWith('/') ? '' : '/'}${instancePath}`
}

function validationProblems(error: FastifyError): FieldProblem[] {
  // fastify-type-provider-zod turns each zod issue into an Ajv-shaped entry: instancePath is the
  // issue's path joined with "/" (the issue itself is not kept), message is the message.
  const where = error.validationContext ?? 'body'
  return (error.validation ?? []).map((v) => ({ path: pathOf(where, v.instancePath), message: v.message ?? 'is invalid' }))
}

const CLIENT_ERRORS: Record<string, { status: number; code: string; detail: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'body_too_large', detail: 'the request body is larger than the server accepts' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'unsupported_media_type', detail: 'send the body as application/json' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'malformed_json', detail: 'the body is empty but the content type says JSON' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'malformed_json', detail: 'the body is not valid JSON' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'bad_request', detail: 'the content length does not match the body' },
}

async function errorsPlugin(app: FastifyInstance): Promise<void> {
  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) =>
    sendProblem(reply, 404, 'route_not_found', `no route ${request.method} ${request.url.split('?')[0]}`),
  )

  // Every route's input is text PostgreSQL can store, nested no deeper than any route needs.
  app.addHook('preValidation', async (request, reply) => {
    const problem = inputTextProblem('params', request.params) ?? inputTextProblem('querystring', request.query) ?? inputTextProblem('body', request.body)
    if (problem) return sendProblem(reply, 400, 'invalid_text', `${problem.path}: ${problem.message}`, { errors: [problem] })
  })

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof AppError) {
      if (error.status >= 500) request.log.error({ err: error }, 'application error')
      return sendProblem(reply, error.status, error.code, error.message, error.extra)
    }
    if (error.validation) {
      const errors = validationProblems(error)
      const detail = errors.map((e) => `${e.path}: ${e.message}`).join('; ')
      return sendProblem(reply, 400, 'validation_failed', detail || 'the request is invalid', { errors })
    }
    const known = error.code ? CLIENT_ERRORS[error.code] : undefined
    if (known) return sendProblem(reply, known.status, known.code, known.detail)
    if (error instanceof SyntaxError && error.statusCode === 400) {
      return sendProblem(reply, 400, 'malformed_json', 'the body is not valid JSON')
    }
    if (isDatabaseUnavailable(error)) {
      request.log.warn({ err: error }, 'database unavailable')
      reply.header('retry-after', '1')
      return sendProblem(reply, 503, 'database_unavailable', 'the database is not reachable; retry shortly')
    }
    const pgCode = (error as { code?: unknown }).code
    if (typeof pgCode === 'string' && CLIENT_DATA_ERRORS.has(pgCode)) {
      // A safety net behind the checks above: say what kind of value was refused, never the SQL.
      request.log.warn({ err: error }, 'database refused a value')
      return sendProblem(reply, 400, 'invalid_value', 'a value in the request cannot be stored (invalid text, number or length)')
    }
    const status = error.statusCode ?? 500
    if (status === 429) {
      return sendProblem(reply, 429, 'rate_limited', error.message || 'too many requests; slow down')
    }
    if (status >= 400 && status < 500) {
      // Fastify's own 4xx messages are written for clients and name no internals.
      return sendProblem(reply, status, 'bad_request', error.message)
    }
    request.log.error({ err: error }, 'unhandled error')
    return sendProblem(reply, 500, 'internal_error', `internal error; quote request id ${request.id} when reporting it`)
  })
}

export default fp(errorsPlugin, { name: 'errors', fastify: '5.x' })
