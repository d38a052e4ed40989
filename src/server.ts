// Entry point: config → database (URL or embedded) → migrations → app → listen; SIGTERM/SIGINT → close.
import type { FastifyInstance } from 'fastify'
import { pino } from 'pino'
import { buildApp, LOG_REDACT } from './app.js'
import { bootstrapAdminToken } from './auth/bootstrap.js'
import { type Config, ConfigError, loadConfig } from './config.js'
import { describe, openForServer } from './db/connect.js'
import { prepareDatabase } from './prepare.js'

const bootLog = pino({ redact: LOG_REDACT })

async function main(): Promise<void> {
  let config: Config
  try {
    config = loadConfig()
  } catch (error) {
    if (error instanceof ConfigError) {
      bootLog.fatal(error.message)
      process.exit(78) // EX_CONFIG
    }
    throw error
  }
  const log = pino({ level: config.logLevel, redact: { paths: LOG_REDACT, censor: '[redacted]' } })
  const connection = await openForServer(config, log)
  log.info({ backend: connection.backend }, `database: ${describe(connection)}`)

  let app: FastifyInstance | undefined
  try {
    const prepared = { ...config, databaseUrl: connection.url }
    if (config.migrateOnStart) await prepareDatabase(prepared, log)
    app = await buildApp(prepared, { loggerInstance: log })
    await bootstrapAdminToken(app.db, log)
    await app.listen({ port: config.port, host: config.host })
  } catch (error) {
    log.fatal({ err: error }, 'start-up failed')
    await app?.close().catch(() => {})
    await connection.embedded?.close()
    process.exit(1)
  }

  let closing = false
  const shutdown = async (signal: string) => {
    if (closing) return
    closing = true
    log.info(`${signal}: finishing in-flight requests, then closing`)
    const force = setTimeout(() => {
      log.error('shutdown took longer than 10 s; exiting')
      process.exit(1)
    }, 10_000)
    force.unref()
    try {
      await app.close()
      await connection.embedded?.close()
      log.info('closed')
      process.exit(0)
    } catch (err) {
      log.error({ err }, 'error during shutdown')
      process.exit(1)
    }
  }
  process.once('SIGTERM', () => void shutdown('SIGTERM'))
  process.once('SIGINT', () => void shutdown('SIGINT'))
}

main().catch((error) => {
  bootLog.fatal({ err: error }, error instanceof Error ? error.message : 'start-up failed')
  process.exit(1)
})
