// ITU-D staff: build a what-if scenario (force weights; per question a force, a weight, or leaving it
// out), save it under a name, and see it beside the baseline: per domain, per region, tier counts and
// the countries that change tier. Nothing here changes a stored figure.
import { api } from './api.js'
import { fmtNumber, foreign, label, lang, t } from './i18n.js'
import { clear, countryName, frame, h, loadCountryNames, message, pct, problemText, regionName, requireSignIn } from './ui.js'

const FORCES = ['shall', 'endeavour', 'may', 'encouraged']
const main = document.getElementById('main')
const me = await requireSignIn('staff')
frame(me, { title: t('report.scenarios.pageTitle') })
await loadCountryNames()

const params = new URLSearchParams(location.search)
const { items: questionnaires } = await api('/questionnaires')
const questionnaire = questionnaires.find((q) => q.id === params.get('questionnaire')) ?? questionnaires[0]
const versionNumber = questionnaire.latestVersion
const version = await api(`/questionnaires/${questionnaire.id}/versions/${versionNumber}?lang=${lang}`)
const fallbacks = new Set(version.fallbacks ?? [])
const tierLabels = new Map(
  version.scoring.tiers.map((x, i) => [x.id, { text: x.label, attrs: fallbacks.has(`/scoring/tiers/${i}/label`) ? foreign('en') : {} }]),
)
const tierName = (id) => (id === 'none' ? t('score.none') : (tierLabels.get(id)?.text ?? id))
let saved = (await api(`/scenarios?questionnaire=${questionnaire.id}`)).scenarios.filter((s) => s.version === versionNumber)
let current = saved.find((s) => s.id === params.get('id')) ?? null

const status = h('div', { 'aria-live': 'polite' })
const result = h('div', { id: 'comparison' })

function number(id, value, { min = 0, max = 10, step = 'any', placeholder = '' } = {}) {
  return h('input', { id, name: id, type: 'number', min, max, step, value: value ?? '', placeholder, inputmode: 'decimal', class: 'narrow' })
}

