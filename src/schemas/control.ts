import { Type, type Static } from 'typebox'
import { Nullable, OpenObject } from './common.js'

/** Control API bodies and queries (contract section 6). Scripts are checked by the engine, which names the bad action. */
export const SimulateCallBodySchema = Type.Object({
  callbackUri: Type.Optional(Type.String({ pattern: '^https?://\\S+$', maxLength: 2048 })),
  source: Type.Optional(OpenObject),
  tenantId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  script: Type.Optional(Type.Unknown({ description: 'A caller script, or the name of one in fixtures/scenarios/' }))
}, { additionalProperties: false })
export type SimulateCallBody = Static<typeof SimulateCallBodySchema>

export const TonesBodySchema = Type.Object({
  tones: Type.String({ pattern: '^[0-9*#A-Da-d]{1,64}$', description: 'Keys pressed now, in order, e.g. "1#"' })
}, { additionalProperties: false })

export const AdvanceBodySchema = Type.Object({
  ms: Type.Integer({ minimum: 0, maximum: 86_400_000, description: 'Virtual milliseconds to move forward' })
}, { additionalProperties: false })

export const NotificationsQuerySchema = Type.Object({
  callId: Type.Optional(Type.String({ maxLength: 200 })),
  outcome: Type.Optional(Type.Unsafe<'delivered' | 'retrying' | 'failed'>({ type: 'string', enum: ['delivered', 'retrying', 'failed'] })),
  changeType: Type.Optional(Type.Unsafe<'created' | 'updated' | 'deleted'>({ type: 'string', enum: ['created', 'updated', 'deleted'] })),
  resourceUrl: Type.Optional(Type.String({ maxLength: 500 })),
  minCount: Type.Optional(Type.String({ pattern: '^\\d{1,6}$' })),
  waitMs: Type.Optional(Type.String({ pattern: '^\\d{1,6}$', description: 'Long-poll: wait up to this many real ms (at most 60000) for minCount entries' }))
}, { additionalProperties: false })

export const ScriptBodySchema = Type.Union([OpenObject, Type.String()], { description: 'A caller script (contract section 5) or a scenario name' })
export const NullableScriptBodySchema = Nullable(OpenObject)

/** POST /_mock/faults: the next `times` Graph requests matching `method` and `path` fail and/or wait. */
export const FaultBodySchema = Type.Object({
  method: Type.Optional(Type.String({ pattern: '^(\\*|[A-Za-z]{1,16})$', description: 'HTTP method to match; default any ("*")' })),
  path: Type.String({ minLength: 1, maxLength: 1000, description: 'Glob over the request path without the query, case-insensitive: `*` = within one segment, `**` = anything' }),
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
export const FaultListSchema = Type.Object({ value: Type.Array(FaultSchema) })

export const RequestsQuerySchema = Type.Object({
  callId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  method: Type.Optional(Type.String({ pattern: '^[A-Za-z]{1,16}$' })),
  path: Type.Optional(Type.String({ minLength: 1, maxLength: 1000, description: 'Glob over the path, as in faults' }))
}, { additionalProperties: false })
export type RequestsQuery = Static<typeof RequestsQuerySchema>

/** One Graph request as the mock received and answered it. */
export const RequestEntrySchema = Type.Object({
  id: Type.Integer({ description: 'Position in the journal, from 1; never reused' }),
  at: Type.String({ description: 'Virtual time the request arrived, ISO' }),
  virtualMs: Type.Number(),
  method: Type.String(),
  path: Type.String({ description: 'As sent, without the query' }),
  route: Nullable(Type.String({ description: 'The route pattern that served it' })),
  query: Type.Unsafe<Record<string, string | string[]>>({ type: 'object', additionalProperties: true }),
  callId: Nullable(Type.String()),
  headers: Type.Unsafe<Record<string, string | string[]>>({ type: 'object', additionalProperties: true, description: 'Authorization values redacted' }),
  body: Type.Unknown({ description: 'Parsed JSON body, or null (none, or rejected before it was read)' }),
  status: Type.Integer({ description: 'Status the mock returned' }),
  faultId: Nullable(Type.String({ description: 'The injected fault that answered or delayed it' })),
  durationMs: Type.Number({ description: 'Real ms from arrival to response' })
})
export type RequestEntry = Static<typeof RequestEntrySchema>
export const RequestListSchema = Type.Object({ value: Type.Array(RequestEntrySchema) })
