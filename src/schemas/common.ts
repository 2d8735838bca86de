import { Type, type Static, type TSchema } from 'typebox'

/** A schema that also accepts null (older SDKs send null for unset properties); one JSON type list, so errors stay readable. */
export function Nullable<T extends TSchema> (schema: T) {
  const s = schema as unknown as { type?: string, enum?: unknown[] }
  return Type.Unsafe<Static<T> | null>({ ...schema, type: [s.type, 'null'], ...(s.enum ? { enum: [...s.enum, null] } : {}) })
}

/** A string from a fixed list, as one JSON `enum` (its error names the allowed values). */
export function StringEnum<const T extends readonly string[]> (values: T, options: Record<string, unknown> = {}) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options })
}

/** Ids as Graph uses them; the mock issues lower-case GUIDs but accepts any safe id-like segment. */
export const CallIdParams = Type.Object({ callId: Type.String({ minLength: 1, maxLength: 200 }) })
export const OperationIdParams = Type.Object({ callId: Type.String({ minLength: 1, maxLength: 200 }), operationId: Type.String({ minLength: 1, maxLength: 200 }) })

export const ClientContext = Type.String({ maxLength: 256, description: 'Unique client context string; at most 256 characters' })

/** Any JSON object; Graph's open types keep properties the mock does not model. */
export const OpenObject = Type.Unsafe<Record<string, unknown>>({ type: 'object', additionalProperties: true })

export const MediaInfoSchema = Type.Object({
  uri: Type.String({ minLength: 1, maxLength: 2048 }),
  resourceId: Type.Optional(Nullable(Type.String({ maxLength: 256 })))
}, { additionalProperties: true })

/** A mediaPrompt: the discriminator is required since `prompt` is abstract; the leading '#' is optional. */
export const MediaPromptSchema = Type.Object({
  '@odata.type': Type.String({ pattern: '^#?microsoft\\.graph\\.mediaPrompt$' }),
  mediaInfo: MediaInfoSchema
}, { additionalProperties: true })
