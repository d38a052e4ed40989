// Content Security Policy pieces shared by the app's policy (helmet, app.ts) and the API
// documentation page's own (openapi.ts).
import { createHash } from 'node:crypto'
import type { FastifyRequest } from 'fastify'

/**
 * upgrade-insecure-requests only when the request came over TLS (directly, or through a proxy
 * trusted with TRUST_PROXY): over plain HTTP — a closed network, the Docker image without TLS —
 * browsers would fetch the pages' CSS and JS as https:// from a server that does not speak it.
 */
export function upgradeOverTls(request: FastifyRequest, policy: string): string {
  if (request.protocol !== 'https' || policy.includes('upgrade-insecure-requests')) return policy
  return `${policy};upgrade-insecure-requests`
}

/** 'sha256-…' sources for every inline <script> of an HTML page (scripts with src need none). */
export function inlineScriptHashes(html: string): string[] {
  return [...html.matchAll(/<script\b(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/gi)].map(
    (m) =>
      `'sha256-${createHash('sha256')
        .update(m[1] ?? '', 'utf8')
        .digest('base64')}'`,
  )
}
