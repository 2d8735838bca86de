import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { graphErrors } from '../../errors/graph-error.js'
import { CallIdParams } from '../../schemas/common.js'
import { OffsetPageQuerySchema, ScriptBodySchema, SimulateCallBodySchema, TonesBodySchema } from '../../schemas/control.js'
import type { Call } from '../../engine/model.js'
import { pagePosition, sendPage } from './paging.js'
import { callView } from './views.js'

/** Simulated calls and the scripted caller (see docs/caller-scripts.md). */
export const controlCallRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { engine, clock, recordings, selfCallbacks, settings } = app.mock
  const { calls, media, scripts } = engine

  const anyCall = (id: string): Call => {
    const call = engine.findCall(id)
    if (!call) throw graphErrors.callNotFound()
    return call
  }

  app.post('/calls', { schema: { body: SimulateCallBodySchema } }, async (request, reply) => {
    const b = request.body ?? {}
    if (b.callbackUri !== undefined) selfCallbacks.refuse(b.callbackUri)
    else selfCallbacks.refuse(settings.callbackUrl, 'the default callback CALLBACK_URL')
    const script = b.script === undefined ? null : scripts.resolve(b.script)
    const call = calls.createIncoming({ callbackUri: b.callbackUri, source: b.source, tenantId: b.tenantId, script })
    return await reply.code(201).send({ id: call.id })
  })

  app.get('/calls', { schema: { querystring: OffsetPageQuerySchema } }, async (request, reply) =>
    await sendPage(request, reply, engine.listCalls(), pagePosition(request.query), { render: (c) => callView(c, clock, recordings) }))

  app.get('/calls/:callId', { schema: { params: CallIdParams } }, async (request) => callView(anyCall(request.params.callId), clock, recordings))

  app.put('/calls/:callId/script', { schema: { params: CallIdParams, body: ScriptBodySchema } }, async (request) => {
    const call = anyCall(request.params.callId)
    call.script = scripts.resolve(request.body)
    return { id: call.id, script: call.script }
  })

  app.put('/script', { schema: { body: ScriptBodySchema } }, async (request) => {
    const script = scripts.resolve(request.body)
    scripts.setDefault(script)
    return { script }
  })

  app.get('/script', async () => ({ script: scripts.getDefault(), scenarios: scripts.scenarioNames() }))

  app.delete('/script', async (_request, reply) => {
    scripts.setDefault(null)
    return await reply.code(204).send()
  })

  app.post('/calls/:callId/tones', { schema: { params: CallIdParams, body: TonesBodySchema } }, async (request) => {
    const call = calls.activeCall(request.params.callId)
    if (call.state !== 'established') throw graphErrors.invalidState(`The caller cannot press keys on call ${call.id} in state '${call.state}'; it must be established.`)
    media.pressTones(call, request.body.tones)
    return callView(call, clock, recordings)
  })

  app.post('/calls/:callId/hangup', { schema: { params: CallIdParams } }, async (request) => {
    const call = calls.activeCall(request.params.callId)
    calls.hangUpByCaller(call)
    return callView(call, clock, recordings)
  })
}
