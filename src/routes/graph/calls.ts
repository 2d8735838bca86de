import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { ApiVersion } from '../../engine/model.js'
import { graphErrors } from '../../errors/graph-error.js'
import { callResource, callPath, ECHOED_CALL_PROPERTIES } from '../../graph/representations.js'
import { AnswerBodySchema, CreateCallBodySchema, RejectBodySchema, V1_MODALITIES } from '../../schemas/call.js'
import { CallIdParams } from '../../schemas/common.js'
import { actionPath, CALL_PATH, CALLS_PATH, locationOf, versionOf } from './paths.js'

/** The call properties the mock echoes, as sent; anything else in the body that it does not model is ignored. */
function echoedProperties (body: Record<string, unknown>): Record<string, unknown> {
  const echoed: Record<string, unknown> = {}
  for (const name of ECHOED_CALL_PROPERTIES) if (body[name] !== undefined && body[name] !== null) echoed[name] = body[name]
  return echoed
}

/** `unknown` is a modality in beta only (https://learn.microsoft.com/graph/api/resources/call?view=graph-rest-beta). */
function checkModalities (modalities: string[], version: ApiVersion, property: string): void {
  const i = modalities.indexOf('unknown')
  if (version === 'v1.0' && i >= 0) throw graphErrors.badRequest(`Invalid request body: the property '${property}[${i}]' must be one of ${V1_MODALITIES.map((m) => `"${m}"`).join(', ')} (v1.0 has no "unknown"; beta has).`)
}

/** Call lifecycle routes (see docs/graph-behaviour.md, The call resource). */
export const callRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { engine, baseUrl, selfCallbacks } = app.mock
  const { lifecycle } = engine

  app.post(CALLS_PATH, { schema: { body: CreateCallBodySchema }, config: { permissions: 'createCall' } }, async (request, reply) => {
    const version = versionOf(request)
    const b = request.body
    checkModalities(b.requestedModalities, version, 'requestedModalities')
    selfCallbacks.refuse(b.callbackUri)
    const call = lifecycle.createOutgoing({
      callbackUri: b.callbackUri,
      targets: b.targets,
      requestedModalities: b.requestedModalities,
      mediaConfig: b.mediaConfig,
      source: b.source ?? undefined,
      tenantId: b.tenantId ?? undefined,
      subject: b.subject,
      extra: echoedProperties(b),
      apiVersion: version
    })
    return await reply.code(201)
      .header('location', locationOf(baseUrl(), version, callPath(call.id)))
      .send({ '@odata.context': `${baseUrl()}/${version}/$metadata#communications/calls/$entity`, ...callResource(call, version) })
  })

  app.get(CALL_PATH, { schema: { params: CallIdParams }, config: { permissions: 'callControl' } }, async (request) => {
    const version = versionOf(request)
    const call = lifecycle.activeCall(request.params.callId)
    return { '@odata.context': `${baseUrl()}/${version}/$metadata#communications/calls/$entity`, ...callResource(call, version) }
  })
  app.delete(CALL_PATH, { schema: { params: CallIdParams }, config: { permissions: 'callControl' } }, async (request, reply) => {
    lifecycle.hangUpByBot(lifecycle.activeCall(request.params.callId))
    return await reply.code(204).send()
  })

  app.post(actionPath('answer'), { schema: { params: CallIdParams, body: AnswerBodySchema }, config: { permissions: 'answer' } }, async (request, reply) => {
    const b = request.body
    checkModalities(b.acceptedModalities, versionOf(request), 'acceptedModalities')
    selfCallbacks.refuse(b.callbackUri)
    const call = lifecycle.activeCall(request.params.callId)
    lifecycle.answer(call, { callbackUri: b.callbackUri, mediaConfig: b.mediaConfig, acceptedModalities: b.acceptedModalities, extra: echoedProperties(b) })
    return await reply.code(202).send()
  })

  app.post(actionPath('reject'), { schema: { params: CallIdParams, body: RejectBodySchema }, config: { permissions: 'reject' } }, async (request, reply) => {
    selfCallbacks.refuse(request.body?.callbackUri)
    const call = lifecycle.activeCall(request.params.callId)
    lifecycle.reject(call, request.body?.reason ?? 'none', request.body?.callbackUri ?? undefined)
    return await reply.code(202).send()
  })

  app.post(actionPath('keepAlive'), { schema: { params: CallIdParams }, config: { permissions: 'callControl' } }, async (request, reply) => {
    lifecycle.activeCall(request.params.callId)
    return await reply.code(200).send()
  })
}
