// Decides which PostgreSQL a process talks to: DATABASE_URL, or the embedded one in DATA_DIR.
import type { Logger } from 'pino'
import type { Config } from '../config.js'
import { EmbeddedError, redactUrl, runningEmbedded, startEmbedded, type EmbeddedDatabase } from './embedded.js'

export interface Connection {
  url: string
  backend: 'postgres' | 'embedded'
  /** Set when this process owns the embedded database and must close it. While it is open, its
   * owner and port are published in DATA_DIR so that no other process opens the same directory. */
  embedded?: EmbeddedDatabase
}

/** Another live process owns DATA_DIR. */
export { EmbeddedError as DataDirBusyError }

type Log = Pick<Logger, 'info' | 'warn'>

/** For the server: it owns the embedded database and refuses to share its directory. */
export async function openForServer(config: Config, log?: Log): Promise<Connection> {
  if (config.databaseUrl) return { url: config.databaseUrl, backend: 'postgres' }
  const embedded = await startEmbedded(config.dataDir, log ? { log } : {})
  return { url: embedded.url, backend: 'embedded', embedded }
}

/** For command-line tasks: they go through a running server's embedded database when there is one. */
export async function openForTask(config: Config, log?: Log): Promise<Connection> {
  if (config.databaseUrl) return { url: config.databaseUrl, backend: 'postgres' }
  const running = await runningEmbedded(config.dataDir)
  if (running) {
    log?.info(`using the embedded database of the running server at ${redactUrl(running)}`)
    return { url: running, backend: 'embedded' }
  }
  const embedded = await startEmbedded(config.dataDir, { publish: false, ...(log ? { log } : {}) })
  return { url: embedded.url, backend: 'embedded', embedded }
}

export function describe(connection: Connection): string {
  const url = new URL(connection.url)
  const where = `${url.hostname}:${url.port || 5432}${url.pathname}`
  return connection.backend === 'embedded' ? `embedded PostgreSQL at ${where}` : `PostgreSQL at ${where}`
}
