// One assessment's trail: every answer written, every transition and every review comment, newest
// first, each with the name of the person who made it (persons are disabled, never deleted, so the
// name stays readable). SQL only; the route decides who may read it.
import { sql, type Kysely, type Transaction } from 'kysely'
import type { Database } from '../db/schema.js'

type Db = Kysely<Database> | Transaction<Database>

export type TrailKind = 'answer' | 'transition' | 'comment'

export interface TrailRow {
  id: string
  at: Date
  /** The timestamp to the microsecond PostgreSQL holds (ISO 8601, UTC), for the cursor. */
  at_key: string
  kind: TrailKind
  /** Ties at one instant (one transaction) are ordered by kind, then id. */
  kind_order: number
  by_name: string | null
  question_id: string | null
  from_status: string | null
  to_status: string | null
  old_answer: unknown
  new_answer: unknown
  comment: string | null
}

export interface TrailCursor {
  at: string
  kindOrder: number
  id: string
}

/** A page of the trail, newest first, after `cursor`; one row more than `limit` says there is a next page. */
export async function trailPage(db: Db, assessmentId: string, limit: number, cursor?: TrailCursor): Promise<TrailRow[]> {
  const after = cursor ? sql`where (t.at, t.kind_order, t.id) < (${cursor.at}::timestamptz, ${cursor.kindOrder}::int, ${cursor.id}::uuid)` : sql``
  const result = await sql<TrailRow>`
    select t.*, to_char(t.at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at_key from (
      select h.id, h.changed_at as at, 'answer' as kind, 2 as kind_order, p.name as by_name, h.question_id,
             null::text as from_status, null::text as to_status, h.old_answer, h.new_answer, null::text as comment
        from answer_history h left join persons p on p.id = h.changed_by
       where h.assessment_id = ${assessmentId}
      union all
      select tr.id, tr.at, 'transition', 1, p.name, null, tr.from_status::text, tr.to_status::text, null, null, tr.comment
        from transitions tr left join persons p on p.id = tr.actor
       where tr.assessment_id = ${assessmentId}
      union all
      select c.id, c.created_at, 'comment', 3, coalesce(p.name, c.author_label), c.question_id, null, null, null, null, c.body
        from review_comments c left join persons p on p.id = c.author
       where c.assessment_id = ${assessmentId}
    ) t
    ${after}
    order by t.at desc, t.kind_order desc, t.id desc
    limit ${limit + 1}`.execute(db)
  return result.rows
}
