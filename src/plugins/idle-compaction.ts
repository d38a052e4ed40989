// Memory given back after a burst.
//
// Under load V8 grows its heap with garbage it has not yet collected, and an ordinary major
// collection frees the objects but keeps the pages: measured after 24 s of answer writes, RSS stayed
// at 304 MB through one. Only a memory-reducing collection (V8's "last resort" flavour) returns the
// pages: 243 -> 139 MB. It stops the process for 0.1-0.3 s, so it runs only when nothing is in
// flight and nothing has arrived for a moment, once per burst (when RSS has grown well past what it
// was after the last one). It needs --expose-gc (npm start, the Dockerfile); without it nothing runs.
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

type MemoryReducingGc = (options: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void

export interface IdleCompactionOptions {
  /** The collector; globalThis.gc when the process runs with --expose-gc. */
  gc?: MemoryReducingGc | undefined
  /** How long nothing may have been in flight before it runs. */
  idleMs?: number
  /** How far RSS must have grown since the last compaction (or start). */
  growthBytes?: number
  rss?: () => number
  checkEveryMs?: number
}

export interface CompactionState {
  inFlight: number
  idleForMs: number
  rss: number
  /** RSS after the last compaction, or when the server became ready. */
  baseline: number
  /** Whether any request came since the last compaction. */
  activeSince: boolean
}

/** Whether to compact now. Pure. */
export function shouldCompact(s: CompactionState, idleMs: number, growthBytes: number): boolean {
  return s.activeSince && s.inFlight === 0 && s.idleForMs >= idleMs && s.rss - s.baseline >= growthBytes
}

async function idleCompaction(app: FastifyInstance, options: IdleCompactionOptions): Promise<void> {
  const gc = options.gc ?? (globalThis as { gc?: MemoryReducingGc }).gc
  if (!gc) return
  const idleMs = options.idleMs ?? 1000
  const growthBytes = options.growthBytes ?? 32 * 1024 * 1024
  const rss = options.rss ?? (() => process.memoryUsage.rss())
  let inFlight = 0
  let lastActivity = Date.now()
  let activeSince = false
  let baseline = rss()

  const settled = () => {
    inFlight--
    lastActivity = Date.now()
  }
  app.addHook('onRequest', (_request, reply, done) => {
    inFlight++
    activeSince = true
    lastActivity = Date.now()
    // 'close' comes for every response, finished or broken off (a long export included).
    reply.raw.once('close', settled)
    done()
  })
  app.addHook('onReady', async () => {
    baseline = rss()
  })

  const timer = setInterval(() => {
    const state = { inFlight, idleForMs: Date.now() - lastActivity, rss: rss(), baseline, activeSince }
    if (!shouldCompact(state, idleMs, growthBytes)) return
    const started = performance.now()
    gc({ type: 'major', execution: 'sync', flavor: 'last-resort' })
    baseline = rss()
    activeSince = false
    app.log.info({ rssBefore: state.rss, rssAfter: baseline, ms: Math.round(performance.now() - started) }, 'memory compacted after a burst')
  }, options.checkEveryMs ?? 500)
  timer.unref()
  app.addHook('onClose', async () => clearInterval(timer))
}

export default fp(idleCompaction, { name: 'idle-compaction', fastify: '5.x' })
