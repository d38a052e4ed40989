// A questionnaire version as the API shows it: texts in one language, defaults made explicit, and
// an honest list of the texts that are not yet translated (shown in English), as JSON Pointers
// (RFC 6901) into the response, so a client can mark them. Built-in labels (yes/partial/no, the
// default maturity levels) come from the interface catalogs, which exist in all six languages.
// Pure apart from the catalogs shipped with the code.
import { t } from '../i18n/catalogs.js'
import { isScored, type Language, type LocalizedText, type Question, type QuestionnaireFile } from './schema.js'

const LEVELS = [0, 1, 2, 3, 4] as const

/** Picks each text in the language, noting where English has to stand in. */
class Texts {
  readonly fallbacks: string[] = []
  constructor(readonly lang: Language) {}

  pick(text: LocalizedText, pointer: string): string {
    const value = text[this.lang]
    if (value !== undefined) return value
    if (this.lang !== 'en') this.fallbacks.push(pointer)
    return text.en
  }
}

function question(q: Question, domain: string, texts: Texts, at: string) {
  const { lang } = texts
  const scored = isScored(q)
  const base = {
    id: q.id,
    domain,
    type: q.type,
    force: q.force,
    source: q.source,
    text: texts.pick(q.text, `${at}/text`),
    guidance: texts.pick(q.guidance, `${at}/guidance`),
    weight: q.weight,
    required: q.required,
    allowNotApplicable: q.allow_not_applicable,
    allowUnknown: q.allow_unknown,
    /** A not_applicable answer is refused without a comment saying why. */
    notApplicableRequiresComment: q.not_applicable_requires_comment ?? false,
    /** false: an unscored fact, reported but never in a score. */
    scored,
    rationale: q.rationale ? texts.pick(q.rationale, `${at}/rationale`) : null,
    appliesIf: q.applies_if ?? null,
    /** Questions of the previous version whose answers this one takes over. */
    replaces: q.replaces ?? [],
  }
  switch (q.type) {
    case 'maturity': {
      const labels = q.labels
      return {
        ...base,
        levels: LEVELS.map((level) => ({
          level,
          label: labels ? texts.pick(labels[level], `${at}/levels/${level}/label`) : t(lang, `maturity.${level}`),
        })),
      }
    }
    case 'yes_no_partial':
      return {
        ...base,
        options: [
          { id: 'yes', label: t(lang, 'answer.yes'), score: scored ? 1 : null },
          { id: 'partial', label: t(lang, 'answer.partial'), score: scored ? 0.5 : null },
          { id: 'no', label: t(lang, 'answer.no'), score: scored ? 0 : null },
        ],
      }
    case 'single_choice':
    case 'multi_choice':
      return {
        ...base,
        options: q.options.map((o, i) => ({
          id: o.id,
          label: texts.pick(o.label, `${at}/options/${i}/label`),
          score: o.score ?? null,
          exclusive: o.exclusive ?? false,
        })),
        ...(q.type === 'multi_choice' ? { combine: q.combine } : {}),
      }
    case 'number':
      return {
        ...base,
        unit: q.unit ? texts.pick(q.unit, `${at}/unit`) : null,
        min: q.min ?? null,
        max: q.max ?? null,
        integer: q.integer,
        bands: q.bands ?? null,
      }
    case 'text':
      return { ...base, maxLength: q.max_length }
  }
}

export type PresentedQuestion = ReturnType<typeof question>

/** One question on its own; `fallbacks` point into this question. */
export function presentQuestion(q: Question, domain: string, lang: Language) {
  const texts = new Texts(lang)
  return { ...question(q, domain, texts, ''), lang, fallbacks: texts.fallbacks }
}

export function presentQuestionnaire(file: QuestionnaireFile, hash: string, lang: Language) {
  const texts = new Texts(lang)
  const body = {
    id: file.id,
    version: file.version,
    lang,
    hash,
    title: texts.pick(file.title, '/title'),
    description: texts.pick(file.description, '/description'),
    source: file.source,
    scoring: {
      forceWeights: file.scoring.force_weights,
      rationaleFromWeight: file.scoring.rationale_from_weight ?? null,
      unknownScoresZero: file.scoring.unknown_scores_zero,
      tiers: file.scoring.tiers.map((tier, i) => ({ id: tier.id, label: texts.pick(tier.label, `/scoring/tiers/${i}/label`), min: tier.min })),
    },
    domains: file.domains.map((d, di) => ({
      id: d.id,
      title: texts.pick(d.title, `/domains/${di}/title`),
      description: texts.pick(d.description, `/domains/${di}/description`),
      areas: d.areas,
      weight: d.weight,
      questions: d.questions.map((q, qi) => question(q, d.id, texts, `/domains/${di}/questions/${qi}`)),
      alternatives: (d.alternatives ?? []).map((g, gi) => {
        const at = `/domains/${di}/alternatives/${gi}`
        return {
          id: g.id,
          title: texts.pick(g.title, `${at}/title`),
          weight: g.weight,
          rationale: g.rationale ? texts.pick(g.rationale, `${at}/rationale`) : null,
          routes: g.routes.map((r, ri) => ({ id: r.id, label: texts.pick(r.label, `${at}/routes/${ri}/label`), questions: r.questions })),
        }
      }),
    })),
  }
  return { ...body, fallbacks: texts.fallbacks }
}

/** A questionnaire's title in the language, and whether English stands in for it. */
export function presentTitle(file: QuestionnaireFile, lang: Language): { title: string; fallback: boolean } {
  const texts = new Texts(lang)
  return { title: texts.pick(file.title, '/title'), fallback: texts.fallbacks.length > 0 }
}
