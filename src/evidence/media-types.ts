// Which files are accepted as evidence, decided from their bytes (the type file-type reads, or for
// text, a check of the bytes themselves), never from the name. Pure.

export interface AcceptedType {
  mediaType: string
  /** Extensions a download may carry for this type, the first one appended when the name has none of them. */
  extensions: readonly string[]
  /** Office formats are zip containers: inspected for zip bombs before they are kept. */
  zip: boolean
}

/** file-type's extension → what is kept. Anything it detects that is not listed (executables, archives, SVG, HTML…) is refused. */
const ACCEPTED: Record<string, AcceptedType> = {
  pdf: { mediaType: 'application/pdf', extensions: ['pdf'], zip: false },
  png: { mediaType: 'image/png', extensions: ['png'], zip: false },
  jpg: { mediaType: 'image/jpeg', extensions: ['jpg', 'jpeg'], zip: false },
  gif: { mediaType: 'image/gif', extensions: ['gif'], zip: false },
  webp: { mediaType: 'image/webp', extensions: ['webp'], zip: false },
  tif: { mediaType: 'image/tiff', extensions: ['tif', 'tiff'], zip: false },
  docx: { mediaType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', extensions: ['docx'], zip: true },
  xlsx: { mediaType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', extensions: ['xlsx'], zip: true },
  pptx: { mediaType: 'application/vnd.openxmlformats-officedocument.presentationml.presentation', extensions: ['pptx'], zip: true },
  odt: { mediaType: 'application/vnd.oasis.opendocument.text', extensions: ['odt'], zip: true },
  ods: { mediaType: 'application/vnd.oasis.opendocument.spreadsheet', extensions: ['ods'], zip: true },
  odp: { mediaType: 'application/vnd.oasis.opendocument.presentation', extensions: ['odp'], zip: true },
  // Word 97–2003, Excel and PowerPoint files (the compound file format).
  cfb: { mediaType: 'application/x-cfb', extensions: ['doc', 'xls', 'ppt'], zip: false },
  rtf: { mediaType: 'application/rtf', extensions: ['rtf'], zip: false },
}

export const TEXT: AcceptedType = { mediaType: 'text/plain; charset=utf-8', extensions: ['txt', 'csv', 'md', 'log'], zip: false }

/** What the person is told was accepted, for the page and the API description. */
export const ACCEPTED_KINDS = 'PDF, Word, Excel, PowerPoint, OpenDocument, RTF, PNG, JPEG, GIF, WebP, TIFF or plain text (UTF-8)'

export type Classification = { ok: true; type: AcceptedType } | { ok: false; problem: string }

/**
 * The accepted type of a file: `detected` is file-type's extension for it (undefined when it knows
 * none), `text` what the text check found (checkText over the whole file).
 */
export function classify(detected: string | undefined, text: TextCheck): Classification {
  if (detected !== undefined) {
    const type = ACCEPTED[detected]
    return type
      ? { ok: true, type }
      : { ok: false, problem: `its content is a ${detected} file, which is not accepted as evidence (accepted: ${ACCEPTED_KINDS})` }
  }
  if (text.ok) return { ok: true, type: TEXT }
  return { ok: false, problem: `${text.problem} (accepted: ${ACCEPTED_KINDS})` }
}

export type TextCheck = { ok: true } | { ok: false; problem: string }

/**
 * Whether bytes file-type does not know are harmless plain text: valid UTF-8, no control characters
 * but tab, line feed, form feed and carriage return, and nothing a browser or a shell would run —
 * HTML or XML (a browser sniffing it would render it), or a script's `#!` line.
 */
export class TextChecker {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true })
  private head = ''
  private problem: string | null = null

  push(bytes: Uint8Array): void {
    if (this.problem) return
    let text: string
    try {
      text = this.decoder.decode(bytes, { stream: true })
    } catch {
      this.problem = 'its content is neither a known document or image format nor UTF-8 text'
      return
    }
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is looked for
    if (/[\u0000-\u0008\u000b\u000e-\u001f\u007f]/.test(text)) {
      this.problem = 'its content is neither a known document or image format nor plain text (it holds control characters)'
      return
    }
    if (this.head.length < 1024) this.head += text.slice(0, 1024 - this.head.length)
  }

  result(): TextCheck {
    if (!this.problem) {
      try {
        this.decoder.decode()
      } catch {
        this.problem = 'its content is neither a known document or image format nor UTF-8 text'
      }
    }
    if (this.problem) return { ok: false, problem: this.problem }
    const start = this.head.replace(/^\uFEFF/, '').trimStart()
    if (start.startsWith('#!')) return { ok: false, problem: 'its content is a script' }
    if (looksLikeMarkup(start)) return { ok: false, problem: 'its content is HTML or XML, which is not accepted as evidence' }
    return { ok: true }
  }
}

/** The WHATWG MIME sniffing patterns for HTML and XML, and the other tags scripts hide in. */
const MARKUP =
  /^<(!doctype html|html|head|script|iframe|h1|div|font|table|a|style|title|b|body|br|p|!--|\?xml|svg|object|embed|meta|link|img|form)(?=[\s>/]|$)/i

function looksLikeMarkup(start: string): boolean {
  return MARKUP.test(start) || /<\s*(script|iframe|svg|object|embed)\b/i.test(start)
}
