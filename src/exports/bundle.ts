// The analysts' bundles: the export files of one campaign or filter together with the codebook,
// as a Frictionless Data Package in a zip (package.zip) or as an Excel workbook (data.xlsx).
//
// Both stream: each CSV comes from its own COPY, run one after the other on the export's one
// connection, and goes into the zip (archiver) or, parsed row by row and typed by its Table Schema,
// into a streamed worksheet (exceljs), waiting whenever the client reads slower than we write.
// Memory stays flat whatever the size. archiver and exceljs (~60 MB once loaded) are loaded by the
// first bundle asked for, not at start.
import { once } from 'node:events'
import { PassThrough, Readable } from 'node:stream'
import { setTimeout } from 'node:timers/promises'
import type { ZipArchive } from 'archiver'
import { parse } from 'csv-parse'
import type ExcelJS from 'exceljs'
import type { Kysely } from 'kysely'
import type pg from 'pg'
import { to as copyTo } from 'pg-copy-streams'
import type { Database } from '../db/schema.js'
import { notFound } from '../errors.js'
import type { Language } from '../i18n/languages.js'
import type { QuestionnaireStore } from '../questionnaires/store.js'
import { codebookRows, CODEBOOK_COLUMNS, quoteIndex } from './codebook.js'
import { csvRow, unneutralise } from './columns.js'
import { dataPackage, type TableSpec } from './datapackage.js'
import { answersExport, copyStatement, type ExportFilters, readinessExport, readinessLongExport } from './stream.js'
import { answerFields, CODEBOOK_FIELDS, type Field, READINESS_LONG_FIELDS, readinessFields } from './tables.js'

export interface BundleTable extends TableSpec {
  /** Where the CSV comes from: a SELECT to COPY out, or text made here (the codebook). */
  source: { select: string } | { csv: string }
}

export interface Bundle {
  tables: BundleTable[]
  /** File name without extension. */
  name: string
  descriptor: Record<string, unknown>
}

/**
 * The tables of a bundle for the export filters. A campaign (campaign_id) fixes the questionnaire,
 * version and cycle. The wide readiness.csv is included when one questionnaire is chosen (its
 * domains are its columns); the codebook covers the versions the filters reach.
 */
export async function buildBundle(
  db: Kysely<Database>,
  questionnaires: QuestionnaireStore,
  requested: ExportFilters,
  lang: Language,
  now: Date,
): Promise<Bundle> {
  const filters = { ...requested }
  let title = 'Treaty readiness: assessments, answers and codebook'
  if (requested.campaign_id) {
    const campaign = await db
      .selectFrom('campaigns')
      .select(['title', 'questionnaire', 'version', 'cycle'])
      .where('id', '=', requested.campaign_id)
      .executeTakeFirst()
    if (!campaign) throw notFound(`campaign ${requested.campaign_id}`)
    Object.assign(filters, { questionnaire: campaign.questionnaire, version: campaign.version, cycle: campaign.cycle })
    title = `Treaty readiness: ${campaign.title}`
  }

  const versions = (await questionnaires.list()).filter(
    (v) => (!filters.questionnaire || v.questionnaire === filters.questionnaire) && (filters.version === undefined || v.version === filters.version),
  )
  if (filters.questionnaire && versions.length === 0) throw notFound(`questionnaire ${filters.questionnaire}${filters.version ? ` v${filters.version}` : ''}`)
  const allFiles = await Promise.all((await questionnaires.list()).map(async (v) => (await questionnaires.get(v.questionnaire, v.version))!.content))
  const quotes = quoteIndex(allFiles)
  const codebook = [
    CODEBOOK_COLUMNS,
    ...versions.flatMap((v) => codebookRows(allFiles.find((f) => f.id === v.questionnaire && f.version === v.version)!, lang, quotes)),
  ]

  const tables: BundleTable[] = []
  if (filters.questionnaire) {
    const wide = await readinessExport(db, filters)
    tables.push({
      name: 'readiness',
      path: 'readiness.csv',
      title: 'Readiness per assessment',
      description: 'One row per assessment: a score column per domain of the questionnaire version, overall score, coverage and tier.',
      fields: readinessFields(wide.domains),
      source: { select: wide.select },
    })
  }
  tables.push(
    {
      name: 'readiness-long',
      path: 'readiness-long.csv',
      title: 'Readiness per assessment and domain',
      description: 'One row per assessment and domain, with submission, validation, counts and the region and world medians.',
      fields: READINESS_LONG_FIELDS,
      primaryKey: ['assessment id', 'domain'],
      source: { select: (await readinessLongExport(db, filters)).select },
    },
    {
      name: 'answers',
      path: 'answers.csv',
      title: 'Answers',
      description: 'One row per answer; the codebook says what each question and value means.',
      fields: answerFields(),
      primaryKey: ['assessment id', 'question id'],
      foreignKeys: [
        {
          fields: ['questionnaire', 'version', 'question id'],
          reference: { resource: 'codebook', fields: ['questionnaire', 'version', 'question id'] },
        },
      ],
      source: { select: (await answersExport(db, filters)).select },
    },
    {
      name: 'codebook',
      path: 'codebook.csv',
      title: 'Codebook',
      description: `One row per question and questionnaire version; translated columns in ${lang}.`,
      fields: CODEBOOK_FIELDS,
      primaryKey: ['questionnaire', 'version', 'question id'],
      source: { csv: codebook.map(csvRow).join('') },
    },
  )
  const name = ['treaty-readiness', filters.questionnaire, filters.version ? `v${filters.version}` : undefined, filters.cycle, filters.country?.toLowerCase()]
    .filter(Boolean)
    .join('-')
  const descriptor = dataPackage(tables, {
    name,
    title,
    description: 'ITU Member States’ self-assessments against proposed treaty obligations, exported for analysis.',
    created: now,
  })
  return { tables, name, descriptor }
}

