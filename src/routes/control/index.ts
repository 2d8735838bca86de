import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { graphErrorForStatus, graphErrors } from '../../errors/graph-error.js'
import { AdvanceBodySchema, MAX_WAIT_MS, NotificationsQuerySchema } from '../../schemas/control.js'
import { controlCallRoutes } from './calls.js'
import { controlFaultRoutes } from './faults.js'
import { pagePosition, sendPage } from './paging.js'
import { controlRequestRoutes } from './requests.js'

/** The control API under /_mock: no Graph auth, JSON, errors in Graph's shape (see docs/control-api.md). */
export const controlRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const services = app.mock
  const { clock, journal, dispatcher } = services

  app.get('/health', async () => ({ status: 'ok' }))

  // A bot stand-in that accepts every notification: lets a first session (or a smoke test) run without a bot.
  app.post('/callback-sink', { bodyLimit: 1024 * 1024 }, async (_request, reply) => await reply.code(202).send())

  app.post('/reset', async () => {
    services.reset()
    return { status: 'reset' }
  })

  const clockView = (): Record<string, unknown> => ({ mode: clock.mode, nowMs: clock.now(), now: clock.isoAt(), pendingEvents: clock.pending() })
  app.get('/clock', async () => clockView())

  app.post('/clock/advance', { schema: { body: AdvanceBodySchema } }, async (request) => {
    if (clock.mode !== 'manual') throw graphErrors.badRequest('The clock is real; start the mock with CLOCK=manual to advance it.')
    // Deliveries already under way finish at the current time; then each due event runs and its
    // notifications get their delivery attempts before the next event, except a bot's that let one time
    // out during this advance (docs/decisions/limits-scripts-and-clock.md).
    const wait = dispatcher.advanceStarted()
    try {
      const completed = await clock.advance(request.body.ms, async () => { await dispatcher.idle(wait) })
      if (!completed) throw graphErrorForStatus(409, `The mock was reset before this advance of ${request.body.ms} ms finished; the clock restarted at 0 and was not moved by it.`)
    } finally {
      dispatcher.advanceEnded(wait)
    }
    return clockView()
  })

  app.get('/notifications', { schema: { querystring: NotificationsQuerySchema } }, async (request, reply) => {
    const { minCount, waitMs, $top, $skip, $skiptoken, ...filter } = request.query
    const page = pagePosition({ $top, $skip, $skiptoken })
    await journal.waitFor(filter, Number(minCount ?? 0), Math.min(Number(waitMs ?? 0), MAX_WAIT_MS), page.afterId)
    return await sendPage(request, reply, journal.matching(filter, page.afterId), page, { render: journal.view, idOf: (e) => e.id })
  })

  await app.register(controlCallRoutes)
  await app.register(controlFaultRoutes)
  await app.register(controlRequestRoutes)
}
