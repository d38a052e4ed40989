// A questionnaire version as the API shows it: texts in one language (English where a
// translation is missing), defaults made explicit. Pure.
import { DEFAULT_MATURITY_LABELS, localize, type Language, type Question, type QuestionnaireFile } from './schema.js'

export function presentQuestion(q: Question, domain: string, lang: Language) {
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
    appliesIf: q.applies_if ?? null,
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
          { id: 'yes', label: 'Yes', score: 1 },
          { id: 'partial', label: 'Partially', score: 0.5 },
          { id: 'no', label: 'No', score: 0 },
        ],
      }
    case 'single_choice':
    case 'multi_choice':
      return {
        ...base,
        options: q.options.map((o) => ({ id: o.id, label: localize(o.label, lang), score: o.score, exclusive: o.exclusive ?? false })),
        ...(q.type === 'multi_choice' ? { combine: q.combine } : {}),
      }
    case 'number':
      return {
        ...base,
        unit: q.unit ? localize(q.unit, lang) : null,
        min: q.min ?? null,
        max: q.max ?? null,
        integer: q.integer,
        bands: q.bands,
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
    })),
  }
}
