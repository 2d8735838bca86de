import { Type, type Static } from 'typebox'
import { DTMF_KEYS_ANY_CASE } from '../engine/dtmf.js'
import { ClientContext, MediaPromptSchema, Nullable, StringEnum } from './common.js'

const Timeout = Type.Integer({ minimum: 1, maximum: 120, description: 'seconds, 1..120; default 5' })

/** recordResponse body (see docs/graph-behaviour.md, Media operations); unknown extra properties are tolerated, as Graph does. */
export const RecordResponseBodySchema = Type.Object({
  prompts: Type.Optional(Nullable(Type.Array(MediaPromptSchema, { maxItems: 1 }))),
  bargeInAllowed: Type.Optional(Nullable(Type.Boolean())),
  initialSilenceTimeoutInSeconds: Type.Optional(Nullable(Timeout)),
  maxSilenceTimeoutInSeconds: Type.Optional(Nullable(Timeout)),
  maxRecordDurationInSeconds: Type.Optional(Nullable(Timeout)),
  playBeep: Type.Optional(Nullable(Type.Boolean())),
  stopTones: Type.Optional(Nullable(Type.Array(StringEnum(DTMF_KEYS_ANY_CASE), { maxItems: 16 }))),
  clientContext: Type.Optional(Nullable(ClientContext)),
  streamWhileRecording: Type.Optional(Nullable(Type.Boolean()))
}, { additionalProperties: true })
export type RecordResponseBody = Static<typeof RecordResponseBodySchema>

/** playPrompt body (see docs/graph-behaviour.md, Media operations): 1..20 prompts; beta `loop`. */
export const PlayPromptBodySchema = Type.Object({
  prompts: Type.Array(MediaPromptSchema, { minItems: 1, maxItems: 20 }),
  clientContext: Type.Optional(Nullable(ClientContext)),
  loop: Type.Optional(Nullable(Type.Boolean()))
}, { additionalProperties: true })
export type PlayPromptBody = Static<typeof PlayPromptBodySchema>

/** cancelMediaProcessing and subscribeToTone take only a clientContext (see docs/graph-behaviour.md, Media operations). */
export const ClientContextBodySchema = Type.Object({
  clientContext: Type.Optional(Nullable(ClientContext))
}, { additionalProperties: true })
export type ClientContextBody = Static<typeof ClientContextBodySchema>
