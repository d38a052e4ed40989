// Coded application errors. Each becomes an RFC 9457 problem response in plugins/errors.ts.
import { z } from 'zod'

export interface FieldProblem {
  /** JSON-pointer-like path to the offending field, e.g. "/body/evidence/0/url". */
  path: string
  message: string
}

export interface ProblemBody {
  type: string
  title: string
  status: number
  detail: string
  code: string
  instance?: string
  requestId?: string
  errors?: FieldProblem[]
  [extension: string]: unknown
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
}

export function titleFor(status: number): string {
  return TITLES[status] ?? (status >= 500 ? 'Server Error' : 'Client Error')
}

export function problemType(code: string): string {
  return `/problems/${code}`
}

export class AppError extends Error {
  override name = 'AppError'
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: { errors?: FieldProblem[]; [key: string]: unknown } = {},
  ) {
    super(message)
  }
}

export const badRequest = (detail: string, errors?: FieldProblem[]) => new AppError(400, 'bad_request', detail, errors ? { errors } : {})
export const unauthorized = (detail = 'a valid bearer token is required') => new AppError(401, 'unauthorized', detail)
export const forbidden = (detail: string) => new AppError(403, 'forbidden', detail)
export const notFound = (what: string) => new AppError(404, 'not_found', `${what} was not found`)
export const conflict = (detail: string, extra: Record<string, unknown> = {}) => new AppError(409, 'conflict', detail, extra)
export const preconditionFailed = (detail: string, extra: Record<string, unknown> = {}) => new AppError(412, 'precondition_failed', detail, extra)
export const unprocessable = (detail: string, errors: FieldProblem[], extra: Record<string, unknown> = {}) =>
  new AppError(422, 'unprocessable', detail, { ...extra, errors })

/** The problem document, for route schemas in the OpenAPI description. */
export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string(),
    instance: z.string().optional(),
    requestId: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .loose()
  .meta({ id: 'Problem', description: 'RFC 9457 problem details' })

/** Problem responses for a route's schema, e.g. problems(400, 401, 404). */
export function problems<const S extends readonly number[]>(...statuses: S): { [K in S[number]]: typeof problemSchema } {
  return Object.fromEntries(statuses.map((s) => [s, problemSchema])) as { [K in S[number]]: typeof problemSchema }
}
