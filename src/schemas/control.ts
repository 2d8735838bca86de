import { Type, type Static, type TSchema } from 'typebox'
import { DTMF_KEY_CLASS } from '../engine/dtmf.js'
import { MAX_GLOB_LENGTH } from '../inspection/glob.js'
import { Nullable, OpenObject } from './common.js'

/** Control API bodies and queries (see docs/control-api.md). Scripts are checked by the engine, which names the bad action. */
export const SimulateCallBodySchema = Type.Object({
  callbackUri: Type.Optional(Type.String({ pattern: '^https?://\\S+$', maxLength: 2048 })),
  source: Type.Optional(OpenObject),
  tenantId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  script: Type.Optional(Type.Unknown({ description: 'A caller script, or the name of one in fixtures/scenarios/' }))
}, { additionalProperties: false })
export type SimulateCallBody = Static<typeof SimulateCallBodySchema>

export const TonesBodySchema = Type.Object({
  tones: Type.String({ pattern: `^${DTMF_KEY_CLASS}{1,64}$`, description: 'Keys pressed now, in order, e.g. "1#"' })
}, { additionalProperties: false })

export const AdvanceBodySchema = Type.Object({
  ms: Type.Integer({ minimum: 0, maximum: 86_400_000, description: 'Virtual milliseconds to move forward' })
}, { additionalProperties: false })

/** Largest and default `$top` of a listing; `$skip` and `$skiptoken` bounds. */
export const MAX_PAGE_SIZE = 1000
export const DEFAULT_PAGE_SIZE = 100

/** Graph-style paging, on every listing: `$top`, then `$skip` or the `$skiptoken` of an `@odata.nextLink`. */
export const PageQueryProperties = {
  $top: Type.Optional(Type.String({ pattern: '^\\d{1,7}$', description: `Entries per page, 1..${MAX_PAGE_SIZE}; default ${DEFAULT_PAGE_SIZE}` })),
  $skip: Type.Optional(Type.String({ pattern: '^\\d{1,7}$', description: 'Entries to pass over first' })),
  $skiptoken: Type.Optional(Type.String({ pattern: '^\\d{1,15}$', description: 'Opaque cursor from an @odata.nextLink' }))
}

/** Longest wait of one long-poll request (`waitMs`); a client that waits longer asks again. */
export const MAX_WAIT_MS = 60_000

/** The long-poll of the journals' listings. */
const LongPollProperties = {
  minCount: Type.Optional(Type.String({ pattern: '^\\d{1,6}$', description: 'Long-poll: how many matching entries to wait for (after $skiptoken, when given)' })),
  waitMs: Type.Optional(Type.String({ pattern: '^\\d{1,6}$', description: `Long-poll: wait up to this many real ms (at most ${MAX_WAIT_MS}) for minCount entries` }))
}

export type PageQuery = Partial<Record<keyof typeof PageQueryProperties, string>>
/** Paging of the lists without a stable id order (calls, faults): `$top` and `$skip` only. */
export const OffsetPageQuerySchema = Type.Object({ $top: PageQueryProperties.$top, $skip: PageQueryProperties.$skip }, { additionalProperties: false })

/** A page of a listing: `@odata.nextLink` (absolute) when more remain. */
function pageOf<T extends TSchema> (item: T, extra: Record<string, TSchema> = {}) {
  return Type.Object({ value: Type.Array(item), '@odata.nextLink': Type.Optional(Type.String({ description: 'Absolute URL of the next page, when more remain' })), ...extra })
}

export const NotificationsFilterProperties = {
  callId: Type.Optional(Type.String({ maxLength: 200 })),
  outcome: Type.Optional(Type.Unsafe<'delivered' | 'retrying' | 'failed'>({ type: 'string', enum: ['delivered', 'retrying', 'failed'] })),
  changeType: Type.Optional(Type.Unsafe<'created' | 'updated' | 'deleted'>({ type: 'string', enum: ['created', 'updated', 'deleted'] })),
  resourceKind: Type.Optional(Type.Unsafe<'call' | 'operation'>({ type: 'string', enum: ['call', 'operation'], description: 'What the notification is about: the call itself or one of its operations' })),
  resourceUrl: Type.Optional(Type.String({ maxLength: 500 }))
}
export const NotificationsQuerySchema = Type.Object({ ...NotificationsFilterProperties, ...LongPollProperties, ...PageQueryProperties }, { additionalProperties: false })

export const ScriptBodySchema = Type.Union([OpenObject, Type.String()], { description: 'A caller script (see docs/caller-scripts.md) or a scenario name' })

