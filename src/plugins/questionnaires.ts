import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { QuestionnaireStore } from '../questionnaires/store.js'

declare module 'fastify' {
  interface FastifyInstance {
    questionnaires: QuestionnaireStore
  }
}

async function questionnairesPlugin(app: FastifyInstance): Promise<void> {
  app.decorate('questionnaires', new QuestionnaireStore(app.db))
}

export default fp(questionnairesPlugin, { name: 'questionnaires', dependencies: ['db'], fastify: '5.x' })
