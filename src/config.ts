// All settings come from the environment, parsed once into a frozen, typed Config.
import { isIP } from 'node:net'
import { z } from 'zod'

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

const boolean = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes')

// Each check carries its own message: zod 4 otherwise reports a schema-level message ("must be a
// number") for every failed check of that schema, e.g. for PORT=70000.
const environment = z.object({
  PORT: z.coerce
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(0, 'must be from 0 to 65535')
    .max(65535, 'must be from 0 to 65535')
    .default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  EXPORT_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  LOG_LEVEL: z.enum(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  MIGRATE_ON_START: boolean.default(true),
  DB_POOL_SIZE: z.coerce
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be from 1 to 200')
    .max(200, 'must be from 1 to 200')
    .default(10),
  WRITE_STATEMENTS: z.coerce
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be from 1 to 200')
    .max(200, 'must be from 1 to 200')
    .default(2),
  EXPORT_POOL_SIZE: z.coerce
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be from 1 to 50')
    .max(50, 'must be from 1 to 50')
    .default(4),
  EXPORTS_PER_PERSON: z.coerce.number({ message: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').default(2),
  EXPORT_STALL_SECONDS: z.coerce.number({ message: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').default(30),
  EXPORT_TIMEOUT_SECONDS: z.coerce.number({ message: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').default(600),
  BODY_LIMIT: z.coerce.number({ message: 'must be a number' }).int('must be a whole number').min(1024, 'must be at least 1024 (bytes)').default(1_048_576),
  QUESTIONNAIRES_DIR: z.string().min(1).default('./questionnaires'),
  EVIDENCE_MAX_BYTES: z.coerce
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(1024, 'must be at least 1024 (bytes)')
    .max(1024 * 1024 * 1024, 'must be at most 1073741824 (1 GiB)')
    .default(20 * 1024 * 1024),
  TRUST_PROXY: z
    .string()
    .optional()
    .transform((value, ctx) => {
      const text = (value ?? '').trim()
      if (['', 'false', '0', 'no'].includes(text.toLowerCase())) return false as const
      if (['true', '1', 'yes'].includes(text.toLowerCase())) {
        ctx.addIssue({
          code: 'custom',
          message:
            'list the proxy addresses instead (e.g. 127.0.0.1 or 10.0.0.0/8, comma-separated): trusting X-Forwarded-For from every address lets any client choose the address its sign-in failures are counted against',
        })
        return z.NEVER
      }
      const entries = text.split(',').map((e) => e.trim())
      const wrong = entries.filter((e) => !isProxyAddress(e))
      if (wrong.length) {
        ctx.addIssue({ code: 'custom', message: `not an IP address, CIDR range, loopback, linklocal or uniquelocal: ${wrong.join(', ')}` })
        return z.NEVER
      }
      return entries.join(',')
    }),
  AUTH_RATE_LIMIT: z.coerce.number({ message: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').default(20),
  SESSION_IDLE_MINUTES: z.coerce.number({ message: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').default(30),
  SESSION_HOURS: z.coerce
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(720, 'must be at most 720')
    .default(12),
  INVITATION_DAYS: z.coerce
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(90, 'must be at most 90')
    .default(14),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
    .optional(),
  MAIL_FROM: z.string().min(3).default('treaty-readiness <no-reply@localhost>'),
  OIDC_ISSUER: z
    .string()
    .regex(/^https?:\/\//, 'must be the issuer URL of an OpenID provider')
    .optional(),
  OIDC_CLIENT_ID: z.string().min(1).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  JOB_POLL_SECONDS: z.coerce.number({ message: 'must be a number' }).min(0, 'must be 0 (no polling) or more').max(3600, 'must be at most 3600').default(10),
  PUBLICATION_MIN_GROUP_SIZE: z.coerce
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(3, 'must be from 3 to 50 (below 3, a country that knows its own score reads the other one of a pair)')
    .max(50, 'must be from 3 to 50')
    .default(5),
  PUBLIC_URL: z
    .string()
    .regex(/^https?:\/\/[^/]+/, 'must be an http(s) URL such as https://readiness.example.org')
    .optional(),
  CHROMIUM_PATH: z.string().min(1).default('/usr/bin/chromium'),
  PDF_CONCURRENCY: z.coerce
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be from 1 to 8')
    .max(8, 'must be from 1 to 8')
    .default(2),
})

export interface Config {
  readonly port: number
  readonly host: string
  /** A postgres URL; absent means the embedded database in dataDir. */
  readonly databaseUrl: string | undefined
  readonly dataDir: string
  readonly logLevel: (typeof LOG_LEVELS)[number]
  readonly migrateOnStart: boolean
  readonly poolSize: number
  /**
   * Answer-write statements a process runs at once (src/assessments/write-coalescer.ts): writes
   * that arrive meanwhile queue and go together in the next one.
   */
  readonly writeStatements: number
  /** Where exports read (a read replica); absent means DATABASE_URL. */
  readonly exportDatabaseUrl: string | undefined
  /** Connections of the exports' own pool: exports never take the interactive pool's. */
  readonly exportPoolSize: number
  /** Concurrent exports one principal may run (429 beyond). */
  readonly exportsPerPerson: number
  /** An export whose client reads nothing for this long is ended and its connection freed. */
  readonly exportStallSeconds: number
  /** statement_timeout of an export. */
  readonly exportTimeoutSeconds: number
  readonly bodyLimit: number
  readonly questionnairesDir: string
  /** Largest evidence document in bytes (413 beyond). */
  readonly evidenceMaxBytes: number
  /** The reverse proxies whose X-Forwarded-* headers are believed (addresses, CIDR ranges or
   * proxy-addr's names, comma-separated), or false: the client's own address is used. */
  readonly trustProxy: false | string
  /** Failed authentications allowed per client address and minute. */
  readonly authRateLimit: number
  /** A session ends after this much inactivity, and after sessionHours in any case. */
  readonly sessionIdleMinutes: number
  readonly sessionHours: number
  /** How long an invitation link works. */
  readonly invitationDays: number
  /** Outgoing mail; without it, mails are written to the log instead. */
  readonly smtpUrl: string | undefined
  readonly mailFrom: string
  /** The address people reach the service at, for links in mails; default http://HOST:PORT. */
  readonly publicUrl: string
  /** Seconds between two looks at the job table (reminders, notifications); 0: no polling. */
  readonly jobPollSeconds: number
  /** Single sign-on with an organisation's OpenID provider, when all three are set. */
  readonly oidc: { issuer: string; clientId: string; clientSecret: string } | undefined
  /** k of the disclosure rules: no published figure is about fewer than this many countries. */
  readonly publicationMinGroupSize: number
  /** The Chromium that prints country reports to PDF; without it the print page stands in (503). */
  readonly chromiumPath: string
  /** Reports printed at once (each a Chromium page); more wait for a turn. */
  readonly pdfConcurrency: number
}

export class ConfigError extends Error {
  override name = 'ConfigError'
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // An empty variable means "not set", as in most shells' `VAR= command`.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''))
  const parsed = environment.safeParse(present)
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const name = String(i.path[0])
      return `${name}=${JSON.stringify(env[name] ?? '')}: ${i.message}`
    })
    throw new ConfigError(`invalid configuration: ${lines.join('; ')}`)
  }
  const e = parsed.data
  if (e.EXPORT_DATABASE_URL && !e.DATABASE_URL) {
    throw new ConfigError('invalid configuration: EXPORT_DATABASE_URL (a read replica for exports) needs DATABASE_URL (its primary) too')
  }
  const oidcVars = ['OIDC_ISSUER', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET'] as const
  const oidcSet = oidcVars.filter((v) => e[v] !== undefined)
  if (oidcSet.length > 0 && oidcSet.length < oidcVars.length) {
    const missing = oidcVars.filter((v) => e[v] === undefined)
    throw new ConfigError(`invalid configuration: ${missing.join(', ')} must be set too (single sign-on needs all of ${oidcVars.join(', ')})`)
  }
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR,
    logLevel: e.LOG_LEVEL,
    migrateOnStart: e.MIGRATE_ON_START,
    poolSize: e.DB_POOL_SIZE,
    writeStatements: e.WRITE_STATEMENTS,
    exportDatabaseUrl: e.EXPORT_DATABASE_URL,
    exportPoolSize: e.EXPORT_POOL_SIZE,
    exportsPerPerson: e.EXPORTS_PER_PERSON,
    exportStallSeconds: e.EXPORT_STALL_SECONDS,
    exportTimeoutSeconds: e.EXPORT_TIMEOUT_SECONDS,
    bodyLimit: e.BODY_LIMIT,
    questionnairesDir: e.QUESTIONNAIRES_DIR,
    evidenceMaxBytes: e.EVIDENCE_MAX_BYTES,
    trustProxy: e.TRUST_PROXY,
    authRateLimit: e.AUTH_RATE_LIMIT,
    sessionIdleMinutes: e.SESSION_IDLE_MINUTES,
    sessionHours: e.SESSION_HOURS,
    invitationDays: e.INVITATION_DAYS,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    jobPollSeconds: e.JOB_POLL_SECONDS,
    oidc:
      e.OIDC_ISSUER && e.OIDC_CLIENT_ID && e.OIDC_CLIENT_SECRET
        ? { issuer: e.OIDC_ISSUER, clientId: e.OIDC_CLIENT_ID, clientSecret: e.OIDC_CLIENT_SECRET }
        : undefined,
    publicationMinGroupSize: e.PUBLICATION_MIN_GROUP_SIZE,
    chromiumPath: e.CHROMIUM_PATH,
    pdfConcurrency: e.PDF_CONCURRENCY,
    publicUrl: (e.PUBLIC_URL ?? `http://${e.HOST === '0.0.0.0' ? 'localhost' : e.HOST}:${e.PORT}`).replace(/\/+$/, ''),
  })
}

/** An address, a CIDR range, or one of proxy-addr's named ranges. */
function isProxyAddress(entry: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(entry)) return true
  const [address, prefix, ...rest] = entry.split('/')
  const family = isIP(address ?? '')
  if (!family || rest.length) return false
  if (prefix === undefined) return true
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128)
}
