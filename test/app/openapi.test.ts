// /openapi.json is a valid OpenAPI 3 document generated from the routes' zod schemas; /docs serves it as HTML.
import { spawnSync } from 'node:child_process'
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { compileErrors, validate } from '@readme/openapi-parser'
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import t, { type Test } from 'tap'
import { z } from 'zod'
import { problems } from '../../src/errors.js'
import { build } from '../helpers/build.js'
import { ROOT } from '../helpers/database.js'

interface OpenApiDocument {
  openapi: string
  info: { title: string; version: string }
  paths: Record<string, Record<string, { responses?: Record<string, unknown> }>>
  components?: { schemas?: Record<string, unknown> }
}

/** A route using every kind of schema the feature routes use, registered only in this test. */
function sampleRoute(app: FastifyInstance): void {
  app.withTypeProvider<ZodTypeProvider>().put(
    '/test/things/:id',
    {
      schema: {
        tags: ['test'],
        summary: 'A test-only route',
        params: z.object({ id: z.uuid() }),
        querystring: z.object({ dryRun: z.enum(['true', 'false']).optional() }),
        headers: z.object({ 'if-match': z.string().optional() }),
        body: z.object({
          name: z.string().min(1).max(200),
          score: z.number().min(0).max(1).nullable(),
          tags: z.array(z.string()).default([]),
          kind: z.discriminatedUnion('type', [z.object({ type: z.literal('a'), a: z.number() }), z.object({ type: z.literal('b'), b: z.boolean() })]),
        }),
        response: { 200: z.object({ id: z.uuid(), name: z.string(), at: z.iso.datetime() }), ...problems(400, 404, 412) },
      },
    },
    async (request) => ({ id: request.params.id, name: request.body.name, at: new Date().toISOString() }),
  )
}

async function openapi(app: FastifyInstance): Promise<OpenApiDocument> {
  const res = await app.inject({ method: 'GET', url: '/openapi.json' })
  if (res.statusCode !== 200) throw new Error(`/openapi.json answered ${res.statusCode}`)
  if (!/^application\/json/.test(String(res.headers['content-type']))) throw new Error('not JSON')
  return res.json() as OpenApiDocument
}

async function assertValid(t: Test, document: OpenApiDocument): Promise<void> {
  // validate() dereferences in place; give it a copy.
  const result = await validate(structuredClone(document) as never)
  t.ok(result.valid, result.valid ? 'a valid OpenAPI document' : compileErrors(result))
  t.equal(result.specification, 'OpenAPI')
  t.same(result.warnings, [], 'without warnings')
}

t.test('/openapi.json is a valid OpenAPI 3 document', async (t) => {
  const app = await build(t)
  const document = await openapi(app)
  t.match(document.openapi, /^3\.\d+\.\d+$/)
  t.equal(document.info.title, 'treaty-readiness')
  await assertValid(t, document)
  t.ok(document.paths['/healthz']?.get, '/healthz is described')
  t.ok(document.paths['/readyz']?.get?.responses?.['503'], 'with its 503 problem response')
  t.notOk(document.paths['/openapi.json'], 'the document itself is hidden')
})

t.test('routes with params, query, headers, body and problem responses keep the document valid', async (t) => {
  const app = await build(t, {}, { beforeReady: sampleRoute })
  const document = await openapi(app)
  await assertValid(t, document)
  const operation = document.paths['/test/things/{id}']?.put
  t.ok(operation, 'the route is described, with an OpenAPI path template')
  t.same(Object.keys(operation?.responses ?? {}).sort(), ['200', '400', '404', '412'])
})

t.test('/docs serves the HTML reference and its script from this origin, under a policy of its own', async (t) => {
  const app = await build(t)
  const redirect = await app.inject({ method: 'GET', url: '/docs' })
  t.equal(redirect.statusCode, 301, 'the page lives at /docs/ (its script path is relative)')
  t.equal(redirect.headers.location, '/docs/')
  const res = await app.inject({ method: 'GET', url: '/docs/' })
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^text\/html/)
  t.match(res.payload, /<html lang="en">/)
  t.match(res.payload, /"url": "\/openapi\.json"/, 'the reference reads /openapi.json')
  const csp = String(res.headers['content-security-policy'])
  t.match(csp, /default-src 'self'/)
  t.match(csp, /frame-ancestors 'none'/)
  t.match(csp, /script-src 'self' 'sha256-[A-Za-z0-9+/=]+'/, 'its inline configuration script is allowed by hash only')
  t.notMatch(csp, /script-src[^;]*'unsafe-inline'/)
  t.notMatch(csp, /https?:\/\//, 'no other origin is allowed')
  const scripts = [...res.payload.matchAll(/<script src="([^"]+)"/g)].map((m) => m[1] as string)
  t.ok(scripts.length > 0, 'the page loads scripts')
  for (const src of scripts) {
    const url = new URL(src, 'http://localhost/docs/').pathname
    t.ok(url.startsWith('/docs/'), `${src} is same-origin`)
    const asset = await app.inject({ method: 'GET', url })
    t.equal(asset.statusCode, 200, `${url} loads`)
    t.match(asset.headers['content-type'], /javascript/)
    t.equal(asset.headers['cache-control'], 'public, max-age=86400', 'cached for a day')
  }
  const missing = await app.inject({ method: 'GET', url: '/docs/js/nothing.js' })
  t.equal(missing.statusCode, 404, 'nothing else is served under /docs/')
  t.match(missing.headers['content-type'], /^application\/problem\+json/)
})

