// npm run openapi: writes the OpenAPI document the server serves at /openapi.json, built from the
// routes by buildApp, without a database (nothing is queried; the pool never connects).
//   npm run openapi                     # to stdout
//   npm run openapi -- --out file.json  # to a file
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { buildApp } from '../app.js'
import { loadConfig } from '../config.js'

/** The document, as /openapi.json serves it. */
export async function openapiDocument(): Promise<unknown> {
  // A URL is required by buildApp; no connection is made to it.
  const config = { ...loadConfig({ LOG_LEVEL: 'silent' }), databaseUrl: 'postgres://openapi@127.0.0.1:1/none', poolSize: 1 }
  const app = await buildApp(config)
  try {
    await app.ready()
    return app.swagger()
  } finally {
    await app.close()
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2)
  const at = args.indexOf('--out')
  const out = at >= 0 ? args[at + 1] : undefined
  if (at >= 0 && !out) throw new Error('--out needs a file name')
  const text = `${JSON.stringify(await openapiDocument(), null, 2)}\n`
  if (!out) {
    process.stdout.write(text)
    return
  }
  await mkdir(path.dirname(path.resolve(out)), { recursive: true })
  await writeFile(out, text)
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error))
    process.exitCode = 1
  })
}
