// The questionnaire file format: one YAML file per questionnaire version, validated here.
// Pure: no I/O. The catalog module reads files and reports errors with the file name.
import { z } from 'zod'

export const LANGUAGES = ['en', 'ar', 'es', 'fr', 'ru', 'zh'] as const
export type Language = (typeof LANGUAGES)[number]

/**
 * The force of an obligation as its wording states it: "shall" (binding), "endeavour" (a binding
 * duty to try: "shall endeavor", "shall consider", "shall agree to"), "may" (a permission) and
 * "encouraged" (a recommendation).
 */
export const FORCES = ['shall', 'endeavour', 'may', 'encouraged'] as const
export type Force = (typeof FORCES)[number]

export const ANSWER_TYPES = ['maturity', 'yes_no_partial', 'single_choice', 'multi_choice', 'number', 'text'] as const
export type AnswerType = (typeof ANSWER_TYPES)[number]

/** Special answers that stand in for a value where the question allows them. */
export const SPECIALS = ['not_applicable', 'unknown'] as const
export type Special = (typeof SPECIALS)[number]

const slug = z
  .string()
  .regex(/^[a-z][a-z0-9_]*$/, 'must be lower case letters, digits and underscores, starting with a letter')
  .max(40)
const questionId = z
  .string()
  .regex(/^[a-z][a-z0-9_.-]*$/, 'must be lower case letters, digits, ".", "_" or "-", starting with a letter')
  .max(60)

/** Text in ITU's six official languages; English is required, the others fall back to it. */
export const localizedText = z.strictObject({
  en: z.string().trim().min(1, 'English text is required'),
  ar: z.string().trim().min(1).optional(),
  es: z.string().trim().min(1).optional(),
  fr: z.string().trim().min(1).optional(),
  ru: z.string().trim().min(1).optional(),
  zh: z.string().trim().min(1).optional(),
})
export type LocalizedText = z.infer<typeof localizedText>

const score = z.number().min(0, 'score must be between 0 and 1').max(1, 'score must be between 0 and 1')

const option = z.strictObject({
  id: slug.refine((id) => !(SPECIALS as readonly string[]).includes(id), 'is reserved for special answers'),
  label: localizedText,
  /** Required unless the question is `scored: false` (then it must be left out). */
  score: score.optional(),
  /** A multi_choice option that cannot be combined with others ("none of the above"). */
  exclusive: z.boolean().optional(),
})
export type Option = z.infer<typeof option>

const band = z.strictObject({ min: z.number(), score })
export type Band = z.infer<typeof band>

const condition = z.strictObject({
  question: questionId,
  /** The question applies when the other question's answer is one of these values
   * (maturity levels, yes/no/partial, option ids); for multi_choice, when any selected option is listed. */
  in: z.array(z.union([z.string(), z.number()])).min(1),
})
export type Condition = z.infer<typeof condition>

const source = z.strictObject({
  /** File name in questionnaires/sources. */
  document: z.string().min(1),
  section: z.string().regex(/^\d+(\.\d+)*$/, 'must be a section number such as 3.2'),
  /** 1-based bullet within the section, when the section is a list. */
  bullet: z.number().int().positive().optional(),
  /** Human-readable reference, e.g. "§3.2 bullet 2". */
  ref: z.string().min(1),
})

/**
 * When an answer needs evidence (a link or a document) before the assessment can be submitted:
 * a maturity answer from a level on (`required_from: 3`), or any of the listed answers
 * (`required_for: [yes]`, option ids). Exactly one of the two.
 */
const evidenceRule = z.strictObject({
  required_from: z.number().int().min(1).max(4).optional(),
  required_for: z
    .array(z.union([z.string(), z.number()]))
    .min(1)
    .optional(),
})
export type EvidenceRule = z.infer<typeof evidenceRule>

const questionBase = {
  id: questionId,
  source,
  force: z.enum(FORCES),
  text: localizedText,
  guidance: localizedText,
  weight: z.number().positive().max(10).default(1),
  required: z.boolean().default(true),
  allow_not_applicable: z.boolean().default(false),
  allow_unknown: z.boolean().default(true),
  applies_if: condition.optional(),
  /**
   * false: an unscored fact (e.g. whether a permission is actually used). It is asked, checked and
   * counted in coverage like any answer, but never enters a score, and carries no option scores or bands.
   */
  scored: z.boolean().optional(),
  /** true: a "not_applicable" answer needs a comment saying why (reviewers see it). Needs allow_not_applicable. */
  not_applicable_requires_comment: z.boolean().optional(),
  /** Why the question weighs what it does; required from `scoring.rationale_from_weight` on. */
  rationale: localizedText.optional(),
  /** Ids of questions of the previous version whose answers this question takes over (a split or a rewrite). */
  replaces: z.array(questionId).min(1).optional(),
  evidence: evidenceRule.optional(),
}

