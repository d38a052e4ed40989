// Outgoing mail: SMTP through nodemailer when SMTP_URL is set. Without it (a trial on one machine)
// a message is not sent but written to the log at info level, so the person running the service
// can pass the link on; the log line never holds a secret's hash, only the message itself.
import type { Transporter } from 'nodemailer'
import type { Logger } from 'pino'

export interface Message {
  to: string
  subject: string
  text: string
  /** The language of the message, for Content-Language. */
  language: string
}

export interface Mailer {
  /** Whether messages really leave (SMTP configured), or only reach the log. */
  readonly delivers: boolean
  send(message: Message): Promise<void>
  close(): void
}

export function createMailer(options: { smtpUrl: string | undefined; from: string; log: Pick<Logger, 'info'> }): Mailer {
  if (!options.smtpUrl) {
    return {
      delivers: false,
      async send(message) {
        options.log.info({ mail: { to: message.to, subject: message.subject, text: message.text } }, `mail not sent (no SMTP_URL): ${message.subject}`)
      },
      close() {},
    }
  }
  // nodemailer is loaded on the first message, not at start: most processes send none for hours.
  const smtpUrl = options.smtpUrl
  let transport: Promise<Transporter> | undefined
  const open = () => {
    transport ??= import('nodemailer').then(({ default: nodemailer }) => nodemailer.createTransport(smtpUrl))
    return transport
  }
  return {
    delivers: true,
    async send(message) {
      await (await open()).sendMail({
        from: options.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        headers: { 'Content-Language': message.language },
      })
    },
    close() {
      void transport?.then((t) => t.close())
    },
  }
}
