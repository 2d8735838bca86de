import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { callResource, callPath } from '../../graph/representations.js'
import { AnswerBodySchema, CreateCallBodySchema, RejectBodySchema } from '../../schemas/call.js'
import { CallIdParams } from '../../schemas/common.js'
import { actionPath, CALL_PATH, CALLS_PATH, locationOf, versionOf } from './paths.js'

const CREATE_KNOWN = new Set(['@odata.type', 'callbackUri', 'targets', 'requestedModalities', 'mediaConfig', 'source', 'tenantId', 'subject', 'direction'])
const ANSWER_KNOWN = new Set(['callbackUri', 'acceptedModalities', 'mediaConfig'])

function extraProperties (body: Record<string, unknown>, known: Set<string>): Record<string, unknown> {
  const extra: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(body)) if (!known.has(k) && !k.startsWith('@odata.')) extra[k] = v
  return extra
}

/** Call lifecycle routes (ref 5.3–5.7). */
export const callRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { engine, baseUrl } = app.mock
  const { calls } = engine

  app.post(CALLS_PATH, { schema: { body: CreateCallBodySchema }, config: { permissions: 'createCall' } }, async (request, reply) => {
    const version = versionOf(request)
    const b = request.body
    const call = calls.createOutgoing({
      callbackUri: b.callbackUri,
      targets: b.targets,
      requestedModalities: b.requestedModalities,
      mediaConfig: b.mediaConfig,
      source: b.source ?? undefined,
      tenantId: b.tenantId ?? undefined,
      subject: b.subject,
      extra: extraProperties(b, CREATE_KNOWN),
      apiVersion: version
    })
    return await reply.code(201)
      .header('location', locationOf(baseUrl(), version, callPath(call.id)))
      .send({ '@odata.context': `${baseUrl()}/${version}/$metadata#communications/calls/$entity`, ...callResource(call, version) })
  })

  app.get(CALL_PATH, { schema: { params: CallIdParams }, config: { permissions: 'callControl' } }, async (request) => {
    const version = versionOf(request)
    const call = calls.activeCall(request.params.callId)
    return { '@odata.context': `${baseUrl()}/${version}/$metadata#communications/calls/$entity`, ...callResource(call, version) }
  })
  app.delete(CALL_PATH, { schema: { params: CallIdParams }, config: { permissions: 'callControl' } }, async (request, reply) => {
    calls.hangUpByBot(calls.activeCall(request.params.callId))
    return await reply.code(204).send()
  })

  app.post(actionPath('answer'), { schema: { params: CallIdParams, body: AnswerBodySchema }, config: { permissions: 'answer' } }, async (request, reply) => {
    const call = calls.activeCall(request.params.callId)
    const b = request.body
    calls.answer(call, { callbackUri: b.callbackUri, mediaConfig: b.mediaConfig, acceptedModalities: b.acceptedModalities, extra: extraProperties(b, ANSWER_KNOWN) })
    return await reply.code(202).send()
  })

  app.post(actionPath('reject'), { schema: { params: CallIdParams, body: RejectBodySchema }, config: { permissions: 'reject' } }, async (request, reply) => {
    const call = calls.activeCall(request.params.callId)
    calls.reject(call, request.body?.reason ?? 'none', request.body?.callbackUri ?? undefined)
    return await reply.code(202).send()
  })

  app.post(actionPath('keepAlive'), { schema: { params: CallIdParams }, config: { permissions: 'callControl' } }, async (request, reply) => {
    calls.activeCall(request.params.callId)
    return await reply.code(200).send()
  })
}