/** Every operation's id, pinned: generated clients name their methods after them. */
const OPERATION_IDS: Record<string, string> = {
  'POST /session': 'signIn',
  'DELETE /session': 'signOut',
  'GET /healthz': 'checkAlive',
  'GET /readyz': 'checkReady',
  'POST /tokens': 'createToken',
  'GET /tokens': 'listTokens',
  'DELETE /tokens/{id}': 'revokeToken',
  'GET /me': 'whoAmI',
  'GET /questionnaires': 'listQuestionnaires',
  'GET /questionnaires/{id}/versions/{version}': 'getQuestionnaireVersion',
  'GET /questionnaires/{id}/versions/{version}/questions/{questionId}': 'getQuestion',
  'GET /questionnaires/{id}/versions/{version}/languages': 'getQuestionnaireLanguages',
  'GET /countries': 'listCountries',
  'GET /countries/{code}': 'getCountry',
  'POST /assessments': 'createAssessment',
  'GET /assessments': 'listAssessments',
  'GET /assessments/{id}': 'getAssessment',
  'PUT /assessments/{id}/answers/{questionId}': 'putAnswer',
  'PATCH /assessments/{id}/answers': 'patchAnswers',
  'GET /assessments/{id}/answers/{questionId}/history': 'getAnswerHistory',
  'GET /assessments/{id}/trail': 'getAssessmentTrail',
  'POST /assessments/{id}/transitions': 'transitionAssessment',
  'POST /assessments/{id}/version': 'changeAssessmentVersion',
  'POST /assessments/{id}/comments': 'addReviewComment',
  'GET /assessments/{id}/readiness': 'getAssessmentReadiness',
  'GET /countries/{code}/readiness': 'getCountryReadiness',
  'GET /readiness': 'getReadinessAggregates',
  'GET /exports/readiness.csv': 'exportReadinessCsv',
  'GET /exports/answers.csv': 'exportAnswersCsv',
  'GET /exports/readiness-long.csv': 'exportReadinessLongCsv',
  'GET /exports/codebook.csv': 'exportCodebookCsv',
  'GET /exports/package.zip': 'exportDataPackage',
  'GET /exports/data.xlsx': 'exportWorkbook',
  'POST /assessments/{id}/import': 'importAnswersCsv',
  'GET /persons': 'listPersons',
  'POST /persons': 'invitePerson',
  'POST /persons/{id}/invitations': 'resendInvitation',
  'PATCH /persons/{id}': 'updatePerson',
  'POST /persons/{id}/memberships': 'grantMembership',
  'DELETE /persons/{id}/memberships/{membershipId}': 'withdrawMembership',
  'GET /persons/{id}/sessions': 'listPersonSessions',
  'DELETE /persons/{id}/sessions': 'endPersonSessions',
  'GET /invitations/{secret}': 'getInvitation',
  'POST /invitations/{secret}/accept': 'acceptInvitation',
  'GET /audit': 'listAuditEvents',
  'POST /me/second-factor': 'startSecondFactor',
  'POST /me/second-factor/confirm': 'confirmSecondFactor',
  'DELETE /me/second-factor': 'removeSecondFactor',
  'POST /password-reset': 'requestPasswordReset',
  'POST /password-reset/{secret}': 'resetPassword',
  'GET /i18n/messages': 'getInterfaceCatalog',
  'GET /i18n/messages/{lang}': 'getInterfaceCatalogOfLanguage',
  'PUT /me/language': 'setMyLanguage',
  'PATCH /persons/{id}/memberships/{membershipId}': 'changeMembershipScope',
  'DELETE /persons/{id}/sessions/{sessionId}': 'endPersonSession',
  'GET /invitations': 'listInvitations',
  'DELETE /persons/{id}/invitations': 'revokeInvitation',
  'PUT /me/password': 'changeMyPassword',
  'POST /me/second-factor/recovery-codes': 'renewRecoveryCodes',
  'GET /me/tokens': 'listMyTokens',
  'POST /me/tokens': 'createMyToken',
  'DELETE /me/tokens/{id}': 'revokeMyToken',
  'POST /campaigns': 'createCampaign',
  'GET /campaigns': 'listCampaigns',
  'GET /campaigns/{id}': 'getCampaign',
  'PATCH /campaigns/{id}': 'updateCampaign',
  'POST /campaigns/{id}/open': 'openCampaign',
  'POST /campaigns/{id}/close': 'closeCampaign',
  'POST /campaigns/{id}/reminders': 'remindCampaignCountries',
  'GET /campaigns/{id}/board': 'getCampaignBoard',
  'GET /campaigns/{id}/board.csv': 'getCampaignBoardCsv',
  'POST /campaigns/{id}/publications': 'publishCampaign',
  'GET /campaigns/{id}/publications': 'listPublications',
  'GET /campaigns/{id}/publications/{number}': 'getPublication',
  'GET /assessments/{id}/evidence': 'getAssessmentEvidence',
  'POST /assessments/{id}/evidence/documents': 'uploadEvidenceDocument',
  'GET /assessments/{id}/evidence/documents/{documentId}': 'downloadEvidenceDocument',
  'DELETE /assessments/{id}/evidence/documents/{documentId}': 'deleteEvidenceDocument',
  'POST /assessments/{id}/evidence/attachments': 'attachEvidenceDocument',
  'DELETE /assessments/{id}/evidence/attachments/{attachmentId}': 'detachEvidenceDocument',
  'PUT /assessments/{id}/evidence/reviews': 'reviewEvidence',
  'GET /scenarios': 'listScenarios',
  'POST /scenarios': 'createScenario',
  'GET /scenarios/{id}': 'getScenario',
  'PUT /scenarios/{id}': 'updateScenario',
  'DELETE /scenarios/{id}': 'deleteScenario',
  'GET /scenarios/{id}/comparison': 'getScenarioComparison',
  'GET /assessments/{id}/report': 'getAssessmentReport',
  'GET /assessments/{id}/report.pdf': 'getAssessmentReportPdf',
}

