// Whether a question applies given the answers: the same rule as src/questionnaires/answers.ts
// `applies`. Without appliesIf it always applies; with one, only when the referenced question itself
// applies (transitively) and has a value listed in appliesIf.in (multi choice: any selected option).
// A special or missing answer to the referenced question means the question does not apply.

export function conditionMet(inList, value) {
  if (value === null || value === undefined) return false
  if (Array.isArray(value)) return value.some((v) => inList.includes(v))
  return inList.includes(value)
}

/** questionsById: id → question (API shape); answers: id → {value, special}. Returns id → boolean. */
export function applicability(questionsById, answers) {
  const memo = new Map()
  const resolve = (q, visiting) => {
    if (memo.has(q.id)) return memo.get(q.id)
    let result
    if (!q.appliesIf) result = true
    else if (visiting.has(q.id)) return false
    else {
      visiting.add(q.id)
      const target = questionsById.get(q.appliesIf.question)
      const answer = answers.get(q.appliesIf.question)
      result =
        target !== undefined &&
        answer !== undefined &&
        (answer.special === null || answer.special === undefined) &&
        resolve(target, visiting) &&
        conditionMet(q.appliesIf.in, answer.value)
      visiting.delete(q.id)
    }
    memo.set(q.id, result)
    return result
  }
  for (const q of questionsById.values()) resolve(q, new Set())
  return memo
}
