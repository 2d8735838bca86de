import type { Static } from 'typebox'
import type { CallerScript } from '../engine/caller/script-schema.js'
import type { DeliveryAttempt } from '../notifications/delivery-journal.js'
import type { NotificationsQuerySchema, RequestEntry, RequestJournalState, RequestsFilter, SimulateCallBody } from '../schemas/control.js'

export type { CallerScript } from '../engine/caller/script-schema.js'
export type { DeliveryAttempt } from '../notifications/delivery-journal.js'
export type { CallScript, CallView, ClockView, DefaultScript, DefaultScriptSet, Health, OperationView, RecordingInfo, SimulatedCall } from '../schemas/control-views.js'
export type { Fault, FaultBody, RequestEntry, RequestJournalState, RequestsFilter, RequestsQuery } from '../schemas/control.js'

/** A caller script inline, the name of a file in fixtures/scenarios/, or `{ scenario: name }`. */
export type ScriptInput = CallerScript | string | { scenario: string }

/** POST /_mock/calls: everything is optional; the callback defaults to CALLBACK_URL. */
export type SimulateIncomingCallOptions = Omit<SimulateCallBody, 'script'> & { script?: ScriptInput }

/** Filters of GET /_mock/notifications (the long-poll and paging parameters are the client's business). */
export type NotificationFilter = Omit<Static<typeof NotificationsQuerySchema>, 'minCount' | 'waitMs' | keyof PageQuery>

/** Which page of a listing: `$top` entries (1..1000, default 100) after `$skip` entries or a nextLink's `$skiptoken`. */
export interface PageQuery { $top?: number, $skip?: number, $skiptoken?: string }
export type NotificationPredicate = (entry: DeliveryAttempt) => boolean
export type RequestPredicate = (entry: RequestEntry) => boolean

/** One page of a listing: `@odata.nextLink` when more remain. */
export interface Page<T> { value: T[], '@odata.nextLink'?: string }
export type NotificationsPage = Page<DeliveryAttempt>
export type RequestsPage = Page<RequestEntry> & { journal: RequestJournalState }

export interface WaitOptions<F = NotificationFilter> {
  /** Real ms to wait before rejecting; default 5000. */
  timeoutMs?: number
  /** With a predicate: narrow the journal on the server first. */
  filter?: F
  /** Only entries with a journal id above this one (e.g. the last one already seen). */
  afterId?: number
}

export type RequestWaitOptions = WaitOptions<RequestsFilter>

export interface TokenOptions {
  clientId?: string
  clientSecret?: string
  scope?: string
  /** Mock-only: narrow the token's roles (space-separated in the form), to test 403s under AUTH=strict. */
  roles?: string[]
}
