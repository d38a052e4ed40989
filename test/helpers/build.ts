// build(t): the app on a database of this test file's own, closed when the test ends.
import type { FastifyInstance } from 'fastify'
import tap from 'tap'
import { buildApp, type BuildOptions } from '../../src/app.js'
import { loadConfig, type Config } from '../../src/config.js'
import { createTestDatabase, type TestDatabase } from './database.js'

let shared: Promise<TestDatabase> | undefined

/** This test file's database, created on first use and dropped when the file ends. */
export function fileDatabase(): Promise<TestDatabase> {
  if (!shared) {
    shared = createTestDatabase()
    tap.teardown(async () => (await shared)?.drop())
  }
  return shared
}

export function testConfig(overrides: Partial<Config> = {}): Config {
  // No job polling unless a test asks for it: tests run due jobs themselves (app.jobs.runDue()), so
  // a notification never lands in another test's SMTP receiver at a moment nobody chose.
  return { ...loadConfig({ LOG_LEVEL: 'silent', JOB_POLL_SECONDS: '0' }), ...overrides }
}

export interface BuildTestOptions extends BuildOptions {
  /** Runs on the built app before ready(), e.g. to register a test-only route. */
  beforeReady?: (app: FastifyInstance) => void | Promise<void>
}

export async function build(
  t: { teardown(fn: () => unknown): void },
  overrides: Partial<Config> = {},
  options: BuildTestOptions = {},
): Promise<FastifyInstance> {
  const { beforeReady, ...buildOptions } = options
  const database = await fileDatabase()
  const app = await buildApp(testConfig({ databaseUrl: database.url, ...overrides }), buildOptions)
  t.teardown(() => app.close())
  await beforeReady?.(app)
  await app.ready()
  return app
}
