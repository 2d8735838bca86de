import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ScanBudget } from '../../inspection/journal-scan.js'
import { MAX_WAIT_MS, RequestListSchema, RequestsQuerySchema } from '../../schemas/control.js'
import { pagePosition, sendPage } from './paging.js'

/** GET /_mock/requests: the Graph requests received, oldest first, a page at a time (see docs/control-api.md). */
export const controlRequestRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { graphRequests } = app.mock

  app.get('/requests', { schema: { querystring: RequestsQuerySchema, response: { 200: RequestListSchema } } }, async (request, reply) => {
    const { minCount, waitMs, $top, $skip, $skiptoken, ...filter } = request.query
    const page = pagePosition({ $top, $skip, $skiptoken })
    await graphRequests.waitFor(filter, Number(minCount ?? 0), Math.min(Number(waitMs ?? 0), MAX_WAIT_MS), page.afterId)
    // A path glob costs up to pattern × path per entry: the page's scan has a budget of its own.
    const scan = new ScanBudget()
    return await sendPage(request, reply, graphRequests.matching(filter, page.afterId, scan), page, { render: graphRequests.view, idOf: (e) => e.id, scan, extra: { journal: graphRequests.state() } })
  })

  app.delete('/requests', async (_request, reply) => {
    graphRequests.clear()
    return await reply.code(204).send()
  })
}
