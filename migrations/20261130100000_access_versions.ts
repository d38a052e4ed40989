import { sql, type Kysely } from 'kysely'

// A person's access version: bumped by the database whenever what a principal is made of changes
// (the person's name, status, language or second factor, or any of their memberships). A token
// remembered by a process is re-checked inside the answer write by comparing this number, where it
// used to compare the md5 of the person's JSON with their memberships: that aggregate ran on every
// write. Triggers, not the application, keep it: every path that changes rights (admin screens, SSO,
// invitations, a psql session) bumps it.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table persons add column access_version bigint not null default 1`.execute(db)
  await sql`
    create function persons_bump_access_version() returns trigger language plpgsql as $$
    begin
      if (new.name, new.status, new.language, new.totp_enabled_at is null)
         is distinct from (old.name, old.status, old.language, old.totp_enabled_at is null) then
        new.access_version := old.access_version + 1;
      end if;
      return new;
    end $$`.execute(db)
  await sql`
    create trigger persons_access_version before update on persons
      for each row execute function persons_bump_access_version()`.execute(db)
  await sql`
    create function memberships_bump_access_version() returns trigger language plpgsql as $$
    begin
      if tg_op <> 'INSERT' then
        update persons set access_version = access_version + 1 where id = old.person_id;
      end if;
      if tg_op <> 'DELETE' and (tg_op = 'INSERT' or new.person_id <> old.person_id) then
        update persons set access_version = access_version + 1 where id = new.person_id;
      end if;
      return null;
    end $$`.execute(db)
  await sql`
    create trigger memberships_access_version after insert or update or delete on memberships
      for each row execute function memberships_bump_access_version()`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger memberships_access_version on memberships`.execute(db)
  await sql`drop function memberships_bump_access_version()`.execute(db)
  await sql`drop trigger persons_access_version on persons`.execute(db)
  await sql`drop function persons_bump_access_version()`.execute(db)
  await sql`alter table persons drop column access_version`.execute(db)
}
