// The interface catalogs for the pages (and any client that shows the service's words): one JSON
// document per language, revalidated by ETag; the ICU formatter the pages run, served from the
// installed intl-messageformat package (one self-contained ES module, no CDN, allowed by the CSP);
// and the signed-in person's choice of language.
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import path from 'node:path'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { problems } from '../errors.js'
import { audit } from '../people/audit.js'
import { requirePrincipal } from '../plugins/auth.js'
import { CATALOG_ETAGS, CATALOGS } from './catalogs.js'
import { direction, LANGUAGE_NAMES, LANGUAGES, type Language } from './languages.js'
import { langParam, langQuery, requestLanguage } from './request.js'

const catalogSchema = z
  .object({
    lang: z.enum(LANGUAGES),
    dir: z.enum(['ltr', 'rtl']),
    languages: z.array(z.object({ code: z.enum(LANGUAGES), name: z.string(), dir: z.enum(['ltr', 'rtl']) })),
    messages: z.record(z.string(), z.string()),
  })
  .meta({ id: 'MessageCatalog', description: 'Interface messages in ICU MessageFormat, by key' })

const LANGUAGE_LIST = [...LANGUAGES].sort().map((code) => ({ code, name: LANGUAGE_NAMES[code], dir: direction(code) }))

function sendCatalog(request: FastifyRequest, reply: FastifyReply, lang: Language) {
  reply.header('etag', CATALOG_ETAGS[lang])
  if (request.headers['if-none-match'] === CATALOG_ETAGS[lang]) return reply.code(304).send()
  return { lang, dir: direction(lang), languages: LANGUAGE_LIST, messages: CATALOGS[lang] }
}

/** The formatter's bundle, read once (compressed on the wire like every response). */
async function formatterModule() {
  const require = createRequire(import.meta.url)
  const file = path.join(path.dirname(require.resolve('intl-messageformat')), 'intl-messageformat.iife.js')
  // The bundle names a source map the package does not ship: drop the reference, not the code.
  const source = (await readFile(file, 'utf8')).replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n')
  return { source, etag: `"${createHash('sha256').update(source).digest('base64url').slice(0, 22)}"` }
}

export default async function i18nRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>()
  const formatter = await formatterModule()

  r.get(
    '/i18n/messages',
    {
      schema: {
        tags: ['i18n'],
        operationId: 'getInterfaceCatalog',
        security: [],
        summary: "The interface catalog in the reader's language (?lang=, saved choice, Accept-Language, English)",
        querystring: langQuery,
        response: { 200: catalogSchema, 304: z.null().describe('Not modified'), ...problems(400) },
      },
    },
    async (request, reply) => {
      const lang = requestLanguage(request, reply, request.query.lang)
      // Depends on the reader's headers: a browser may keep it, a shared cache may not.
      reply.header('cache-control', 'private, no-cache')
      return sendCatalog(request, reply, lang)
    },
  )

  r.get(
    '/i18n/messages/:lang',
    {
      schema: {
        tags: ['i18n'],
        operationId: 'getInterfaceCatalogOfLanguage',
        security: [],
        summary: 'The interface catalog of one language',
        params: z.object({ lang: langParam }),
        response: { 200: catalogSchema, 304: z.null().describe('Not modified'), ...problems(400) },
      },
    },
    async (request, reply) => {
      reply.header('content-language', request.params.lang).header('cache-control', 'public, max-age=300')
      return sendCatalog(request, reply, request.params.lang)
    },
  )

  app.get('/i18n/intl-messageformat.js', { schema: { hide: true } }, async (request, reply) => {
    reply.header('content-type', 'text/javascript; charset=utf-8').header('cache-control', 'public, max-age=86400').header('etag', formatter.etag)
    if (request.headers['if-none-match'] === formatter.etag) return reply.code(304).send()
    return reply.send(formatter.source)
  })

  r.put(
    '/me/language',
    {
      schema: {
        tags: ['i18n'],
        operationId: 'setMyLanguage',
        summary: "The signed-in person's language: pages, API answers and mails come in it unless a request asks otherwise",
        body: z.object({ language: langParam }),
        response: { 204: z.null().describe('Saved'), ...problems(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const principal = requirePrincipal(request)
      const { language } = request.body
      // A change to a person, recorded like every other (people/audit.ts), in the same transaction.
      await app.db.transaction().execute(async (trx) => {
        await trx.updateTable('persons').set({ language }).where('id', '=', principal.personId).execute()
        await audit(trx, { action: 'person_changed', actor: principal, subject: principal.personId, address: request.ip, details: { language } })
      })
      return reply.code(204).send(null)
    },
  )
}
