// Names of uploaded files: the one shown (as given) and the one a download carries (made safe).
// Pure.

/** Names Windows refuses for a file whatever the extension. */
const RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i
const MAX_BYTES = 200

/**
 * A file name safe to hand to any operating system: the last path segment only (a client may send
 * `..\\..\\x` or `/etc/passwd`), no control or bidirectional-formatting characters (which can make
 * `gpj.exe` read as `exe.jpg`), none of the characters Windows forbids, no leading or trailing dots
 * and spaces, not a reserved device name, at most 200 bytes of UTF-8 (keeping the extension).
 */
export function sanitiseFilename(original: string): string {
  const lastSegment = original.normalize('NFC').split(/[/\\]/).pop() ?? ''
  let name = lastSegment
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, '')
    .replace(/[<>:"|?*]/g, '_')
    .replace(/\s+/gu, ' ')
    .replace(/^[\s.]+|[\s.]+$/g, '')
  if (RESERVED.test(name)) name = `_${name}`
  if (!name) name = 'evidence'
  return truncateUtf8(name, MAX_BYTES)
}

function truncateUtf8(name: string, max: number): string {
  if (Buffer.byteLength(name) <= max) return name
  const dot = name.lastIndexOf('.')
  const ext = dot > 0 && name.length - dot <= 10 ? name.slice(dot) : ''
  let stem = name.slice(0, name.length - ext.length)
  // Cut by whole code points, so no character is split.
  const points = [...stem]
  while (points.length && Buffer.byteLength(points.join('') + ext) > max) points.pop()
  stem = points.join('').replace(/[\s.]+$/, '')
  return `${stem || 'evidence'}${ext}`
}

/** `name` with an extension the media type is opened with, appended when its own is not one of them. */
export function withExtension(name: string, extensions: readonly string[]): string {
  const dot = name.lastIndexOf('.')
  const ext = dot > 0 ? name.slice(dot + 1).toLowerCase() : ''
  if (extensions.length === 0 || extensions.includes(ext)) return name
  return truncateUtf8(`${name}.${extensions[0]}`, MAX_BYTES)
}

/**
 * `Content-Disposition: attachment` with an ASCII fallback `filename` and the exact name as
 * RFC 5987 / RFC 6266 `filename*` (UTF-8, percent-encoded), so no header injection is possible
 * whatever the name holds.
 */
export function attachmentDisposition(filename: string): string {
  const ascii =
    filename
      .normalize('NFKD')
      .replace(/[^\x20-\x7e]/g, '')
      .replace(/["\\%]/g, '_')
      .trim() || 'evidence'
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`
}
