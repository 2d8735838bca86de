import { Type, type Static } from 'typebox'
import type { CallerScript } from '../engine/caller/script-schema.js'
import { Nullable, StringEnum } from './common.js'

/**
 * What the control API serves (see docs/control-api.md), each shape once: the routes declare it as their
 * response schema, the views build it, and the client's types (src/client/types.ts) are derived from it.
 * Property order is the order served.
 */

const ResultInfoSchema = Type.Object({ code: Type.Integer(), subcode: Type.Integer(), message: Type.String() })
const IsoTime = Type.String({ description: 'Virtual time, ISO' })

export const RecordingInfoSchema = Type.Object({
  id: Type.String(),
  callId: Type.String(),
  operationId: Type.String(),
  durationMs: Type.Number(),
  sizeBytes: Type.Integer(),
  downloaded: Type.Boolean(),
  createdAt: IsoTime,
  expiresAt: Nullable(Type.String({ description: 'Null while the call is still up; retention starts when it ends' })),
  expired: Type.Boolean({ description: 'Past its retention: downloads get 404 and its audio is gone; only this summary is kept' })
})
export type RecordingInfo = Static<typeof RecordingInfoSchema>

/** An operation as GET /_mock/calls/{id} shows it. */
export const OperationViewSchema = Type.Object({
  id: Type.String(),
  kind: StringEnum(['recordResponse', 'playPrompt', 'cancelMediaProcessing', 'subscribeToTone']),
  status: StringEnum(['notStarted', 'running', 'completed', 'failed']),
  completionReason: Nullable(Type.String()),
  resultInfo: Nullable(ResultInfoSchema),
  clientContext: Nullable(Type.String()),
  apiVersion: StringEnum(['v1.0', 'beta']),
  recordingLocation: Nullable(Type.String()),
  notified: Type.Boolean({ description: 'Whether the bot was told of the end (false when the call ended under it)' }),
  createdAt: IsoTime,
  startedAt: Nullable(IsoTime),
  endedAt: Nullable(IsoTime),
  createdAtMs: Type.Number(),
  startedAtMs: Nullable(Type.Number()),
  endedAtMs: Nullable(Type.Number())
})
export type OperationView = Static<typeof OperationViewSchema>

/** A call as the control API shows it: more than Graph tells the bot. */
export const CallViewSchema = Type.Object({
  id: Type.String(),
  direction: StringEnum(['incoming', 'outgoing']),
  state: StringEnum(['incoming', 'establishing', 'established', 'terminating', 'terminated']),
  callbackUri: Type.String(),
  tenantId: Type.String(),
  callChainId: Type.String(),
  mediaConfigType: Nullable(Type.String()),
  toneSubscribed: Type.Boolean(),
  hasOwnScript: Type.Boolean(),
  recordResponseRequests: Type.Integer(),
  resultInfo: Nullable(ResultInfoSchema),
  endedBy: Nullable(StringEnum(['bot', 'caller', 'timeout'])),
  createdAt: IsoTime,
  endedAt: Nullable(IsoTime),
  operations: Type.Array(OperationViewSchema),
  recordings: Type.Array(RecordingInfoSchema)
})
export type CallView = Static<typeof CallViewSchema>

export const ClockViewSchema = Type.Object({
  mode: StringEnum(['real', 'manual']),
  nowMs: Type.Number({ description: 'Virtual ms since the clock started' }),
  now: IsoTime,
  pendingEvents: Type.Integer()
})
export type ClockView = Static<typeof ClockViewSchema>

export const HealthSchema = Type.Object({ status: Type.Literal('ok') })
export type Health = Static<typeof HealthSchema>
export const ResetDoneSchema = Type.Object({ status: Type.Literal('reset') })

/** POST /_mock/calls: the simulated call's id. */
export const SimulatedCallSchema = Type.Object({ id: Type.String() })
export type SimulatedCall = Static<typeof SimulatedCallSchema>

// A caller script is served as it was accepted: its shape is src/engine/caller/script-schema.ts, and these
// answers carry it as an open object (properties in the order given).
const ServedScript = Type.Unsafe<CallerScript>({ type: 'object', additionalProperties: true })

/** PUT /_mock/calls/{id}/script */
export const CallScriptSchema = Type.Object({ id: Type.String(), script: ServedScript })
export type CallScript = Static<typeof CallScriptSchema>
/** PUT /_mock/script */
export const DefaultScriptSetSchema = Type.Object({ script: ServedScript })
export type DefaultScriptSet = Static<typeof DefaultScriptSetSchema>
/** GET /_mock/script: the default script, null when none, and the scenario files available. */
export const DefaultScriptSchema = Type.Object({ script: Nullable(ServedScript), scenarios: Type.Array(Type.String()) })
export type DefaultScript = Static<typeof DefaultScriptSchema>
