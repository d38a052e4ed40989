// The job runner on its own: due jobs run once, in order; a failing job's writes are undone and it
// is retried with a back-off until it gives up; a keyed job is queued once.
import { sql } from 'kysely'
import t from 'tap'
import { enqueue } from '../../src/jobs/queue.js'
import { createJobRunner, MAX_ATTEMPTS, retryDelayMs } from '../../src/jobs/runner.js'
import { build } from '../helpers/build.js'
import { manualClock } from '../helpers/clock.js'

t.test('run, retry, give up', async (t) => {
  const app = await build(t)
  const clock = manualClock('2030-01-01T00:00:00Z')
  const ran: string[] = []
  const log = { error: () => {}, warn: () => {} }
  const runner = createJobRunner({
    db: app.db,
    clock,
    log,
    handlers: {
      note: async (_trx, job) => {
        ran.push(String(job.payload.name))
      },
      broken: async (trx) => {
        // A write that must not survive the failure.
        await trx
          .insertInto('jobs')
          .values({ kind: 'note', payload: JSON.stringify({ name: 'ghost' }), run_at: clock.now() })
          .execute()
        throw new Error('smtp down')
      },
    },
  })
  const queued = await enqueue(app.db, [
    { kind: 'note', payload: { name: 'second' }, runAt: new Date('2030-01-01T00:00:00Z') },
    { kind: 'note', payload: { name: 'first' }, runAt: new Date('2029-12-31T00:00:00Z') },
    { kind: 'note', payload: { name: 'later' }, runAt: new Date('2030-02-01T00:00:00Z') },
    { kind: 'note', payload: { name: 'keyed' }, runAt: new Date('2030-01-01T00:00:00Z'), key: 'once' },
    { kind: 'note', payload: { name: 'keyed again' }, runAt: new Date('2030-01-01T00:00:00Z'), key: 'once' },
    { kind: 'broken', payload: {}, runAt: new Date('2030-01-01T00:00:00Z') },
  ])
  t.equal(queued, 5, 'the second job with the same key is not queued')
  t.equal(await runner.runDue(), 4)
  t.same(ran, ['first', 'second', 'keyed'], 'due ones only, in order of when they were due')
  t.equal(await runner.runDue(), 0, 'nothing twice')

  const broken = await app.db.selectFrom('jobs').selectAll().where('kind', '=', 'broken').executeTakeFirstOrThrow()
  t.match(broken, { attempts: 1, last_error: 'smtp down', done_at: null, failed_at: null })
  t.equal(broken.run_at.toISOString(), new Date(clock.now().getTime() + retryDelayMs(1)).toISOString(), 'retried after a back-off')
  t.equal((await app.db.selectFrom('jobs').select('id').where(sql<boolean>`payload->>'name' = 'ghost'`).execute()).length, 0, 'its writes undone')

  for (let attempt = 2; attempt <= MAX_ATTEMPTS; attempt++) {
    clock.set(new Date(clock.now().getTime() + retryDelayMs(attempt - 1)))
    await runner.runDue()
  }
  const gaveUp = await app.db.selectFrom('jobs').selectAll().where('kind', '=', 'broken').executeTakeFirstOrThrow()
  t.equal(gaveUp.attempts, MAX_ATTEMPTS)
  t.ok(gaveUp.failed_at, 'given up after the last attempt')
  clock.set('2031-01-01T00:00:00Z')
  t.same(ran.splice(0), ['first', 'second', 'keyed'])
  await runner.runDue()
  t.same(ran, ['later'], 'a failed job is not run again')
})
