import { Type, type Static } from 'typebox'
import { Nullable, OpenObject, StringEnum } from './common.js'

const CallbackUri = Type.String({ pattern: '^https?://\\S+$', maxLength: 2048, description: 'The bot\'s notification URL (http allowed for local testing)' })
/** v1.0's modality values; beta's enum also has `unknown` (routes refuse it under v1.0). */
export const V1_MODALITIES = ['audio', 'video', 'videoBasedScreenSharing', 'data', 'unknownFutureValue'] as const
const Modality = StringEnum([...V1_MODALITIES, 'unknown'])

/** mediaConfig: the discriminator picks service- or app-hosted media (see docs/graph-behaviour.md, The call resource). */
export const MediaConfigSchema = Type.Object({
  '@odata.type': Type.String({ pattern: '^#?microsoft\\.graph\\.(serviceHostedMediaConfig|appHostedMediaConfig)$' })
}, { additionalProperties: true })

/** POST /communications/calls (see docs/graph-behaviour.md, The call resource). */
export const CreateCallBodySchema = Type.Object({
  '@odata.type': Type.Optional(Type.String({ pattern: '^#?microsoft\\.graph\\.call$' })),
  callbackUri: CallbackUri,
  targets: Type.Array(OpenObject, { minItems: 1, maxItems: 5 }),
  requestedModalities: Type.Array(Modality, { minItems: 1 }),
  mediaConfig: MediaConfigSchema,
  source: Type.Optional(Nullable(OpenObject)),
  tenantId: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
  subject: Type.Optional(Nullable(Type.String({ maxLength: 1000 }))),
  direction: Type.Optional(Nullable(Type.String({ pattern: '^outgoing$' }))),
  callOptions: Type.Optional(Nullable(OpenObject)),
  chatInfo: Type.Optional(Nullable(OpenObject)),
  meetingInfo: Type.Optional(Nullable(OpenObject))
}, { additionalProperties: true })
export type CreateCallBody = Static<typeof CreateCallBodySchema>

/** POST .../answer (see docs/graph-behaviour.md, The call resource). */
export const AnswerBodySchema = Type.Object({
  callbackUri: CallbackUri,
  acceptedModalities: Type.Array(Modality, { minItems: 1 }),
  mediaConfig: MediaConfigSchema,
  participantCapacity: Type.Optional(Nullable(Type.Integer({ minimum: 0 }))),
  callOptions: Type.Optional(Nullable(OpenObject))
}, { additionalProperties: true })
export type AnswerBody = Static<typeof AnswerBodySchema>

/** POST .../reject (see docs/graph-behaviour.md, The call resource). */
export const RejectBodySchema = Type.Object({
  reason: Type.Optional(Nullable(StringEnum(['none', 'busy', 'forbidden', 'unknownFutureValue']))),
  callbackUri: Type.Optional(Nullable(CallbackUri))
}, { additionalProperties: true })
export type RejectBody = Static<typeof RejectBodySchema>
