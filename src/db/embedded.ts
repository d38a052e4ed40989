// The embedded PostgreSQL: PGlite with its data on disk, served on loopback over the Postgres
// wire protocol so that the same pg / Kysely code path serves both backends.
// PGlite allows one process per data directory, so the owning process publishes its address in
// the directory; command-line tasks connect through it while the server runs.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'

const ADDRESS_FILE = 'server.json'

export interface EmbeddedDatabase {
  /** postgres:// URL of the socket server, for pg. */
  readonly url: string
  readonly dataDir: string
  close(): Promise<void>
}

interface Published {
  pid: number
  url: string
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** The URL of a server already running on this data directory, if any. */
export async function runningEmbedded(dataDir: string): Promise<string | undefined> {
  try {
    const published = JSON.parse(await readFile(path.join(dataDir, ADDRESS_FILE), 'utf8')) as Published
    return published.pid !== process.pid && isAlive(published.pid) ? published.url : undefined
  } catch {
    return undefined
  }
}

export async function startEmbedded(
  dataDir: string,
  options: { maxConnections?: number; publish?: boolean } = {},
): Promise<EmbeddedDatabase> {
  const dir = path.resolve(dataDir)
  await mkdir(dir, { recursive: true })
  // Loaded only here: a server on DATABASE_URL never pays for PGlite's WebAssembly module.
  const { PGlite } = await import('@electric-sql/pglite')
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket')
  const db = await PGlite.create({ dataDir: path.join(dir, 'pgdata') })
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: options.maxConnections ?? 20 })
  await server.start()
  const url = `postgres://postgres@${server.getServerConn()}/postgres`
  const publish = options.publish ?? true
  if (publish) await writeFile(path.join(dir, ADDRESS_FILE), JSON.stringify({ pid: process.pid, url } satisfies Published))
  let closed = false
  return {
    url,
    dataDir: dir,
    async close() {
      if (closed) return
      closed = true
      if (publish) await rm(path.join(dir, ADDRESS_FILE), { force: true })
      await server.stop()
      await db.close()
    },
  }
}
