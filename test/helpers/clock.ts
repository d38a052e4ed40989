// A clock tests move by hand: build(t, {}, { clock }) makes the app read deadlines and due jobs from it.
import type { Clock } from '../../src/jobs/clock.js'

export interface ManualClock extends Clock {
  set(at: string | Date): void
}

export function manualClock(start: string | Date): ManualClock {
  let current = new Date(start)
  return {
    now: () => new Date(current),
    set(at) {
      current = new Date(at)
    },
  }
}