const maturityLabels = z.strictObject({
  '0': localizedText,
  '1': localizedText,
  '2': localizedText,
  '3': localizedText,
  '4': localizedText,
})

export const question = z.discriminatedUnion('type', [
  z.strictObject({ ...questionBase, type: z.literal('maturity'), labels: maturityLabels.optional() }),
  z.strictObject({ ...questionBase, type: z.literal('yes_no_partial') }),
  z.strictObject({ ...questionBase, type: z.literal('single_choice'), options: z.array(option).min(2) }),
  z.strictObject({
    ...questionBase,
    type: z.literal('multi_choice'),
    options: z.array(option).min(2),
    /** sum: option scores add up, capped at 1; max: the best selected option counts. */
    combine: z.enum(['sum', 'max']).default('sum'),
  }),
  z.strictObject({
    ...questionBase,
    type: z.literal('number'),
    unit: localizedText.optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    integer: z.boolean().default(false),
    /** Ascending lower bounds; a value scores the band with the highest min not above it. Required unless unscored. */
    bands: z.array(band).min(1).optional(),
  }),
  z.strictObject({ ...questionBase, type: z.literal('text'), max_length: z.number().int().positive().max(20000).default(4000) }),
])
export type Question = z.infer<typeof question>

const route = z.strictObject({
  id: slug,
  label: localizedText,
  /** Questions of the domain that together make up this route. */
  questions: z.array(questionId).min(1),
})
export type Route = z.infer<typeof route>

/**
 * Alternative ways of meeting one obligation ("a model law or a treaty"): the group counts in its
 * domain as one item of its own weight, scored as its best route, so either route alone can reach
 * full marks. Inside a route, question weights are relative to each other.
 */
const alternatives = z.strictObject({
  id: slug,
  title: localizedText,
  /** Multiplied by the force weight of its questions (which share one force). */
  weight: z.number().positive().max(10).default(1),
  rationale: localizedText.optional(),
  routes: z.array(route).min(2),
})
export type Alternatives = z.infer<typeof alternatives>

const domain = z.strictObject({
  id: slug,
  title: localizedText,
  description: localizedText,
  /** Areas of section 1 (e.g. "1.6") that give the domain its rationale. */
  areas: z.array(z.string().regex(/^\d+(\.\d+)*$/)).default([]),
  weight: z.number().positive().max(10).default(1),
  questions: z.array(question).min(1),
  alternatives: z.array(alternatives).optional(),
})
export type Domain = z.infer<typeof domain>

const tier = z.strictObject({ id: slug, label: localizedText, min: z.number().min(0).max(100) })
export type Tier = z.infer<typeof tier>

export const DEFAULT_MATURITY_LABELS: Record<'0' | '1' | '2' | '3' | '4', LocalizedText> = {
  '0': { en: 'None', fr: 'Aucun', es: 'Ninguno' },
  '1': { en: 'Planned', fr: 'Prévu', es: 'Previsto' },
  '2': { en: 'Drafted', fr: 'En projet', es: 'En borrador' },
  '3': { en: 'Adopted', fr: 'Adopté', es: 'Adoptado' },
  '4': { en: 'Implemented and enforced', fr: 'Mis en œuvre et appliqué', es: 'Aplicado y exigido' },
}

const scoring = z.strictObject({
  /** Multiplier applied to a question's weight by the force of its obligation; 0 leaves it out of the score. */
  force_weights: z.strictObject({
    shall: z.number().min(0).max(10).default(1),
    may: z.number().min(0).max(10).default(0.5),
    encouraged: z.number().min(0).max(10).default(0.5),
    /** No default: a file that uses the force says what it weighs (v1 files do not use it). */
    endeavour: z.number().min(0).max(10).optional(),
  }),
  /** When set, every question and alternatives group of at least this weight needs a `rationale`. */
  rationale_from_weight: z.number().positive().optional(),
  /** true: an "unknown" answer scores 0 and stays in the denominator; false: it leaves the denominator. */
  unknown_scores_zero: z.boolean().default(true),
  /** Ascending lower bounds on the 0–100 score; the first must be 0. */
  tiers: z.array(tier).min(1),
})
export type ScoringSettings = z.infer<typeof scoring>

