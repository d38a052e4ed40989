// Young garbage collected as an export goes, so a long export does not hold tens of megabytes.
//
// Each chunk read from PostgreSQL is a Buffer whose bytes live outside V8's heap and are freed only
// when a garbage collection finds the Buffer dead. A fast COPY reads ~10 MB/s, and a scavenge comes
// only every few seconds when little JavaScript runs, so the scale export held 30-45 MB of read
// chunks nobody referred to any more (measured with process.memoryUsage().arrayBuffers). When the
// server runs with --expose-gc (npm start, the Dockerfile), a minor collection after every few
// megabytes returns them at once; it takes about a millisecond. Without the flag nothing changes.
import { Transform } from 'node:stream'

type MinorGc = (options: { type: 'minor'; execution: 'sync' }) => void

const gc = (globalThis as { gc?: MinorGc }).gc

/** A pass-through that asks for a minor collection after every `every` bytes (when --expose-gc is on). */
export function collectingEvery(every = 4 * 1024 * 1024): Transform {
  let since = 0
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      since += chunk.length
      if (since >= every && gc) {
        since = 0
        gc({ type: 'minor', execution: 'sync' })
      }
      done(null, chunk)
    },
  })
}
