/**
 * What every column of every export file means: its type, unit, range and description, as
 * Frictionless Table Schema fields. Pure: no I/O. The data package descriptor (datapackage.ts) is
 * built from these, the xlsx writer types its cells by them, and the tests validate every exported
 * row against them, so a column without a definition here is a failing test, not a silent gap.
 *
 * Precision (also in the README): domain scores, overall scores and medians (0–100) are rounded to
 * SCORE_DECIMALS; coverage (0–1) and an answer's raw score (0–1) to RATIO_DECIMALS; weights are the
 * questionnaire's own numbers. The exact figures stay available through the API.
 */
import { ASSESSMENT_STATUSES, REGIONS } from '../db/schema.js'
import { ANSWER_TYPES, FORCES } from '../questionnaires/schema.js'
import { ANSWER_COLUMNS, READINESS_TAIL } from './columns.js'

export const SCORE_DECIMALS = 2
export const RATIO_DECIMALS = 4

export type FieldType = 'string' | 'integer' | 'number' | 'boolean' | 'datetime'

export interface Field {
  name: string
  type: FieldType
  description: string
  /** uuid for ids; the rest are Frictionless' "default" formats. */
  format?: 'uuid'
  /** Not a Frictionless keyword: the unit of a number, for people and tools that read it. */
  unit?: string
  constraints?: {
    required?: boolean
    minimum?: number
    maximum?: number
    enum?: string[]
    pattern?: string
  }
}

const text = (name: string, description: string, constraints?: Field['constraints']): Field => ({
  name,
  type: 'string',
  description,
  ...(constraints ? { constraints } : {}),
})
const score100 = (name: string, description: string): Field => ({
  name,
  type: 'number',
  unit: 'points (0–100)',
  description: `${description} Rounded to ${SCORE_DECIMALS} decimals; empty when nothing could be measured (not the same as 0).`,
  constraints: { minimum: 0, maximum: 100 },
})
const ratio = (name: string, description: string): Field => ({
  name,
  type: 'number',
  unit: 'ratio (0–1)',
  description: `${description} Rounded to ${RATIO_DECIMALS} decimals.`,
  constraints: { minimum: 0, maximum: 1 },
})
const count = (name: string, description: string): Field => ({
  name,
  type: 'integer',
  unit: 'questions',
  description,
  constraints: { required: true, minimum: 0 },
})
const when = (name: string, description: string): Field => ({
  name,
  type: 'datetime',
  description: `${description} ISO 8601, UTC, with milliseconds.`,
})

const ASSESSMENT_FIELDS: Field[] = [
  text('country code', 'ISO 3166-1 alpha-3 code of the ITU Member State.', { required: true, pattern: '[A-Z]{3}' }),
  text('country name', 'Short English name of the Member State.', { required: true }),
  text('region', 'ITU-D region.', { required: true, enum: [...REGIONS] }),
  text('questionnaire', 'Questionnaire id (cdc: Convention for Data and Cyberspace; res174: Resolution 174).', { required: true }),
  { name: 'version', type: 'integer', description: 'Questionnaire version the assessment is pinned to.', constraints: { required: true, minimum: 1 } },
  { name: 'cycle', type: 'integer', description: 'Assessment cycle (year).', constraints: { required: true, minimum: 2000, maximum: 2100 } },
  text('status', 'Workflow status of the assessment.', { required: true, enum: [...ASSESSMENT_STATUSES] }),
]

const ASSESSMENT_ID: Field = {
  name: 'assessment id',
  type: 'string',
  format: 'uuid',
  description: 'The assessment (random UUID): joins answers.csv and readiness-long.csv.',
  constraints: { required: true },
}

/** readiness.csv: one row per assessment, one column per domain of the questionnaire version. */
export function readinessFields(domains: readonly string[]): Field[] {
  const tail: Record<(typeof READINESS_TAIL)[number], Field> = {
    overall: score100('overall', 'Overall readiness: the mean of the domain scores weighted by domain weight.'),
    coverage: ratio('coverage', 'Answered questions / applicable questions.'),
    tier: text('tier', 'Tier of the exact overall score (the questionnaire version names its tiers and their lower bounds).'),
  }
  return [
    ...ASSESSMENT_FIELDS,
    ...domains.map((d) => score100(d, `Readiness in domain "${d}" (see the codebook for its questions).`)),
    ...READINESS_TAIL.map((c) => tail[c]),
  ]
}

