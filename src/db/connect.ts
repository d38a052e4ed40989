// Decides which PostgreSQL a process talks to: DATABASE_URL, or the embedded one in DATA_DIR.
import type { Logger } from 'pino'
import type { Config } from '../config.js'
import { runningEmbedded, startEmbedded, type EmbeddedDatabase } from './embedded.js'

export interface Connection {
  url: string
  backend: 'postgres' | 'embedded'
  /**
   * How many connections a process may open to it. The embedded database gets one: pglite-socket
   * multiplexes connections onto PGlite's single session message by message, so two connections'
   * Parse/Bind/Execute batches can interleave ("unnamed prepared statement does not exist") and one
   * such failure can stall its queue for good (electric-sql/pglite#1046). One connection per
   * process, with requests queueing in the pool, avoids both.
   */
  maxConnections?: number
  /** Set when this process owns the embedded database and must close it. While it is open, its
   * address is published in DATA_DIR so that no other process opens the same directory. */
  embedded?: EmbeddedDatabase
}

export class DataDirBusyError extends Error {
  override name = 'DataDirBusyError'
}

/** For the server: it owns the embedded database and refuses to share its directory. */
export async function openForServer(config: Config): Promise<Connection> {
  if (config.databaseUrl) return { url: config.databaseUrl, backend: 'postgres' }
  const running = await runningEmbedded(config.dataDir)
  if (running) {
    throw new DataDirBusyError(
      `DATA_DIR=${config.dataDir} is in use by another running server (${running}); stop it or set another DATA_DIR`,
    )
  }
  const embedded = await startEmbedded(config.dataDir)
  return { url: embedded.url, backend: 'embedded', maxConnections: 1, embedded }
}

/** For command-line tasks: they go through a running server's embedded database when there is one. */
export async function openForTask(config: Config, log?: Pick<Logger, 'info'>): Promise<Connection> {
  if (config.databaseUrl) return { url: config.databaseUrl, backend: 'postgres' }
  const running = await runningEmbedded(config.dataDir)
  if (running) {
    log?.info(`using the embedded database of the running server at ${running}`)
    return { url: running, backend: 'embedded', maxConnections: 1 }
  }
  const embedded = await startEmbedded(config.dataDir, { maxConnections: 4 })
  return { url: embedded.url, backend: 'embedded', maxConnections: 1, embedded }
}

export function describe(connection: Connection): string {
  if (connection.backend === 'embedded') return `embedded PostgreSQL (PGlite) at ${connection.url}`
  const url = new URL(connection.url)
  return `PostgreSQL at ${url.hostname}:${url.port || 5432}${url.pathname}`
}
