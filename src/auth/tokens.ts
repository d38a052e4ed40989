// Bearer API tokens: generation and hashing (pure), and repository functions taking `db` first.
// Only the SHA-256 of a token is stored; the plaintext leaves this module once, from createToken.
import { hash, randomBytes, timingSafeEqual } from 'node:crypto'
import { sql, type Kysely, type Selectable } from 'kysely'
import type { Database, MembershipRole, Role, TokensTable } from '../db/schema.js'
import { accessFingerprintSql, personWithMemberships, type PersonWithMemberships } from '../people/principal.js'

export const ROLES = ['administration', 'staff', 'admin'] as const satisfies readonly Role[]

export const TOKEN_PREFIX = 'tr_'
/** 32 random bytes = 256 bits, as 43 base64url characters. */
export const TOKEN_BYTES = 32
const TOKEN_SHAPE = /^tr_[A-Za-z0-9_-]{43}$/
/** Characters of the plaintext kept for display: "tr_" and 4 of the random part (24 of 256 bits). */
export const DISPLAY_PREFIX_LENGTH = 7
/** last_used_at is written at most this often per token, not on every request. */
export const LAST_USED_INTERVAL_SECONDS = 60
export const LABEL_MAX = 200

/** A token as stored, without its hash. */
export type TokenRow = Omit<Selectable<TokensTable>, 'hash'>

export interface CreatedToken {
  /** The plaintext: shown to its owner once, never stored. */
  token: string
  row: TokenRow
}

export interface NewToken {
  role: Role
  /** ISO 3166-1 alpha-3, any case; required for administration tokens, refused for the others. */
  country?: string | null
  label: string
  expiresAt?: Date | null
  /** The token that made this one (the admin's), if any. */
  createdBy?: string | null
  /**
   * Whose token. The person must hold the rights of `role` (and country). Without it, a person is
   * made for the token with exactly those rights, named by the label (how `npm run token` and the
   * first-start admin token work).
   */
  personId?: string | null
}

/** The memberships that grant a token role: administration acts for a country, staff reviews and analyses. */
const MEMBERSHIPS_OF_ROLE: Record<Role, MembershipRole[]> = {
  administration: ['focal_point'],
  staff: ['reviewer', 'analyst'],
  admin: ['admin'],
}

/** A token request that cannot be honoured; `field` names the offending input. */
export class TokenInputError extends Error {
  override name = 'TokenInputError'
  constructor(
    readonly field: 'role' | 'country' | 'label' | 'expiresAt' | 'createdBy',
    message: string,
  ) {
    super(message)
  }
}

const COLUMNS = [
  'id',
  'prefix',
  'role',
  'country',
  'label',
  'created_at',
  'created_by',
  'expires_at',
  'revoked_at',
  'last_used_at',
  'person_id',
] as const satisfies readonly (keyof TokenRow)[]

// ---- pure -------------------------------------------------------------------------------------

export function generateToken(): string {
  return TOKEN_PREFIX + randomBytes(TOKEN_BYTES).toString('base64url')
}

export function hashToken(plaintext: string): Buffer {
  // One-shot: half the cost of createHash().update().digest(), on every authenticated request.
  return hash('sha256', plaintext, 'buffer')
}

export function displayPrefix(plaintext: string): string {
  return plaintext.slice(0, DISPLAY_PREFIX_LENGTH)
}

/** Whether a string has the shape of a token this service issues (no database needed to refuse one). */
export function isWellFormedToken(candidate: string): boolean {
  return TOKEN_SHAPE.test(candidate)
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value)
}

/**
 * An expiry from user input: an ISO date-time with offset, or a bare date (YYYY-MM-DD), which means
 * the token works through that whole day (UTC) and expires at the start of the next.
 */
export function parseExpiry(input: string, now: Date = new Date()): Date {
  const text = input.trim()
  let when: Date
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    when = new Date(`${text}T00:00:00Z`)
    if (!Number.isNaN(when.getTime()) && when.toISOString().slice(0, 10) === text) {
      when = new Date(when.getTime() + 86_400_000)
    } else {
      when = new Date(Number.NaN)
    }
  } else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text)) {
    when = new Date(text)
  } else {
    when = new Date(Number.NaN)
  }
  if (Number.isNaN(when.getTime())) {
    throw new TokenInputError('expiresAt', `expiry "${input}" is not a date (YYYY-MM-DD) or an ISO date-time with offset`)
  }
  if (when.getTime() <= now.getTime()) throw new TokenInputError('expiresAt', `expiry "${input}" is not in the future`)
  return when
}

// ---- repository -------------------------------------------------------------------------------

/** The country's code as stored, or a TokenInputError when no Member State has that code. */
async function knownCountry(db: Kysely<Database>, code: string): Promise<string> {
  const wanted = code.trim().toUpperCase()
  if (!/^[A-Z]{3}$/.test(wanted)) {
    throw new TokenInputError('country', `country "${code}" is not an ISO 3166-1 alpha-3 code (e.g. KEN)`)
  }
  const row = await db.selectFrom('countries').select('code').where('code', '=', wanted).executeTakeFirst()
  if (!row) throw new TokenInputError('country', `unknown country "${code}": no ITU Member State has that code`)
  return row.code
}

