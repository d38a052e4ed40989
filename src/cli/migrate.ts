// npm run migrate: schema migrations and questionnaire sync, on either backend,
// also while the server runs on the embedded one (through its published socket).
import { pino } from 'pino'
import { loadConfig } from '../config.js'
import { describe, openForTask } from '../db/connect.js'
import { prepareDatabase } from '../prepare.js'

const log = pino({ level: 'info' })
try {
  const config = loadConfig()
  const connection = await openForTask(config, log)
  log.info(`database: ${describe(connection)}`)
  try {
    await prepareDatabase({ ...config, databaseUrl: connection.url, poolSize: config.poolSize }, log)
  } finally {
    await connection.embedded?.close()
  }
} catch (error) {
  log.fatal(error instanceof Error ? error.message : String(error))
  process.exitCode = 1
}