export const questionnaireFile = z
  .strictObject({
    id: slug,
    version: z.number().int().positive(),
    title: localizedText,
    description: localizedText,
    source: z.strictObject({ document: z.string().min(1), title: z.string().min(1) }),
    scoring,
    domains: z.array(domain).min(1),
  })
  .superRefine((file, ctx) => {
    const where = new Map<string, { question: Question; path: (string | number)[] }>()
    const domainIds = new Set<string>()
    file.domains.forEach((d, di) => {
      if (domainIds.has(d.id)) {
        ctx.addIssue({ code: 'custom', path: ['domains', di, 'id'], message: `duplicate domain id "${d.id}"` })
      }
      domainIds.add(d.id)
      d.questions.forEach((q, qi) => {
        const path = ['domains', di, 'questions', qi]
        if (where.has(q.id)) {
          ctx.addIssue({ code: 'custom', path: [...path, 'id'], message: `duplicate question id "${q.id}"` })
        } else {
          where.set(q.id, { question: q, path })
        }
      })
    })

    const rationaleFrom = file.scoring.rationale_from_weight
    for (const [id, { question: q, path }] of where) {
      checkQuestion(q, path, ctx)
      if (rationaleFrom !== undefined && q.weight >= rationaleFrom && !q.rationale) {
        ctx.addIssue({
          code: 'custom',
          path: [...path, 'rationale'],
          message: `a question of weight ${q.weight} needs a rationale (rationale_from_weight is ${rationaleFrom})`,
        })
      }
      if (!q.applies_if) continue
      const target = where.get(q.applies_if.question)
      if (!target) {
        ctx.addIssue({
          code: 'custom',
          path: [...path, 'applies_if', 'question'],
          message: `refers to unknown question "${q.applies_if.question}"`,
        })
        continue
      }
      if (target.question.id === id) {
        ctx.addIssue({ code: 'custom', path: [...path, 'applies_if', 'question'], message: 'a question cannot depend on itself' })
        continue
      }
      const allowed = conditionValues(target.question)
      if (!allowed) {
        ctx.addIssue({
          code: 'custom',
          path: [...path, 'applies_if', 'question'],
          message: `"${target.question.id}" is a ${target.question.type} question and cannot be a condition`,
        })
        continue
      }
      q.applies_if.in.forEach((v, vi) => {
        if (!allowed.includes(v)) {
          ctx.addIssue({
            code: 'custom',
            path: [...path, 'applies_if', 'in', vi],
            message: `${JSON.stringify(v)} is not an answer of "${target.question.id}" (allowed: ${allowed.join(', ')})`,
          })
        }
      })
    }
    checkConditionCycles(where, ctx)
    file.domains.forEach((d, di) => {
      checkAlternatives(d, ['domains', di], where, rationaleFrom, ctx)
    })
    if (file.scoring.force_weights.endeavour === undefined && [...where.values()].some(({ question }) => question.force === 'endeavour')) {
      ctx.addIssue({ code: 'custom', path: ['scoring', 'force_weights', 'endeavour'], message: 'is required when a question has force "endeavour"' })
    }

    file.scoring.tiers.forEach((t, ti) => {
      if (ti === 0 && t.min !== 0) {
        ctx.addIssue({ code: 'custom', path: ['scoring', 'tiers', 0, 'min'], message: 'the first tier must start at 0' })
      }
      const prev = file.scoring.tiers[ti - 1]
      if (prev && t.min <= prev.min) {
        ctx.addIssue({ code: 'custom', path: ['scoring', 'tiers', ti, 'min'], message: 'tier lower bounds must ascend' })
      }
    })
  })
export type QuestionnaireFile = z.infer<typeof questionnaireFile>
export type QuestionnaireInput = z.input<typeof questionnaireFile>

/** Whether a question can enter a score: not text, and not marked `scored: false`. */
export function isScored(q: Question): boolean {
  return q.type !== 'text' && q.scored !== false
}

function checkQuestion(q: Question, path: (string | number)[], ctx: z.RefinementCtx): void {
  const issue = (at: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path: [...path, ...at], message })
  if (q.type === 'text' && q.scored !== undefined) issue(['scored'], 'a text question is never scored; leave "scored" out')
  if (q.not_applicable_requires_comment && !q.allow_not_applicable) {
    issue(['not_applicable_requires_comment'], 'needs allow_not_applicable: true')
  }
  if (q.evidence) checkEvidenceRule(q, q.evidence, issue)
  const scored = isScored(q)
  if (q.type === 'single_choice' || q.type === 'multi_choice') {
    const seen = new Set<string>()
    q.options.forEach((o, oi) => {
      if (seen.has(o.id)) issue(['options', oi, 'id'], `duplicate option id "${o.id}"`)
      seen.add(o.id)
      if (scored && o.score === undefined) issue(['options', oi, 'score'], 'is required (the question is scored)')
      if (!scored && o.score !== undefined) issue(['options', oi, 'score'], 'must be left out: the question is not scored')
    })
  }
  if (q.type === 'number') {
    if (scored && !q.bands) issue(['bands'], 'are required (the question is scored)')
    if (!scored && q.bands) issue(['bands'], 'must be left out: the question is not scored')
    ;(q.bands ?? []).forEach((b, bi) => {
      const prev = q.bands?.[bi - 1]
      if (prev && b.min <= prev.min) {
        ctx.addIssue({ code: 'custom', path: [...path, 'bands', bi, 'min'], message: 'band lower bounds must ascend' })
      }
    })
    if (q.min !== undefined && q.max !== undefined && q.min > q.max) {
      ctx.addIssue({ code: 'custom', path: [...path, 'max'], message: 'max must not be below min' })
    }
  }
}

