// tap `before`: the database server of the run (the configured one, or an embedded PostgreSQL in
// .tap/embedded-pg that outlives this script until teardown.ts), and the migrated template every
// test database is cloned from.
import { writeFile } from 'node:fs/promises'
import { loadConfig } from '../../src/config.js'
import { startEmbedded } from '../../src/db/embedded.js'
import { prepareDatabase } from '../../src/prepare.js'
import { adminQuery, backend, EMBEDDED_DIR, EMBEDDED_PORT_FILE, serverUrl, TEMPLATE_DB, withDatabase } from './database.js'

const quiet = { info() {}, warn: console.warn }
if (backend() === 'embedded') {
  const embedded = await startEmbedded(EMBEDDED_DIR, { publish: false, detach: true, log: quiet })
  await writeFile(EMBEDDED_PORT_FILE, JSON.stringify({ port: embedded.port }), { mode: 0o600 })
}
const server = serverUrl()
await adminQuery(server, `drop database if exists ${TEMPLATE_DB} with (force)`)
await adminQuery(server, `create database ${TEMPLATE_DB}`)
await prepareDatabase({ ...loadConfig({}), databaseUrl: withDatabase(server, TEMPLATE_DB) }, quiet)
