import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { RequestListSchema, RequestsQuerySchema } from '../../schemas/control.js'

/** GET /_mock/requests: the Graph requests received, oldest first (contract section 6). */
export const controlRequestRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { requests } = app.mock

  app.get('/requests', { schema: { querystring: RequestsQuerySchema, response: { 200: RequestListSchema } } }, async (request) => ({ value: requests.list(request.query) }))

  app.delete('/requests', async (_request, reply) => {
    requests.clear()
    return await reply.code(204).send()
  })
}
