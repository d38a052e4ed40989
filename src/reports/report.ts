// A country report's data: one assessment's figures beside its region and the world, its trend over
// cycles, its largest gaps, evidence and review status, with the questionnaire's texts in the
// report's language. Reads only.
import type { Kysely } from 'kysely'
import { z } from 'zod'
import { domainProgress, listTransitions, loadAnswers, type AssessmentRow } from '../assessments/repository.js'
import { ASSESSMENT_STATUSES, type Database } from '../db/schema.js'
import { direction, type Language } from '../i18n/languages.js'
import type { StoredAnswer } from '../questionnaires/answers.js'
import type { LocalizedText } from '../questionnaires/schema.js'
import type { LoadedVersion } from '../questionnaires/store.js'
import { countryCycles } from '../readiness/repository.js'
import { score } from '../scoring/score.js'
import { reportComparison } from './comparison.js'
import { evidenceCounts } from './evidence.js'
import { largestGaps } from './gaps.js'

/** Gaps listed: enough for a minister's first page of actions, few enough to stay on it. */
export const GAPS_SHOWN = 8

const benchmark = {
  regionMedian: z.number().nullable(),
  regionCount: z.number(),
  worldMedian: z.number().nullable(),
  worldCount: z.number(),
}
/** A questionnaire text in the report's language, or in English (`lang: "en"`) where it is not yet translated. */
const text = z.object({ text: z.string(), lang: z.string() })

export const reportSchema = z
  .object({
    id: z.string(),
    lang: z.string(),
    dir: z.enum(['ltr', 'rtl']),
    generatedAt: z.string(),
    country: z.object({ code: z.string(), alpha2: z.string(), name: z.string().describe('English; pages use the language of the reader'), region: z.string() }),
    questionnaire: z.object({ id: z.string(), version: z.number(), title: text }),
    cycle: z.number(),
    status: z.enum(ASSESSMENT_STATUSES),
    review: z.object({
      status: z.enum(ASSESSMENT_STATUSES),
      updatedAt: z.string(),
      submittedAt: z.string().nullable().describe('the last submission'),
      validatedAt: z.string().nullable(),
      returnedAt: z.string().nullable().describe('the last return for changes'),
      comments: z.number().describe('review comments on the assessment'),
    }),
    comparisonSource: z
      .enum(['live', 'published'])
      .describe(
        'live (staff): current figures of submitted and validated assessments; published (administrations): the latest publication of the campaign, none before it',
      ),
    tiers: z.array(z.object({ id: z.string(), label: text, min: z.number() })),
    overall: z.object({
      score: z.number().nullable(),
      tier: z.string().nullable(),
      coverage: z.number(),
      answered: z.number(),
      applicable: z.number(),
      ...benchmark,
    }),
    domains: z.array(
      z.object({ domain: z.string(), title: text, score: z.number().nullable(), tier: z.string().nullable(), coverage: z.number(), ...benchmark }),
    ),
    trend: z.array(
      z.object({ cycle: z.number(), version: z.number(), status: z.enum(ASSESSMENT_STATUSES), score: z.number().nullable(), tier: z.string().nullable() }),
    ),
    gaps: z.array(
      z.object({
        questionId: z.string(),
        domain: z.string(),
        text: text,
        sourceRef: z.string().describe('the treaty provision, e.g. "§3.2 bullet 1"'),
        raw: z.number().describe('the raw score 0–1'),
        status: z.string().describe('answered, unknown or missing'),
      }),
    ),
    evidence: z.object({
      answersWithEvidence: z.number(),
      links: z.number(),
      documents: z.number().nullable().describe('stored evidence documents; null while the service stores none'),
    }),
  })
  .meta({ id: 'CountryReport' })
export type Report = z.infer<typeof reportSchema>

function localized(value: LocalizedText, lang: Language) {
  const own = value[lang]
  return own ? { text: own, lang } : { text: value.en, lang: 'en' }
}

/**
 * The report of an assessment the caller may see (the route checks). `withhold`: the caller is an
 * administration, so region and world figures over too few countries are withheld.
 */
export async function buildReport(db: Kysely<Database>, a: AssessmentRow, version: LoadedVersion, lang: Language, withhold: boolean): Promise<Report> {
  const country = await db.selectFrom('countries').select(['code', 'alpha2', 'name', 'region']).where('code', '=', a.country).executeTakeFirstOrThrow()
  const [domains, comparison, cycles, answers, transitions, comments, evidence] = await Promise.all([
    domainProgress(db, a.id),
    reportComparison(db, a, country.region, withhold),
    countryCycles(db, a.country, a.questionnaire),
    loadAnswers(db, a.id),
    listTransitions(db, a.id),
    db
      .selectFrom('review_comments')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('assessment_id', '=', a.id)
      .executeTakeFirstOrThrow(),
    evidenceCounts(db, a.id),
  ])
  const file = version.content
  const readiness = score(file, new Map(answers.map((x) => [x.question_id, { value: x.value ?? null, special: x.special } as StoredAnswer])))
  const last = (to: string) =>
    transitions
      .filter((x) => x.to_status === to)
      .at(-1)
      ?.at.toISOString() ?? null
  const titles = new Map(file.domains.map((d) => [d.id, d.title]))
  const none = { regionMedian: null, regionCount: 0, worldMedian: null, worldCount: 0 }
  return {
    id: a.id,
    lang,
    dir: direction(lang),
    generatedAt: new Date().toISOString(),
    country: { code: country.code, alpha2: country.alpha2, name: country.name, region: country.region },
    questionnaire: { id: a.questionnaire, version: a.version, title: localized(file.title, lang) },
    cycle: a.cycle,
    status: a.status,
    review: {
      status: a.status,
      updatedAt: a.updated_at.toISOString(),
      submittedAt: last('submitted'),
      validatedAt: last('validated'),
      returnedAt: last('returned'),
      comments: Number(comments.n),
    },
    comparisonSource: comparison.source,
    tiers: file.scoring.tiers.map((t) => ({ id: t.id, label: localized(t.label, lang), min: t.min })),
    overall: { score: a.overall_score, tier: a.tier, coverage: a.coverage, answered: a.answered, applicable: a.applicable, ...comparison.overall },
    domains: domains.map((d) => ({
      domain: d.domain,
      title: localized(titles.get(d.domain) ?? { en: d.title }, lang),
      score: d.score,
      tier: d.tier,
      coverage: d.coverage,
      ...(comparison.domains.get(d.domain) ?? none),
    })),
    trend: cycles.assessments.map((c) => ({ cycle: c.cycle, version: c.version, status: c.status, score: c.overall_score, tier: c.tier })),
    gaps: largestGaps(file, readiness, GAPS_SHOWN).map((g) => ({
      questionId: g.questionId,
      domain: g.domain,
      text: localized(g.question.text, lang),
      sourceRef: g.question.source.ref,
      raw: g.raw,
      status: g.status,
    })),
    evidence,
  }
}
