// buildApp(config): registers the plugins and feature routes; never listens (server.ts does).
import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import path from 'node:path'
import compress from '@fastify/compress'
import helmet from 'helmet'
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify'
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod'
import type { Config } from './config.js'
import assessmentRoutes from './assessments/routes.js'
import trailRoutes from './assessments/trail-routes.js'
import authRoutes from './auth/routes.js'
import countryRoutes from './countries/routes.js'
import evidenceRoutes from './evidence/routes.js'
import exportRoutes from './exports/routes.js'
import healthRoutes from './health/routes.js'
import i18nRoutes from './i18n/routes.js'
import authPlugin from './plugins/auth.js'
import { upgradeOverTls } from './plugins/csp.js'
import dbPlugin from './plugins/db.js'
import errorsPlugin, { sendProblem } from './plugins/errors.js'
import exportPoolPlugin from './plugins/export-pool.js'
import idleCompactionPlugin from './plugins/idle-compaction.js'
import openapiPlugin from './plugins/openapi.js'
import questionnairesPlugin from './plugins/questionnaires.js'
import { TRANSLATIONS_DIR } from './questionnaires/catalog.js'
import publicationRoutes from './publications/routes.js'
import questionnaireRoutes from './questionnaires/routes.js'
import readinessRoutes from './readiness/routes.js'
import { createMailer } from './mail/mailer.js'
import oidcRoutes from './people/oidc.js'
import peopleRoutes from './people/routes.js'
import accountRoutes from './people/account-routes.js'
import invitationAdminRoutes from './people/invitation-admin.js'
import reportRoutes from './reports/routes.js'
import scenarioRoutes from './scenarios/routes.js'
import sessionPlugin from './web/session.js'
import campaignRoutes from './campaigns/routes.js'
import { MAIL_JOB, mailHandler, REMINDER_JOB, reminderHandler } from './campaigns/mails.js'
import type { Clock } from './jobs/clock.js'
import jobsPlugin from './plugins/jobs.js'

export const APP_VERSION = '0.1.0'

/** Paths redacted from every log line: credentials must never reach the logs. */
export const LOG_REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  '*.token',
  '*.password',
  'token',
]

export interface BuildOptions {
  /** Overrides the logger (tests capture log lines through a stream). */
  logger?: FastifyServerOptions['logger']
  loggerInstance?: FastifyServerOptions['loggerInstance']
  /** The time deadlines and scheduled work are read from (tests pass one they move). */
  clock?: Clock
}

const CLIENT_REQUEST_ID_MAX = 128

/**
 * helmet's headers for the app's policy, recorded once from its middleware: with these options
 * they do not depend on the request.
 */
const SECURE_HEADERS = recordedHeaders(
  helmet({
    // The web interface uses only same-origin scripts and styles (/docs sets a policy of its own).
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        // Added per request in the onRequest hook, only over TLS.
        upgradeInsecureRequests: null,
      },
    },
  }),
)

/** The headers a connect-style middleware sets on a response, by lower-case name. */
function recordedHeaders(middleware: (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void): Record<string, string> {
  const headers: Record<string, string> = {}
  const res = {
    setHeader(name: string, value: unknown) {
      headers[name.toLowerCase()] = String(value)
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()]
    },
  }
  let called = false
  middleware({} as IncomingMessage, res as unknown as ServerResponse, (err) => {
    if (err) throw err
    called = true
  })
  if (!called || !headers['content-security-policy']) throw new Error('helmet did not set its headers synchronously')
  return headers
}