/** readiness-long.csv: one row per assessment and domain (tidy: a variable per column, an observation per row). */
export const READINESS_LONG_FIELDS: Field[] = [
  ASSESSMENT_ID,
  ...ASSESSMENT_FIELDS,
  when('submitted at', 'When the assessment was last submitted; empty if never.'),
  text('submitted by', 'Name of the person who last submitted it.'),
  when('validated at', 'When staff validated it; empty if not validated.'),
  text('validated by', 'Name of the staff member who validated it.'),
  text('domain', 'Domain id (see the codebook for its title and questions).', { required: true }),
  score100('score', 'Readiness in the domain.'),
  text('tier', 'Tier of the exact domain score.'),
  ratio('coverage', 'Answered / applicable questions of the domain.'),
  count('answered', 'Questions of the domain answered (a value, not applicable or unknown) among those that apply.'),
  count('applicable', 'Questions of the domain that apply (applies_if met, not answered not applicable).'),
  count('not applicable', 'Questions answered not applicable or whose applies_if is not met.'),
  count('unknown', 'Questions answered unknown.'),
  count('missing', 'Applicable questions without an answer (they score 0).'),
  score100(
    'region median',
    'Median domain score of the submitted and validated assessments of the same region, questionnaire, version and cycle (linear interpolation).',
  ),
  score100('world median', 'Median domain score of all submitted and validated assessments of the same questionnaire, version and cycle.'),
]

const ANSWER_FIELD_DEFINITIONS: Record<string, Field> = {
  'question id': text('question id', 'Question id (see the codebook: text, type, options, weight, source).', { required: true }),
  domain: text('domain', 'Domain id of the question.'),
  'source reference': text('source reference', 'Where the question comes from in the source text (e.g. §3.2 bullet 2).'),
  force: text('force', 'Force of the obligation as its wording states it.', { enum: [...FORCES] }),
  value: text(
    'value',
    'The answer: maturity level or number as digits, yes/partial/no, an option id, option ids joined by ";", text, or not_applicable / unknown. The codebook says what each value means.',
  ),
  score: ratio('score', "The answer's raw score (0 worst, 1 best); empty when the answer is not scored."),
  comment: text('comment', "The administration's comment."),
  'evidence URLs': text('evidence URLs', 'Links given as evidence, separated by one space.'),
  'carried forward': { name: 'carried forward', type: 'boolean', description: 'Copied from the previous cycle and not yet confirmed.' },
  'last changed at': when('last changed at', 'When the answer was last written.'),
  'last changed by role': text('last changed by role', 'Role of the token that last wrote the answer.'),
  'assessment id': ASSESSMENT_ID,
  'value label': text('value label', 'The English label of the value (levels, yes/partially/no, options; several joined by "; "); empty for numbers and text.'),
  counted: {
    name: 'counted',
    type: 'boolean',
    description:
      'true when the question applies to this assessment (its applies_if is met) and the answer is not not_applicable: it counts in coverage, and in the score when the question is scored.',
  },
  'review status': text(
    'review status',
    'validated: the assessment was validated; questioned: a reviewer commented on the question after the answer was last changed; revised: the answer changed after the last review comment on it; none: no review comment on the question.',
    { enum: ['validated', 'questioned', 'revised', 'none'] },
  ),
  'evidence titles': text('evidence titles', 'Titles of the links given as evidence, in the order given, joined by " | ".'),
  'evidence documents': text('evidence documents', 'Names of the documents attached as evidence (from the assessment\'s evidence library), joined by " | ".'),
  'accepted evidence': count('accepted evidence', 'Pieces of evidence (links and documents) a reviewer marked accepted for this answer.'),
}