function checkAlternatives(
  d: Domain,
  path: (string | number)[],
  where: Map<string, { question: Question; path: (string | number)[] }>,
  rationaleFrom: number | undefined,
  ctx: z.RefinementCtx,
): void {
  const inDomain = new Set(d.questions.map((q) => q.id))
  const groupIds = new Set<string>()
  const routed = new Set<string>()
  ;(d.alternatives ?? []).forEach((g, gi) => {
    const at = [...path, 'alternatives', gi]
    const issue = (sub: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path: [...at, ...sub], message })
    if (groupIds.has(g.id)) issue(['id'], `duplicate alternatives id "${g.id}"`)
    groupIds.add(g.id)
    if (rationaleFrom !== undefined && g.weight >= rationaleFrom && !g.rationale) {
      issue(['rationale'], `a group of weight ${g.weight} needs a rationale (rationale_from_weight is ${rationaleFrom})`)
    }
    const routeIds = new Set<string>()
    const forces = new Set<string>()
    g.routes.forEach((r, ri) => {
      if (routeIds.has(r.id)) issue(['routes', ri, 'id'], `duplicate route id "${r.id}"`)
      routeIds.add(r.id)
      for (const [qi, id] of r.questions.entries()) {
        const q = where.get(id)?.question
        if (!q || !inDomain.has(id)) {
          issue(['routes', ri, 'questions', qi], `"${id}" is not a question of domain "${d.id}"`)
          continue
        }
        if (!isScored(q)) {
          issue(['routes', ri, 'questions', qi], `"${id}" is not scored and cannot be part of a route`)
          continue
        }
        if (routed.has(id)) {
          issue(['routes', ri, 'questions', qi], `"${id}" is already in a route`)
          continue
        }
        routed.add(id)
        forces.add(q.force)
      }
    })
    if (forces.size > 1) issue(['routes'], `the questions of a group must share one force (found ${[...forces].join(', ')})`)
  })
}

function checkEvidenceRule(q: Question, rule: EvidenceRule, issue: (at: (string | number)[], message: string) => void): void {
  if ((rule.required_from === undefined) === (rule.required_for === undefined)) {
    issue(['evidence'], 'give either required_from (a maturity level) or required_for (answers)')
    return
  }
  if (rule.required_from !== undefined && q.type !== 'maturity') issue(['evidence', 'required_from'], 'is for maturity questions only')
  if (rule.required_for) {
    const allowed = conditionValues(q)
    if (!allowed) {
      issue(['evidence', 'required_for'], `a ${q.type} question cannot require evidence for given answers`)
      return
    }
    rule.required_for.forEach((v, vi) => {
      if (!allowed.includes(v))
        issue(['evidence', 'required_for', vi], `${JSON.stringify(v)} is not an answer of this question (allowed: ${allowed.join(', ')})`)
    })
  }
}

/** The answer values another question's applies_if may name, or null when the type cannot be a condition. */
export function conditionValues(q: Question): (string | number)[] | null {
  switch (q.type) {
    case 'maturity':
      return [0, 1, 2, 3, 4]
    case 'yes_no_partial':
      return ['yes', 'no', 'partial']
    case 'single_choice':
    case 'multi_choice':
      return q.options.map((o) => o.id)
    default:
      return null
  }
}

function checkConditionCycles(where: Map<string, { question: Question; path: (string | number)[] }>, ctx: z.RefinementCtx): void {
  for (const [start, { path }] of where) {
    const seen = new Set<string>([start])
    let next = where.get(start)?.question.applies_if?.question
    while (next) {
      if (seen.has(next)) {
        if (next === start) {
          ctx.addIssue({ code: 'custom', path: [...path, 'applies_if'], message: `conditions form a cycle through "${start}"` })
        }
        break
      }
      seen.add(next)
      next = where.get(next)?.question.applies_if?.question
    }
  }
}

/** Picks the requested language, falling back to English. */
export function localize(text: LocalizedText, lang: Language): string {
  return text[lang] ?? text.en
}

/** All questions of a questionnaire in file order, each with its domain id. */
export function questionsOf(file: QuestionnaireFile): { domain: string; question: Question }[] {
  return file.domains.flatMap((d) => d.questions.map((question) => ({ domain: d.id, question })))
}
