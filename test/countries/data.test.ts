import t from 'tap'
import { COUNTRIES } from '../../migrations/20261124000200_countries.js'

const REGIONS = ['Africa', 'Americas', 'Arab States', 'Asia-Pacific', 'CIS', 'Europe']

const byCode = new Map(COUNTRIES.map((c) => [c.code, c]))

t.test('all 194 ITU Member States, with unique keys', async (t) => {
  t.equal(COUNTRIES.length, 194)
  t.equal(new Set(COUNTRIES.map((c) => c.code)).size, 194, 'codes unique')
  t.equal(new Set(COUNTRIES.map((c) => c.alpha2)).size, 194, 'alpha2 unique')
  t.equal(new Set(COUNTRIES.map((c) => c.name)).size, 194, 'names unique')
})

t.test('codes, names and regions are well-formed', async (t) => {
  for (const c of COUNTRIES) {
    t.match(c.code, /^[A-Z]{3}$/, `${c.code} is 3 upper-case letters`)
    t.match(c.alpha2, /^[A-Z]{2}$/, `${c.code} alpha2 is 2 upper-case letters`)
    t.ok(c.name.length > 0 && c.name === c.name.trim(), `${c.code} name is trimmed`)
    t.equal(c.name, c.name.normalize('NFC'), `${c.code} name is NFC`)
    t.ok(REGIONS.includes(c.region), `${c.code} region ${c.region} is valid`)
  }
  const codes = COUNTRIES.map((c) => c.code)
  t.same(codes, [...codes].sort(), 'rows sorted by code')
})

t.test('specific memberships and names', async (t) => {
  const expected: Array<[string, string]> = [
    ['KEN', 'Africa'],
    ['EGY', 'Arab States'],
    ['RUS', 'CIS'],
    ['TUR', 'Europe'],
    ['PLW', 'Asia-Pacific'],
    ['VAT', 'Europe'],
    ['BRA', 'Americas'],
    ['IRN', 'Asia-Pacific'],
    ['ISR', 'Europe'],
    ['UKR', 'Europe'],
    ['GEO', 'Europe'],
    ['MDA', 'Europe'],
    ['SDN', 'Arab States'],
    ['SSD', 'Africa'],
  ]
  for (const [code, region] of expected) {
    t.equal(byCode.get(code)?.region, region, `${code} is in ${region}`)
  }
  t.equal(byCode.get('CIV')?.name, "Côte d'Ivoire")
  t.equal(byCode.get('TUR')?.name, 'Türkiye')
  t.equal(byCode.get('VAT')?.name, 'Holy See')
  t.equal(byCode.get('VAT')?.alpha2, 'VA')
  t.equal(byCode.get('PLW')?.alpha2, 'PW')
  for (const code of ['PSE', 'TWN', 'XKX']) {
    t.notOk(byCode.has(code), `${code} is not an ITU Member State`)
  }
})

t.test('per-region counts', async (t) => {
  const counts: Record<string, number> = {}
  for (const c of COUNTRIES) counts[c.region] = (counts[c.region] ?? 0) + 1
  t.same(counts, {
    Africa: 44,
    Americas: 35,
    'Arab States': 21,
    'Asia-Pacific': 39,
    CIS: 9,
    Europe: 46,
  })
  t.same(
    COUNTRIES.filter((c) => c.region === 'CIS').map((c) => c.code),
    ['ARM', 'AZE', 'BLR', 'KAZ', 'KGZ', 'RUS', 'TJK', 'TKM', 'UZB'],
  )
})
