import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { notFound, problems } from '../errors.js'
import { negotiateLanguage } from './language.js'
import { presentQuestion, presentQuestionnaire } from './present.js'
import { ANSWER_TYPES, FORCES, LANGUAGES } from './schema.js'

const langQuery = z.object({
  lang: z
    .string()
    .max(20)
    .optional()
    .describe(`One of ${LANGUAGES.join(', ')}; otherwise Accept-Language decides. Missing translations fall back to English.`),
})

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
    appliesIf: z.object({ question: z.string(), in: z.array(z.union([z.string(), z.number()])) }).nullable(),
    levels: z.array(z.object({ level: z.number(), label: z.string() })).optional(),
    options: z
      .array(z.object({ id: z.string(), label: z.string(), score: z.number(), exclusive: z.boolean().optional() }))
      .optional(),
    combine: z.enum(['sum', 'max']).optional(),
    unit: z.string().nullable().optional(),
    min: z.number().nullable().optional(),
    max: z.number().nullable().optional(),
    integer: z.boolean().optional(),
    bands: z.array(z.object({ min: z.number(), score: z.number() })).optional(),
    maxLength: z.number().optional(),
  })
  .meta({ id: 'Question' })

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
      forceWeights: z.object({ shall: z.number(), may: z.number(), encouraged: z.number() }),
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
      }),
    ),
  })
  .meta({ id: 'QuestionnaireVersion' })

const listSchema = z.object({
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

export default async function questionnaireRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>()

  r.get(
    '/questionnaires',
    {
      schema: {
        operationId: 'listQuestionnaires',
        security: [],
        tags: ['questionnaires'],
        summary: 'Questionnaires and their published versions',
        response: { 200: listSchema },
      },
    },
    async () => {
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
      return { items: [...byId.values()] }
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
        params: versionParams,
        querystring: langQuery,
        response: { 200: versionSchema, ...problems(400, 404) },
      },
    },
    async (request, reply) => {
      const loaded = await app.questionnaires.get(request.params.id, request.params.version)
      if (!loaded) throw notFound(`questionnaire ${request.params.id} version ${request.params.version}`)
      const lang = negotiateLanguage(request.query.lang, request.headers['accept-language'])
      reply.header('content-language', lang).header('cache-control', 'public, max-age=300')
      return presentQuestionnaire(loaded.content, loaded.hash, lang)
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
        response: { 200: questionSchema, ...problems(400, 404) },
      },
    },
    async (request, reply) => {
      const { id, version, questionId } = request.params
      const loaded = await app.questionnaires.get(id, version)
      const question = loaded?.questions.get(questionId)
      if (!loaded || !question) throw notFound(`question ${questionId} of questionnaire ${id} version ${version}`)
      const lang = negotiateLanguage(request.query.lang, request.headers['accept-language'])
      reply.header('content-language', lang)
      return presentQuestion(question, loaded.domainOf.get(questionId) ?? '', lang)
    },
  )
}
