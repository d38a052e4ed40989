/**
 * The Frictionless Data Package descriptor (datapackage.json, profile tabular-data-package) of an
 * export bundle: every file with its Table Schema (tables.ts), keys and CSV dialect, so a data tool
 * reads the files without guessing. Pure: no I/O.
 */
import type { Field } from './tables.js'

export interface TableSpec {
  /** Resource name: lower case, digits, "-", "_" and "." (Frictionless). */
  name: string
  /** File name inside the bundle. */
  path: string
  title: string
  description: string
  fields: Field[]
  primaryKey?: string[]
  foreignKeys?: { fields: string[]; reference: { resource: string; fields: string[] } }[]
}

export interface PackageMeta {
  name: string
  title: string
  description: string
  created: Date
}

/** Text cells that spreadsheets would run as formulas carry a leading apostrophe (see columns.ts). */
const NEUTRALISED =
  'Text cells that would start with =, +, -, @, a tab or a carriage return carry a leading apostrophe so that no spreadsheet runs them as formulas; remove it to get the text as written.'

export function dataPackage(tables: readonly TableSpec[], meta: PackageMeta): Record<string, unknown> {
  return {
    profile: 'tabular-data-package',
    name: meta.name,
    title: meta.title,
    description: `${meta.description} ${NEUTRALISED}`,
    created: meta.created.toISOString(),
    resources: tables.map((table) => ({
      profile: 'tabular-data-resource',
      name: table.name,
      path: table.path,
      title: table.title,
      description: table.description,
      format: 'csv',
      mediatype: 'text/csv',
      encoding: 'utf-8',
      dialect: { delimiter: ',', doubleQuote: true, quoteChar: '"', header: true },
      schema: {
        fields: table.fields.map(fieldDescriptor),
        missingValues: [''],
        ...(table.primaryKey ? { primaryKey: table.primaryKey } : {}),
        ...(table.foreignKeys ? { foreignKeys: table.foreignKeys } : {}),
      },
    })),
  }
}

function fieldDescriptor(field: Field): Record<string, unknown> {
  return {
    name: field.name,
    type: field.type,
    format: field.format ?? 'default',
    description: field.unit ? `${field.description} Unit: ${field.unit}.` : field.description,
    ...(field.unit ? { unit: field.unit } : {}),
    ...(field.constraints ? { constraints: field.constraints } : {}),
  }
}
