// npm run demo: loads DEMONSTRATION data — invented answers for a few dozen Member States across the
// six ITU-D regions, cycles 2025 and 2026, in every workflow status — into the configured database.
// THE ANSWERS ARE MADE UP. They show what the interface looks like with data; they say nothing about
// any country. Never loaded unless this command is run. Every token it makes is labelled "DEMO …".
//
// Writes go through the same service functions as the API (createAssessment, writeAnswers,
// transition), with principals from tokens created here, so scores and history are real.
// Idempotent-ish: a country that already has an assessment for a cycle is left alone.
// Prints a staff token and one administration token (shown once; only their hashes are stored).
import { pino } from 'pino'
import { needsEvidence } from '../evidence/rules.js'
import { createAssessment, transition, writeAnswers, type AnswerWrite, type Context } from '../assessments/service.js'
import { findByKey } from '../assessments/repository.js'
import { createToken } from '../auth/tokens.js'
import { loadConfig, type Config } from '../config.js'
import { describe, openForTask } from '../db/connect.js'
import { openKysely } from '../db/kysely.js'
import type { Principal } from '../plugins/auth.js'
import { principalOfToken } from '../people/principal.js'
import { prepareDatabase } from '../prepare.js'
import { applies, type StoredAnswer } from '../questionnaires/answers.js'
import type { Question } from '../questionnaires/schema.js'
import { QuestionnaireStore, type LoadedVersion } from '../questionnaires/store.js'

/** Six Member States per ITU-D region (ISO 3166-1 alpha-3). Unknown codes are skipped. */
export const DEMO_COUNTRIES = [
  'KEN',
  'NGA',
  'ZAF',
  'SEN',
  'RWA',
  'GHA', // Africa
  'BRA',
  'CAN',
  'MEX',
  'CHL',
  'JAM',
  'COL', // Americas
  'EGY',
  'ARE',
  'JOR',
  'MAR',
  'TUN',
  'OMN', // Arab States
  'IND',
  'IDN',
  'JPN',
  'FJI',
  'PHL',
  'VNM', // Asia-Pacific
  'KAZ',
  'UZB',
  'ARM',
  'AZE',
  'KGZ',
  'MDA', // CIS (and neighbours, as ITU-D lists them)
  'DEU',
  'FRA',
  'EST',
  'POL',
  'PRT',
  'CHE', // Europe
] as const
export const DEMO_CYCLES = [2025, 2026] as const

/** A small deterministic generator, seeded by a string, so every run invents the same answers. */
function rng(seed: string): () => number {
  let h = 2166136261
  for (const c of seed) h = Math.imul(h ^ c.charCodeAt(0), 16777619)
  return () => {
    h = Math.imul(h ^ (h >>> 15), 2246822507)
    h = Math.imul(h ^ (h >>> 13), 3266489909)
    h ^= h >>> 16
    return (h >>> 0) / 4294967296
  }
}

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x))

/** An invented answer to one question for a country of the given capacity (0–1). */
export function inventAnswer(q: Question, capacity: number, random: () => number): StoredAnswer {
  const level = clamp(capacity + (random() - 0.5) * 0.5, 0, 1)
  if (q.allow_unknown && random() < 0.04) return { value: null, special: 'unknown' }
  // Demo answers carry no comment, so never a not_applicable that needs a justification.
  if (q.allow_not_applicable && !q.not_applicable_requires_comment && random() < 0.04) return { value: null, special: 'not_applicable' }
  switch (q.type) {
    case 'maturity':
      return { value: Math.round(level * 4), special: null }
    case 'yes_no_partial':
      return { value: level > 0.66 ? 'yes' : level > 0.33 ? 'partial' : 'no', special: null }
    case 'single_choice': {
      const best = [...q.options].sort((a, b) => Math.abs((a.score ?? 0) - level) - Math.abs((b.score ?? 0) - level))[0]!
      return { value: best.id, special: null }
    }
    case 'multi_choice': {
      const picked = q.options.filter((o) => !o.exclusive && (o.score ?? 1) > 0 && random() < level)
      if (picked.length) return { value: picked.map((o) => o.id), special: null }
      const none = q.options.find((o) => o.exclusive) ?? q.options[0]!
      return { value: [none.id], special: null }
    }
    case 'number': {
      // An unscored number has no bands: any value from its minimum up will do.
      const bands = q.bands ?? [{ min: q.min ?? 0, score: 0 }]
      const band = bands[Math.min(bands.length - 1, Math.floor(level * bands.length))]!
      let value = band.min + (q.integer ? Math.round(random() * 3) : Math.round(random() * 30) / 10)
      if (q.min !== undefined) value = Math.max(q.min, value)
      if (q.max !== undefined) value = Math.min(q.max, value)
      return { value: q.integer ? Math.round(value) : value, special: null }
    }
    case 'text':
      return {
        value: 'DEMO answer (invented for demonstration): the competent ministry is preparing the relevant instrument; see the attached references.'.slice(
          0,
          q.max_length,
        ),
        special: null,
      }
  }
}

