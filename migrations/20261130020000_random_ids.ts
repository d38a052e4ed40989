import { sql, type Kysely } from 'kysely'

// Random ids for review comments, transitions and answer history. Their bigserial ids were shared
// by every country, so an administration reading its own comment ids could tell how many were
// written elsewhere in between. The old column stays, renamed `seq`, as the private order of
// insertion (and keeps its index; its sequence makes it unique); `id` becomes a random UUID and the primary key. Adding a column
// with a volatile default gives every existing row its own value and fires no row trigger, so the
// append-only answer_history is not touched row by row.
const TABLES = ['review_comments', 'transitions', 'answer_history'] as const

export async function up(db: Kysely<any>): Promise<void> {
  for (const table of TABLES) {
    await sql`alter table ${sql.table(table)} drop constraint ${sql.id(`${table}_pkey`)}`.execute(db)
    await sql`alter table ${sql.table(table)} rename column id to seq`.execute(db)
    await sql`alter table ${sql.table(table)} add column id uuid not null default gen_random_uuid()`.execute(db)
    await sql`alter table ${sql.table(table)} add constraint ${sql.id(`${table}_pkey`)} primary key (id)`.execute(db)
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of TABLES) {
    await sql`alter table ${sql.table(table)} drop constraint ${sql.id(`${table}_pkey`)}`.execute(db)
    await sql`alter table ${sql.table(table)} drop column id`.execute(db)
    await sql`alter table ${sql.table(table)} rename column seq to id`.execute(db)
    await sql`alter table ${sql.table(table)} add constraint ${sql.id(`${table}_pkey`)} primary key (id)`.execute(db)
  }
}
