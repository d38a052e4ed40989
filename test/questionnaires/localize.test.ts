import t from 'tap'
import { localize } from '../../src/questionnaires/schema.js'

t.test('localize falls back to English', async (t) => {
  t.equal(localize({ en: 'Data', fr: 'Données' }, 'fr'), 'Données')
  t.equal(localize({ en: 'Data' }, 'ar'), 'Data')
})