/** POST /_mock/faults: the next `times` Graph requests matching `method` and `path` fail and/or wait. */
export const FaultBodySchema = Type.Object({
  method: Type.Optional(Type.String({ pattern: '^(\\*|[A-Za-z]{1,16})$', description: 'HTTP method to match; default any ("*")' })),
  path: Type.String({ minLength: 1, maxLength: MAX_GLOB_LENGTH, description: 'Glob over the request path without the query, case-insensitive: `*` = within one segment, `**` = anything' }),
  times: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'How many matching requests the fault applies to; default 1' })),
  status: Type.Optional(Type.Integer({ minimum: 400, maximum: 599, description: 'Answer with this status and a Graph error body' })),
  retryAfterSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400, description: 'Retry-After header; only with status 429 or 503' })),
  delayMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 60_000, description: 'Real ms to wait before answering (or before letting the request through when there is no status)' })),
  message: Type.Optional(Type.String({ minLength: 1, maxLength: 1000, description: 'error.message of the Graph error body' }))
}, { additionalProperties: false })
export type FaultBody = Static<typeof FaultBodySchema>

export const FaultSchema = Type.Object({
  id: Type.String(),
  method: Type.String({ description: 'Upper-case method, or "*"' }),
  path: Type.String(),
  times: Type.Integer(),
  remaining: Type.Integer({ description: 'Matching requests it still applies to' }),
  status: Nullable(Type.Integer()),
  retryAfterSeconds: Nullable(Type.Integer()),
  delayMs: Type.Integer(),
  message: Nullable(Type.String())
})
export type Fault = Static<typeof FaultSchema>
export const FaultListSchema = pageOf(FaultSchema)

export const RequestsFilterSchema = Type.Object({
  callId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  method: Type.Optional(Type.String({ pattern: '^[A-Za-z]{1,16}$' })),
  path: Type.Optional(Type.String({ minLength: 1, maxLength: MAX_GLOB_LENGTH, description: 'Glob over the path, as in faults' }))
}, { additionalProperties: false })
export type RequestsFilter = Static<typeof RequestsFilterSchema>
export const RequestsQuerySchema = Type.Object({ ...RequestsFilterSchema.properties, ...LongPollProperties, ...PageQueryProperties }, { additionalProperties: false })
export type RequestsQuery = Static<typeof RequestsQuerySchema>

/** One Graph request as the mock received and answered it. */
export const RequestEntrySchema = Type.Object({
  id: Type.Integer({ description: 'Position in the journal, from 1; never reused' }),
  at: Type.String({ description: 'Virtual time the request arrived, ISO' }),
  virtualMs: Type.Number(),
  method: Type.String(),
  path: Type.String({ description: 'As sent, without the query' }),
  route: Nullable(Type.String({ description: 'The route pattern that served it' })),
  query: Type.Unsafe<Record<string, string | string[]>>({ type: 'object', additionalProperties: true, description: 'Credential parameters redacted' }),
  callId: Nullable(Type.String()),
  headers: Type.Unsafe<Record<string, string | string[]>>({ type: 'object', additionalProperties: true, description: 'Credentials redacted (Authorization, cookies, keys)' }),
  body: Type.Unknown({ description: 'Parsed JSON body, or null (none, rejected before it was read, or omitted: see bodyOmitted)' }),
  bodyBytes: Nullable(Type.Integer({ description: 'Size of the body as sent (content-length), null when there was none' })),
  bodyOmitted: Type.Boolean({ description: 'The body was larger than the journal keeps (bodyKeepBytes): body is null, bodyBytes says how large it was' }),
  status: Type.Integer({ description: 'Status the mock returned' }),
  faultId: Nullable(Type.String({ description: 'The injected fault that answered or delayed it' })),
  durationMs: Type.Number({ description: 'Real ms from arrival to response' })
})
export type RequestEntry = Static<typeof RequestEntrySchema>

/** What the request journal holds and what it let go since it was last cleared. */
export const RequestJournalStateSchema = Type.Object({
  entries: Type.Integer({ description: 'Entries held' }),
  bytes: Type.Integer({ description: 'Bytes held: bodies kept, URLs and headers' }),
  maxEntries: Type.Integer(),
  maxBytes: Type.Integer(),
  bodyKeepBytes: Type.Integer({ description: 'Largest body kept; larger ones are omitted' }),
  droppedForCount: Type.Integer({ description: 'Oldest entries dropped to stay within maxEntries' }),
  droppedForBytes: Type.Integer({ description: 'Oldest entries dropped to stay within maxBytes' }),
  omittedBodies: Type.Integer({ description: 'Bodies not kept for their size' })
})
export type RequestJournalState = Static<typeof RequestJournalStateSchema>
export const RequestListSchema = pageOf(RequestEntrySchema, { journal: RequestJournalStateSchema })
