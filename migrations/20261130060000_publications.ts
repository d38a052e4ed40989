import type { Kysely } from 'kysely'
import { sql } from 'kysely'

/*
 * Publications: the figures of a campaign as published, once, and each dated correction after it.
 * A publication keeps a snapshot of every included country's scores (per domain and overall, for
 * staff, for the country itself and for the next correction's rules) and the aggregate cells with
 * the disclosure rules applied at publication time (`cells`, withheld ones without figures), the k
 * they were applied with, and what changed since the previous one. Frozen in time: no app imports.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('publications')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('campaign_id', 'uuid', (c) => c.notNull().references('campaigns.id'))
    .addColumn('number', 'integer', (c) => c.notNull().check(sql`number >= 1`))
    .addColumn('published_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('published_by', 'uuid', (c) => c.references('persons.id'))
    .addColumn('note', 'text', (c) => c.check(sql`length(note) <= 4000`))
    .addColumn('min_group_size', 'integer', (c) => c.notNull().check(sql`min_group_size >= 1`))
    .addColumn('cells', 'jsonb', (c) => c.notNull())
    .addColumn('changes', 'jsonb')
    .addUniqueConstraint('publications_number_per_campaign', ['campaign_id', 'number'])
    .execute()

  await db.schema
    .createTable('publication_countries')
    .addColumn('publication_id', 'uuid', (c) => c.notNull().references('publications.id').onDelete('cascade'))
    .addColumn('country', 'char(3)', (c) => c.notNull().references('countries.code'))
    .addColumn('assessment_id', 'uuid', (c) => c.notNull().references('assessments.id'))
    .addColumn('region', 'text', (c) => c.notNull())
    .addColumn('overall_score', 'double precision')
    .addColumn('tier', 'text')
    .addPrimaryKeyConstraint('publication_countries_pk', ['publication_id', 'country'])
    .execute()

  await db.schema
    .createTable('publication_domain_scores')
    .addColumn('publication_id', 'uuid', (c) => c.notNull())
    .addColumn('country', 'char(3)', (c) => c.notNull())
    .addColumn('domain', 'text', (c) => c.notNull())
    .addColumn('score', 'double precision')
    .addColumn('tier', 'text')
    .addPrimaryKeyConstraint('publication_domain_scores_pk', ['publication_id', 'country', 'domain'])
    .addForeignKeyConstraint(
      'publication_domain_scores_country_fk',
      ['publication_id', 'country'],
      'publication_countries',
      ['publication_id', 'country'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('publication_domain_scores').execute()
  await db.schema.dropTable('publication_countries').execute()
  await db.schema.dropTable('publications').execute()
}
