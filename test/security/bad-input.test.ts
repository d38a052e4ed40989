// Hostile input on every write route: malformed JSON, wrong types, huge and over-limit bodies,
// deep nesting, unicode edge cases, SQL/script injection, prototype-pollution keys.
// Each request gets a 4xx application/problem+json answer (no 500, no stack, no SQL), the database
// is unchanged afterwards, and Object.prototype is untouched.
import { sql } from 'kysely'
import t from 'tap'
import { ensureOpenCampaign } from '../helpers/assessments.js'
import { build } from '../helpers/build.js'
import { tokenFor } from '../helpers/tokens.js'

const app = await build(t, { authRateLimit: 100_000 })
const admin = await tokenFor(app, 'admin')
const staff = await tokenFor(app, 'staff')
const ken = await tokenFor(app, 'administration', 'KEN')
for (const cycle of [2030, 2031]) await ensureOpenCampaign(app, { questionnaire: 'cdc', country: 'KEN', cycle })

// Fixtures made through the API before the snapshot: a draft assessment with one answer.
const created = await app.inject({
  method: 'POST',
  url: '/assessments',
  headers: { authorization: ken },
  payload: { questionnaire: 'cdc', country: 'KEN', cycle: 2030 },
})
if (created.statusCode !== 201) throw new Error(`fixture: ${created.body}`)
const assessmentId: string = created.json().assessment.id
const questions = await app.db
  .selectFrom('questionnaire_questions')
  .select(['question_id', 'type'])
  .where('questionnaire', '=', 'cdc')
  .orderBy('position')
  .execute()
const maturityQ = questions.find((q) => q.type === 'maturity')!.question_id
const textQ = questions.find((q) => q.type === 'text')!.question_id
const answered = await app.inject({
  method: 'PUT',
  url: `/assessments/${assessmentId}/answers/${maturityQ}`,
  headers: { authorization: ken },
  payload: { value: 2 },
})
if (answered.statusCode !== 200) throw new Error(`fixture: ${answered.body}`)
// Every token has been used once now, so last_used_at will not move for a minute either.
for (const auth of [admin, staff]) await app.inject({ method: 'GET', url: '/me', headers: { authorization: auth } })

/** Every table, rows ordered, as JSON text (tokens without last_used_at, which auth may refresh). */
async function snapshot(): Promise<string> {
  const tables = await sql<{ name: string }>`
    select table_name as name from information_schema.tables
    where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`.execute(app.db)
  const out: Record<string, unknown> = {}
  for (const { name } of tables.rows) {
    const rows = await sql<{ rows: string }>`
      select coalesce(jsonb_agg(r.j order by r.j::text), '[]'::jsonb)::text as rows
      from (select to_jsonb(x) - 'last_used_at' as j from ${sql.table(name)} x) r`.execute(app.db)
    out[name] = rows.rows[0]!.rows
  }
  return JSON.stringify(out)
}

const before = await snapshot()

// ---- the corpus --------------------------------------------------------------------------------