export async function buildApp(config: Config, options: BuildOptions = {}): Promise<FastifyInstance> {
  if (!config.databaseUrl) throw new Error('buildApp needs config.databaseUrl (server.ts resolves the embedded one)')
  const app = Fastify({
    ...(options.loggerInstance
      ? { loggerInstance: options.loggerInstance }
      : { logger: options.logger ?? { level: config.logLevel, redact: { paths: LOG_REDACT, censor: '[redacted]' } } }),
    bodyLimit: config.bodyLimit,
    trustProxy: config.trustProxy,
    // Always our own id: a client choosing it could make its log lines pass for another request's.
    genReqId: () => randomUUID(),
    // The client's X-Request-Id, if any, goes on every log line of the request in a field of its own
    // (bounded; pino escapes it as a JSON string), for tracing across systems.
    childLoggerFactory: (logger, bindings, childOptions, rawRequest) => {
      const given = rawRequest.headers['x-request-id']
      const client = Array.isArray(given) ? given.join(',') : given
      return logger.child(client ? { ...bindings, clientRequestId: client.slice(0, CLIENT_REQUEST_ID_MAX) } : bindings, childOptions)
    },
    // Every request's log lines carry `requestId`, the name problem+json bodies use too.
    logController: new LogController({ requestIdLogLabel: 'requestId' }),
    return503OnClosing: true,
    // A URL the router cannot decode (e.g. %ED%A0%80, a lone surrogate) is a 400 problem like any other.
    frameworkErrors: (error, _request, reply) => {
      sendProblem(reply, 400, 'bad_request', error.code === 'FST_ERR_BAD_URL' ? 'the URL is not valid' : 'the request is not valid')
    },
    forceCloseConnections: 'idle',
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
  })
  // JSON is the only body the API takes (routes add others, e.g. text/csv for imports): anything
  // else is a 415, not a confusing validation error on a string.
  app.removeContentTypeParser('text/plain')
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)

  await app.register(errorsPlugin)
  await app.register(idleCompactionPlugin)
  // Before every route (it attaches itself to routes as they are added): JSON, pages and CSV go
  // compressed to any client that accepts it (brotli at a fast quality, else gzip).
  await app.register(compress, { encodings: ['br', 'gzip'] })
  // Every response's security headers, set before the route runs (a route may replace them), in one
  // callback-style hook (async hooks cost a promise each on every request). They go into fastify's
  // own header object, written with the status line in one writeHead: helmet's middleware, run per
  // request on the raw response (as @fastify/helmet does), cost ~8 % of an answer write's CPU.
  app.addHook('onRequest', (request, reply, done) => {
    reply.headers(SECURE_HEADERS)
    reply.header('x-request-id', request.id)
    // See upgradeOverTls: only over TLS.
    if (request.protocol === 'https') reply.header('content-security-policy', upgradeOverTls(request, SECURE_HEADERS['content-security-policy']!))
    done()
  })
  await app.register(dbPlugin, { connectionString: config.databaseUrl, poolSize: config.poolSize })
  await app.register(exportPoolPlugin, {
    // A read replica when one is set: exports are the heaviest reads and need no write.
    connectionString: config.exportDatabaseUrl ?? config.databaseUrl,
    size: config.exportPoolSize,
    statementTimeoutSeconds: config.exportTimeoutSeconds,
  })
  await app.register(authPlugin, { rateLimit: config.authRateLimit })
  await app.register(openapiPlugin, { version: APP_VERSION })
  // After auth (its hook reads the cookie when there is no bearer token) and openapi (so /session is documented).
  const mailer = createMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom, log: app.log })
  app.addHook('onClose', async () => mailer.close())
  await app.register(jobsPlugin, {
    clock: options.clock,
    pollSeconds: config.jobPollSeconds,
    handlers: { [MAIL_JOB]: mailHandler({ mailer, publicUrl: config.publicUrl }), [REMINDER_JOB]: reminderHandler },
  })
  const sessionPolicy = { idleSeconds: config.sessionIdleMinutes * 60, absoluteSeconds: config.sessionHours * 3600 }
  await app.register(sessionPlugin, { policy: sessionPolicy, rateLimit: config.authRateLimit, accountLimit: config.authRateLimit * 5, mailer })

  await app.register(questionnairesPlugin, { translationsDir: path.join(path.resolve(config.questionnairesDir), TRANSLATIONS_DIR) })

  await app.register(healthRoutes)
  await app.register(authRoutes)
  await app.register(peopleRoutes, { mailer, invitationDays: config.invitationDays, publicUrl: config.publicUrl, sessionPolicy })
  await app.register(i18nRoutes)
  await app.register(accountRoutes, { rateLimit: config.authRateLimit, accountLimit: config.authRateLimit * 5 })
  await app.register(invitationAdminRoutes)
  if (config.oidc) await app.register(oidcRoutes, { ...config.oidc, publicUrl: config.publicUrl, sessionPolicy })
  await app.register(questionnaireRoutes)
  await app.register(countryRoutes)
  await app.register(assessmentRoutes, { writeStatements: config.writeStatements })
  await app.register(trailRoutes)
  await app.register(readinessRoutes)
  await app.register(scenarioRoutes)
  await app.register(reportRoutes, { chromiumPath: config.chromiumPath, pdfConcurrency: config.pdfConcurrency })
  await app.register(exportRoutes, { exportsPerPerson: config.exportsPerPerson, exportStallSeconds: config.exportStallSeconds })
  await app.register(campaignRoutes)
  await app.register(publicationRoutes, { minGroupSize: config.publicationMinGroupSize })
  await app.register(evidenceRoutes, { maxBytes: config.evidenceMaxBytes })
  return app
}