/** Invented answers to the questions that apply, in questionnaire order (share: the part answered, 0–1). */
export function inventAnswers(version: LoadedVersion, capacity: number, share: number, seed: string): Map<string, StoredAnswer> {
  const random = rng(seed)
  const answers = new Map<string, StoredAnswer>()
  const all = [...version.questions.values()]
  const limit = Math.ceil(all.length * share)
  for (const q of all.slice(0, limit)) {
    if (!applies(q, answers, version.questions)) continue
    answers.set(q.id, inventAnswer(q, capacity, random))
  }
  return answers
}

/**
 * The address to open in a browser on this machine for a server started with the same HOST and
 * PORT. A wildcard HOST (0.0.0.0, ::) listens everywhere but cannot be browsed to: use loopback.
 */
export function signInAddress(config: Pick<Config, 'host' | 'port'>): string {
  const wildcard = config.host === '0.0.0.0' || config.host === '::' || config.host === '[::]'
  const host = wildcard ? '127.0.0.1' : config.host
  const bracketed = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host
  return `http://${bracketed}:${config.port}/app/`
}

type Status = 'draft' | 'submitted' | 'returned' | 'validated'

/** Which status a country's assessment ends in: most of 2025 validated; 2026 every status. */
function targetStatus(index: number, cycle: number): Status {
  if (cycle === 2025) return index % 7 === 3 ? 'submitted' : 'validated'
  return (['draft', 'submitted', 'returned', 'validated', 'submitted', 'validated'] as const)[index % 6]!
}

