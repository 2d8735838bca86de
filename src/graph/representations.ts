import type { ApiVersion, Call, Operation, ResultInfo } from '../engine/model.js'

/**
 * How calls and operations look on the wire (see docs/graph-behaviour.md): the same JSON serves API responses and
 * notification resourceData. Property names and @odata.type values are Graph's own.
 */

const OPERATION_TYPES: Record<Operation['kind'], string> = {
  recordResponse: '#microsoft.graph.recordOperation',
  playPrompt: '#microsoft.graph.playPromptOperation',
  cancelMediaProcessing: '#microsoft.graph.cancelMediaProcessingOperation',
  subscribeToTone: '#microsoft.graph.subscribeToToneOperation'
}

// Parts that are the same in every resource are shared, frozen, rather than copied into each one: the
// notification journal keeps every body, so ten thousand calls would otherwise keep ten thousand copies.
const EMPTY: readonly never[] = Object.freeze([])
const AUDIO: readonly string[] = Object.freeze(['audio'])
const MEDIA_STATE = {
  active: Object.freeze({ '@odata.type': '#microsoft.graph.callMediaState', audio: 'active' }),
  inactive: Object.freeze({ '@odata.type': '#microsoft.graph.callMediaState', audio: 'inactive' })
}
// ResultInfo values are mostly the engine's constants: one resource each (checked, in case one changed).
const resultInfoResources = new WeakMap<ResultInfo, Readonly<Record<string, unknown>>>()

export function resultInfoResource (info: ResultInfo | null): Record<string, unknown> | null {
  if (!info) return null
  const hit = resultInfoResources.get(info)
  if (hit && hit.code === info.code && hit.subcode === info.subcode && hit.message === info.message) return hit
  const resource = Object.freeze({ '@odata.type': '#microsoft.graph.resultInfo', code: info.code, subcode: info.subcode, message: info.message })
  resultInfoResources.set(info, resource)
  return resource
}

export function callPath (callId: string): string {
  return `/communications/calls/${callId}`
}

export function operationPath (op: Operation): string {
  return `${callPath(op.callId)}/operations/${op.id}`
}

/**
 * Properties of `call` a bot may send (create call, answer) that the mock keeps as sent and echoes; every
 * other property the mock computes, and a property `call` does not define is ignored
 * (https://learn.microsoft.com/graph/api/resources/call).
 */
export const ECHOED_CALL_PROPERTIES = ['callOptions', 'chatInfo', 'meetingInfo'] as const

export function callResource (call: Call, version: ApiVersion): Record<string, unknown> {
  const { extra } = call
  return {
    '@odata.type': '#microsoft.graph.call',
    id: call.id,
    state: call.state,
    direction: call.direction,
    subject: call.subject,
    callbackUri: call.callbackUri,
    callChainId: call.callChainId,
    myParticipantId: call.myParticipantId,
    tenantId: call.tenantId,
    requestedModalities: call.requestedModalities,
    mediaConfig: call.mediaConfig,
    mediaState: call.state === 'incoming' ? null : call.mediaActive ? MEDIA_STATE.active : MEDIA_STATE.inactive,
    source: call.source,
    targets: call.targets,
    resultInfo: resultInfoResource(call.resultInfo),
    callRoutes: EMPTY,
    chatInfo: extra.chatInfo ?? null,
    meetingInfo: extra.meetingInfo ?? null,
    toneInfo: null,
    incomingContext: null,
    callOptions: extra.callOptions ?? null,
    transcription: null,
    ...(version === 'beta' ? { answeredBy: null, ringingTimeoutInSeconds: null, routingPolicies: EMPTY, activeModalities: call.mediaActive ? AUDIO : EMPTY, terminationReason: null } : {})
  }
}

/** The operation as it is now; `completionReason` exists only in beta (see docs/graph-behaviour.md, Media operations). */
export function operationResource (op: Operation, version: ApiVersion): Record<string, unknown> {
  const body: Record<string, unknown> = {
    '@odata.type': OPERATION_TYPES[op.kind],
    id: op.id,
    status: op.status,
    clientContext: op.clientContext,
    resultInfo: resultInfoResource(op.resultInfo)
  }
  if (op.kind === 'recordResponse') {
    body.recordingLocation = op.recordingLocation
    body.recordingAccessToken = op.recordingAccessToken
  }
  if (version === 'beta' && (op.kind === 'recordResponse' || op.kind === 'playPrompt')) body.completionReason = op.completionReason
  return body
}

type ChangeType = 'created' | 'updated' | 'deleted'

/** resourceData is a fresh object from callResource or operationResource: it is completed in place, not copied. */
function notification (changeType: ChangeType, resourceUrl: string, etag: number, resourceData: Record<string, unknown>): Record<string, unknown> {
  resourceData['@odata.id'] = resourceUrl
  resourceData['@odata.etag'] = `W/"${etag}"`
  return { '@odata.type': '#microsoft.graph.commsNotification', changeType, resourceUrl, resourceData }
}

/** A commsNotifications body (see docs/graph-behaviour.md, Notifications to the bot) around one notification. */
export function commsNotifications (value: Record<string, unknown>): { '@odata.type': string, value: Array<{ changeType: string, resourceUrl: string }> } {
  return { '@odata.type': '#microsoft.graph.commsNotifications', value: [value as { changeType: string, resourceUrl: string }] }
}

export function callNotification (changeType: ChangeType, call: Call, toneInfo?: { sequenceId: number, tone: string }): Record<string, unknown> {
  const data = callResource(call, call.apiVersion)
  if (toneInfo) data.toneInfo = { '@odata.type': '#microsoft.graph.toneInfo', sequenceId: toneInfo.sequenceId, tone: toneInfo.tone }
  return notification(changeType, callPath(call.id), call.etag, data)
}

/** The `deleted` notification of a finished operation (see docs/graph-behaviour.md, Notifications to the bot); playPrompt echoes its prompts. */
export function operationNotification (op: Operation): Record<string, unknown> {
  const data = operationResource(op, op.apiVersion)
  if (op.playPrompt) data.prompts = op.playPrompt.prompts
  return notification('deleted', operationPath(op), op.etag, data)
}
