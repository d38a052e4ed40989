// Checks CSV cells against Frictionless Table Schema fields (types, formats and constraints as the
// Table Schema specification defines them), so that the tests validate every exported row.
import type { Field } from '../../src/exports/tables.js'

const NUMBER = /^-?\d+(\.\d+)?$/
const INTEGER = /^-?\d+$/
const DATETIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** The problems of one row (empty when it is valid), each naming the column. */
export function validateRow(fields: readonly Field[], cells: readonly string[]): string[] {
  if (cells.length !== fields.length) return [`${cells.length} cells for ${fields.length} fields`]
  const problems: string[] = []
  for (const [i, field] of fields.entries()) {
    const cell = cells[i]!
    const bad = (why: string) => problems.push(`${field.name}: ${JSON.stringify(cell)} ${why}`)
    const c = field.constraints ?? {}
    if (cell === '') {
      if (c.required) bad('is required')
      continue
    }
    const wrongType =
      (field.type === 'integer' && !INTEGER.test(cell) && 'is not an integer') ||
      (field.type === 'number' && !NUMBER.test(cell) && 'is not a number') ||
      (field.type === 'boolean' && cell !== 'true' && cell !== 'false' && 'is not a boolean') ||
      (field.type === 'datetime' && (!DATETIME.test(cell) || Number.isNaN(Date.parse(cell))) && 'is not an ISO 8601 UTC time') ||
      (field.format === 'uuid' && !UUID.test(cell) && 'is not a UUID')
    if (wrongType) {
      bad(wrongType)
      continue
    }
    if (field.type === 'integer' || field.type === 'number') {
      const n = Number(cell)
      if (c.minimum !== undefined && n < c.minimum) bad(`is below ${c.minimum}`)
      if (c.maximum !== undefined && n > c.maximum) bad(`is above ${c.maximum}`)
    }
    if (c.enum && !c.enum.includes(cell)) bad(`is not one of ${c.enum.join(', ')}`)
    if (c.pattern && !new RegExp(`^(?:${c.pattern})$`, 'u').test(cell)) bad(`does not match ${c.pattern}`)
  }
  return problems
}
