import { createHash } from 'node:crypto'
import { sql } from 'kysely'
import t from 'tap'
import {
  checkToken,
  createToken,
  displayPrefix,
  findActiveToken,
  generateToken,
  getToken,
  hashToken,
  isWellFormedToken,
  listTokens,
  parseExpiry,
  revokeToken,
  TokenInputError,
} from '../../src/auth/tokens.js'
import { openKysely } from '../../src/db/kysely.js'
import { fileDatabase } from '../helpers/build.js'

const database = await fileDatabase()
const db = openKysely(database.url)
t.teardown(() => db.destroy())

t.test('generated tokens: prefix, 256 random bits in base64url, all different', async (t) => {
  const seen = new Set<string>()
  for (let i = 0; i < 2000; i++) {
    const token = generateToken()
    t.ok(isWellFormedToken(token)) || t.fail(token)
    seen.add(token)
  }
  t.equal(seen.size, 2000, 'no repeats')
  const token = generateToken()
  t.match(token, /^tr_[A-Za-z0-9_-]{43}$/)
  t.equal(Buffer.from(token.slice(3), 'base64url').length, 32, '32 random bytes')
  // Every base64url character shows up somewhere across many tokens: the randomness is not narrowed.
  const chars = new Set([...seen].flatMap((s) => [...s.slice(3, 45)]))
  t.equal(chars.size, 64)
  t.equal(displayPrefix(token), token.slice(0, 7))
  t.same(hashToken(token), createHash('sha256').update(token).digest())
  t.notOk(isWellFormedToken('tr_short'))
  t.notOk(isWellFormedToken(`xx_${token.slice(3)}`))
})

t.test('only the hash is stored: no column of the row holds the plaintext', async (t) => {
  const { token, row } = await createToken(db, { role: 'staff', label: 'ITU-D desk officer' })
  t.notOk('hash' in row, 'the returned row has no hash')
  t.equal(row.prefix, token.slice(0, 7))
  const stored = await sql<Record<string, unknown>>`select * from tokens where id = ${row.id}`.execute(db)
  const raw = stored.rows[0]!
  const secret = token.slice(3)
  for (const [column, value] of Object.entries(raw)) {
    const forms =
      value instanceof Buffer ? [value.toString('utf8'), value.toString('hex'), value.toString('base64'), value.toString('base64url')] : [String(value)]
    for (const form of forms) {
      t.notOk(form.includes(secret), `${column} does not contain the token`)
      t.notOk(form.includes(secret.slice(4, 20)), `${column} does not contain a piece of its secret part`)
    }
  }
  t.same(raw.hash, hashToken(token), 'hash is sha256 of the token')
  const found = await findActiveToken(db, token)
  t.equal(found?.id, row.id)
  t.equal(found?.role, 'staff')
  t.equal(found?.country, null)
})

t.test('countries: any case, must exist; only administration tokens have one', async (t) => {
  const { row } = await createToken(db, { role: 'administration', country: ' ken ', label: 'Ministry of ICT' })
  t.equal(row.country, 'KEN')
  const expectField = async (p: Promise<unknown>, field: string, message: RegExp) => {
    const error = await p.then(
      () => undefined,
      (e: unknown) => e,
    )
    t.type(error, TokenInputError)
    t.equal((error as TokenInputError).field, field)
    t.match((error as Error).message, message)
  }
  await expectField(createToken(db, { role: 'administration', country: 'XYZ', label: 'x' }), 'country', /unknown country "XYZ"/)
  await expectField(createToken(db, { role: 'administration', country: 'KE', label: 'x' }), 'country', /alpha-3/)
  await expectField(createToken(db, { role: 'administration', label: 'x' }), 'country', /needs a country/)
  await expectField(createToken(db, { role: 'staff', country: 'KEN', label: 'x' }), 'country', /has no country/)
  await expectField(createToken(db, { role: 'staff', label: '   ' }), 'label', /empty/)
  await expectField(createToken(db, { role: 'bogus' as 'staff', label: 'x' }), 'role', /role must be one of/)
  await expectField(createToken(db, { role: 'staff', label: 'x', expiresAt: new Date(Date.now() - 1000) }), 'expiresAt', /future/)
})

t.test('the table refuses what the code would refuse', async (t) => {
  const hash = hashToken(generateToken())
  await t.rejects(
    sql`insert into tokens (hash, prefix, role, label) values (${hash}, 'tr_x', 'administration', 'x')`.execute(db),
    /tokens_country_matches_role/,
  )
  await t.rejects(
    sql`insert into tokens (hash, prefix, role, country, label) values (${hash}, 'tr_x', 'staff', 'KEN', 'x')`.execute(db),
    /tokens_country_matches_role/,
  )
  await t.rejects(sql`insert into tokens (hash, prefix, role, label) values (${hash}, 'tr_x', 'root', 'x')`.execute(db), /check constraint/)
  await t.rejects(
    sql`insert into tokens (hash, prefix, role, country, label) values (${hash}, 'tr_x', 'administration', 'XYZ', 'x')`.execute(db),
    /foreign key/,
  )
})

