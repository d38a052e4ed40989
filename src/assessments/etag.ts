// ETags are resource revisions: "3". If-Match decides whether a write may proceed.
export type Precondition = { kind: 'none' } | { kind: 'any' } | { kind: 'absent' } | { kind: 'revision'; revision: number }

export function etag(revision: number): string {
  return `"${revision}"`
}

/**
 * If-Match: "3" (or W/"3", or 3) expects revision 3; "0" expects no answer yet; * accepts any.
 * If-None-Match: * expects no answer yet. Anything unparseable expects a revision that cannot exist.
 */
export function parseIfMatch(ifMatch: string | undefined, ifNoneMatch?: string | undefined): Precondition {
  if (ifNoneMatch?.trim() === '*') return { kind: 'absent' }
  if (ifMatch === undefined || ifMatch.trim() === '') return { kind: 'none' }
  const value = ifMatch.trim()
  if (value === '*') return { kind: 'any' }
  const match = /^(?:W\/)?"?(\d{1,9})"?$/.exec(value)
  if (!match) return { kind: 'revision', revision: -1 }
  const revision = Number(match[1])
  return revision === 0 ? { kind: 'absent' } : { kind: 'revision', revision }
}
