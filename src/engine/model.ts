import type { CallerResponse, CallerScript } from './caller/script-schema.js'

/** Graph API version a request came in on; it decides which properties responses and notifications carry. */
export type ApiVersion = 'v1.0' | 'beta'

/** callState values the mock uses (see docs/graph-behaviour.md, The call resource). */
export type CallState = 'incoming' | 'establishing' | 'established' | 'terminating' | 'terminated'

export interface ResultInfo { code: number, subcode: number, message: string }

export interface Call {
  id: string
  direction: 'incoming' | 'outgoing'
  state: CallState
  callbackUri: string
  tenantId: string
  callChainId: string
  myParticipantId: string
  apiVersion: ApiVersion
  /** participantInfo of the caller (incoming) or the bot (outgoing). */
  source: Record<string, unknown>
  targets: Array<Record<string, unknown>>
  requestedModalities: string[]
  /** As the bot sent it, including its @odata.type; null until an incoming call is answered. */
  mediaConfig: Record<string, unknown> | null
  mediaActive: boolean
  subject: string | null
  resultInfo: ResultInfo | null
  /** Call properties the bot sent that the mock echoes as they were (chatInfo, meetingInfo, callOptions). */
  extra: Record<string, unknown>
  createdAt: number
  endedAt: number | null
  /** Who ended the call, for the mock's inspection API. */
  endedBy: 'bot' | 'caller' | 'timeout' | null
  etag: number
  operations: Operation[]
  /** Set by subscribeToTone: caller key presses become `updated` notifications. */
  toneSubscribed: boolean
  toneSequence: number
  /** The caller's script for this call, if it has its own. */
  script: CallerScript | null
  /** recordResponse requests so far: the n-th takes the n-th scripted response. */
  recordRequests: number
}

export type OperationKind = 'recordResponse' | 'playPrompt' | 'cancelMediaProcessing' | 'subscribeToTone'
export type OperationStatus = 'notStarted' | 'running' | 'completed' | 'failed'

export interface MediaPrompt { '@odata.type'?: string, mediaInfo: { uri: string, resourceId?: string, [k: string]: unknown }, [k: string]: unknown }

export interface RecordParams {
  prompts: MediaPrompt[]
  bargeInAllowed: boolean
  initialSilenceTimeoutInSeconds: number
  maxSilenceTimeoutInSeconds: number
  maxRecordDurationInSeconds: number
  playBeep: boolean
  stopTones: string[]
}

export interface PlayPromptParams { prompts: MediaPrompt[], loop: boolean }

export interface Operation {
  id: string
  kind: OperationKind
  callId: string
  status: OperationStatus
  clientContext: string | null
  resultInfo: ResultInfo | null
  /** recordResponse: beta recordCompletionReason; playPrompt: beta playPromptCompletionReason. */
  completionReason: string | null
  recordingLocation: string | null
  recordingAccessToken: string | null
  apiVersion: ApiVersion
  createdAt: number
  startedAt: number | null
  endedAt: number | null
  /** Whether the bot was told of the end (false when the call ended under it, as Graph does). */
  notified: boolean
  etag: number
  record?: RecordParams & { response: CallerResponse }
  playPrompt?: PlayPromptParams
}