const MB = 1024 * 1024
const deepArray = '['.repeat(10_000) + ']'.repeat(10_000)
const deepObject = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`

/** Whole bodies that are wrong whatever the route. */
const RAW_BODIES: { name: string; body: string; type?: string }[] = [
  { name: 'truncated JSON', body: '{"a":' },
  { name: 'single quotes', body: "{'a': 1}" },
  { name: 'trailing comma', body: '{"a": 1,}' },
  { name: 'bare word', body: 'nul' },
  { name: 'unterminated array', body: '[1, 2' },
  { name: 'empty JSON body', body: '' },
  { name: 'array body', body: '[]' },
  { name: 'number body', body: '123' },
  { name: 'string body', body: '"text"' },
  { name: 'null body', body: 'null' },
  { name: 'boolean body', body: 'true' },
  { name: 'text/plain body', body: 'hello', type: 'text/plain' },
  { name: 'body over the limit (2 MB)', body: JSON.stringify({ x: 'a'.repeat(2 * MB) }) },
  { name: 'deep nesting, arrays (10,000 levels)', body: deepArray },
  { name: 'deep nesting, objects (10,000 levels)', body: deepObject },
  { name: '__proto__ key', body: '{"__proto__": {"admin": true}}' },
  { name: 'constructor.prototype key', body: '{"constructor": {"prototype": {"admin": true}}}' },
  { name: 'NUL in a key', body: '{"a\\u0000": 1}' },
  { name: 'lone surrogate in a key', body: '{"\\ud800": 1}' },
]

const NUL = 'a\u0000b'
const LONE_HIGH = 'a\ud800b'
const LONE_LOW = '\udc00'
/** Strings no field of any route may hold. */
const NEVER_TEXT = [NUL, LONE_HIGH, LONE_LOW, '\u0000']
/** Strings that are text, but not a valid id, code, enum member or URL. */
const NOT_AN_ID = [
  '\u202egnp.exe',
  '🇰🇪',
  '😀',
  "' or '1'='1",
  "KEN'; drop table answers; --",
  '1; select pg_sleep(5)',
  '<script>alert(1)</script>',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, sent as text
  '${7*7}{{7*7}}',
  '../../etc/passwd',
  '',
]
const WRONG_TYPES: unknown[] = [123, -1.5, true, [], {}, ['a'], { $gt: '' }]
const HUGE = 'x'.repeat(900 * 1024) // under the body limit, over every field's maximum
const OVER_LIMIT = 'x'.repeat(MB + 10) // the body is over the limit

type Kind = 'id' | 'free' | 'number' | 'any'
interface Route {
  name: string
  method: 'POST' | 'PUT' | 'PATCH'
  url: string
  auth: string | undefined
  headers?: Record<string, string>
  /** A body the mutations start from (never sent as is). */
  base: Record<string, unknown>
  /** Fields: 'id' must be an id/code/enum/URL; 'free' is free text; 'number' a number; 'any' any JSON. */
  fields: Record<string, Kind>
}

const routes: Route[] = [
  {
    name: 'POST /assessments',
    method: 'POST',
    url: '/assessments',
    auth: ken,
    base: { questionnaire: 'cdc', country: 'KEN', cycle: 2031 },
    fields: { questionnaire: 'id', country: 'id', cycle: 'number', version: 'number', from: 'id' },
  },
  {
    name: 'PUT answer',
    method: 'PUT',
    url: `/assessments/${assessmentId}/answers/${maturityQ}`,
    auth: ken,
    headers: { 'if-match': '*' },
    base: { value: 3, comment: 'ok' },
    fields: { value: 'any', special: 'id', comment: 'free', evidence: 'any' },
  },
  {
    name: 'PUT text answer',
    method: 'PUT',
    url: `/assessments/${assessmentId}/answers/${textQ}`,
    auth: ken,
    base: { value: 'a policy' },
    fields: { value: 'free', comment: 'free' },
  },
  {
    name: 'PATCH answers',
    method: 'PATCH',
    url: `/assessments/${assessmentId}/answers`,
    auth: ken,
    base: { answers: [{ questionId: maturityQ, value: 3, ifMatch: '*' }] },
    fields: { answers: 'any' },
  },
  {
    name: 'POST transitions',
    method: 'POST',
    url: `/assessments/${assessmentId}/transitions`,
    auth: ken,
    base: { action: 'submit' },
    fields: { action: 'id', comment: 'free' },
  },
  {
    name: 'POST version',
    method: 'POST',
    url: `/assessments/${assessmentId}/version`,
    auth: ken,
    base: { version: 99 },
    fields: { version: 'number' },
  },
  {
    name: 'POST comments',
    method: 'POST',
    url: `/assessments/${assessmentId}/comments`,
    auth: staff,
    base: { body: 'please check', questionId: maturityQ },
    fields: { body: 'free', questionId: 'free' },
  },
  {
    name: 'POST /tokens',
    method: 'POST',
    url: '/tokens',
    auth: admin,
    base: { role: 'staff', label: 'bench' },
    fields: { role: 'id', country: 'id', label: 'free', expiresAt: 'id' },
  },
]

// POST /session joins the corpus when the web interface has it.
const sessionProbe = await app.inject({ method: 'POST', url: '/session', payload: {} })
if (sessionProbe.statusCode !== 404 || sessionProbe.json().code !== 'route_not_found') {
  routes.push({
    name: 'POST /session',
    method: 'POST',
    url: '/session',
    auth: undefined,
    base: { token: `tr_${'A'.repeat(43)}` },
    fields: { token: 'id' },
  })
}

interface Case {
  route: Route
  name: string
  body: string
  type: string
  url?: string
}

/** Hostile values for a field, as raw JSON (a 10,000-level value is beyond JSON.stringify's stack). */
function valuesFor(kind: Kind): { name: string; json: string }[] {
  const out: { name: string; json: string }[] = []
  const add = (name: string, value: unknown) => out.push({ name, json: JSON.stringify(value) })
  for (const s of NEVER_TEXT) add(`unstorable text ${JSON.stringify(s)}`, s)
  add('huge string (900 KB)', HUGE)
  out.push({ name: 'deep value (10,000 levels)', json: deepArray })
  if (kind === 'id' || kind === 'number') {
    for (const s of NOT_AN_ID) add(`not an id ${JSON.stringify(s)}`, s)
  }
  if (kind === 'id' || kind === 'free' || kind === 'number') {
    for (const v of WRONG_TYPES) add(`wrong type ${JSON.stringify(v)}`, v)
  }
  if (kind === 'number') out.push({ name: 'overflowing number', json: '1e400' }, { name: 'fraction', json: '1.5' })
  if (kind === 'any') {
    out.push({ name: 'object with __proto__', json: '{"__proto__": {"admin": true}}' })
    for (const s of NOT_AN_ID) add(`text ${JSON.stringify(s)}`, s)
  }
  return out
}

const HOLE = '"\\u0001hole\\u0001"' // how JSON.stringify writes `hole`
/** JSON of `template` with the string "\u0001hole\u0001" replaced by raw JSON. */
function fill(template: unknown, json: string): string {
  return JSON.stringify(template).replace(HOLE, () => json)
}
const hole = '\u0001hole\u0001'

function cases(route: Route): Case[] {
  const json = 'application/json'
  const out: Case[] = RAW_BODIES.map((b) => ({ route, name: b.name, body: b.body, type: b.type ?? json }))
  out.push({ route, name: 'unknown field', body: JSON.stringify({ ...route.base, admin: true }), type: json })
  out.push({ route, name: 'proto key beside valid fields', body: JSON.stringify(route.base).replace(/^\{/, '{"__proto__":{"admin":true},'), type: json })
  out.push({
    route,
    name: 'constructor.prototype beside valid fields',
    body: JSON.stringify(route.base).replace(/^\{/, '{"constructor":{"prototype":{"admin":true}},'),
    type: json,
  })
  out.push({
    route,
    name: 'string over the body limit in a field',
    body: JSON.stringify({ ...route.base, [Object.keys(route.fields)[0]!]: OVER_LIMIT }),
    type: json,
  })
  for (const [field, kind] of Object.entries(route.fields)) {
    for (const v of valuesFor(kind)) {
      out.push({ route, name: `${field}: ${v.name}`, body: fill({ ...route.base, [field]: hole }, v.json), type: json })
    }
  }
  if (route.name === 'PATCH answers') {
    // Inside the one item as well as in place of the list.
    const item: [string, Kind, unknown][] = [
      ['value', 'any', { answers: [{ questionId: maturityQ, ifMatch: '*', value: hole }] }],
      ['questionId', 'id', { answers: [{ questionId: hole, value: 3 }] }],
      ['comment', 'free', { answers: [{ questionId: maturityQ, value: 3, ifMatch: '*', comment: hole }] }],
      ['ifMatch', 'id', { answers: [{ questionId: maturityQ, value: 3, ifMatch: hole }] }],
    ]
    for (const [name, kind, template] of item) {
      for (const v of valuesFor(kind)) out.push({ route, name: `answers/0/${name}: ${v.name}`, body: fill(template, v.json), type: json })
    }
  }
  // Hostile path segments where the route has them.
  if (route.url.startsWith('/assessments/')) {
    for (const s of [...NEVER_TEXT, ...NOT_AN_ID.filter((x) => x !== '')]) {
      const id = pathSegment(s)
      out.push({ route, name: `assessment id ${JSON.stringify(s)}`, body: JSON.stringify(route.base), type: json, url: route.url.replace(assessmentId, id) })
      if (route.url.includes('/answers/')) {
        out.push({
          route,
          name: `question id ${JSON.stringify(s)}`,
          body: JSON.stringify(route.base),
          type: json,
          url: route.url.replace(/answers\/[^/]+$/, `answers/${id}`),
        })
      }
    }
  }
  return out
}

// PostgreSQL's and the driver's own wording (the body may echo the client's input, which may look like SQL).
/** A path segment; a lone surrogate cannot be percent-encoded as UTF-8, so it goes as its CESU-8 bytes. */
function pathSegment(s: string): string {
  try {
    return encodeURIComponent(s)
  } catch {
    return s
      .replace(/[\ud800-\udfff]/g, (c) => {
        const n = c.charCodeAt(0)
        return `%${(0xe0 | (n >> 12)).toString(16)}%${(0x80 | ((n >> 6) & 0x3f)).toString(16)}%${(0x80 | (n & 0x3f)).toString(16)}`
      })
      .replaceAll('\u0000', '%00')
  }
}

const SQL_IN_BODY =
  /syntax error at or near|violates .*constraint|relation "|column "|duplicate key|invalid input syntax|unsupported Unicode escape|invalid byte sequence|SQLSTATE|kysely|\bpg\b/i
const STACK_IN_BODY = /\n\s+at |node_modules|\.ts:\d+|\.js:\d+/

let total = 0
for (const route of routes) {
  t.test(route.name, async (t) => {
    for (const c of cases(route)) {
      total++
      const res = await app.inject({
        method: route.method,
        url: c.url ?? route.url,
        headers: { ...(route.auth ? { authorization: route.auth } : {}), ...(route.headers ?? {}), 'content-type': c.type },
        payload: c.body,
      })
      const label = `${route.name}: ${c.name}`
      const ok = res.statusCode >= 400 && res.statusCode < 500
      t.ok(ok, `${label} → ${res.statusCode}`, { body: ok ? '' : res.body.slice(0, 500) })
      t.match(String(res.headers['content-type']), /^application\/problem\+json/, `${label}: problem+json`)
      if (!SQL_IN_BODY.test(res.body) && !STACK_IN_BODY.test(res.body)) continue
      t.fail(`${label}: the body names internals`, { body: res.body.slice(0, 500) })
    }
  })
}

t.test('the database is unchanged and no prototype was polluted', async (t) => {
  t.ok(total > 300, `${total} hostile requests sent`)
  const after = await snapshot()
  t.equal(after, before, 'every table is byte-for-byte as it was')
  t.equal(({} as Record<string, unknown>).admin, undefined, '({}).admin')
  t.equal((Object.prototype as Record<string, unknown>).admin, undefined, 'Object.prototype.admin')
  // And the app still works for a well-formed request.
  const res = await app.inject({ method: 'GET', url: `/assessments/${assessmentId}`, headers: { authorization: ken } })
  t.equal(res.statusCode, 200)
})
