import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { graphErrors } from '../../errors/graph-error.js'
import { faultProblem } from '../../inspection/faults.js'
import { GraphErrorSchema } from '../../schemas/graph-error.js'
import { FaultBodySchema, FaultListSchema, FaultSchema, OffsetPageQuerySchema } from '../../schemas/control.js'
import { pagePosition, sendPage } from './paging.js'

/** POST/GET/DELETE /_mock/faults: injected errors and delays for Graph requests (see docs/control-api.md). */
export const controlFaultRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { faults } = app.mock

  app.post('/faults', { schema: { body: FaultBodySchema, response: { 201: FaultSchema, 400: GraphErrorSchema } } }, async (request, reply) => {
    const problem = faultProblem(request.body, faults.size())
    if (problem) throw graphErrors.badRequest(problem)
    return await reply.code(201).send(faults.add(request.body))
  })

  app.get('/faults', { schema: { querystring: OffsetPageQuerySchema, response: { 200: FaultListSchema } } }, async (request, reply) =>
    await sendPage(request, reply, faults.list(), pagePosition(request.query), { render: (f) => f }))

  app.delete('/faults', async (_request, reply) => {
    faults.clear()
    return await reply.code(204).send()
  })
}