t.test('expiry', async (t) => {
  const soon = new Date(Date.now() + 3_600_000)
  const { token, row } = await createToken(db, { role: 'staff', label: 'temporary', expiresAt: soon })
  t.equal(row.expires_at?.getTime(), soon.getTime())
  t.equal((await checkToken(db, token)).status, 'active')
  await db.updateTable('tokens').set({ expires_at: sql`now() - interval '1 second'` }).where('id', '=', row.id).execute()
  t.equal((await checkToken(db, token)).status, 'expired')
  t.equal(await findActiveToken(db, token), null)
})

t.test('revocation', async (t) => {
  const { token, row } = await createToken(db, { role: 'admin', label: 'second admin' })
  const revoked = await revokeToken(db, row.id)
  t.ok(revoked?.revoked_at instanceof Date)
  t.equal((await checkToken(db, token)).status, 'revoked')
  t.equal(await findActiveToken(db, token), null)
  const again = await revokeToken(db, row.id)
  t.equal(again?.revoked_at?.getTime(), revoked?.revoked_at?.getTime(), 'a second revocation keeps the first time')
  t.equal(await revokeToken(db, '00000000-0000-4000-8000-000000000000'), undefined, 'unknown id')
  const listed = (await listTokens(db)).find((r) => r.id === row.id)
  t.ok(listed?.revoked_at, 'listed with its revocation')
  t.notOk(listed && 'hash' in listed, 'list has no hashes')
})

t.test('unknown and malformed tokens are invalid', async (t) => {
  t.same(await checkToken(db, generateToken()), { status: 'invalid' })
  t.same(await checkToken(db, 'garbage'), { status: 'invalid' })
  t.same(await checkToken(db, ''), { status: 'invalid' })
  const { token } = await createToken(db, { role: 'staff', label: 'x' })
  const tampered = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A')
  t.same(await checkToken(db, tampered), { status: 'invalid' })
})

t.test('last_used_at is written at most once a minute', async (t) => {
  const { token, row } = await createToken(db, { role: 'staff', label: 'busy' })
  t.equal(row.last_used_at, null)
  const first = await findActiveToken(db, token)
  const used = (await getToken(db, row.id))?.last_used_at
  t.ok(used instanceof Date, 'first use is recorded')
  t.equal(first?.last_used_at?.getTime(), used?.getTime())
  await new Promise((resolve) => setTimeout(resolve, 20))
  for (let i = 0; i < 5; i++) await findActiveToken(db, token)
  t.equal((await getToken(db, row.id))?.last_used_at?.getTime(), used?.getTime(), 'uses within the minute write nothing')

  await db.updateTable('tokens').set({ last_used_at: sql`now() - interval '61 seconds'` }).where('id', '=', row.id).execute()
  const before = (await getToken(db, row.id))!.last_used_at!
  await findActiveToken(db, token)
  const after = (await getToken(db, row.id))!.last_used_at!
  t.ok(after.getTime() > before.getTime() + 60_000, 'a use a minute later is recorded')

  await db.updateTable('tokens').set({ last_used_at: sql`now() - interval '30 seconds'` }).where('id', '=', row.id).execute()
  const half = (await getToken(db, row.id))!.last_used_at!
  await findActiveToken(db, token)
  t.equal((await getToken(db, row.id))!.last_used_at!.getTime(), half.getTime(), '30 s later: not yet')
})

t.test('parseExpiry', async (t) => {
  const now = new Date('2026-11-24T12:00:00Z')
  t.equal(parseExpiry('2027-12-31', now).toISOString(), '2028-01-01T00:00:00.000Z', 'a date lasts through that day (UTC)')
  t.equal(parseExpiry('2027-01-01T10:00:00+02:00', now).toISOString(), '2027-01-01T08:00:00.000Z')
  t.equal(parseExpiry('2026-11-24T13:00Z', now).toISOString(), '2026-11-24T13:00:00.000Z')
  t.throws(() => parseExpiry('2026-11-23', now), /not in the future/)
  t.throws(() => parseExpiry('2027-02-30', now), /not a date/)
  t.throws(() => parseExpiry('2027-01-01T10:00:00', now), /not a date/, 'a date-time needs an offset')
  t.throws(() => parseExpiry('tomorrow', now), TokenInputError)
})
