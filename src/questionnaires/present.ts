// A questionnaire version as the API shows it: texts in one language (English where a
// translation is missing), defaults made explicit. Pure.
import { DEFAULT_MATURITY_LABELS, isScored, localize, type Language, type Question, type QuestionnaireFile } from './schema.js'

export function presentQuestion(q: Question, domain: string, lang: Language) {
  const scored = isScored(q)
  const base = {
    id: q.id,
    domain,
    type: q.type,
    force: q.force,
    source: q.source,
    text: localize(q.text, lang),
    guidance: localize(q.guidance, lang),
    weight: q.weight,
    required: q.required,
    allowNotApplicable: q.allow_not_applicable,
    allowUnknown: q.allow_unknown,
    /** A not_applicable answer is refused without a comment saying why. */
    notApplicableRequiresComment: q.not_applicable_requires_comment ?? false,
    /** false: an unscored fact, reported but never in a score. */
    scored,
    rationale: q.rationale ? localize(q.rationale, lang) : null,
    appliesIf: q.applies_if ?? null,
    /** Questions of the previous version whose answers this one takes over. */
    replaces: q.replaces ?? [],
  }
  switch (q.type) {
    case 'maturity': {
      const labels = q.labels ?? DEFAULT_MATURITY_LABELS
      return { ...base, levels: ([0, 1, 2, 3, 4] as const).map((level) => ({ level, label: localize(labels[level], lang) })) }
    }
    case 'yes_no_partial':
      return {
        ...base,
        options: [
          { id: 'yes', label: 'Yes', score: scored ? 1 : null },
          { id: 'partial', label: 'Partially', score: scored ? 0.5 : null },
          { id: 'no', label: 'No', score: scored ? 0 : null },
        ],
      }
    case 'single_choice':
    case 'multi_choice':
      return {
        ...base,
        options: q.options.map((o) => ({ id: o.id, label: localize(o.label, lang), score: o.score ?? null, exclusive: o.exclusive ?? false })),
        ...(q.type === 'multi_choice' ? { combine: q.combine } : {}),
      }
    case 'number':
      return {
        ...base,
        unit: q.unit ? localize(q.unit, lang) : null,
        min: q.min ?? null,
        max: q.max ?? null,
        integer: q.integer,
        bands: q.bands ?? null,
      }
    case 'text':
      return { ...base, maxLength: q.max_length }
  }
}

export type PresentedQuestion = ReturnType<typeof presentQuestion>

export function presentQuestionnaire(file: QuestionnaireFile, hash: string, lang: Language) {
  return {
    id: file.id,
    version: file.version,
    lang,
    hash,
    title: localize(file.title, lang),
    description: localize(file.description, lang),
    source: file.source,
    scoring: {
      forceWeights: file.scoring.force_weights,
      rationaleFromWeight: file.scoring.rationale_from_weight ?? null,
      unknownScoresZero: file.scoring.unknown_scores_zero,
      tiers: file.scoring.tiers.map((t) => ({ id: t.id, label: localize(t.label, lang), min: t.min })),
    },
    domains: file.domains.map((d) => ({
      id: d.id,
      title: localize(d.title, lang),
      description: localize(d.description, lang),
      areas: d.areas,
      weight: d.weight,
      questions: d.questions.map((q) => presentQuestion(q, d.id, lang)),
      alternatives: (d.alternatives ?? []).map((g) => ({
        id: g.id,
        title: localize(g.title, lang),
        weight: g.weight,
        rationale: g.rationale ? localize(g.rationale, lang) : null,
        routes: g.routes.map((r) => ({ id: r.id, label: localize(r.label, lang), questions: r.questions })),
      })),
    })),
  }
}
