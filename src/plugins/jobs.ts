// The clock and the job runner: `app.clock` (the time deadlines and schedules are read from) and
// `app.jobs` (runs due jobs; polls every pollSeconds when that is above 0). The poll stops before
// the server closes, and waits for the job in progress, so no mail is cut off halfway.
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { systemClock, type Clock } from '../jobs/clock.js'
import { createJobRunner, type JobHandler, type JobRunner } from '../jobs/runner.js'

declare module 'fastify' {
  interface FastifyInstance {
    clock: Clock
    jobs: JobRunner
  }
}

export interface JobsOptions {
  clock?: Clock | undefined
  handlers: Readonly<Record<string, JobHandler>>
  /** Seconds between polls; 0 runs jobs only when app.jobs.runDue() is called. */
  pollSeconds: number
}

async function jobsPlugin(app: FastifyInstance, options: JobsOptions): Promise<void> {
  const clock = options.clock ?? systemClock
  const jobs = createJobRunner({ db: app.db, clock, handlers: options.handlers, log: app.log })
  app.decorate('clock', clock)
  app.decorate('jobs', jobs)
  if (options.pollSeconds > 0) app.addHook('onReady', async () => jobs.start(options.pollSeconds * 1000))
  app.addHook('preClose', async () => jobs.stop())
}

export default fp(jobsPlugin, { name: 'jobs', fastify: '5.x', dependencies: ['db'] })
