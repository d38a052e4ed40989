// The mails the service sends, from the same catalogs as the pages (src/i18n/messages/<lang>.json,
// keys mail.<kind>.subject and mail.<kind>.text), each in its recipient's language.
import { t, type MessageKey } from '../i18n/catalogs.js'
import type { Language } from '../questionnaires/schema.js'

export const MAIL_KINDS = ['invitation', 'locked', 'reset'] as const
/** Campaign mails: texts under campaigns.mail.<kind> (src/i18n/messages/campaigns/). */
export const CAMPAIGN_MAIL_KINDS = [
  'campaign_invitation',
  'campaign_reminder',
  'campaign_overdue',
  'assessment_submitted',
  'assessment_returned',
  'assessment_validated',
] as const
export type CampaignMailKind = (typeof CAMPAIGN_MAIL_KINDS)[number]
export type MailKind = (typeof MAIL_KINDS)[number] | CampaignMailKind

export function renderMail(kind: MailKind, language: Language, values: Record<string, string | number>): { subject: string; text: string } {
  const prefix = (CAMPAIGN_MAIL_KINDS as readonly string[]).includes(kind) ? `campaigns.mail.${kind}` : `mail.${kind}`
  return {
    subject: t(language, `${prefix}.subject` as MessageKey, values),
    text: t(language, `${prefix}.text` as MessageKey, values),
  }
}

/** A date as a person reading that language writes it (UTC: the links' expiry is a moment, not a local day). */
export function formatDate(date: Date, language: Language): string {
  return `${new Intl.DateTimeFormat(language, { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' }).format(date)} UTC`
}
