// The limits of an answer's comment and evidence, one definition for every way an answer arrives
// (PUT/PATCH bodies and the CSV import), so that no path stores more than the API allows.
import { z } from 'zod'

export const httpUrl = z
  .string()
  .max(2000)
  .refine((s) => {
    try {
      const u = new URL(s)
      return u.protocol === 'http:' || u.protocol === 'https:'
    } catch {
      return false
    }
  }, 'must be an http(s) URL')

export const evidenceItem = z.strictObject({ title: z.string().trim().min(1).max(300), url: httpUrl })
export const evidenceList = z.array(evidenceItem).max(20)
export const comment = z.string().max(4000)
