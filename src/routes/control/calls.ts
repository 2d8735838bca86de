import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { CallIdParams } from '../../schemas/common.js'
import { OffsetPageQuerySchema, ScriptBodySchema, SimulateCallBodySchema, TonesBodySchema } from '../../schemas/control.js'
import { CallScriptSchema, CallViewSchema, DefaultScriptSchema, DefaultScriptSetSchema, SimulatedCallSchema } from '../../schemas/control-views.js'
import { pagePosition, sendPage } from './paging.js'

/** Simulated calls and the scripted caller (see docs/caller-scripts.md). */
export const controlCallRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const mock = app.mock

  app.post('/calls', { schema: { body: SimulateCallBodySchema, response: { 201: SimulatedCallSchema } } }, async (request, reply) =>
    await reply.code(201).send({ id: mock.simulateIncomingCall(request.body).id }))

  app.get('/calls', { schema: { querystring: OffsetPageQuerySchema } }, async (request, reply) =>
    await sendPage(request, reply, mock.listCalls(), pagePosition(request.query), { render: mock.viewOf }))

  app.get('/calls/:callId', { schema: { params: CallIdParams, response: { 200: CallViewSchema } } }, async (request) => mock.getCall(request.params.callId))

  app.put('/calls/:callId/script', { schema: { params: CallIdParams, body: ScriptBodySchema, response: { 200: CallScriptSchema } } }, async (request) => mock.setCallScript(request.params.callId, request.body))

  app.put('/script', { schema: { body: ScriptBodySchema, response: { 200: DefaultScriptSetSchema } } }, async (request) => mock.setDefaultScript(request.body))

  app.get('/script', { schema: { response: { 200: DefaultScriptSchema } } }, async () => mock.defaultScript())

  app.delete('/script', async (_request, reply) => {
    mock.clearDefaultScript()
    return await reply.code(204).send()
  })

  app.post('/calls/:callId/tones', { schema: { params: CallIdParams, body: TonesBodySchema, response: { 200: CallViewSchema } } }, async (request) => mock.pressTones(request.params.callId, request.body.tones))

  app.post('/calls/:callId/hangup', { schema: { params: CallIdParams, response: { 200: CallViewSchema } } }, async (request) => mock.hangUp(request.params.callId))
}
