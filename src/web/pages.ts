// The pages: one layout (head, header, footer; src/web/layout.html) around each page's own module,
// so that the shared parts are written once. Rendered at start-up, each with a strong ETag, so a
// repeat visit costs a 304 like the static files beside them.
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { FastifyInstance } from 'fastify'

/** Page → its module in public/js (the page draws itself; its title comes from the catalogs). */
const PAGES: Record<string, string> = {
  index: 'signin',
  assessments: 'assessments',
  assessment: 'assessment',
  country: 'country',
  dashboard: 'dashboard',
  invitation: 'invitation',
  people: 'people',
  reset: 'reset',
  account: 'account',
  invitations: 'invitations',
  tokens: 'tokens',
  audit: 'audit',
  report: 'report',
  scenarios: 'scenarios',
  campaigns: 'campaigns',
  campaign: 'campaign',
}

export function registerPages(app: FastifyInstance): void {
  const layout = readFileSync(new URL('./layout.html', import.meta.url), 'utf8')
  for (const [page, script] of Object.entries(PAGES)) {
    const html = layout.replace('{{script}}', script)
    const etag = `"${createHash('sha256').update(html).digest('base64url').slice(0, 22)}"`
    app.get(`/app/${page}.html`, { schema: { hide: true } }, async (request, reply) => {
      reply.header('etag', etag).header('cache-control', 'public, max-age=0')
      if (request.headers['if-none-match'] === etag) return reply.code(304).send()
      return reply.type('text/html; charset=utf-8').send(html)
    })
  }
}