async function main() {
  const log = pino({ level: 'info' })
  const config = loadConfig()
  const connection = await openForTask(config, log)
  log.info(`database: ${describe(connection)}`)
  try {
    await prepareDatabase({ ...config, databaseUrl: connection.url, poolSize: config.poolSize }, log)
    const db = openKysely(connection.url, 4)
    try {
      const ctx: Context = { db, questionnaires: new QuestionnaireStore(db) }
      const [latest] = (await ctx.questionnaires.list()).sort((a, b) => b.version - a.version)
      if (!latest) throw new Error('no questionnaire is published; add one to QUESTIONNAIRES_DIR')
      const version = (await ctx.questionnaires.get(latest.questionnaire, latest.version))!
      const staffToken = await createToken(db, { role: 'staff', label: 'DEMO staff (demo data)' })
      const staff = await principalOfToken(db, staffToken.row)
      const known = new Set((await db.selectFrom('countries').select('code').execute()).map((r) => r.code))
      const countries = DEMO_COUNTRIES.filter((c) => known.has(c))
      let created = 0
      let skipped = 0
      // Assessments start only in an open campaign: one DEMO campaign per cycle invites the demo countries.
      for (const cycle of DEMO_CYCLES) {
        await db.transaction().execute(async (trx) => {
          await trx
            .insertInto('campaigns')
            .values({
              questionnaire: latest.questionnaire,
              version: latest.version,
              cycle,
              title: `DEMO ${latest.questionnaire} ${cycle} (demo data)`,
              opens_at: new Date(Date.UTC(cycle, 0, 15)),
              deadline: new Date(Date.UTC(cycle + 1, 2, 31, 23, 59, 59)),
              state: 'open',
              opened_at: new Date(),
              created_by: staff.personId,
            })
            .onConflict((oc) => oc.columns(['questionnaire', 'cycle']).doNothing())
            .execute()
          const campaign = await trx
            .selectFrom('campaigns')
            .select('id')
            .where('questionnaire', '=', latest.questionnaire)
            .where('cycle', '=', cycle)
            .executeTakeFirstOrThrow()
          await trx
            .insertInto('campaign_countries')
            .values(countries.map((country) => ({ campaign_id: campaign.id, country })))
            .onConflict((oc) => oc.columns(['campaign_id', 'country']).doNothing())
            .execute()
        })
      }

      for (const [index, country] of countries.entries()) {
        const capacity = 0.15 + rng(`capacity:${country}`)() * 0.75
        let admin: Principal | undefined
        for (const cycle of DEMO_CYCLES) {
          if (await findByKey(db, { country, questionnaire: latest.questionnaire, cycle })) {
            skipped++
            continue
          }
          admin ??= await principalOfToken(
            db,
            (await createToken(db, { role: 'administration', country, label: `DEMO administration ${country} (demo data)` })).row,
          )
          const status = targetStatus(index, cycle)
          const growth = cycle === 2026 ? 0.1 : 0
          const share = status === 'draft' ? 0.45 : 1
          const { assessment } = await createAssessment(ctx, admin, { questionnaire: latest.questionnaire, version: latest.version, country, cycle })
          const answers = inventAnswers(version, clamp(capacity + growth, 0, 1), share, `${country}:${cycle}`)
          const writes: AnswerWrite[] = [...answers].map(([questionId, a], i) => ({
            questionId,
            value: a.value,
            special: a.special,
            comment: i % 9 === 0 ? 'DEMO comment: invented for demonstration.' : undefined,
            // Where the questionnaire asks for evidence behind the answer, the demo gives some, so it can be submitted.
            evidence:
              i % 11 === 0 || needsEvidence(version.questions.get(questionId) ?? {}, a)
                ? [{ title: 'DEMO reference (invented)', url: 'https://www.itu.int/' }]
                : undefined,
            precondition: { kind: 'none' },
            path: `/demo/${questionId}`,
          }))
          if (writes.length) await writeAnswers(ctx, admin, assessment.id, writes)
          if (status !== 'draft') await transition(ctx, admin, assessment.id, 'submit', null, { kind: 'none' })
          if (status === 'validated') await transition(ctx, staff, assessment.id, 'validate', null, { kind: 'none' })
          if (status === 'returned') {
            await transition(ctx, staff, assessment.id, 'return', 'DEMO review: please add evidence for the maturity levels 3 and 4 you reported.', {
              kind: 'none',
            })
          }
          created++
          log.info(`${country} ${cycle}: ${status}, ${answers.size} answers`)
        }
      }

      const adminToken = await createToken(db, { role: 'administration', country: 'KEN', label: 'DEMO administration KEN (printed by npm run demo)' })
      process.stdout.write(
        [
          '',
          `Demo data (INVENTED, for demonstration only): ${created} assessments created, ${skipped} already there.`,
          `Questionnaire ${latest.questionnaire} v${latest.version}, ${countries.length} countries, cycles ${DEMO_CYCLES.join(' and ')}.`,
          'Tokens (shown once; their labels start with "DEMO"; revoke them with npm run token when done):',
          `  ITU-D staff:                 ${staffToken.token}`,
          `  administration of Kenya:     ${adminToken.token}`,
          `Sign in at ${signInAddress(config)} with one of them (once npm start runs with the same HOST and PORT).`,
          '',
        ].join('\n'),
      )
    } finally {
      await db.destroy()
    }
  } finally {
    await connection.embedded?.close()
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error))
    process.exitCode = 1
  })
}
