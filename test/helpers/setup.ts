// tap `before`: prepares the template every test database is cloned from.
import { mkdir, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { loadConfig } from '../../src/config.js'
import { prepareDatabase } from '../../src/prepare.js'
import { adminQuery, EMBEDDED_TEMPLATE, serverUrl, TEMPLATE_DB, withDatabase } from './database.js'

const quiet = { info() {}, warn: console.warn }
const server = serverUrl()
if (server) {
  await adminQuery(server, `drop database if exists ${TEMPLATE_DB} with (force)`)
  await adminQuery(server, `create database ${TEMPLATE_DB}`)
  const url = withDatabase(server, TEMPLATE_DB)
  await prepareDatabase({ ...loadConfig({}), databaseUrl: url }, quiet)
} else {
  const { PGlite } = await import('@electric-sql/pglite')
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket')
  const db = await PGlite.create()
  const socket = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 4 })
  await socket.start()
  try {
    await prepareDatabase({ ...loadConfig({}), poolSize: 1, databaseUrl: `postgres://postgres@${socket.getServerConn()}/postgres` }, quiet)
  } finally {
    await socket.stop()
  }
  const dump = await db.dumpDataDir('gzip')
  await db.close()
  await mkdir(path.dirname(EMBEDDED_TEMPLATE), { recursive: true })
  await rm(EMBEDDED_TEMPLATE, { force: true })
  await writeFile(EMBEDDED_TEMPLATE, Buffer.from(await dump.arrayBuffer()))
}
