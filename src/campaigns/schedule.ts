// When a campaign's scheduled reminders go out. Pure: no I/O.
//
// A reminder goes `days` days before the deadline for each of the campaign's reminder_days, and
// one more a day after the deadline to those still not submitted. A moment that has already passed
// when the campaign opens is skipped: "14 days left" must not arrive with 5 days left.

const DAY_MS = 86_400_000

export interface ReminderMoment {
  /** Days before the deadline; -1 for the one on the day after it. */
  days: number
  at: Date
}

export function reminderMoments(deadline: Date, reminderDays: readonly number[], openedAt: Date): ReminderMoment[] {
  const before = [...new Set(reminderDays)].filter((d) => d > 0).map((days) => ({ days, at: new Date(deadline.getTime() - days * DAY_MS) }))
  const after = { days: -1, at: new Date(deadline.getTime() + DAY_MS) }
  return [...before, after].filter((m) => m.at.getTime() > openedAt.getTime()).sort((a, b) => a.at.getTime() - b.at.getTime())
}

/** Whole days left until the deadline (at least 1 before it; 0 once it has passed). */
export function daysLeft(deadline: Date, now: Date): number {
  const ms = deadline.getTime() - now.getTime()
  return ms <= 0 ? 0 : Math.ceil(ms / DAY_MS)
}
