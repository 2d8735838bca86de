import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply } from 'fastify'
import type { ApiVersion, MediaPrompt, Operation } from '../../engine/model.js'
import { operationPath, operationResource } from '../../graph/representations.js'
import { CallIdParams } from '../../schemas/common.js'
import { ClientContextBodySchema, PlayPromptBodySchema, RecordResponseBodySchema } from '../../schemas/media.js'
import { actionPath, locationOf, versionOf } from './paths.js'

const DEFAULT_TIMEOUT_SECONDS = 5

/** Media operations (see docs/graph-behaviour.md): validate, hand to the engine, answer 200 + Location + the operation. */
export const mediaRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { engine, baseUrl } = app.mock
  const { lifecycle, media } = engine

  // Every body property of these actions is optional, so no body at all means the defaults (the app's
  // parser turns an empty JSON body into undefined, which an object schema would refuse).
  app.addHook('preValidation', (request, _reply, done) => {
    if (request.body === undefined) request.body = {}
    done()
  })

  // The handlers are synchronous: they do no I/O, and an async one costs promises and microtasks on the
  // busiest route (docs/benchmarks.md). Fastify sends what a synchronous handler throws as the error.
  const sendOperation = (reply: FastifyReply, op: Operation, version: ApiVersion): void => {
    reply.code(200).header('location', locationOf(baseUrl(), version, operationPath(op))).send(operationResource(op, version))
  }

  app.post(actionPath('recordResponse'), { schema: { params: CallIdParams, body: RecordResponseBodySchema }, config: { permissions: 'accessMedia' } }, (request, reply) => {
    const version = versionOf(request)
    const call = lifecycle.activeCall(request.params.callId)
    const b = request.body
    const op = media.recordResponse(call, {
      prompts: (b.prompts ?? []) as MediaPrompt[],
      bargeInAllowed: b.bargeInAllowed ?? false,
      initialSilenceTimeoutInSeconds: b.initialSilenceTimeoutInSeconds ?? DEFAULT_TIMEOUT_SECONDS,
      maxSilenceTimeoutInSeconds: b.maxSilenceTimeoutInSeconds ?? DEFAULT_TIMEOUT_SECONDS,
      maxRecordDurationInSeconds: b.maxRecordDurationInSeconds ?? DEFAULT_TIMEOUT_SECONDS,
      // An explicit false is kept: only an absent or null playBeep means the default, true.
      playBeep: b.playBeep ?? true,
      stopTones: (b.stopTones ?? []).map((t) => t.toUpperCase())
    }, b.clientContext ?? undefined, version)
    sendOperation(reply, op, version)
  })

  app.post(actionPath('playPrompt'), { schema: { params: CallIdParams, body: PlayPromptBodySchema }, config: { permissions: 'callControl' } }, (request, reply) => {
    const version = versionOf(request)
    const call = lifecycle.activeCall(request.params.callId)
    const b = request.body
    const op = media.playPrompt(call, { prompts: b.prompts as MediaPrompt[], loop: version === 'beta' && b.loop === true }, b.clientContext ?? undefined, version)
    sendOperation(reply, op, version)
  })

  app.post(actionPath('cancelMediaProcessing'), { schema: { params: CallIdParams, body: ClientContextBodySchema }, config: { permissions: 'callControl' } }, (request, reply) => {
    const version = versionOf(request)
    const op = media.cancelMediaProcessing(lifecycle.activeCall(request.params.callId), request.body.clientContext ?? undefined, version)
    sendOperation(reply, op, version)
  })

  app.post(actionPath('subscribeToTone'), { schema: { params: CallIdParams, body: ClientContextBodySchema }, config: { permissions: 'accessMedia' } }, (request, reply) => {
    const version = versionOf(request)
    const op = media.subscribeToTone(lifecycle.activeCall(request.params.callId), request.body.clientContext ?? undefined, version)
    sendOperation(reply, op, version)
  })
}
