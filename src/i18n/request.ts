// The language of one HTTP request, the same way for the API and the pages' catalogs: ?lang= (one
// of the six, validated by the route's schema), then the signed-in person's language, then the
// switcher's choice in this browser, then Accept-Language, then English.
import type { FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { LANGUAGES, type Language } from './languages.js'
import { negotiate } from './negotiate.js'

/**
 * The switcher's choice, remembered per browser for pages seen before signing in (a signed-in
 * person's choice is saved with the person). Not a credential: readable by the pages' script, and a
 * value that is not one of the six is ignored.
 */
export const PREFERENCE_COOKIE = 'tr_lang'

export const langParam = z
  .enum(LANGUAGES, { error: `must be one of ${[...LANGUAGES].sort().join(', ')}` })
  .describe(`One of ITU's six languages: ${[...LANGUAGES].sort().join(', ')}.`)

/** The optional `lang` query parameter; anything but the six codes is a 400 naming them. */
export const langQuery = z.object({
  lang: langParam
    .optional()
    .describe(
      `One of ${[...LANGUAGES].sort().join(', ')} (anything else is a 400). Without it: the signed-in person's language, then the browser's saved choice (cookie ${PREFERENCE_COOKIE}), then Accept-Language, then English.`,
    ),
})

function cookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim()
  }
  return undefined
}

/** The request's language; the reply says which one it is and that it depends on these headers. */
export function requestLanguage(request: FastifyRequest, reply: FastifyReply, query: Language | undefined): Language {
  const result = negotiate({
    query,
    preference: request.principal?.language ?? cookie(request.headers.cookie, PREFERENCE_COOKIE),
    acceptLanguage: request.headers['accept-language'],
  })
  // The schema already refused any other value, so a failed negotiation cannot happen here.
  const lang = result.ok ? result.lang : 'en'
  reply.header('content-language', lang)
  if (query === undefined) {
    const vary = reply.getHeader('vary')
    // The credential decides too (the person's language): a shared cache must key on it as well.
    const on = 'Accept-Language, Cookie, Authorization'
    reply.header('vary', vary ? `${String(vary)}, ${on}` : on)
  }
  return lang
}
