import type { Clock } from '../clock/clock.js'
import type { Call, Operation } from '../engine/model.js'
import type { RecordingStore } from '../recordings/recording-store.js'
import type { CallView, ClockView, OperationView } from '../schemas/control-views.js'

export type { CallView, ClockView, OperationView } from '../schemas/control-views.js'

/** How the control API shows an operation: everything the mock knows, including what Graph never tells. */
export function operationView (op: Operation, clock: Clock): OperationView {
  return {
    id: op.id,
    kind: op.kind,
    status: op.status,
    completionReason: op.completionReason,
    resultInfo: op.resultInfo,
    clientContext: op.clientContext,
    apiVersion: op.apiVersion,
    recordingLocation: op.recordingLocation,
    notified: op.notified,
    createdAt: clock.isoAt(op.createdAt),
    startedAt: op.startedAt === null ? null : clock.isoAt(op.startedAt),
    endedAt: op.endedAt === null ? null : clock.isoAt(op.endedAt),
    createdAtMs: op.createdAt,
    startedAtMs: op.startedAt,
    endedAtMs: op.endedAt
  }
}

export function callView (call: Call, clock: Clock, recordings: RecordingStore): CallView {
  return {
    id: call.id,
    direction: call.direction,
    state: call.state,
    callbackUri: call.callbackUri,
    tenantId: call.tenantId,
    callChainId: call.callChainId,
    mediaConfigType: (call.mediaConfig?.['@odata.type'] as string | undefined) ?? null,
    toneSubscribed: call.toneSubscribed,
    hasOwnScript: call.script !== null,
    recordResponseRequests: call.recordRequests,
    resultInfo: call.resultInfo,
    endedBy: call.endedBy,
    createdAt: clock.isoAt(call.createdAt),
    endedAt: call.endedAt === null ? null : clock.isoAt(call.endedAt),
    operations: call.operations.map((op) => operationView(op, clock)),
    recordings: recordings.listForCall(call.id)
  }
}

export function clockView (clock: Clock): ClockView {
  return { mode: clock.mode, nowMs: clock.now(), now: clock.isoAt(), pendingEvents: clock.pending() }
}
