// The campaign's pure parts: reminder moments, invited countries, and the board's counts,
// filters, sorting and CSV.
import t from 'tap'
import { boardCounts, boardCsv, filterAndSort, toBoardRow, type BoardRow } from '../../src/campaigns/board.js'
import { resolveInvitees } from '../../src/campaigns/invited.js'
import type { BoardRowData } from '../../src/campaigns/repository.js'
import { daysLeft, reminderMoments } from '../../src/campaigns/schedule.js'

t.test('reminder moments', async (t) => {
  const deadline = new Date('2027-03-31T23:59:59Z')
  const moments = reminderMoments(deadline, [3, 14, 3], new Date('2027-01-01T00:00:00Z'))
  t.same(
    moments.map((m) => [m.days, m.at.toISOString()]),
    [
      [14, '2027-03-17T23:59:59.000Z'],
      [3, '2027-03-28T23:59:59.000Z'],
      [-1, '2027-04-01T23:59:59.000Z'],
    ],
    'in time order, duplicates once, and one the day after the deadline',
  )
  const late = reminderMoments(deadline, [14, 3], new Date('2027-03-20T00:00:00Z'))
  t.same(
    late.map((m) => m.days),
    [3, -1],
    'a moment already past when the campaign opens is skipped',
  )
  t.equal(daysLeft(deadline, new Date('2027-03-18T00:00:00Z')), 14)
  t.equal(daysLeft(deadline, new Date('2027-03-31T23:00:00Z')), 1)
  t.equal(daysLeft(deadline, new Date('2027-04-01T00:00:00Z')), 0)
})

t.test('invited countries', async (t) => {
  const known = [
    { code: 'KEN', region: 'Africa' as const },
    { code: 'GHA', region: 'Africa' as const },
    { code: 'FRA', region: 'Europe' as const },
  ]
  t.same(resolveInvitees({ all: true }, known), { codes: ['FRA', 'GHA', 'KEN'] })
  t.same(resolveInvitees({ region: 'Africa' }, known), { codes: ['GHA', 'KEN'] })
  t.same(resolveInvitees({ countries: ['ken', 'FRA'] }, known), { codes: ['FRA', 'KEN'] })
  t.same(resolveInvitees({ countries: ['KEN', 'XYZ', 'ken'] }, known), {
    problems: [
      { path: '/body/countries/1', message: 'XYZ is not an ITU Member State code' },
      { path: '/body/countries/2', message: 'KEN appears more than once' },
    ],
  })
})

function data(country: string, over: Partial<BoardRowData>): BoardRowData {
  return {
    country,
    country_name: country,
    region: 'Africa',
    assessment_id: null,
    status: null,
    late: null,
    coverage: null,
    answered: null,
    applicable: null,
    last_activity: null,
    domains: [],
    focal_points: [],
    last_reminded_at: null,
    ...over,
  } as BoardRowData
}

t.test('board rows, counts, filters, sorting, CSV', async (t) => {
  const deadline = new Date('2027-03-31T00:00:00Z')
  const before = new Date('2027-03-01T00:00:00Z')
  const after = new Date('2027-04-02T00:00:00Z')
  const raw = [
    data('AAA', { country_name: 'Zeta', status: 'draft', answered: 0, applicable: 10, coverage: 0 }),
    data('BBB', { country_name: 'Beta', status: 'draft', answered: 3, applicable: 10, coverage: 0.3, last_activity: new Date('2027-02-01T00:00:00Z') }),
    data('CCC', { country_name: 'Gamma', status: 'returned', answered: 10, applicable: 10, coverage: 1, region: 'Europe' }),
    data('DDD', { country_name: '=cmd', status: 'submitted', late: true, answered: 10, applicable: 10, coverage: 1 }),
    data('EEE', { country_name: 'Eta', status: 'validated', answered: 10, applicable: 10, coverage: 1 }),
    data('FFF', { country_name: 'Phi' }),
  ]
  const early = raw.map((r) => toBoardRow(r, deadline, before))
  t.same(boardCounts(early), { invited: 6, started: 4, submitted: 2, returned: 1, validated: 1, overdue: 0, late: 1 })
  const rows: BoardRow[] = raw.map((r) => toBoardRow(r, deadline, after))
  t.same(
    rows.filter((r) => r.overdue).map((r) => r.country),
    ['AAA', 'BBB', 'CCC', 'FFF'],
    'not submitted after the deadline',
  )
  t.equal(rows[5]!.status, 'not_started')
  t.same(
    filterAndSort(rows, { status: ['draft', 'returned'], sort: 'progress', order: 'desc' }).map((r) => r.country),
    ['CCC', 'BBB', 'AAA'],
  )
  t.same(
    filterAndSort(rows, { region: 'Europe' }).map((r) => r.country),
    ['CCC'],
  )
  t.same(
    filterAndSort(rows, { q: 'eta', sort: 'name' }).map((r) => r.country),
    ['BBB', 'EEE', 'AAA'],
    'search in code and name, sorted by name',
  )
  t.same(filterAndSort(rows, { sort: 'lastActivity' }).map((r) => r.country)[5], 'BBB', 'never active first')
  const csv = boardCsv(filterAndSort(rows, { late: true }))
  t.match(csv, /\r\nDDD,'=cmd,Africa,submitted,1,10,10,true,false,false,false,,,0,\r\n$/, 'formula-like text neutralised')
})
