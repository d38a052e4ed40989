// A real SMTP receiver on loopback (the smtp-server package) that keeps every message it is sent.
import { simpleParser } from 'mailparser'
import { SMTPServer } from 'smtp-server'

export interface Received {
  to: string
  subject: string
  text: string
  language: string | undefined
}

export async function smtpReceiver(t: { teardown(fn: () => unknown): void }): Promise<{ url: string; messages: Received[]; next(): Promise<Received> }> {
  const messages: Received[] = []
  const waiting: ((m: Received) => void)[] = []
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((mail) => {
          const message: Received = {
            to: session.envelope.rcptTo.map((r) => r.address).join(','),
            subject: mail.subject ?? '',
            text: mail.text ?? '',
            language: mail.headers.get('content-language') as string | undefined,
          }
          messages.push(message)
          waiting.shift()?.(message)
          callback()
        })
        .catch(callback)
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  const { port } = server.server.address() as { port: number }
  let read = 0
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    next: () =>
      read < messages.length
        ? Promise.resolve(messages[read++]!)
        : new Promise((resolve) =>
            waiting.push((m) => {
              read++
              resolve(m)
            }),
          ),
  }
}
