// tap `after`: stops the run's embedded PostgreSQL, if setup.ts started one.
import { rm } from 'node:fs/promises'
import { stopEmbedded } from '../../src/db/embedded.js'
import { backend, EMBEDDED_DIR, EMBEDDED_PORT_FILE } from './database.js'

if (backend() === 'embedded') {
  await stopEmbedded(EMBEDDED_DIR)
  await rm(EMBEDDED_PORT_FILE, { force: true })
}
