import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { AdvanceBodySchema, MAX_WAIT_MS, NotificationsQuerySchema } from '../../schemas/control.js'
import { ClockViewSchema, HealthSchema, ResetDoneSchema } from '../../schemas/control-views.js'
import { controlCallRoutes } from './calls.js'
import { controlFaultRoutes } from './faults.js'
import { pagePosition, sendPage } from './paging.js'
import { controlRequestRoutes } from './requests.js'

/** The control API under /_mock: no Graph auth, JSON, errors in Graph's shape (see docs/control-api.md). */
export const controlRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const mock = app.mock

  app.get('/health', { schema: { response: { 200: HealthSchema } } }, async () => ({ status: 'ok' as const }))

  // A bot stand-in that accepts every notification: lets a first session (or a smoke test) run without a bot.
  app.post('/callback-sink', { bodyLimit: 1024 * 1024 }, async (_request, reply) => await reply.code(202).send())

  app.post('/reset', { schema: { response: { 200: ResetDoneSchema } } }, async () => {
    mock.reset()
    return { status: 'reset' as const }
  })

  app.get('/clock', { schema: { response: { 200: ClockViewSchema } } }, async () => mock.clockView())

  app.post('/clock/advance', { schema: { body: AdvanceBodySchema, response: { 200: ClockViewSchema } } }, async (request) => await mock.advanceClock(request.body.ms))

  app.get('/notifications', { schema: { querystring: NotificationsQuerySchema } }, async (request, reply) => {
    const { deliveries } = mock
    const { minCount, waitMs, $top, $skip, $skiptoken, ...filter } = request.query
    const page = pagePosition({ $top, $skip, $skiptoken })
    await deliveries.waitFor(filter, Number(minCount ?? 0), Math.min(Number(waitMs ?? 0), MAX_WAIT_MS), page.afterId)
    return await sendPage(request, reply, deliveries.matching(filter, page.afterId), page, { render: deliveries.view, idOf: (e) => e.id, extra: { journal: deliveries.counts() } })
  })

  await app.register(controlCallRoutes)
  await app.register(controlFaultRoutes)
  await app.register(controlRequestRoutes)
}
