import { commsNotifications } from '../graph/representations.js'

export type CommsNotificationsBody = { value: Array<{ changeType: string, resourceUrl: string }> }

/**
 * One commsNotifications POST about one change, made from an engine event (the notifier), carried by the
 * dispatcher and listed by the delivery journal. It names what changed and which resource without
 * rendering; the body is rendered only when it is posted or listed (a small snapshot per notification is
 * kept instead of the rendered objects: docs/benchmarks.md).
 */
export interface Notification {
  readonly callId: string
  /** Where it goes: the call's callback as of the event. */
  readonly callbackUri: string
  readonly tenantId: string
  readonly callChainId: string
  readonly changeType: string
  readonly resourceUrl: string
  /** The commsNotifications body as posted; throws when a value in it cannot be rendered. */
  render (): CommsNotificationsBody
}

/**
 * The body as listed (GET /_mock/notifications), which must never throw: when it cannot be rendered, the
 * notification's change type and resource without its data (the dispatcher journals the reason).
 */
export function listedBody (n: Notification): CommsNotificationsBody {
  try {
    return n.render()
  } catch {
    return commsNotifications({ '@odata.type': '#microsoft.graph.commsNotification', changeType: n.changeType, resourceUrl: n.resourceUrl, resourceData: null })
  }
}
