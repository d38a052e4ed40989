// The campaign's status board: one row per invited country, its counts, filters and sorting, and
// its CSV. Pure: the rows come from repository.boardRows.
import type { AssessmentStatus, Region } from '../db/schema.js'
import { csvRow } from '../exports/columns.js'
import type { BoardDomain, BoardFocalPoint, BoardRowData } from './repository.js'

export type BoardStatus = AssessmentStatus | 'not_started'

export interface BoardRow {
  country: string
  countryName: string
  region: Region
  assessmentId: string | null
  status: BoardStatus
  /** Anything answered or submitted. */
  started: boolean
  progress: number
  answered: number
  applicable: number
  late: boolean
  /** Not submitted and the deadline has passed. */
  overdue: boolean
  /** Returned by a reviewer and not submitted again yet. */
  returnedWaiting: boolean
  validated: boolean
  lastActivity: string | null
  lastRemindedAt: string | null
  focalPoints: (Omit<BoardFocalPoint, 'lastSignInAt'> & { signedIn: boolean; lastSignInAt: string | null })[]
  domains: BoardDomain[]
}

export interface BoardCounts {
  invited: number
  started: number
  submitted: number
  returned: number
  validated: number
  overdue: number
  late: number
}

const iso = (d: Date | string | null): string | null => (d === null ? null : new Date(d).toISOString())

export function toBoardRow(row: BoardRowData, deadline: Date, now: Date): BoardRow {
  const status: BoardStatus = row.status ?? 'not_started'
  const waiting = status === 'not_started' || status === 'draft' || status === 'returned'
  return {
    country: row.country,
    countryName: row.country_name,
    region: row.region,
    assessmentId: row.assessment_id,
    status,
    started: status !== 'not_started' && (status !== 'draft' || (row.answered ?? 0) > 0),
    progress: row.coverage ?? 0,
    answered: row.answered ?? 0,
    applicable: row.applicable ?? 0,
    late: row.late ?? false,
    overdue: waiting && now.getTime() > deadline.getTime(),
    returnedWaiting: status === 'returned',
    validated: status === 'validated',
    lastActivity: iso(row.last_activity),
    lastRemindedAt: iso(row.last_reminded_at),
    focalPoints: row.focal_points.map((f) => ({ ...f, signedIn: f.lastSignInAt !== null, lastSignInAt: iso(f.lastSignInAt) })),
    domains: row.domains,
  }
}

export function boardCounts(rows: readonly BoardRow[]): BoardCounts {
  return {
    invited: rows.length,
    started: rows.filter((r) => r.started).length,
    submitted: rows.filter((r) => r.status === 'submitted' || r.status === 'validated').length,
    returned: rows.filter((r) => r.returnedWaiting).length,
    validated: rows.filter((r) => r.validated).length,
    overdue: rows.filter((r) => r.overdue).length,
    late: rows.filter((r) => r.late).length,
  }
}

export const BOARD_SORTS = ['country', 'name', 'region', 'status', 'progress', 'lastActivity'] as const
export type BoardSort = (typeof BOARD_SORTS)[number]

export interface BoardFilters {
  status?: readonly BoardStatus[] | undefined
  region?: Region | undefined
  overdue?: boolean | undefined
  late?: boolean | undefined
  /** Part of the country's code or English name, any case. */
  q?: string | undefined
  sort?: BoardSort | undefined
  order?: 'asc' | 'desc' | undefined
}

const STATUS_ORDER: Record<BoardStatus, number> = { not_started: 0, draft: 1, returned: 2, submitted: 3, validated: 4 }

function compare(a: BoardRow, b: BoardRow, sort: BoardSort): number {
  switch (sort) {
    case 'country':
      return a.country.localeCompare(b.country)
    case 'name':
      return a.countryName.localeCompare(b.countryName, 'en')
    case 'region':
      return a.region.localeCompare(b.region)
    case 'status':
      return STATUS_ORDER[a.status] - STATUS_ORDER[b.status]
    case 'progress':
      return a.progress - b.progress
    case 'lastActivity':
      // Never active sorts first (the ones to chase).
      return (a.lastActivity ?? '').localeCompare(b.lastActivity ?? '')
  }
}

/** The rows that pass the filters, sorted (ties by country code, so the order is stable). */
export function filterAndSort(rows: readonly BoardRow[], f: BoardFilters): BoardRow[] {
  const q = f.q?.trim().toLowerCase()
  const kept = rows.filter(
    (r) =>
      (!f.status?.length || f.status.includes(r.status)) &&
      (!f.region || r.region === f.region) &&
      (f.overdue === undefined || r.overdue === f.overdue) &&
      (f.late === undefined || r.late === f.late) &&
      (!q || r.country.toLowerCase().includes(q) || r.countryName.toLowerCase().includes(q)),
  )
  const sort = f.sort ?? 'country'
  const sign = f.order === 'desc' ? -1 : 1
  return kept.sort((a, b) => sign * compare(a, b, sort) || a.country.localeCompare(b.country))
}

export const BOARD_COLUMNS = [
  'country code',
  'country name',
  'region',
  'status',
  'progress',
  'answered',
  'applicable',
  'late',
  'overdue',
  'returned waiting',
  'validated',
  'last activity',
  'focal points',
  'focal points signed in',
  'last reminded at',
] as const

export function boardCsv(rows: readonly BoardRow[]): string {
  return [
    csvRow(BOARD_COLUMNS),
    ...rows.map((r) =>
      csvRow([
        r.country,
        r.countryName,
        r.region,
        r.status,
        r.progress,
        r.answered,
        r.applicable,
        r.late,
        r.overdue,
        r.returnedWaiting,
        r.validated,
        r.lastActivity,
        r.focalPoints.map((f) => (f.email ? `${f.name} <${f.email}>` : f.name)).join('; '),
        r.focalPoints.filter((f) => f.signedIn).length,
        r.lastRemindedAt,
      ]),
    ),
  ].join('')
}
