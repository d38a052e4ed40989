// What may change in a questionnaire version after it is published. Answers pin a version, so
// anything that gives an answer its meaning or its score is frozen: question wording, types,
// options, levels, scores, weights, forces, conditions, domains. What only explains or documents
// a question may be amended in place (a typo in the guidance, the treaty text quoted beside it),
// and so may its evidence rule, which decides what a submission must show, never what an answer
// means or scores. Pure.
import { canonicalJson } from './catalog.js'

/** Question fields a published version may amend in place. */
export const AMENDABLE_QUESTION_FIELDS = ['guidance', 'rationale', 'quote', 'evidence'] as const

/** The version with every amendable field left out: equal frozen parts mean an amendment. */
export function frozenPart(content: unknown): string {
  return canonicalJson(stripAmendable(content))
}

function stripAmendable(content: unknown): unknown {
  if (content === null || typeof content !== 'object') return content
  const file = content as { domains?: unknown }
  if (!Array.isArray(file.domains)) return content
  return {
    ...file,
    domains: file.domains.map((domain: unknown) => {
      const d = domain as { questions?: unknown }
      if (!Array.isArray(d.questions)) return domain
      return {
        ...d,
        questions: d.questions.map((question: unknown) => {
          const kept: Record<string, unknown> = { ...(question as Record<string, unknown>) }
          for (const field of AMENDABLE_QUESTION_FIELDS) delete kept[field]
          return kept
        }),
      }
    }),
  }
}
