import type { ApiVersion, Call, Operation, ResultInfo } from '../engine/model.js'

/**
 * How calls and operations look on the wire (ref 2, 3, 5): the same JSON serves API responses and
 * notification resourceData. Property names and @odata.type values are Graph's own.
 */

const OPERATION_TYPES: Record<Operation['kind'], string> = {
  recordResponse: '#microsoft.graph.recordOperation',
  playPrompt: '#microsoft.graph.playPromptOperation',
  cancelMediaProcessing: '#microsoft.graph.cancelMediaProcessingOperation',
  subscribeToTone: '#microsoft.graph.subscribeToToneOperation'
}

export function resultInfoResource (info: ResultInfo | null): Record<string, unknown> | null {
  return info && { '@odata.type': '#microsoft.graph.resultInfo', code: info.code, subcode: info.subcode, message: info.message }
}

export function callPath (callId: string): string {
  return `/communications/calls/${callId}`
}

export function operationPath (op: Operation): string {
  return `${callPath(op.callId)}/operations/${op.id}`
}

export function callResource (call: Call, version: ApiVersion): Record<string, unknown> {
  return {
    '@odata.type': '#microsoft.graph.call',
    ...call.extra,
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
    mediaState: call.state === 'incoming' ? null : { '@odata.type': '#microsoft.graph.callMediaState', audio: call.mediaActive ? 'active' : 'inactive' },
    source: call.source,
    targets: call.targets,
    resultInfo: resultInfoResource(call.resultInfo),
    callRoutes: [],
    chatInfo: null,
    meetingInfo: null,
    toneInfo: null,
    incomingContext: null,
    callOptions: null,
    transcription: null,
    ...(version === 'beta' ? { answeredBy: null, ringingTimeoutInSeconds: null, routingPolicies: [], activeModalities: call.mediaActive ? ['audio'] : [], terminationReason: null } : {})
  }
}

/** The operation as it is now; `completionReason` exists only in beta (ref 2.2, 3.4). */
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

function notification (changeType: ChangeType, resourceUrl: string, etag: number, resourceData: Record<string, unknown>): Record<string, unknown> {
  return {
    '@odata.type': '#microsoft.graph.commsNotification',
    changeType,
    resourceUrl,
    resourceData: { ...resourceData, '@odata.id': resourceUrl, '@odata.etag': `W/"${etag}"` }
  }
}

/** A commsNotifications body (ref 3.1) around one notification. */
export function commsNotifications (value: Record<string, unknown>): { '@odata.type': string, value: Array<{ changeType: string, resourceUrl: string }> } {
  return { '@odata.type': '#microsoft.graph.commsNotifications', value: [value as { changeType: string, resourceUrl: string }] }
}

export function callNotification (changeType: ChangeType, call: Call, toneInfo?: { sequenceId: number, tone: string }): Record<string, unknown> {
  const data = callResource(call, call.apiVersion)
  if (toneInfo) data.toneInfo = { '@odata.type': '#microsoft.graph.toneInfo', sequenceId: toneInfo.sequenceId, tone: toneInfo.tone }
  return notification(changeType, callPath(call.id), call.etag, data)
}

/** The `deleted` notification of a finished operation (ref 3.3, 3.4); playPrompt echoes its prompts. */
export function operationNotification (op: Operation): Record<string, unknown> {
  const data = operationResource(op, op.apiVersion)
  if (op.playPrompt) data.prompts = op.playPrompt.prompts
  return notification('deleted', operationPath(op), op.etag, data)
}
