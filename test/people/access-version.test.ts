// A person's access version is what a remembered token is re-checked against inside the answer
// write (auth/statement-credential.ts): it must move with every change a principal is made of, made
// by any path (here plain SQL, as a psql session or another process would), and with nothing else.
import { sql } from 'kysely'
import t from 'tap'
import { build } from '../helpers/build.js'

t.test('the access version moves with every change of a person’s rights, and only then', async (t) => {
  const app = await build(t)
  const person = (
    await app.db
      .insertInto('persons')
      .values({ name: 'Wanjiru', email: 'wanjiru.access@example.org', password_hash: null })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id
  const versionOf = async (id: string) =>
    Number((await app.db.selectFrom('persons').select('access_version').where('id', '=', id).executeTakeFirstOrThrow()).access_version)
  const version = () => versionOf(person)
  const expectChange = async (what: string, change: () => Promise<unknown>, moves: boolean) => {
    const before = await version()
    await change()
    t.equal((await version()) !== before, moves, `${what}: ${moves ? 'moves' : 'stays'}`)
  }
  const membership = async () =>
    (
      await app.db
        .insertInto('memberships')
        .values({ person_id: person, role: 'contributor', country: 'KEN', questionnaire: 'cdc', domains: ['data'] })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id

  let id = ''
  await expectChange('a membership granted', async () => (id = await membership()), true)
  await expectChange('its domains widened', () => sql`update memberships set domains = array['data', 'ai'] where id = ${id}`.execute(app.db), true)
  await expectChange('its country changed', () => sql`update memberships set country = 'GHA' where id = ${id}`.execute(app.db), true)
  await expectChange('the membership withdrawn', () => sql`delete from memberships where id = ${id}`.execute(app.db), true)
  await expectChange('disabled', () => sql`update persons set status = 'disabled' where id = ${person}`.execute(app.db), true)
  await expectChange('enabled again', () => sql`update persons set status = 'active' where id = ${person}`.execute(app.db), true)
  await expectChange('renamed', () => sql`update persons set name = 'Wanjiru K.' where id = ${person}`.execute(app.db), true)
  await expectChange('another language', () => sql`update persons set language = 'fr' where id = ${person}`.execute(app.db), true)
  await expectChange('a second factor enrolled', () => sql`update persons set totp_enabled_at = now() where id = ${person}`.execute(app.db), true)
  await expectChange('signed in', () => sql`update persons set last_sign_in_at = now() where id = ${person}`.execute(app.db), false)
  await expectChange('a password set', () => sql`update persons set password_hash = 'x' where id = ${person}`.execute(app.db), false)
  await expectChange('an update that changes nothing', () => sql`update persons set name = name, status = status where id = ${person}`.execute(app.db), false)

  // A membership moved to another person moves both persons' versions.
  const other = (
    await app.db.insertInto('persons').values({ name: 'Kofi', email: 'kofi.access@example.org', password_hash: null }).returning('id').executeTakeFirstOrThrow()
  ).id
  const otherVersion = () => versionOf(other)
  id = await membership()
  const [mine, theirs] = [await version(), await otherVersion()]
  await sql`update memberships set person_id = ${other} where id = ${id}`.execute(app.db)
  t.not(await version(), mine, 'the person it left')
  t.not(await otherVersion(), theirs, 'the person it went to')

  // Deleting a person deletes their memberships (cascade): the triggers must not stand in its way.
  await sql`delete from persons where id = ${other}`.execute(app.db)
  t.equal((await app.db.selectFrom('memberships').select('id').where('person_id', '=', other).execute()).length, 0, 'a person with memberships can be deleted')
})
