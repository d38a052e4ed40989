// csvCell: RFC 4180 quoting and formula-injection neutralisation. Pure.
import { parse } from 'csv-parse/sync'
import t from 'tap'
import { ANSWER_COLUMNS, csvCell, csvRow, neutralise, readinessColumns, unneutralise } from '../../src/exports/columns.js'

t.test('plain cells pass through', async (t) => {
  t.equal(csvCell('Kenya'), 'Kenya')
  t.equal(csvCell("Côte d'Ivoire"), "Côte d'Ivoire")
  t.equal(csvCell('Türkiye'), 'Türkiye')
  t.equal(csvCell(''), '')
  t.equal(csvCell(null), '')
  t.equal(csvCell(undefined), '')
})

t.test('numbers and booleans are ours: not neutralised', async (t) => {
  t.equal(csvCell(0), '0')
  t.equal(csvCell(62.5), '62.5')
  t.equal(csvCell(-2), '-2')
  t.equal(csvCell(true), 'true')
  t.equal(csvCell(false), 'false')
  t.throws(() => csvCell(Number.NaN))
})

t.test('RFC 4180 quoting', async (t) => {
  t.equal(csvCell('a,b'), '"a,b"')
  t.equal(csvCell('say "hi"'), '"say ""hi"""')
  t.equal(csvCell('line1\nline2'), '"line1\nline2"')
  t.equal(csvCell('a\r\nb'), '"a\r\nb"')
})

t.test('formula injection neutralised', async (t) => {
  t.equal(csvCell('=HYPERLINK("http://evil")'), `"'=HYPERLINK(""http://evil"")"`)
  t.equal(csvCell('@SUM(1)'), "'@SUM(1)")
  t.equal(csvCell('-2+3'), "'-2+3")
  t.equal(csvCell('+1'), "'+1")
  t.equal(csvCell('\tx'), "'\tx")
  t.equal(csvCell('\rx'), `"'\rx"`)
  t.equal(csvCell('a=b'), 'a=b', 'only a leading character matters')
  t.equal(csvCell("'already"), "'already")
})

t.test('neutralise and unneutralise round-trip', async (t) => {
  for (const s of ['=1+1', '@x', '-3', '+4', '\tx', '\rx', 'plain', "'quoted", '', "'"]) {
    t.equal(unneutralise(neutralise(s)), s, JSON.stringify(s))
  }
})

t.test('rows parse back with csv-parse', async (t) => {
  const cells = ['a,b', 'say "hi"', 'x\ny', '=cmd', 42, null, true]
  const [row] = parse(csvRow(cells)) as string[][]
  t.same(row, ['a,b', 'say "hi"', 'x\ny', "'=cmd", '42', '', 'true'])
  t.ok(csvRow(['a']).endsWith('\r\n'))
})

t.test('column order is stable', async (t) => {
  t.same(readinessColumns(['human_rights', 'data']), [
    'country code',
    'country name',
    'region',
    'questionnaire',
    'version',
    'cycle',
    'status',
    'human_rights',
    'data',
    'overall',
    'coverage',
    'tier',
  ])
  t.same(ANSWER_COLUMNS, [
    'country code',
    'country name',
    'region',
    'questionnaire',
    'version',
    'cycle',
    'status',
    'question id',
    'domain',
    'source reference',
    'force',
    'value',
    'score',
    'comment',
    'evidence URLs',
    'carried forward',
    'last changed at',
    'last changed by role',
    'evidence titles',
    'evidence documents',
    'accepted evidence',
  ])
})
