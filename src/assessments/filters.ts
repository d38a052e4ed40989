// Query parameters shared by the listing, readiness and export routes.
import { z } from 'zod'
import { ASSESSMENT_STATUSES, type AssessmentStatus } from '../db/schema.js'

/** Published figures: what counts in aggregates and exports unless staff ask for more. */
export const PUBLISHED_STATUSES: readonly AssessmentStatus[] = ['submitted', 'validated']

/** `status=submitted,validated`: a comma-separated list of assessment statuses, deduplicated. */
export const statusList = z
  .string()
  .max(60)
  .transform((s, ctx) => {
    const parts = [
      ...new Set(
        s
          .split(',')
          .map((p) => p.trim())
          .filter(Boolean),
      ),
    ]
    if (parts.length === 0 || parts.some((p) => !(ASSESSMENT_STATUSES as readonly string[]).includes(p))) {
      ctx.addIssue({ code: 'custom', message: `must be a comma-separated list of: ${ASSESSMENT_STATUSES.join(', ')}` })
      return z.NEVER
    }
    return parts as AssessmentStatus[]
  })
