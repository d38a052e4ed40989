// npm run token -- create --role administration --country KEN --label "Ministry of ICT" [--expires 2027-12-31]
// npm run token -- list
// npm run token -- revoke <id>
// On either backend, also while the server runs on the embedded one (through its published socket).
// Output for people on stdout (--json for scripts); logs on stderr. Exit 2 on bad arguments.
import { parseArgs } from 'node:util'
import { createToken, isRole, listTokens, parseExpiry, revokeToken, ROLES, TokenInputError, type CreatedToken, type TokenRow } from '../auth/tokens.js'
import { type Config, ConfigError, loadConfig } from '../config.js'
import type { Role } from '../db/schema.js'

const USAGE = `usage:
  npm run token -- create --role <${ROLES.join('|')}> [--country <ISO3>] --label <text> [--expires <YYYY-MM-DD|date-time>] [--json]
      administration tokens need --country (e.g. KEN); staff and admin tokens have none.
      The token is printed once; only its hash is stored.
  npm run token -- list [--json]
  npm run token -- revoke <id>`

class UsageError extends Error {
  override name = 'UsageError'
}

type Command =
  | { name: 'create'; role: Role; country: string | null; label: string; expiresAt: Date | null; json: boolean }
  | { name: 'list'; json: boolean }
  | { name: 'revoke'; id: string }

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

function parseOptions(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      role: { type: 'string' },
      country: { type: 'string' },
      label: { type: 'string' },
      expires: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
}

function parseCommand(argv: string[]): Command {
  let parsed: ReturnType<typeof parseOptions>
  try {
    parsed = parseOptions(argv)
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error))
  }
  const { values, positionals } = parsed
  const [name, ...rest] = positionals
  const only = (allowed: string[]) => {
    const given = (['role', 'country', 'label', 'expires', 'json'] as const).filter((k) => values[k] !== undefined && values[k] !== false)
    const extra = given.filter((k) => !allowed.includes(k))
    if (extra.length) throw new UsageError(`${name} does not take ${extra.map((k) => `--${k}`).join(', ')}`)
  }
  switch (name) {
    case 'create': {
      only(['role', 'country', 'label', 'expires', 'json'])
      if (rest.length) throw new UsageError(`unexpected argument ${rest[0]}`)
      if (!values.role) throw new UsageError('create needs --role')
      if (!isRole(values.role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`)
      if (!values.label?.trim()) throw new UsageError('create needs --label')
      if (values.role === 'administration' && !values.country) throw new UsageError('an administration token needs --country')
      if (values.role !== 'administration' && values.country) throw new UsageError(`a ${values.role} token takes no --country`)
      let expiresAt: Date | null = null
      if (values.expires !== undefined) {
        try {
          expiresAt = parseExpiry(values.expires)
        } catch (error) {
          throw new UsageError(`--expires: ${(error as Error).message}`)
        }
      }
      return {
        name,
        role: values.role,
        country: values.country ?? null,
        label: values.label,
        expiresAt,
        json: values.json ?? false,
      }
    }
    case 'list':
      only(['json'])
      if (rest.length) throw new UsageError(`unexpected argument ${rest[0]}`)
      return { name, json: values.json ?? false }
    case 'revoke': {
      only([])
      if (rest.length !== 1 || !rest[0]) throw new UsageError('revoke needs exactly one token id')
      if (!UUID.test(rest[0])) throw new UsageError(`"${rest[0]}" is not a token id (a UUID; see npm run token -- list)`)
      return { name, id: rest[0].toLowerCase() }
    }
    case undefined:
      throw new UsageError('no command given')
    default:
      throw new UsageError(`unknown command "${name}"`)
  }
}

const iso = (d: Date | null) => (d ? d.toISOString() : null)

function describeRow(row: TokenRow): string {
  const state = row.revoked_at ? `revoked ${iso(row.revoked_at)}` : row.expires_at && row.expires_at <= new Date() ? 'expired' : 'active'
  return [
    row.id,
    `${row.prefix}…`,
    row.role.padEnd(14),
    (row.country ?? '-').padEnd(3),
    state.padEnd(8),
    `expires ${iso(row.expires_at) ?? 'never'}`,
    `last used ${iso(row.last_used_at) ?? 'never'}`,
    JSON.stringify(row.label),
  ].join('  ')
}

function asJson(row: TokenRow) {
  return {
    id: row.id,
    prefix: row.prefix,
    role: row.role,
    country: row.country,
    label: row.label,
    createdAt: iso(row.created_at),
    createdBy: row.created_by,
    expiresAt: iso(row.expires_at),
    revokedAt: iso(row.revoked_at),
    lastUsedAt: iso(row.last_used_at),
  }
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2)
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`)
    return 0
  }
  let command: Command
  try {
    command = parseCommand(argv)
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`error: ${error.message}\n${USAGE}\n`)
      return 2
    }
    throw error
  }

  // Loaded only once the arguments are good: the database modules are slow to load.
  const [{ pino }, { describe, openForTask }, { openKysely }] = await Promise.all([import('pino'), import('../db/connect.js'), import('../db/kysely.js')])
  const log = pino({ level: 'info' }, pino.destination(2))
  let config: Config
  try {
    config = loadConfig()
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`error: ${error.message}\n`)
      return 78
    }
    throw error
  }
  const connection = await openForTask(config, log)
  log.info(`database: ${describe(connection)}`)
  const db = openKysely(connection.url, 2)
  try {
    switch (command.name) {
      case 'create': {
        let created: CreatedToken
        try {
          created = await createToken(db, {
            role: command.role,
            country: command.country,
            label: command.label,
            expiresAt: command.expiresAt,
          })
        } catch (error) {
          if (error instanceof TokenInputError) {
            process.stderr.write(`error: ${error.message}\n`)
            return 2
          }
          throw error
        }
        const { token, row } = created
        if (command.json) {
          process.stdout.write(`${JSON.stringify({ token, ...asJson(row) })}\n`)
        } else {
          process.stdout.write(
            `${token}\n\n` +
              `Created ${row.role} token ${row.id}${row.country ? ` for ${row.country}` : ''} (${JSON.stringify(row.label)}), ` +
              `expires ${iso(row.expires_at) ?? 'never'}.\n` +
              `This is the only time the token is shown; only its hash is stored. Send it as: Authorization: Bearer <token>\n`,
          )
        }
        return 0
      }
      case 'list': {
        const rows = await listTokens(db)
        if (command.json) process.stdout.write(`${JSON.stringify(rows.map(asJson))}\n`)
        else process.stdout.write(rows.length ? `${rows.map(describeRow).join('\n')}\n` : 'no tokens\n')
        return 0
      }
      case 'revoke': {
        const row = await revokeToken(db, command.id)
        if (!row) {
          process.stderr.write(`error: no token has id ${command.id}\n`)
          return 1
        }
        process.stdout.write(
          `revoked ${row.id} (${row.prefix}…, ${row.role}${row.country ? ` ${row.country}` : ''}, ${JSON.stringify(row.label)}) at ${iso(row.revoked_at)}\n`,
        )
        return 0
      }
      default:
        return command satisfies never
    }
  } finally {
    await db.destroy()
    await connection.embedded?.close()
  }
}

main().then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error)
    const hint = /relation "(tokens|countries)" does not exist/.test(message) ? ' (run `npm run migrate` first)' : ''
    process.stderr.write(`error: ${message}${hint}\n`)
    process.exitCode = 1
  },
)