function buildForm() {
  const def = current?.definition ?? { forceWeights: {}, questions: [] }
  const changes = new Map(def.questions.map((q) => [q.id, q]))
  const name = h('input', { id: 's-name', name: 'name', required: true, maxlength: 200, value: current?.name ?? '' })
  const description = h('textarea', { id: 's-description', name: 'description', maxlength: 4000, rows: 2 }, current?.description ?? '')
  const weights = FORCES.filter((f) => version.scoring.forceWeights[f] !== undefined || def.forceWeights[f] !== undefined).map((f) =>
    h(
      'div',
      { class: 'field' },
      h('label', { for: `fw-${f}` }, label('force', f)),
      number(`fw-${f}`, def.forceWeights[f], { placeholder: fmtNumber(version.scoring.forceWeights[f] ?? 0) }),
    ),
  )
  const rows = version.domains.flatMap((d) =>
    d.questions.map((q) => {
      const c = changes.get(q.id) ?? {}
      const key = q.id.replace(/[^a-zA-Z0-9_-]/g, '-')
      return h(
        'tr',
        { dataset: { question: q.id } },
        h('td', { class: 'nowrap' }, h('bdi', { dir: 'ltr' }, q.source.ref)),
        h('td', fallbacks.has(`/domains/${version.domains.indexOf(d)}/questions/${d.questions.indexOf(q)}/text`) ? foreign('en') : {}, q.text),
        h(
          'td',
          {},
          h(
            'select',
            { name: 'force', 'aria-label': t('report.scenarios.forceOf', { ref: q.source.ref }), id: `force-${key}` },
            h('option', { value: '' }, t('report.scenarios.unchanged', { value: label('force', q.force) })),
            FORCES.map((f) => h('option', { value: f, selected: c.force === f }, label('force', f))),
          ),
        ),
        h(
          'td',
          {},
          h('input', {
            name: 'weight',
            type: 'number',
            min: 0.01,
            max: 10,
            step: 'any',
            value: c.weight ?? '',
            placeholder: fmtNumber(q.weight),
            class: 'narrow',
            'aria-label': t('report.scenarios.weightOf', { ref: q.source.ref }),
          }),
        ),
        h(
          'td',
          {},
          h('input', { name: 'exclude', type: 'checkbox', checked: c.exclude === true, 'aria-label': t('report.scenarios.excludeOf', { ref: q.source.ref }) }),
        ),
      )
    }),
  )
  const form = h(
    'form',
    { id: 'scenario-form', novalidate: true },
    h('div', { class: 'field' }, h('label', { for: 's-name' }, t('report.scenarios.name')), name),
    h('div', { class: 'field' }, h('label', { for: 's-description' }, t('report.scenarios.description')), description),
    h(
      'fieldset',
      {},
      h('legend', {}, t('report.scenarios.forceWeights')),
      h('p', { class: 'help' }, t('report.scenarios.forceWeightsHelp')),
      h('div', { class: 'grid-2' }, weights),
    ),
    h(
      'details',
      { open: def.questions.length > 0 },
      h('summary', {}, t('report.scenarios.questions')),
      h(
        'table',
        { class: 'report-table' },
        h('caption', { class: 'visually-hidden' }, t('report.scenarios.questions')),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['report.col.provision', 'report.col.obligation', 'report.scenarios.force', 'report.scenarios.weight', 'report.scenarios.exclude'].map((k) =>
              h('th', { scope: 'col' }, t(k)),
            ),
          ),
        ),
        h('tbody', {}, rows),
      ),
    ),
    h(
      'p',
      { class: 'report-actions' },
      h('button', { type: 'submit', class: 'primary' }, t('report.scenarios.save')),
      current ? h('button', { type: 'button', onclick: remove }, t('report.scenarios.delete')) : null,
    ),
  )
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    const definition = {
      forceWeights: Object.fromEntries(
        FORCES.flatMap((f) => {
          const v = form.querySelector(`#fw-${f}`)?.value
          return v ? [[f, Number(v)]] : []
        }),
      ),
      questions: [...form.querySelectorAll('tbody tr')].flatMap((tr) => {
        const force = tr.querySelector('[name=force]').value
        const weight = tr.querySelector('[name=weight]').value
        const exclude = tr.querySelector('[name=exclude]').checked
        if (!force && !weight && !exclude) return []
        return [{ id: tr.dataset.question, ...(force ? { force } : {}), ...(weight ? { weight: Number(weight) } : {}), ...(exclude ? { exclude: true } : {}) }]
      }),
    }
    const body = { name: name.value.trim(), description: description.value, definition }
    try {
      current = current
        ? await api(`/scenarios/${current.id}`, { method: 'PUT', body })
        : await api('/scenarios', { method: 'POST', body: { ...body, questionnaire: questionnaire.id, version: versionNumber } })
      saved = [...saved.filter((s) => s.id !== current.id), current]
      history.replaceState(null, '', `?questionnaire=${questionnaire.id}&id=${current.id}`)
      draw()
      clear(status, message('success', t('report.scenarios.saved', { name: current.name })))
      await compare()
    } catch (error) {
      clear(status, message('error', problemText(error)))
    }
  })
  return form
}

async function remove() {
  try {
    await api(`/scenarios/${current.id}`, { method: 'DELETE' })
    saved = saved.filter((s) => s.id !== current.id)
    current = null
    history.replaceState(null, '', `?questionnaire=${questionnaire.id}`)
    draw()
    clear(status, message('success', t('report.scenarios.deleted')))
  } catch (error) {
    clear(status, message('error', problemText(error)))
  }
}

const tierCells = (tiers) => Object.keys(tiers).map((k) => h('td', { class: 'num' }, tiers[k]))

