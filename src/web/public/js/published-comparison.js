// An administration's country against the published figures: per domain and overall, its own
// score beside the median of its region and of the world, from the latest publication of the
// campaign (administrations read no live aggregates). Before a publication it says when they come.
import { api } from './api.js'
import { t } from './i18n.js'
import { countryName, fmtDate, h, pct, regionName, versionTexts } from './ui.js'

const median = (value) => (value === null ? h('span', { class: 'muted' }, t('publication.compare.withheld')) : pct(value))

/** The section for the latest assessment with published figures, or a note that none are published yet. */
export async function publishedComparison(items, country) {
  const latest = [...items].sort((a, b) => b.cycle - a.cycle)
  for (const a of latest) {
    const query = new URLSearchParams({ questionnaire: a.questionnaire, version: String(a.version), cycle: String(a.cycle) })
    const published = await api(`/readiness?${query}`).catch(() => null)
    if (!published?.publication) continue
    const [figures, texts] = await Promise.all([api(`/assessments/${a.id}/readiness`), versionTexts(a.questionnaire, a.version)])
    const name = countryName(country.code, country.name)
    const row = (label, attrs, f) =>
      h(
        'tr',
        {},
        h('th', { scope: 'row' }, h('span', attrs, label)),
        h('td', { class: 'num' }, f.score === null ? '–' : pct(f.score)),
        h('td', { class: 'num' }, median(f.regionMedian)),
        h('td', { class: 'num' }, median(f.worldMedian)),
      )
    return h(
      'section',
      { class: 'card', 'aria-labelledby': 'published-h', id: 'published-comparison' },
      h('h2', { id: 'published-h' }, t('publication.compare.heading', { cycle: String(a.cycle) })),
      h('p', { class: 'help' }, t('publication.compare.lead', { number: published.publication.number, date: fmtDate(published.publication.publishedAt) })),
      h(
        'table',
        { class: 'data' },
        h('caption', { class: 'visually-hidden' }, t('publication.compare.caption', { country: name })),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, t('publication.compare.domain')),
            h('th', { scope: 'col', class: 'num' }, name),
            h('th', { scope: 'col', class: 'num' }, t('publication.compare.region', { region: regionName(figures.region) })),
            h('th', { scope: 'col', class: 'num' }, t('publication.compare.world')),
          ),
        ),
        h(
          'tbody',
          {},
          row(t('publication.compare.overall'), {}, figures.overall),
          figures.domains.map((d) => {
            const title = texts.domains.get(d.domain) ?? { label: d.title, attrs: {} }
            return row(title.label, title.attrs, d)
          }),
        ),
      ),
    )
  }
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'published-h', id: 'published-comparison' },
    h('h2', { id: 'published-h' }, t('publication.compare.headingNone')),
    h('p', { class: 'help' }, t('publication.compare.notYet')),
  )
}
