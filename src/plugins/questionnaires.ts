import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { readTranslations } from '../questionnaires/catalog.js'
import { QuestionnaireStore } from '../questionnaires/store.js'

declare module 'fastify' {
  interface FastifyInstance {
    questionnaires: QuestionnaireStore
  }
}

async function questionnairesPlugin(app: FastifyInstance, options: { translationsDir: string }): Promise<void> {
  // Checked by loadCatalog at start-up and by `npm run questionnaires:check`; read here as they are.
  const store = new QuestionnaireStore(app.db, await readTranslations(options.translationsDir))
  app.decorate('questionnaires', store)
  // Load every published version before serving: a write's transaction holds a pool connection and
  // reads its version from this cache; on a cold cache a burst of more writes than the pool has
  // connections held them all while each waited for one more to load the version (all 503 after the
  // pool's connect timeout).
  // Best effort: a server that starts while the database is down still starts (/readyz says 503).
  app.addHook('onReady', async () => {
    try {
      for (const v of await store.list()) await store.get(v.questionnaire, v.version)
    } catch (err) {
      app.log.warn({ err }, 'could not preload questionnaire versions; they load on first use')
    }
  })
}

export default fp(questionnairesPlugin, { name: 'questionnaires', dependencies: ['db'], fastify: '5.x' })
