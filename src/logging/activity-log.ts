import type { FastifyBaseLogger as Logger } from 'fastify'
import type { EngineEvent, EngineNote } from '../engine/events.js'
import type { Call, Operation } from '../engine/model.js'

function callFields (call: Call): Record<string, unknown> {
  return { callId: call.id, direction: call.direction }
}

function operationFields (call: Call, op: Operation): Record<string, unknown> {
  return { callId: call.id, operationId: op.id, operation: op.kind, clientContext: op.clientContext ?? undefined }
}

/**
 * The mock's account of calls and operations at info, one line per change, beside the per-request line:
 * a call created (its direction and callback), answered, established and ended (with resultInfo), an
 * operation started and finished (with completionReason and resultInfo). A caller's key press and a
 * call's `terminating` step are debug. It reads the call and operation at once, as sinks must.
 */
export function createActivityLog (log: Logger) {
  function callChanged (event: Extract<EngineEvent, { type: 'call' }>): void {
    const { call } = event
    if (event.changeType === 'created') {
      log.info({ ...callFields(call), callbackUri: call.callbackUri }, 'call created')
    } else if (event.changeType === 'deleted') {
      log.info({ ...callFields(call), endedBy: call.endedBy, resultInfo: call.resultInfo }, 'call ended')
    } else if (event.toneInfo) {
      log.debug({ ...callFields(call), tone: event.toneInfo.tone, sequenceId: event.toneInfo.sequenceId }, 'caller pressed a key')
    } else if (call.state === 'establishing') {
      // An outgoing call is born establishing (no `created` notification); an incoming one gets there by answer.
      if (call.direction === 'outgoing') log.info({ ...callFields(call), callbackUri: call.callbackUri }, 'call created')
      else log.info({ ...callFields(call), callbackUri: call.callbackUri }, 'call answered')
    } else if (call.state === 'established') {
      log.info(callFields(call), 'call established')
    } else {
      log.debug({ ...callFields(call), state: call.state }, 'call updated')
    }
  }

  return {
    /** For the engine's `emit`, beside the notifier. */
    events (event: EngineEvent): void {
      if (event.type === 'call') { callChanged(event); return }
      const { call, operation: op } = event
      log.info({ ...operationFields(call, op), status: op.status, completionReason: op.completionReason, resultInfo: op.resultInfo, recordingLocation: op.recordingLocation || undefined }, 'operation completed')
    },
    /** For the engine's `note`. */
    notes (note: EngineNote): void {
      const fields = operationFields(note.call, note.operation)
      if (note.type === 'operationStarted') log.info(fields, 'operation started')
      else log.info({ ...fields, status: note.operation.status }, 'operation ended with its call, unannounced')
    }
  }
}
