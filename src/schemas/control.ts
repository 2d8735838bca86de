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
