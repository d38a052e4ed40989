// npm run export -- readiness --questionnaire cdc --cycle 2026 > readiness.csv
// npm run export -- readiness-long [--questionnaire cdc] [--campaign_id UUID] … > readiness-long.csv
// npm run export -- answers [--questionnaire cdc] [--version 1] [--cycle 2026] [--region Africa]
//                           [--country KEN] [--status submitted,validated] [--bom]
// The same queries as GET /exports/*.csv (src/exports/stream.ts), on either backend, also while the
// server runs on the embedded one. CSV goes to stdout; logs go to stderr only.
import { finished } from 'node:stream/promises'
import { parseArgs } from 'node:util'
import pg from 'pg'
import { pino } from 'pino'
import { loadConfig } from '../config.js'
import { describe, openForTask } from '../db/connect.js'
import { openKysely } from '../db/kysely.js'
import { AppError } from '../errors.js'
import { answersExport, copyOut, exportFilters, readinessExport, readinessLongExport } from '../exports/stream.js'

const log = pino({ level: 'info' }, pino.destination(2))
const USAGE =
  'usage: npm run export -- readiness|readiness-long|answers [--questionnaire ID] [--version N] [--cycle YYYY] [--region R] [--country ISO3] [--status a,b] [--campaign_id UUID] [--bom]'

try {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      questionnaire: { type: 'string' },
      version: { type: 'string' },
      cycle: { type: 'string' },
      region: { type: 'string' },
      country: { type: 'string' },
      status: { type: 'string' },
      campaign_id: { type: 'string' },
      bom: { type: 'boolean', default: false },
    },
  })
  const kind = positionals[0]
  const exports = { readiness: readinessExport, 'readiness-long': readinessLongExport, answers: answersExport } as const
  if (kind !== 'readiness' && kind !== 'readiness-long' && kind !== 'answers') throw new Error(USAGE)
  const { bom, ...raw } = values
  const parsed = exportFilters.safeParse(raw)
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; '))

  const config = loadConfig()
  const connection = await openForTask(config, log)
  log.info(`database: ${describe(connection)}`)
  const db = openKysely(connection.url, 1)
  const client = new pg.Client({ connectionString: connection.url, application_name: 'treaty-readiness-export' })
  try {
    const built = await exports[kind](db, parsed.data)
    await client.connect()
    const stream = copyOut(client, built.select, { bom, release: () => {} })
    stream.pipe(process.stdout, { end: false })
    await finished(stream)
    log.info(`export ${kind} written (${built.filename})`)
  } finally {
    await client.end().catch(() => {})
    await db.destroy()
    await connection.embedded?.close()
  }
} catch (error) {
  log.fatal(
    error instanceof AppError
      ? `${error.message}${error.extra.errors ? `: ${JSON.stringify(error.extra.errors)}` : ''}`
      : error instanceof Error
        ? error.message
        : String(error),
  )
  process.exitCode = 1
}