async function compare() {
  if (!current) return clear(result)
  clear(result, h('p', { class: 'loading', role: 'status' }, t('app.loading')))
  try {
    const c = await api(`/scenarios/${current.id}/comparison`)
    const world = c.groups[0]
    const tiers = [...c.tiers, 'none']
    const side = (s) => [h('td', { class: 'num' }, pct(s.baseline.mean)), h('td', { class: 'num' }, pct(s.scenario.mean))]
    clear(
      result,
      h('h2', {}, t('report.scenarios.comparison', { cycle: c.cycle ?? '–' })),
      c.cycle === null ? message('info', t('report.scenarios.noData')) : null,
      h(
        'table',
        { class: 'report-table' },
        h('caption', {}, t('report.scenarios.tierCounts')),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('td', {}),
            tiers.map((x) => h('th', { scope: 'col' }, tierName(x))),
          ),
        ),
        h(
          'tbody',
          {},
          h('tr', {}, h('th', { scope: 'row' }, t('report.scenarios.baseline')), tierCells(world?.overall.baseline.tiers ?? {})),
          h('tr', {}, h('th', { scope: 'row' }, t('report.scenarios.scenario')), tierCells(world?.overall.scenario.tiers ?? {})),
        ),
      ),
      h(
        'table',
        { class: 'report-table' },
        h('caption', {}, t('report.scenarios.byDomain')),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['report.col.domain', 'report.scenarios.baselineMean', 'report.scenarios.scenarioMean'].map((k) => h('th', { scope: 'col' }, t(k))),
          ),
        ),
        h(
          'tbody',
          {},
          h('tr', {}, h('th', { scope: 'row' }, t('report.overall')), side(world?.overall ?? { baseline: {}, scenario: {} })),
          (world?.domains ?? []).map((d) => h('tr', {}, h('th', { scope: 'row' }, version.domains.find((x) => x.id === d.domain)?.title ?? d.domain), side(d))),
        ),
      ),
      h(
        'table',
        { class: 'report-table' },
        h('caption', {}, t('report.scenarios.byRegion')),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['report.scenarios.region', 'report.scenarios.baselineMean', 'report.scenarios.scenarioMean'].map((k) => h('th', { scope: 'col' }, t(k))),
          ),
        ),
        h(
          'tbody',
          {},
          c.groups.slice(1).map((g) => h('tr', {}, h('th', { scope: 'row' }, regionName(g.region)), side(g.overall))),
        ),
      ),
      h('h3', {}, t('report.scenarios.changes', { count: c.tierChanges.length })),
      h(
        'ul',
        { id: 'tier-changes' },
        c.tierChanges.map((x) =>
          h(
            'li',
            { dataset: { country: x.country } },
            t('report.scenarios.change', {
              country: countryName(x.country, x.country),
              from: tierName(x.from ?? 'none'),
              to: tierName(x.to ?? 'none'),
              before: pct(x.baselineScore),
              after: pct(x.scenarioScore),
            }),
          ),
        ),
      ),
      h(
        'p',
        {},
        h('a', { href: `/exports/readiness.csv?questionnaire=${c.questionnaire}&version=${c.version}&scenario=${current.id}` }, t('report.scenarios.download')),
      ),
    )
  } catch (error) {
    clear(result, message('error', problemText(error)))
  }
}

function draw() {
  const picker = h(
    'select',
    { id: 's-pick', onchange: (e) => location.assign(`?questionnaire=${questionnaire.id}${e.target.value ? `&id=${e.target.value}` : ''}`) },
    h('option', { value: '' }, t('report.scenarios.new')),
    saved.map((s) => h('option', { value: s.id, selected: s.id === current?.id }, s.name)),
  )
  clear(
    main,
    h('h1', {}, t('report.scenarios.pageTitle')),
    h('p', { class: 'help' }, t('report.scenarios.intro', { questionnaire: version.title, version: versionNumber })),
    h('div', { class: 'field' }, h('label', { for: 's-pick' }, t('report.scenarios.pick')), picker),
    status,
    buildForm(),
    result,
  )
}

draw()
await compare()
document.body.dataset.printReady = '1'
