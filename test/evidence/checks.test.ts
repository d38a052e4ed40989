// The pure parts of evidence: file names, what the bytes are, zip inspection, evidence rules.
import t from 'tap'
import { attachmentDisposition, sanitiseFilename, withExtension } from '../../src/evidence/filename.js'
import { classify, TextChecker } from '../../src/evidence/media-types.js'
import { lackingEvidence, needsEvidence } from '../../src/evidence/rules.js'
import { zipProblem, type RangeReader } from '../../src/evidence/zip-inspection.js'
import { questionnaireFile, type QuestionnaireInput } from '../../src/questionnaires/schema.js'
import { makeDocx, makeZip } from '../helpers/zip.js'

t.test('hostile file names are made safe; the extension fits the type', async (t) => {
  t.equal(sanitiseFilename('../../etc/passwd'), 'passwd')
  t.equal(sanitiseFilename('..\\..\\Windows\\system32\\cmd.exe'), 'cmd.exe')
  t.equal(sanitiseFilename('law\u0000\u0007\r\n.pdf'), 'law.pdf')
  // U+202E RIGHT-TO-LEFT OVERRIDE would show "annexe.pdf" for a file ending in .exe.
  t.equal(sanitiseFilename('annex\u202Efdp.exe'), 'annexfdp.exe')
  t.equal(sanitiseFilename('a<b>c:"d"|e?f*.pdf'), 'a_b_c__d__e_f_.pdf')
  t.equal(sanitiseFilename('  ..hidden.  '), 'hidden')
  t.equal(sanitiseFilename('CON.pdf'), '_CON.pdf')
  t.equal(sanitiseFilename('///'), 'evidence')
  t.equal(sanitiseFilename('Loi n° 2026-01 (Côte d’Ivoire).pdf'), 'Loi n° 2026-01 (Côte d’Ivoire).pdf')
  const long = sanitiseFilename(`${'法'.repeat(300)}.pdf`)
  t.ok(Buffer.byteLength(long) <= 200 && long.endsWith('.pdf'), 'at most 200 bytes, whole characters, extension kept')
  t.equal(withExtension('report.exe', ['pdf']), 'report.exe.pdf', 'a PDF named .exe downloads as .pdf')
  t.equal(withExtension('Report.PDF', ['pdf']), 'Report.PDF')
  t.equal(withExtension('minutes', ['txt', 'csv']), 'minutes.txt')
})

t.test('Content-Disposition: attachment with an ASCII fallback and RFC 5987 filename*', async (t) => {
  t.equal(attachmentDisposition('law.pdf'), `attachment; filename="law.pdf"; filename*=UTF-8''law.pdf`)
  t.equal(
    attachmentDisposition('Côte d’Ivoire "act".pdf'),
    `attachment; filename="Cote dIvoire _act_.pdf"; filename*=UTF-8''C%C3%B4te%20d%E2%80%99Ivoire%20%22act%22.pdf`,
  )
  t.equal(attachmentDisposition('قانون.pdf'), `attachment; filename=".pdf"; filename*=UTF-8''%D9%82%D8%A7%D9%86%D9%88%D9%86.pdf`)
  t.notMatch(attachmentDisposition('a\r\nSet-Cookie: x=1.pdf'), /[\r\n]/, 'no header injection')
})

function text(s: string | Uint8Array) {
  const c = new TextChecker()
  c.push(typeof s === 'string' ? Buffer.from(s) : s)
  return c.result()
}

t.test('the type comes from the bytes: documents and images by file-type, text checked, the rest refused', async (t) => {
  t.match(classify('pdf', text('%PDF')), { ok: true, type: { mediaType: 'application/pdf' } })
  t.match(classify('docx', text('')), { ok: true, type: { zip: true } })
  t.match(classify('elf', text('')), { ok: false, problem: /elf file, which is not accepted/ })
  t.match(classify('exe', text('')), { ok: false })
  t.match(classify('zip', text('')), { ok: false })
  t.match(classify('docm', text('')), { ok: false }, 'macro-enabled documents are refused')
  t.match(classify(undefined, text('Loi n° 2026-01\r\nArticle 1. — Objet\n')), { ok: true, type: { mediaType: 'text/plain; charset=utf-8' } })
  t.match(classify(undefined, text('<!DOCTYPE html><html><script>alert(1)</script>')), { ok: false, problem: /HTML/ })
  t.match(classify(undefined, text('\uFEFF  <script>alert(1)</script>')), { ok: false, problem: /HTML/ })
  t.match(classify(undefined, text('<svg onload=alert(1)>')), { ok: false, problem: /HTML/ })
  t.match(classify(undefined, text('#!/bin/sh\nrm -rf /\n')), { ok: false, problem: /script/ })
  t.match(classify(undefined, text(new Uint8Array([0xff, 0xfe, 0x00, 0x41]))), { ok: false, problem: /UTF-8/ })
  t.match(classify(undefined, text('a\u0000b')), { ok: false, problem: /control characters/ })
  // A multi-byte character split across two chunks is still valid UTF-8.
  const c = new TextChecker()
  const bytes = Buffer.from('Côte')
  c.push(bytes.subarray(0, 2))
  c.push(bytes.subarray(2))
  t.same(c.result(), { ok: true })
})

