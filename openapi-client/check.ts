// A small client written against the types openapi-typescript generates from our OpenAPI document
// (npm run check:client generates test-output/openapi.d.ts, then type-checks this file). If a
// route's operationId, parameters, body or response shape drifts from what clients rely on, this
// stops compiling. The @ts-expect-error lines make sure the types are real, not `any`.
import type { operations } from '../test-output/openapi.js'

type Operation = keyof operations
type Body<K extends Operation> = operations[K] extends { requestBody: { content: { 'application/json': infer B } } } ? B : never
type Reply<K extends Operation, S extends number> = operations[K] extends { responses: { [code in S]: { content: { 'application/json': infer R } } } }
  ? R
  : never
type Query<K extends Operation> = operations[K] extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never

/** A bearer-token client: one method per operation it uses, typed by the generated document. */
export class ReadinessClient {
  constructor(
    private readonly base: string,
    private readonly token: string,
  ) {}

  private async request<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const res = await fetch(new URL(path, this.base), {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`)
    return (await res.json()) as T
  }

  createAssessment(body: Body<'createAssessment'>) {
    return this.request<Reply<'createAssessment', 201>>('POST', '/assessments', body)
  }

  getAssessment(id: string) {
    return this.request<Reply<'getAssessment', 200>>('GET', `/assessments/${encodeURIComponent(id)}`)
  }

  putAnswer(id: string, questionId: string, body: Body<'putAnswer'>, etag?: string) {
    const path = `/assessments/${encodeURIComponent(id)}/answers/${encodeURIComponent(questionId)}`
    return this.request<Reply<'putAnswer', 200>>('PUT', path, body, etag ? { 'if-match': etag } : {})
  }

  transition(id: string, body: Body<'transitionAssessment'>) {
    return this.request<Reply<'transitionAssessment', 200>>('POST', `/assessments/${encodeURIComponent(id)}/transitions`, body)
  }

  readiness(query: Query<'getReadinessAggregates'>) {
    const search = new URLSearchParams(Object.entries(query).flatMap(([k, v]) => (v === undefined ? [] : [[k, String(v)]])))
    return this.request<Reply<'getReadinessAggregates', 200>>('GET', `/readiness?${search}`)
  }
}

/** What an administration's script does: start, answer, submit, compare. */
export async function fillAndSubmit(client: ReadinessClient): Promise<number | null> {
  const created = await client.createAssessment({ questionnaire: 'cdc', country: 'KEN', cycle: 2026 })
  const id: string = created.assessment.id
  const saved = await client.putAnswer(id, 'cdc.data.law_conformity', { value: 3, comment: 'Data Protection Act 2019' })
  const etag: string = saved.answer.etag
  await client.putAnswer(id, 'cdc.data.law_conformity', { special: 'unknown' }, etag)
  const detail = await client.getAssessment(id)
  const missing: string[] = detail.missingRequired
  if (missing.length === 0) await client.transition(id, { action: 'submit' })
  const figures = await client.readiness({ questionnaire: 'cdc', groupBy: 'region' })
  const median: number | null | undefined = figures.groups[0]?.overall.median
  return median ?? null
}

export function typesAreReal(client: ReadinessClient): void {
  // @ts-expect-error cycle is a number
  void client.createAssessment({ questionnaire: 'cdc', country: 'KEN', cycle: '2026' })
  // @ts-expect-error there is no such action
  void client.transition('id', { action: 'approve' })
  // @ts-expect-error groupBy takes region only
  void client.readiness({ questionnaire: 'cdc', groupBy: 'country' })
  // @ts-expect-error no such operation
  type Missing = Body<'deleteEverything'>
  void (undefined as unknown as Missing)
}