/** answers.csv, in ANSWER_COLUMNS order. Throws for a column nobody described. */
export function answerFields(): Field[] {
  const common = new Map(ASSESSMENT_FIELDS.map((f) => [f.name, f]))
  return ANSWER_COLUMNS.map((name) => {
    const field = common.get(name) ?? ANSWER_FIELD_DEFINITIONS[name]
    if (!field) throw new Error(`answers.csv column "${name}" has no field definition in src/exports/tables.ts`)
    return field
  })
}

export const CODEBOOK_FIELDS: Field[] = [
  text('questionnaire', 'Questionnaire id.', { required: true }),
  { name: 'version', type: 'integer', description: 'Questionnaire version.', constraints: { required: true, minimum: 1 } },
  text('domain', 'Domain id, as in answers.csv and readiness-long.csv.', { required: true }),
  text('domain title', 'Domain title in English.', { required: true }),
  text('domain title, translated', 'Domain title in the language of the "language" column (English where not yet translated).', { required: true }),
  { name: 'position', type: 'integer', description: 'Order of the question in its version (1 = first).', constraints: { required: true, minimum: 1 } },
  text('question id', 'Question id, as in answers.csv.', { required: true }),
  text('question text', 'The question in English.', { required: true }),
  text('question text, translated', 'The question in the language of the "language" column (English where not yet translated).', { required: true }),
  text('language', 'Language of the translated columns (ISO 639-1).', { required: true, enum: ['ar', 'en', 'es', 'fr', 'ru', 'zh'] }),
  text('type', 'Answer type.', { required: true, enum: [...ANSWER_TYPES] }),
  text(
    'options',
    'Possible values with their English label and, in brackets, their raw score: "value=label [score]" joined by " | " (maturity levels, yes/partial/no, options); number questions list their score bands as ">=min [score]".',
  ),
  text('options, translated', 'The same in the language of the "language" column.'),
  text('combine', 'multi_choice only: sum (option scores add up, capped at 1) or max (the best option counts).', { enum: ['sum', 'max'] }),
  text('unit', 'number only: the unit of the value, in English.'),
  { name: 'minimum', type: 'number', description: 'number only: the smallest value accepted.' },
  { name: 'maximum', type: 'number', description: 'number only: the largest value accepted.' },
  {
    name: 'weight',
    type: 'number',
    description: 'Question weight in its domain (inside an alternatives route: relative to the other questions of the route).',
    constraints: { required: true, minimum: 0 },
  },
  text('force', 'Force of the obligation as its wording states it.', { required: true, enum: [...FORCES] }),
  { name: 'force weight', type: 'number', description: "The questionnaire's multiplier for this force.", constraints: { minimum: 0 } },
  {
    name: 'effective weight',
    type: 'number',
    description: 'weight × force weight: what the question weighs in its domain score; empty when the question is not scored.',
    constraints: { minimum: 0 },
  },
  text('alternatives', 'For a question in an "or" group: group/route. The group counts as one item of the domain, scored as its best route.'),
  text('applies if', 'The condition for the question to apply: "<question id> in <values joined by ;>"; empty when it always applies.'),
  { name: 'required', type: 'boolean', description: 'Needed (when it applies) before the assessment can be submitted.', constraints: { required: true } },
  { name: 'not applicable allowed', type: 'boolean', description: 'Whether not_applicable is an accepted answer.', constraints: { required: true } },
  { name: 'unknown allowed', type: 'boolean', description: 'Whether unknown is an accepted answer.', constraints: { required: true } },
  text('source document', 'File of the source text (questionnaires/sources).', { required: true }),
  text('source reference', 'Section and bullet (or paragraph) of the source text the question is about.', { required: true }),
  text('treaty text', 'The words of the cited bullet or paragraph, verbatim (English); empty where the version does not quote it.'),
  text('treaty text, translated', 'The same in the language of the "language" column where a translation exists, otherwise English.'),
  { name: 'scored', type: 'boolean', description: 'false: an unscored fact (counted in coverage, never in a score).', constraints: { required: true } },
]
