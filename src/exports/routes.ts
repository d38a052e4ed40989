// CSV exports (staff only) and the CSV import of answers. Filled in below.
import type { FastifyInstance } from 'fastify'

export default async function exportRoutes(_app: FastifyInstance): Promise<void> {}
