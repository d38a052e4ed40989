// The mails the service sends, from the same catalogs as the pages (src/i18n/messages/<lang>.json,
// keys mail.<kind>.subject and mail.<kind>.text), each in its recipient's language.
import { t, type MessageKey } from '../i18n/catalogs.js'
import type { Language } from '../questionnaires/schema.js'

export const MAIL_KINDS = ['invitation', 'locked', 'reset'] as const
export type MailKind = (typeof MAIL_KINDS)[number]

export function renderMail(kind: MailKind, language: Language, values: Record<string, string>): { subject: string; text: string } {
  return {
    subject: t(language, `mail.${kind}.subject` as MessageKey, values),
    text: t(language, `mail.${kind}.text` as MessageKey, values),
  }
}

/** A date as a person reading that language writes it (UTC: the links' expiry is a moment, not a local day). */
export function formatDate(date: Date, language: Language): string {
  return `${new Intl.DateTimeFormat(language, { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' }).format(date)} UTC`
}
