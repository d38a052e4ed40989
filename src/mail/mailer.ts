// Outgoing mail: SMTP through nodemailer when SMTP_URL is set. Without it (a trial on one machine)
// a message is not sent but written to the log at info level, so the person running the service
// can pass the link on; the log line never holds a secret's hash, only the message itself.
import nodemailer, { type Transporter } from 'nodemailer'
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
  const transport: Transporter = nodemailer.createTransport(options.smtpUrl)
  return {
    delivers: true,
    async send(message) {
      await transport.sendMail({
        from: options.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        headers: { 'Content-Language': message.language },
      })
    },
    close() {
      transport.close()
    },
  }
}
