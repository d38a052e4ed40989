import { createHash } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { notFound, problems } from '../errors.js'
import { langQuery, requestLanguage } from '../i18n/request.js'
import { presentQuestion, presentQuestionnaire, presentTitle } from './present.js'
import { ANSWER_TYPES, FORCES, LANGUAGES, type Language } from './schema.js'
import type { LoadedVersion } from './store.js'

const fallbacks = z
  .array(z.string())
  .describe(
    'JSON Pointers (RFC 6901) into this response to the texts not yet translated into `lang`, which are given in English. Empty when everything is in `lang`.',
  )

const questionSchema = z
  .object({
    id: z.string(),
    domain: z.string(),
    type: z.enum(ANSWER_TYPES),
    force: z.enum(FORCES),
    source: z.object({ document: z.string(), section: z.string(), bullet: z.number().optional(), ref: z.string() }),
    text: z.string(),
    guidance: z.string(),
    weight: z.number(),
    required: z.boolean(),
    allowNotApplicable: z.boolean(),
    allowUnknown: z.boolean(),
    notApplicableRequiresComment: z.boolean().describe('A not_applicable answer needs a comment saying why (422 naming /comment otherwise).'),
    scored: z.boolean().describe('false: an unscored fact, shown and counted in coverage but never in a score.'),
    rationale: z.string().nullable().describe('Why the question weighs what it does (core obligations).'),
    replaces: z.array(z.string()).describe('Questions of the previous version whose answers this one takes over.'),
    appliesIf: z.object({ question: z.string(), in: z.array(z.union([z.string(), z.number()])) }).nullable(),
    levels: z.array(z.object({ level: z.number(), label: z.string() })).optional(),
    options: z.array(z.object({ id: z.string(), label: z.string(), score: z.number().nullable(), exclusive: z.boolean().optional() })).optional(),
    combine: z.enum(['sum', 'max']).optional(),
    unit: z.string().nullable().optional(),
    min: z.number().nullable().optional(),
    max: z.number().nullable().optional(),
    integer: z.boolean().optional(),
    bands: z
      .array(z.object({ min: z.number(), score: z.number() }))
      .nullable()
      .optional(),
    maxLength: z.number().optional(),
  })
  .meta({ id: 'Question' })

const questionInLanguage = questionSchema
  .extend({ lang: z.enum(LANGUAGES), fallbacks })
  .meta({ id: 'QuestionInLanguage', description: 'One question; `fallbacks` point into it' })

const versionSchema = z
  .object({
    id: z.string(),
    version: z.number(),
    lang: z.enum(LANGUAGES),
    hash: z.string(),
    title: z.string(),
    description: z.string(),
    source: z.object({ document: z.string(), title: z.string() }),
    scoring: z.object({
      forceWeights: z.object({ shall: z.number(), may: z.number(), encouraged: z.number(), endeavour: z.number().optional() }),
      rationaleFromWeight: z.number().nullable(),
      unknownScoresZero: z.boolean(),
      tiers: z.array(z.object({ id: z.string(), label: z.string(), min: z.number() })),
    }),
    domains: z.array(
      z.object({
        id: z.string(),
        title: z.string(),
        description: z.string(),
        areas: z.array(z.string()),
        weight: z.number(),
        questions: z.array(questionSchema),
        alternatives: z
          .array(
            z.object({
              id: z.string(),
              title: z.string(),
              weight: z.number(),
              rationale: z.string().nullable(),
              routes: z.array(z.object({ id: z.string(), label: z.string(), questions: z.array(z.string()) })),
            }),
          )
          .describe('Alternative routes to one obligation: the group scores as its best route.'),
      }),
    ),
    fallbacks,
  })
  .meta({ id: 'QuestionnaireVersion' })

const listSchema = z.object({
  lang: z.enum(LANGUAGES),
  fallbacks,
  items: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      latestVersion: z.number(),
      versions: z.array(z.object({ version: z.number(), questionCount: z.number(), hash: z.string(), syncedAt: z.string() })),
    }),
  ),
})

const versionParams = z.object({ id: z.string().max(40), version: z.coerce.number().int().positive() })

const languagesSchema = z.object({
  items: z.array(
    z.object({
      lang: z.enum(LANGUAGES),
      title: z.string(),
      translated: z.boolean().describe('Whether the questionnaire has its own title in this language (texts without a translation are shown in English)'),
      untranslated: z.number().int().describe('How many of its texts are not yet translated into this language (given in English, listed in `fallbacks`)'),
      digest: z.string().describe('Digest of the version as served in this language: add ?digest= to its address to have it cached for good'),
    }),
  ),
})

/**
 * A version as served in one language, with the digest of exactly those bytes.
 * Why a digest of the served texts and not the version's hash: the content of a published version
 * cannot change, but its translations come from files (questionnaires/translations/) that may be
 * corrected without a new version and are read at start-up. The digest changes with them, so a URL
 * carrying it (`?digest=`) names texts that never change (cached for a year, immutable), and a
 * corrected translation gets a new URL after the restart that loads it.
 * Memoised per loaded version (the store keeps one object per version for the process's life).
 */
const served = new WeakMap<LoadedVersion, Map<Language, { body: ReturnType<typeof presentQuestionnaire>; json: string; digest: string }>>()
function servedIn(loaded: LoadedVersion, lang: Language) {
  let byLang = served.get(loaded)
  if (!byLang) {
    byLang = new Map()
    served.set(loaded, byLang)
  }
  let entry = byLang.get(lang)
  if (!entry) {
    const body = presentQuestionnaire(loaded.content, loaded.hash, lang)
    const json = JSON.stringify(body)
    entry = { body, json, digest: createHash('sha256').update(json).digest('hex').slice(0, 32) }
    byLang.set(lang, entry)
  }
  return entry
}