export async function createToken(db: Kysely<Database>, input: NewToken): Promise<CreatedToken> {
  if (!isRole(input.role)) throw new TokenInputError('role', `role must be one of ${ROLES.join(', ')}`)
  const label = input.label.trim()
  if (!label) throw new TokenInputError('label', 'label must not be empty')
  if (label.length > LABEL_MAX) throw new TokenInputError('label', `label must be at most ${LABEL_MAX} characters`)
  let country: string | null = null
  if (input.role === 'administration') {
    if (!input.country) throw new TokenInputError('country', 'an administration token needs a country')
    country = await knownCountry(db, input.country)
  } else if (input.country) {
    throw new TokenInputError('country', `a ${input.role} token has no country`)
  }
  const expiresAt = input.expiresAt ?? null
  if (expiresAt && (Number.isNaN(expiresAt.getTime()) || expiresAt.getTime() <= Date.now())) {
    throw new TokenInputError('expiresAt', 'expiry must be in the future')
  }
  const token = generateToken()
  const write = async (trx: Kysely<Database>) => {
    let personId = input.personId ?? null
    if (personId) {
      const grants = await trx
        .selectFrom('memberships')
        .select('role')
        .where('person_id', '=', personId)
        .where('role', 'in', input.role === 'administration' ? ['focal_point', 'contributor'] : MEMBERSHIPS_OF_ROLE[input.role])
        .where((eb) => (country ? eb('country', '=', country) : eb('country', 'is', null)))
        .executeTakeFirst()
      if (!grants) throw new TokenInputError('role', `this person holds no ${input.role} rights${country ? ` for ${country}` : ''}`)
    } else {
      personId = (
        await trx.insertInto('persons').values({ name: label, email: null, status: 'active', password_hash: null }).returning('id').executeTakeFirstOrThrow()
      ).id
      await trx
        .insertInto('memberships')
        .values(MEMBERSHIPS_OF_ROLE[input.role].map((role) => ({ person_id: personId!, role, country, questionnaire: null, domains: null })))
        .execute()
    }
    return trx
      .insertInto('tokens')
      .values({
        hash: hashToken(token),
        prefix: displayPrefix(token),
        role: input.role,
        country,
        label,
        expires_at: expiresAt,
        created_by: input.createdBy ?? null,
        person_id: personId,
      })
      .returning(COLUMNS)
      .executeTakeFirstOrThrow()
  }
  const row = db.isTransaction ? await write(db) : await db.transaction().execute(write)
  return { token, row }
}

/** Every token, oldest first, revoked and expired ones included. */
export async function listTokens(db: Kysely<Database>): Promise<TokenRow[]> {
  return db.selectFrom('tokens').select(COLUMNS).orderBy('created_at').orderBy('id').execute()
}

export async function getToken(db: Kysely<Database>, id: string): Promise<TokenRow | undefined> {
  return db.selectFrom('tokens').select(COLUMNS).where('id', '=', id).executeTakeFirst()
}

/**
 * Revokes a token; revoking a revoked token keeps its first revocation time.
 * Returns the row, or undefined when no token has that id.
 */
export async function revokeToken(db: Kysely<Database>, id: string): Promise<TokenRow | undefined> {
  return db.updateTable('tokens').set({ revoked_at: sql<Date>`coalesce(revoked_at, now())` }).where('id', '=', id).returning(COLUMNS).executeTakeFirst()
}

export type TokenCheck =
  | { status: 'active'; token: TokenRow; person: PersonWithMemberships | null; hash: Buffer; access: string }
  | { status: 'invalid' }
  | { status: 'expired'; token: TokenRow }
  | { status: 'revoked'; token: TokenRow }

/**
 * Looks a presented token up by its hash and says whether it is usable. Marks an active token as
 * used, writing last_used_at at most once per LAST_USED_INTERVAL_SECONDS. Times are the database's.
 */
export async function checkToken(db: Kysely<Database>, plaintext: string): Promise<TokenCheck> {
  if (!isWellFormedToken(plaintext)) return { status: 'invalid' }
  const presented = hashToken(plaintext)
  const found = await db
    .selectFrom('tokens')
    .select([
      ...COLUMNS,
      'hash',
      sql<Date>`now()`.as('now'),
      // The person and memberships come with the token: authenticating is one round trip.
      personWithMemberships(sql.ref('tokens.person_id')).as('person'),
      sql.raw<string>(accessFingerprintSql('tokens.person_id')).as('access'),
    ])
    .where('hash', '=', presented)
    .executeTakeFirst()
  // The indexed lookup by hash already is the comparison; this states the constant-time check
  // explicitly (and guards against a driver ever returning something else).
  if (!found || found.hash.length !== presented.length || !timingSafeEqual(found.hash, presented)) {
    return { status: 'invalid' }
  }
  const { hash, now, person, access, ...token } = found
  // A disabled person's tokens end with them.
  if (token.revoked_at || person?.status === 'disabled') return { status: 'revoked', token }
  if (token.expires_at && token.expires_at.getTime() <= now.getTime()) return { status: 'expired', token }
  if (!token.last_used_at || now.getTime() - token.last_used_at.getTime() >= LAST_USED_INTERVAL_SECONDS * 1000) {
    const updated = await db
      .updateTable('tokens')
      .set({ last_used_at: sql<Date>`now()` })
      .where('id', '=', token.id)
      .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<=', sql<Date>`now() - make_interval(secs => ${LAST_USED_INTERVAL_SECONDS})`)]))
      .returning('last_used_at')
      .executeTakeFirst()
    if (updated) token.last_used_at = updated.last_used_at
  }
  return { status: 'active', token, person, hash, access }
}

/** The token row when the plaintext is an active (known, unrevoked, unexpired) token; otherwise null. */
export async function findActiveToken(db: Kysely<Database>, plaintext: string): Promise<TokenRow | null> {
  const check = await checkToken(db, plaintext)
  return check.status === 'active' ? check.token : null
}

/** A token by id when it is neither revoked nor expired (a session opened with it lasts no longer). */
export async function findUsableToken(db: Kysely<Database>, id: string): Promise<TokenRow | undefined> {
  return db
    .selectFrom('tokens')
    .select(COLUMNS)
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', sql<Date>`now()`)]))
    .executeTakeFirst()
}
