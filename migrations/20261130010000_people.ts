import type { Kysely } from 'kysely'
import { sql } from 'kysely'

/*
 * Persons, their memberships (roles), invitations, server-side sessions and failed sign-ins.
 * Frozen in time: no application imports.
 *
 * - persons: e-mail unique case-insensitively (a unique index on lower(email)); null only for the
 *   persons this migration makes for tokens that existed before persons did.
 * - memberships: focal_point and contributor belong to one country; a contributor may be limited to
 *   some domains of one questionnaire; reviewer, analyst and admin belong to none.
 * - invitations and sessions store only the SHA-256 of their secret.
 * - auth_failures: one row per failed sign-in, per key (address or account), for a sliding window
 *   shared by every server process.
 * - Every token that exists gets a person with the rights the token had, so old tokens keep working
 *   and every change from now on names a person.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('persons')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('name', 'text', (c) => c.notNull().check(sql`length(trim(name)) between 1 and 200`))
    .addColumn('email', 'text', (c) => c.check(sql`email ~ '^[^@[:space:]]+@[^@[:space:]]+$' and length(email) <= 254`))
    .addColumn('language', 'text', (c) => c.notNull().defaultTo('en').check(sql`language in ('ar', 'en', 'es', 'fr', 'ru', 'zh')`))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('invited').check(sql`status in ('invited', 'active', 'disabled')`))
    .addColumn('password_hash', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('created_by', 'uuid', (c) => c.references('persons.id'))
    .addColumn('last_sign_in_at', 'timestamptz')
    .execute()
  await sql`create unique index persons_email_idx on persons (lower(email))`.execute(db)

  await db.schema
    .createTable('memberships')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('person_id', 'uuid', (c) => c.notNull().references('persons.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('focal_point', 'contributor', 'reviewer', 'analyst', 'admin')`))
    .addColumn('country', 'char(3)', (c) => c.references('countries.code'))
    .addColumn('questionnaire', 'text')
    .addColumn('domains', sql`text[]`)
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('created_by', 'uuid', (c) => c.references('persons.id'))
    .addCheckConstraint('memberships_country_matches_role', sql`(role in ('focal_point', 'contributor')) = (country is not null)`)
    .addCheckConstraint(
      'memberships_domains_for_contributors',
      sql`(domains is null and questionnaire is null) or (role = 'contributor' and questionnaire is not null and cardinality(domains) > 0)`,
    )
    .execute()
  await sql`create unique index memberships_unique_idx on memberships (person_id, role, coalesce(country, ''))`.execute(db)
  await db.schema.createIndex('memberships_country_idx').on('memberships').columns(['country', 'role']).execute()

  await db.schema
    .createTable('invitations')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('person_id', 'uuid', (c) => c.notNull().references('persons.id').onDelete('cascade'))
    .addColumn('secret_hash', 'bytea', (c) => c.notNull().unique().check(sql`octet_length(secret_hash) = 32`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('created_by', 'uuid', (c) => c.references('persons.id'))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('accepted_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .execute()
  await db.schema.createIndex('invitations_person_idx').on('invitations').column('person_id').execute()

  await db.schema
    .createTable('sessions')
    .addColumn('id', 'bytea', (c) => c.primaryKey().check(sql`octet_length(id) = 32`))
    .addColumn('person_id', 'uuid', (c) => c.notNull().references('persons.id').onDelete('cascade'))
    .addColumn('token_id', 'uuid', (c) => c.references('tokens.id').onDelete('cascade'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_seen_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('address', 'text')
    .addColumn('user_agent', 'text')
    .execute()
  await db.schema.createIndex('sessions_person_idx').on('sessions').column('person_id').execute()

  await db.schema
    .createTable('auth_failures')
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema.createIndex('auth_failures_key_at_idx').on('auth_failures').columns(['key', 'at']).execute()

  await db.schema
    .alterTable('tokens')
    .addColumn('person_id', 'uuid', (c) => c.references('persons.id'))
    .execute()
  // A person for every token made before persons existed, with exactly the token's rights.
  await sql`
    with made as (
      insert into persons (id, name, status)
      select id, label, case when revoked_at is null then 'active' else 'disabled' end from tokens
      returning id
    )
    update tokens set person_id = tokens.id from made where made.id = tokens.id`.execute(db)
  await sql`
    insert into memberships (person_id, role, country)
    select id, 'focal_point', country from tokens where role = 'administration'
    union all select id, 'reviewer', null from tokens where role = 'staff'
    union all select id, 'analyst', null from tokens where role = 'staff'
    union all select id, 'admin', null from tokens where role = 'admin'`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('tokens').dropColumn('person_id').execute()
  for (const table of ['auth_failures', 'sessions', 'invitations', 'memberships', 'persons']) {
    await db.schema.dropTable(table).execute()
  }
}