t.test('every operation has its stable operationId; public ones say so (security: [])', async (t) => {
  const app = await build(t)
  const document = (await openapi(app)) as OpenApiDocument & { security?: unknown[] }
  t.same(document.security, [{ bearer: [] }], 'a token by default')
  const found: Record<string, string | undefined> = {}
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      found[`${method.toUpperCase()} ${path}`] = (operation as { operationId?: string }).operationId
    }
  }
  t.same(found, OPERATION_IDS)
  const operation = (key: string) => {
    const [method, path] = key.split(' ') as [string, string]
    return document.paths[path]?.[method.toLowerCase()] as { security?: unknown[] }
  }
  for (const open of [
    'GET /healthz',
    'GET /readyz',
    'GET /questionnaires',
    'GET /countries',
    'GET /countries/{code}',
    'POST /session',
    'DELETE /session',
    'GET /invitations/{secret}',
    'POST /password-reset',
    'POST /password-reset/{secret}',
    'GET /i18n/messages',
    'GET /campaigns/{id}/publications',
    'GET /campaigns/{id}/publications/{number}',
  ]) {
    t.same(operation(open).security, [], `${open} needs no token`)
  }
  t.same(operation('GET /readiness').security, [{ bearer: [] }])
})

t.test('redocly lint (recommended rules, redocly.yaml) finds nothing', { timeout: 120_000 }, async (t) => {
  const app = await build(t)
  const document = await openapi(app)
  // The path .redocly.lint-ignore.yaml names (npm run lint:openapi writes the same file).
  const file = path.join(ROOT, 'test-output', 'openapi.json')
  await mkdir(path.dirname(file), { recursive: true })
  await writeFile(file, JSON.stringify(document, null, 2))
  const result = spawnSync(path.join(ROOT, 'node_modules/.bin/redocly'), ['lint', '--config', path.join(ROOT, 'redocly.yaml'), '--format=stylish', file], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
  })
  const output = `${result.stdout}\n${result.stderr}`
  t.equal(result.status, 0, output.slice(-4000))
  t.notMatch(output, /\b(error|warning)\s+[a-z0-9-]+\s/, 'no error and no warning')
})
