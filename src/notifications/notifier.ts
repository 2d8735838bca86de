import type { EngineEvent, EventSink } from '../engine/events.js'
import type { Call, Operation } from '../engine/model.js'
import { callNotification, callPath, commsNotifications, operationNotification, operationPath } from '../graph/representations.js'
import type { Dispatcher } from './dispatcher.js'
import type { CommsNotificationsBody, Notification } from './notification.js'

type ToneInfo = { sequenceId: number, tone: string } | undefined

/**
 * A notification as a snapshot of the event, rendered when the dispatcher posts it and when the journal
 * lists it. It keeps ~100 bytes per notification queued or journaled, where the rendered objects were ~370
 * (docs/benchmarks.md).
 */
abstract class EventNotification implements Notification {
  readonly callbackUri: string
  abstract readonly changeType: string
  abstract readonly resourceUrl: string

  constructor (protected readonly call: Call) {
    this.callbackUri = call.callbackUri
  }

  // Never change during a call.
  get callId (): string { return this.call.id }
  get tenantId (): string { return this.call.tenantId }
  get callChainId (): string { return this.call.callChainId }

  abstract render (): CommsNotificationsBody
}

/** A call notification: the call's fields that change later are copied now; the rest is read when rendered. */
class CallNotification extends EventNotification {
  private readonly state: Call['state']
  private readonly mediaActive: boolean
  private readonly etag: number
  private readonly resultInfo: Call['resultInfo']
  private readonly mediaConfig: Call['mediaConfig']
  private readonly requestedModalities: string[]
  private readonly extra: Call['extra']

  constructor (readonly changeType: 'created' | 'updated' | 'deleted', call: Call, private readonly toneInfo: ToneInfo) {
    super(call)
    this.state = call.state
    this.mediaActive = call.mediaActive
    this.etag = call.etag
    this.resultInfo = call.resultInfo
    this.mediaConfig = call.mediaConfig
    this.requestedModalities = call.requestedModalities
    this.extra = call.extra
  }

  get resourceUrl (): string { return callPath(this.call.id) }

  render (): CommsNotificationsBody {
    const { state, mediaActive, etag, resultInfo, callbackUri, mediaConfig, requestedModalities, extra } = this
    const asThen: Call = { ...this.call, state, mediaActive, etag, resultInfo, callbackUri, mediaConfig, requestedModalities, extra }
    return commsNotifications(callNotification(this.changeType, asThen, this.toneInfo))
  }
}

/** The `deleted` notification of a finished operation, which does not change any more. */
class OperationNotification extends EventNotification {
  constructor (call: Call, private readonly operation: Operation) { super(call) }
  get changeType (): string { return 'deleted' }
  get resourceUrl (): string { return operationPath(this.operation) }
  render (): CommsNotificationsBody { return commsNotifications(operationNotification(this.operation)) }
}

/** Turns engine events into commsNotifications for the dispatcher. */
export function createNotifier (dispatcher: Dispatcher): EventSink {
  return (event: EngineEvent) => {
    dispatcher.enqueue(event.type === 'call' ? new CallNotification(event.changeType, event.call, event.toneInfo) : new OperationNotification(event.call, event.operation))
  }
}
