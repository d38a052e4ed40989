// The database: one pg pool from @fastify/postgres, and Kysely on that same pool.
// @fastify/postgres ends the pool on close, so Kysely is never destroyed separately.
import fastifyPostgres from '@fastify/postgres'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { Kysely, PostgresDialect } from 'kysely'
import type { Database } from '../db/schema.js'

declare module 'fastify' {
  interface FastifyInstance {
    db: Kysely<Database>
  }
}

export interface DbOptions {
  connectionString: string
  poolSize: number
}

async function dbPlugin(app: FastifyInstance, options: DbOptions): Promise<void> {
  await app.register(fastifyPostgres, {
    connectionString: options.connectionString,
    max: options.poolSize,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
    application_name: 'treaty-readiness',
  })
  // An idle client whose server connection dies emits 'error' on the pool; without a listener
  // that would crash the process. The next query gets a fresh connection.
  app.pg.pool.on('error', (err) => app.log.warn({ err }, 'idle database connection lost'))
  // A client that is checked out but between queries (inside a transaction, say) when its server
  // connection dies emits 'error' on itself, where the pool's listener is not attached: without one
  // the process crashes (pg_terminate_backend did it). The pending or next query fails instead (503),
  // and the pool drops the broken client on release.
  app.pg.pool.on('connect', (client) => {
    client.on('error', (err) => app.log.warn({ err }, 'database connection lost'))
  })
  app.decorate('db', new Kysely<Database>({ dialect: new PostgresDialect({ pool: app.pg.pool }) }))
}

export default fp(dbPlugin, { name: 'db', fastify: '5.x' })
