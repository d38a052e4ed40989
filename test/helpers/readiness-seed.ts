// Seeds assessments through the API with answers whose domain scores are known by hand:
// per domain, 'max' answers every question with its best value (domain score 100) and 'zero'
// answers every question "unknown" (cdc scores unknown as 0, so domain score 0; questions that
// depend on an unknown answer do not apply and are left out).
import type { FastifyInstance } from 'fastify'
import { applies, type StoredAnswer } from '../../src/questionnaires/answers.js'
import type { Question } from '../../src/questionnaires/schema.js'
import { tokenFor } from './tokens.js'
import { ensureOpenCampaign } from './assessments.js'

export type Plan = 'max' | 'zero'

function best(q: Question): unknown {
  switch (q.type) {
    case 'maturity':
      return 4
    case 'yes_no_partial':
      return 'yes'
    case 'single_choice':
      return [...q.options].sort((a, b) => (b.score ?? 0) - (a.score ?? 0))[0]!.id
    case 'multi_choice':
      return q.combine === 'max'
        ? [[...q.options].sort((a, b) => (b.score ?? 0) - (a.score ?? 0))[0]!.id]
        : q.options.filter((o) => !o.exclusive).map((o) => o.id)
    case 'number':
      return [...(q.bands ?? [{ min: q.min ?? 0, score: 0 }])].sort((a, b) => b.score - a.score)[0]!.min
    case 'text':
      return 'Loi n° 2026-01, art. 3'
  }
}

/** The answers for a plan per domain (a domain missing from the plan uses `fallback`). */
export async function answersFor(app: FastifyInstance, plan: Record<string, Plan>, fallback: Plan) {
  const version = (await app.questionnaires.get('cdc', 1))!
  const stored = new Map<string, StoredAnswer>()
  const items: { questionId: string; value?: unknown; special?: 'unknown' }[] = []
  for (const domain of version.content.domains) {
    const mode = plan[domain.id] ?? fallback
    for (const q of domain.questions) {
      if (!applies(q, stored, version.questions)) continue
      if (mode === 'max') {
        const value = best(q)
        stored.set(q.id, { value: value as StoredAnswer['value'], special: null })
        items.push({ questionId: q.id, value })
      } else {
        stored.set(q.id, { value: null, special: 'unknown' })
        items.push({ questionId: q.id, special: 'unknown' })
      }
    }
  }
  return items
}

export interface Seeded {
  id: string
  admin: string
}

/** Creates, answers and (unless status is draft) submits, and validates when asked. */
export async function seedAssessment(
  app: FastifyInstance,
  staff: string,
  country: string,
  options: { plan?: Record<string, Plan>; fallback?: Plan; status?: 'draft' | 'submitted' | 'validated'; cycle?: number; comment?: string } = {},
): Promise<Seeded> {
  const admin = await tokenFor(app, 'administration', country)
  await ensureOpenCampaign(app, { questionnaire: 'cdc', version: 1, country, cycle: options.cycle ?? 2026 })
  const created = await app.inject({
    method: 'POST',
    url: '/assessments',
    headers: { authorization: admin },
    payload: { questionnaire: 'cdc', version: 1, country, cycle: options.cycle ?? 2026 },
  })
  if (created.statusCode !== 201) throw new Error(`create ${country}: ${created.statusCode} ${created.body}`)
  const id = created.json().assessment.id as string
  const answers = (await answersFor(app, options.plan ?? {}, options.fallback ?? 'max')).map((a, i) =>
    i === 0 && options.comment ? { ...a, comment: options.comment } : a,
  )
  const patched = await app.inject({ method: 'PATCH', url: `/assessments/${id}/answers`, headers: { authorization: admin }, payload: { answers } })
  if (patched.statusCode !== 200) throw new Error(`answer ${country}: ${patched.statusCode} ${patched.body}`)
  const status = options.status ?? 'submitted'
  if (status !== 'draft') {
    const res = await app.inject({ method: 'POST', url: `/assessments/${id}/transitions`, headers: { authorization: admin }, payload: { action: 'submit' } })
    if (res.statusCode !== 200) throw new Error(`submit ${country}: ${res.statusCode} ${res.body}`)
  }
  if (status === 'validated') {
    const res = await app.inject({ method: 'POST', url: `/assessments/${id}/transitions`, headers: { authorization: staff }, payload: { action: 'validate' } })
    if (res.statusCode !== 200) throw new Error(`validate ${country}: ${res.statusCode} ${res.body}`)
  }
  return { id, admin }
}
