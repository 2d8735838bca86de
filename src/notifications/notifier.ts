import type { EngineEvent, EventSink } from '../engine/events.js'
import { callNotification, commsNotifications, operationNotification } from '../graph/representations.js'
import type { Dispatcher } from './dispatcher.js'

/**
 * Turns engine events into commsNotifications for the dispatcher. The body is built now, as a snapshot
 * (the call changes later); the dispatcher serialises it when it sends it.
 */
export function createNotifier (dispatcher: Dispatcher): EventSink {
  return (event: EngineEvent) => {
    const { call } = event
    const value = event.type === 'call' ? callNotification(event.changeType, call, event.toneInfo) : operationNotification(event.operation)
    dispatcher.enqueue({ callId: call.id, callbackUri: call.callbackUri, tenantId: call.tenantId, callChainId: call.callChainId, body: commsNotifications(value) })
  }
}
