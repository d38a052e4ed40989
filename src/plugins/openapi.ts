// The OpenAPI 3 document, generated from the zod schemas of the routes, at /openapi.json; its
// reference at /docs (Scalar's API reference, its bundle served from this origin: no CDN).
import swagger from '@fastify/swagger'
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod'
import { inlineScriptHashes, upgradeOverTls } from './csp.js'

/**
 * The documentation page's own policy. Scalar's page starts with an inline script holding its
 * configuration (allowed by its hash, computed from the page as sent) and the bundle injects its
 * styles at run time ('unsafe-inline' styles, as for the web interface). Everything else stays on
 * this origin.
 */
function docsPolicy(scriptHashes: readonly string[]): string {
  return [
    "default-src 'self'",
    `script-src 'self' ${scriptHashes.join(' ')}`.trim(),
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join(';')
}

const CONTRAST_CSS = `.light-mode {
  --scalar-color-2: #4a4a4a;
  --scalar-color-3: #595959;
  --scalar-color-green: #046b34;
  --scalar-color-red: #b01e1e;
  --scalar-color-blue: #0b57a4;
  --scalar-color-orange: #9a4400;
  --scalar-color-yellow: #6f5200;
  --scalar-color-purple: #6a3d9a;
}
.dark-mode {
  --scalar-color-3: #a8a8a8;
  --scalar-color-green: #4ade80;
  --scalar-color-red: #ff7b7b;
  --scalar-color-blue: #7ab8ff;
  --scalar-color-orange: #fb9a4b;
  --scalar-color-yellow: #facc15;
  --scalar-color-purple: #c9a2ff;
}`

const REFERENCE_CONFIGURATION = {
  url: '/openapi.json',
  pageTitle: 'treaty-readiness API',
  // Nothing from elsewhere: no web fonts, no telemetry, no AI agent, no request proxy.
  withDefaultFonts: false,
  telemetry: false,
  agent: { disabled: true },
  mcp: { disabled: true },
  hideClientButton: true,
  showDeveloperTools: 'never',
  documentDownloadType: 'json',
  // One colour scheme, checked by axe (test/web/docs.test.ts): the default theme's greys and
  // method colours fall below WCAG AA contrast (on white, and in the dark code panels).
  forceDarkModeState: 'light',
  hideDarkModeToggle: true,
  customCss: CONTRAST_CSS,
} as const

/**
 * Scalar's own plugin in an instance of its own, loaded on the first visit to /docs. Its module
 * holds the reference's 5 MB bundle as a string literal, about 35 MB of the server's memory once
 * parsed (measured on the embedded start), which a server whose reference nobody opens should not
 * carry.
 */
let reference: Promise<FastifyInstance> | undefined
function loadReference(): Promise<FastifyInstance> {
  reference ??= (async () => {
    const { default: scalar } = await import('@scalar/fastify-api-reference')
    const instance = Fastify({ logger: false })
    await instance.register(scalar, { routePrefix: '/docs', configuration: REFERENCE_CONFIGURATION })
    await instance.ready()
    return instance
  })().catch((err: unknown) => {
    reference = undefined
    throw err
  })
  return reference
}

async function docs(app: FastifyInstance): Promise<void> {
  app.addHook('onSend', async (request, reply, payload) => {
    const type = String(reply.getHeader('content-type'))
    // The reference's bundle (about 5 MB before compression) changes only when the package does.
    if (/javascript/.test(type)) reply.header('cache-control', 'public, max-age=86400')
    if (typeof payload !== 'string' || !/^text\/html/.test(type)) return payload
    reply.header('content-security-policy', upgradeOverTls(request, docsPolicy(inlineScriptHashes(payload))))
    // Scalar's page names no language; screen readers need it (axe: html-has-lang).
    return payload.replace(/<html>/, '<html lang="en">')
  })
  const forward = async (request: FastifyRequest, reply: FastifyReply) => {
    const answer = await (await loadReference()).inject({ method: 'GET', url: request.url })
    if (answer.statusCode === 404) return reply.callNotFound()
    reply.code(answer.statusCode)
    for (const name of ['content-type', 'location'] as const) {
      const value = answer.headers[name]
      if (value !== undefined) reply.header(name, value)
    }
    return /^text\//.test(String(answer.headers['content-type'])) ? answer.body : answer.rawPayload
  }
  app.get('/docs', { schema: { hide: true } }, forward)
  app.get('/docs/*', { schema: { hide: true } }, forward)
}

/**
 * The document without component schemas nothing refers to. The zod transform registers an input
 * and an output variant of every named schema; only the variants routes use belong in the document.
 */
export function withoutUnusedSchemas<T extends object>(document: T): T {
  const components = (document as { components?: { schemas?: Record<string, unknown> } }).components
  const schemas = components?.schemas
  if (!schemas) return document
  const prefix = '#/components/schemas/'
  const used = new Set<string>()
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit)
      return
    }
    if (!node || typeof node !== 'object') return
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string' && value.startsWith(prefix)) {
        const name = decodeURIComponent(value.slice(prefix.length)).replaceAll('~1', '/').replaceAll('~0', '~')
        if (!used.has(name)) {
          used.add(name)
          visit(schemas[name])
        }
      } else visit(value)
    }
  }
  visit({ ...document, components: { ...components, schemas: {} } })
  const kept = Object.fromEntries(Object.entries(schemas).filter(([name]) => used.has(name)))
  return { ...document, components: { ...components, schemas: kept } }
}

async function openapiPlugin(app: FastifyInstance, options: { version: string }): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'treaty-readiness',
        version: options.version,
        description:
          'National administrations of ITU Member States assess their readiness for proposed treaty obligations; ' +
          'ITU-D staff see readiness by country, region and domain. Errors are RFC 9457 problem documents ' +
          '(application/problem+json).',
      },
      // Relative to wherever the document is served from: the same process serves the API.
      servers: [{ url: '/', description: 'this server' }],
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API token' } },
      },
      // A token unless an operation says otherwise (security: [] on the public ones), so a new
      // route is never documented as open by omission.
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: (input) => withoutUnusedSchemas(jsonSchemaTransformObject(input)),
  })
  // Encapsulated: the documentation page's policy applies to its routes only.
  await app.register(docs)
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())
}

export default fp(openapiPlugin, { name: 'openapi', fastify: '5.x' })