/** A table's CSV (with its header) as a stream: the COPY on `client`, or the text made here. */
function openCsv(client: pg.ClientBase, table: BundleTable): Readable {
  return 'csv' in table.source ? Readable.from([table.source.csv]) : client.query(copyTo(copyStatement(table.source.select)))
}

/**
 * package.zip: the CSVs and datapackage.json. `done` is called once, with the error if the bundle
 * could not be finished (the client went away, a query failed).
 */
export async function zipBundle(client: pg.ClientBase, bundle: Bundle, done: (err?: Error) => void): Promise<Readable> {
  const { ZipArchive } = await import('archiver')
  const zip = new ZipArchive({ zlib: { level: 6 } })
  const out = new PassThrough()
  zip.pipe(out)
  const run = async () => {
    for (const table of bundle.tables) {
      const entry = once(zip, 'entry')
      zip.append(openCsv(client, table), { name: table.path })
      await entry // the next COPY starts only when this one has been read to its end
    }
    zip.append(`${JSON.stringify(bundle.descriptor, null, 2)}\n`, { name: 'datapackage.json' })
    await zip.finalize()
  }
  settle(run(), out, zip, done)
  return out
}

/** The value of a CSV cell for a typed worksheet cell, by the column's Table Schema type. */
export function typedCell(field: Field, text: string): string | number | boolean | Date | null {
  if (text === '') return null
  switch (field.type) {
    case 'integer':
    case 'number':
      return Number(text)
    case 'boolean':
      return text === 'true'
    case 'datetime':
      return new Date(text)
    case 'string':
      // In a worksheet a string cell is never a formula, so it gets the text as written.
      return unneutralise(text)
  }
}

/** Rows written before looking whether the zip behind the worksheet keeps up. */
const ROWS_PER_CHECK = 200
/** Bytes of a worksheet that may wait to be compressed before rows are held back. */
const SHEET_BACKLOG = 1 << 18

/**
 * Bytes written to a worksheet and not yet compressed into the workbook. exceljs' streaming writer
 * buffers a worksheet in its own StreamBuf (64 kB buffers) and hands them to the archiver ignoring
 * back-pressure, so a sheet written faster than it is compressed grows in memory without bound
 * (measured: +300 MB of buffers for 200,000 answers); this looks at both so the writer can wait
 * (then the heap stays flat, about 50 MB, whatever the number of rows).
 */
function sheetBacklog(sheet: ExcelJS.Worksheet): number {
  type State = { length?: number } | undefined
  // the pipes are archiver's readable-stream PassThroughs, which expose their buffers only as states
  type Pipe = { _writableState?: State; _readableState?: State }
  const stream = (sheet as unknown as { stream?: { buffers?: unknown[]; pipes?: Pipe[] } }).stream
  const held = (stream?.buffers?.length ?? 0) * 65536
  const queued = (stream?.pipes ?? []).reduce((n, p) => n + (p._writableState?.length ?? 0) + (p._readableState?.length ?? 0), 0)
  return held + queued
}

/**
 * data.xlsx: one worksheet per table, header row frozen, cells typed by the Table Schema (numbers
 * as numbers, times as dates, booleans as booleans, every text as a string: never a formula).
 */
export async function xlsxBundle(client: pg.ClientBase, bundle: Bundle, done: (err?: Error) => void): Promise<Readable> {
  const { default: ExcelJS } = await import('exceljs')
  const out = new PassThrough()
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false })
  const run = async () => {
    for (const table of bundle.tables) {
      const sheet = workbook.addWorksheet(table.name, { views: [{ state: 'frozen', ySplit: 1 }] })
      sheet.columns = table.fields.map((f) => ({
        header: f.name,
        key: f.name,
        width: Math.min(40, Math.max(10, f.name.length + 2)),
        ...(f.type === 'datetime' ? { style: { numFmt: 'yyyy-mm-dd hh:mm:ss' } } : {}),
      }))
      const rows = openCsv(client, table).pipe(parse({ from_line: 2 }))
      let n = 0
      for await (const record of rows as AsyncIterable<string[]>) {
        sheet.addRow(table.fields.map((f, i) => typedCell(f, record[i] ?? ''))).commit()
        if (++n % ROWS_PER_CHECK !== 0) continue
        while (!out.destroyed && (sheetBacklog(sheet) > SHEET_BACKLOG || out.writableNeedDrain)) await setTimeout(5)
      }
      sheet.commit()
    }
    await workbook.commit()
  }
  settle(run(), out, null, done)
  return out
}

/**
 * Reports the outcome once: success as soon as every query has been read (the connection is no
 * longer needed, whatever the client still has to read); failure when a query failed or the client
 * went away first (then the zip is aborted and `out` destroyed).
 */
function settle(run: Promise<void>, out: PassThrough, zip: ZipArchive | null, done: (err?: Error) => void): void {
  let reported = false
  const report = (err?: Error) => {
    if (reported) return
    reported = true
    done(err)
  }
  out.on('close', () => report(new Error('the client went away before the export was finished')))
  run.then(
    () => report(),
    (err: Error) => {
      zip?.abort()
      out.destroy(err)
      report(err)
    },
  )
}
