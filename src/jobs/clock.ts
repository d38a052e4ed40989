// The service's notion of "now" for deadlines and scheduled work. Production reads the system
// clock; tests pass a clock they move (buildApp's `clock` option), so "three days before the
// deadline" can be reached without waiting three days.
export interface Clock {
  now(): Date
}

export const systemClock: Clock = { now: () => new Date() }
