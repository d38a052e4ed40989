// A small pool of its own for exports (and nothing else): a slow or stalled download holds one of
// these connections at most, never one that interactive requests need. Each connection has a
// statement_timeout, so no export outlives it whatever the client does.
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import pg from 'pg'

declare module 'fastify' {
  interface FastifyInstance {
    exportPool: pg.Pool
  }
}

export interface ExportPoolOptions {
  connectionString: string
  size: number
  statementTimeoutSeconds: number
}

async function exportPoolPlugin(app: FastifyInstance, options: ExportPoolOptions): Promise<void> {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.size,
    // Waiting long for a busy export slot helps nobody: the caller is told to come back (503).
    connectionTimeoutMillis: 2000,
    idleTimeoutMillis: 30_000,
    application_name: 'treaty-readiness exports',
    options: `-c statement_timeout=${options.statementTimeoutSeconds * 1000}`,
  })
  pool.on('error', (err) => app.log.warn({ err }, 'idle export connection lost'))
  pool.on('connect', (client) => {
    client.on('error', (err) => app.log.warn({ err }, 'export connection lost'))
  })
  app.decorate('exportPool', pool)
  app.addHook('onClose', () => pool.end())
}

export default fp(exportPoolPlugin, { name: 'export-pool', fastify: '5.x' })
