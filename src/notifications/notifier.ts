import type { EngineEvent, EventSink } from '../engine/events.js'
import type { Call, Operation } from '../engine/model.js'
import { callNotification, callPath, commsNotifications, operationNotification, operationPath } from '../graph/representations.js'
import { DeferredBody } from './delivery-journal.js'
import type { Dispatcher } from './dispatcher.js'

type ToneInfo = { sequenceId: number, tone: string } | undefined

/**
 * A call notification as of the event: the call's fields that change later are copied now, the rest is
 * read from the call when the body is rendered. ~110 bytes per notification queued or journaled, where
 * the rendered body's objects were ~370.
 */
class CallNotificationBody extends DeferredBody {
  private readonly state: Call['state']
  private readonly mediaActive: boolean
  private readonly etag: number
  private readonly resultInfo: Call['resultInfo']
  private readonly callbackUri: string
  private readonly mediaConfig: Call['mediaConfig']
  private readonly requestedModalities: string[]
  private readonly extra: Call['extra']

  constructor (readonly changeType: 'created' | 'updated' | 'deleted', private readonly call: Call, private readonly toneInfo: ToneInfo) {
    super()
    this.state = call.state
    this.mediaActive = call.mediaActive
    this.etag = call.etag
    this.resultInfo = call.resultInfo
    this.callbackUri = call.callbackUri
    this.mediaConfig = call.mediaConfig
    this.requestedModalities = call.requestedModalities
    this.extra = call.extra
  }

  get resourceUrl (): string { return callPath(this.call.id) }

  toJSON (): ReturnType<typeof commsNotifications> {
    const { state, mediaActive, etag, resultInfo, callbackUri, mediaConfig, requestedModalities, extra } = this
    const asThen: Call = { ...this.call, state, mediaActive, etag, resultInfo, callbackUri, mediaConfig, requestedModalities, extra }
    return commsNotifications(callNotification(this.changeType, asThen, this.toneInfo))
  }
}

/** The `deleted` notification of a finished operation, which does not change any more. */
class OperationNotificationBody extends DeferredBody {
  constructor (private readonly operation: Operation) { super() }
  get changeType (): string { return 'deleted' }
  get resourceUrl (): string { return operationPath(this.operation) }
  toJSON (): ReturnType<typeof commsNotifications> { return commsNotifications(operationNotification(this.operation)) }
}

/**
 * Turns engine events into commsNotifications for the dispatcher. The body is a snapshot taken now (the
 * call changes later), rendered when the dispatcher serialises it and when the journal lists it.
 */
export function createNotifier (dispatcher: Dispatcher): EventSink {
  return (event: EngineEvent) => {
    const { call } = event
    const body = event.type === 'call' ? new CallNotificationBody(event.changeType, call, event.toneInfo) : new OperationNotificationBody(event.operation)
    dispatcher.enqueue({ callId: call.id, callbackUri: call.callbackUri, tenantId: call.tenantId, callChainId: call.callChainId, body })
  }
}