/** True (and the reply is a 304) when the client already holds this ETag. */
function notModified(request: FastifyRequest, reply: FastifyReply, etag: string): boolean {
  reply.header('etag', etag)
  const given = request.headers['if-none-match']
  if (!given?.split(',').some((t) => t.trim().replace(/^W\//, '') === etag)) return false
  reply.code(304).send()
  return true
}

export default async function questionnaireRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>()

  r.get(
    '/questionnaires',
    {
      schema: {
        operationId: 'listQuestionnaires',
        security: [],
        tags: ['questionnaires'],
        summary: 'Questionnaires and their published versions; titles (of the latest version) in the language asked for',
        querystring: langQuery,
        response: { 200: listSchema, ...problems(400) },
      },
    },
    async (request, reply) => {
      const lang = requestLanguage(request, reply, request.query.lang)
      const versions = await app.questionnaires.list()
      const byId = new Map<string, z.infer<typeof listSchema>['items'][number]>()
      for (const v of versions) {
        const item = byId.get(v.questionnaire) ?? { id: v.questionnaire, title: v.title, latestVersion: v.version, versions: [] }
        item.versions.push({ version: v.version, questionCount: v.questionCount, hash: v.hash, syncedAt: v.syncedAt.toISOString() })
        if (v.version >= item.latestVersion) {
          item.latestVersion = v.version
          item.title = v.title
        }
        byId.set(v.questionnaire, item)
      }
      const items = [...byId.values()]
      const titles = await Promise.all(
        items.map(async (item) => {
          const latest = await app.questionnaires.get(item.id, item.latestVersion)
          return latest ? presentTitle(latest.content, lang) : { title: item.title, fallback: lang !== 'en' }
        }),
      )
      titles.forEach(({ title }, i) => {
        items[i]!.title = title
      })
      return { lang, fallbacks: titles.flatMap(({ fallback }, i) => (fallback ? [`/items/${i}/title`] : [])), items }
    },
  )

  r.get(
    '/questionnaires/:id/versions/:version',
    {
      schema: {
        operationId: 'getQuestionnaireVersion',
        security: [],
        tags: ['questionnaires'],
        summary: 'A questionnaire version: its domains with their questions, in order',
        description:
          'With ?digest= (from …/languages) equal to the current digest of these texts the response is cacheable for good ' +
          '(Cache-Control: immutable); otherwise it carries that digest as its ETag and is revalidated (If-None-Match → 304).',
        params: versionParams,
        querystring: langQuery.extend({
          digest: z
            .string()
            .regex(/^[0-9a-f]{16,64}$/, 'must be a digest given by …/languages')
            .optional()
            .describe('The digest of the texts, from GET /questionnaires/{id}/versions/{version}/languages'),
        }),
        response: { 200: versionSchema, 304: z.null().describe('Not modified'), ...problems(400, 404) },
      },
    },
    async (request, reply) => {
      const loaded = await app.questionnaires.get(request.params.id, request.params.version)
      if (!loaded) throw notFound(`questionnaire ${request.params.id} version ${request.params.version}`)
      const lang = requestLanguage(request, reply, request.query.lang)
      const texts = servedIn(loaded, lang)
      reply.header('cache-control', request.query.digest === texts.digest ? 'public, max-age=31536000, immutable' : 'public, no-cache')
      if (notModified(request, reply, `"${texts.digest}"`)) return reply
      return texts.body
    },
  )

  r.get(
    '/questionnaires/:id/versions/:version/languages',
    {
      schema: {
        operationId: 'getQuestionnaireLanguages',
        security: [],
        tags: ['questionnaires'],
        summary: "A version's languages: title, whether it is translated, and the digest that addresses its texts",
        params: versionParams,
        response: { 200: languagesSchema, 304: z.null().describe('Not modified'), ...problems(400, 404) },
      },
    },
    async (request, reply) => {
      const loaded = await app.questionnaires.get(request.params.id, request.params.version)
      if (!loaded) throw notFound(`questionnaire ${request.params.id} version ${request.params.version}`)
      const items = LANGUAGES.map((lang) => {
        const texts = servedIn(loaded, lang)
        return {
          lang,
          title: texts.body.title,
          translated: lang === 'en' || loaded.content.title[lang] !== undefined,
          untranslated: texts.body.fallbacks.length,
          digest: texts.digest,
        }
      })
      reply.header('cache-control', 'no-cache')
      const etag = `"${createHash('sha256')
        .update(items.map((i) => i.digest).join())
        .digest('hex')
        .slice(0, 32)}"`
      if (notModified(request, reply, etag)) return reply
      return { items }
    },
  )

  r.get(
    '/questionnaires/:id/versions/:version/questions/:questionId',
    {
      schema: {
        operationId: 'getQuestion',
        security: [],
        tags: ['questionnaires'],
        summary: 'One question of a questionnaire version',
        params: versionParams.extend({ questionId: z.string().max(80) }),
        querystring: langQuery,
        response: { 200: questionInLanguage, ...problems(400, 404) },
      },
    },
    async (request, reply) => {
      const { id, version, questionId } = request.params
      const loaded = await app.questionnaires.get(id, version)
      const question = loaded?.questions.get(questionId)
      if (!loaded || !question) throw notFound(`question ${questionId} of questionnaire ${id} version ${version}`)
      const lang = requestLanguage(request, reply, request.query.lang)
      return presentQuestion(question, loaded.domainOf.get(questionId) ?? '', lang)
    },
  )
}