const memory = (bytes: Buffer): RangeReader =>
  async function* (start, end) {
    yield bytes.subarray(start, end)
  }

t.test('zip containers are inspected within bounds', async (t) => {
  const docx = makeDocx()
  t.equal(await zipProblem(memory(docx), docx.length), null, 'a plain Word document passes')
  const zeros = Buffer.alloc(8 * 1024 * 1024)
  const bomb = makeDocx([{ name: 'word/media/zeros.bin', data: zeros }])
  t.match(await zipProblem(memory(bomb), bomb.length), /expands more than 100 times/, 'an entry that inflates 1000-fold')
  const liar = makeDocx([{ name: 'word/media/zeros.bin', data: zeros, declaredSize: 1000 }])
  t.match(await zipProblem(memory(liar), liar.length), /larger than it declares|zip bomb/, 'an entry larger than it declares')
  const many = makeZip(Array.from({ length: 30 }, (_, i) => ({ name: `f${i}.xml`, data: Buffer.from('x') })))
  t.match(await zipProblem(memory(many), many.length, { entries: 20, totalUncompressed: 1e9, ratio: 100 }), /30 entries/)
  const big = makeDocx([{ name: 'a.bin', data: Buffer.alloc(3 * 1024 * 1024, 7), deflate: false }])
  t.match(await zipProblem(memory(big), big.length, { entries: 100, totalUncompressed: 2 * 1024 * 1024, ratio: 100 }), /more than 2 MiB/)
  const broken = Buffer.from(docx)
  broken.writeUInt32LE(0, broken.length - 22)
  t.match(await zipProblem(memory(broken), broken.length), /broken/)
})

const file = (question: Record<string, unknown>): QuestionnaireInput =>
  ({
    id: 'q',
    version: 1,
    title: { en: 'Q' },
    description: { en: 'Q' },
    source: { document: 'x.txt', title: 'X' },
    scoring: {
      force_weights: { shall: 1, may: 0.5, encouraged: 0.5 },
      unknown_scores_zero: true,
      tiers: [{ id: 'initial', label: { en: 'Initial' }, min: 0 }],
    },
    domains: [
      {
        id: 'd',
        title: { en: 'D' },
        description: { en: 'D' },
        questions: [
          {
            id: 'law',
            type: 'maturity',
            force: 'shall',
            source: { document: 'x.txt', section: '1', ref: '§1' },
            text: { en: 'Law?' },
            guidance: { en: 'G' },
            ...question,
          },
          {
            id: 'strategy',
            type: 'yes_no_partial',
            force: 'shall',
            source: { document: 'x.txt', section: '1', ref: '§1' },
            text: { en: 'Strategy?' },
            guidance: { en: 'G' },
            evidence: { required_for: ['yes'] },
            applies_if: { question: 'law', in: [1, 2, 3, 4] },
          },
        ],
      },
    ],
  }) as QuestionnaireInput

t.test('evidence rules are checked when the file is loaded', async (t) => {
  t.ok(questionnaireFile.safeParse(file({ evidence: { required_from: 3 } })).success)
  const issues = (q: Record<string, unknown>) => questionnaireFile.safeParse(file(q)).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? []
  t.match(issues({ evidence: {} }), [/evidence: give either required_from/])
  t.match(issues({ evidence: { required_from: 3, required_for: [4] } }), [/evidence: give either/])
  t.match(issues({ evidence: { required_from: 5 } }), [/evidence.required_from/])
  t.match(issues({ evidence: { required_for: [7] } }), [/evidence.required_for.0: 7 is not an answer/])
  t.match(issues({ evidence: { required_when: 3 } }), [/evidence/], 'unknown keys are refused')
  t.match(issues({ type: 'text', evidence: { required_for: ['x'] } }), [/a text question cannot require evidence/])
})

t.test('which answers need evidence, and which lack it', async (t) => {
  const parsed = questionnaireFile.parse(file({ evidence: { required_from: 3 } }))
  const law = parsed.domains[0]!.questions[0]!
  t.notOk(needsEvidence(law, { value: 2, special: null }))
  t.ok(needsEvidence(law, { value: 3, special: null }))
  t.notOk(needsEvidence(law, { value: null, special: 'unknown' }))
  t.notOk(needsEvidence(law, undefined))
  const answers = new Map([
    ['law', { value: 4, special: null }],
    ['strategy', { value: 'yes', special: null }],
  ])
  t.same(lackingEvidence(parsed, answers, new Map()), ['law', 'strategy'])
  t.same(lackingEvidence(parsed, answers, new Map([['law', 1]])), ['strategy'])
  // A question that does not apply asks for nothing.
  t.same(
    lackingEvidence(
      parsed,
      new Map([
        ['law', { value: 0, special: null }],
        ['strategy', { value: 'yes', special: null }],
      ]),
      new Map(),
    ),
    [],
  )
})
