import { Type, type Static, type TSchema } from 'typebox'
import { Value } from 'typebox/value'
import { DTMF_KEY_CLASS } from '../dtmf.js'

const FIXTURE_NAME = Type.String({ pattern: '^[^/\\\\]+\\.wav$', description: 'the name of a WAV file in fixtures/audio/' })
const MAX_MS = 3_600_000

/**
 * What one script may hold (docs/decisions/limits-scripts-and-clock.md): enough for any test, and small
 * enough that no recording, advance or listing built from it can grow without bound.
 */
export const SCRIPT_LIMITS = {
  /** responses[]: one per recordResponse of a call. */
  responses: 1000,
  /** actions[] of one response. */
  actionsPerResponse: 1000,
  /** Actions of all responses together. */
  actions: 10_000,
  /** Silence and speech of one response together, in virtual ms (audio-only speech lasts its file). */
  responseMs: MAX_MS,
  descriptionLength: 1000
} as const

/** The kinds of action a caller takes, keyed by the property that names them (see docs/caller-scripts.md). */
export const ACTION_SCHEMAS = {
  silence: Type.Object({ silence: Type.Integer({ minimum: 0, maximum: MAX_MS, description: 'ms of silence' }) }, { additionalProperties: false }),
  speech: Type.Object({
    speech: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_MS, description: 'ms of speech; default: the length of `audio`' })),
    audio: Type.Optional(FIXTURE_NAME)
  }, { additionalProperties: false }),
  tone: Type.Object({ tone: Type.String({ pattern: `^${DTMF_KEY_CLASS}$`, description: 'one DTMF key: 0-9 * # A B C D' }) }, { additionalProperties: false }),
  hangup: Type.Object({ hangup: Type.Literal(true) }, { additionalProperties: false })
} as const

// Listed, not Object.values(): the union needs a tuple for its static type (else every action is `never`).
export const CallerActionSchema = Type.Union([ACTION_SCHEMAS.silence, ACTION_SCHEMAS.speech, ACTION_SCHEMAS.tone, ACTION_SCHEMAS.hangup])
export type SilenceAction = Static<typeof ACTION_SCHEMAS.silence>
export type SpeechAction = Static<typeof ACTION_SCHEMAS.speech>
export type ToneAction = Static<typeof ACTION_SCHEMAS.tone>
export type HangupAction = Static<typeof ACTION_SCHEMAS.hangup>
export type CallerAction = SilenceAction | SpeechAction | ToneAction | HangupAction

// `expected` (our own annotation, ignored by validators) words what a node accepts for scriptProblem's messages.
export const CallerResponseSchema = Type.Object({
  actions: Type.Optional(Type.Array(CallerActionSchema, { maxItems: SCRIPT_LIMITS.actionsPerResponse })),
  prompt: Type.Optional(Type.Union([Type.Literal('ok'), Type.Literal('fail')], { description: '"fail": the prompt cannot be played', expected: '"ok" or "fail"' }))
}, { additionalProperties: false, expected: 'an object with actions and/or prompt' })
export type CallerResponse = Static<typeof CallerResponseSchema>

export const AnswerAfterSchema = Type.Union([
  Type.Integer({ minimum: 0, maximum: MAX_MS }),
  Type.Literal('never'),
  Type.Literal('reject')
], { description: 'Outgoing calls: ms until the callee answers, "never", or "reject"', expected: `a whole number of ms (0..${MAX_MS}), "never" or "reject"` })

export const CallerScriptSchema = Type.Object({
  // `unlisted`: a note for people, so the unknown-property hint does not offer it.
  description: Type.Optional(Type.String({ maxLength: SCRIPT_LIMITS.descriptionLength, unlisted: true })),
  answerAfterMs: Type.Optional(AnswerAfterSchema),
  responses: Type.Optional(Type.Array(CallerResponseSchema, { maxItems: SCRIPT_LIMITS.responses }))
}, { additionalProperties: false })
export type CallerScript = Static<typeof CallerScriptSchema>

/**
 * Why a script is not valid, naming the bad part or the limit it breaks; undefined when it is. The schema
 * decides; its first error is put in words. Sizes are counted first, so an oversized script is refused
 * before anything walks through it, and the one rule a schema cannot state (silence and speech of a
 * response together) is checked last.
 */
export function scriptProblem (input: unknown, where = 'script'): string | undefined {
  const responses = (input as { responses?: unknown } | null)?.responses
  const sizeProblem = Array.isArray(responses) ? sizesProblem(responses, where) : undefined
  if (sizeProblem) return sizeProblem
  if (!Value.Check(CallerScriptSchema, input)) return schemaProblem(Value.Errors(CallerScriptSchema, input)[0], input, where)
  for (const [i, r] of ((input as CallerScript).responses ?? []).entries()) {
    const ms = (r.actions ?? []).reduce((sum, a) => sum + ((a as SilenceAction).silence ?? (a as SpeechAction).speech ?? 0), 0)
    if (ms > SCRIPT_LIMITS.responseMs) return `${where}.responses[${i}].actions last ${ms} ms of silence and speech together; the limit is ${SCRIPT_LIMITS.responseMs} ms per response`
  }
  return undefined
}

function sizesProblem (responses: unknown[], where: string): string | undefined {
  if (responses.length > SCRIPT_LIMITS.responses) return `${where}.responses has ${responses.length} responses; the limit is ${SCRIPT_LIMITS.responses}`
  let total = 0
  for (const [i, r] of responses.entries()) {
    const actions = (r as { actions?: unknown } | null)?.actions
    if (!Array.isArray(actions)) continue
    if (actions.length > SCRIPT_LIMITS.actionsPerResponse) return `${where}.responses[${i}].actions has ${actions.length} actions; the limit is ${SCRIPT_LIMITS.actionsPerResponse} per response`
    total += actions.length
  }
  if (total > SCRIPT_LIMITS.actions) return `${where} has ${total} actions in all its responses; the limit is ${SCRIPT_LIMITS.actions} per script`
  return undefined
}

interface SchemaNode { type?: string, properties?: Record<string, SchemaNode>, items?: SchemaNode, anyOf?: SchemaNode[], expected?: string, unlisted?: boolean, description?: string }
interface SchemaError { keyword: string, instancePath: string, message: string, params: Record<string, unknown> }

const TYPE_NOUNS: Record<string, string> = { object: 'an object', array: 'an array', string: 'a string', integer: 'a whole number' }
const shown = (value: unknown): string | undefined => JSON.stringify(value)?.slice(0, 120)

/**
 * A TypeBox error in words. Follows the error's path down the schema to the node it is about (an unknown
 * property ends the walk, a union is worded as a whole, an action by its own kind) and words the error there.
 */
function schemaProblem (error: SchemaError | undefined, input: unknown, where: string): string {
  if (!error) return `${where} is not a valid script`
  let node = CallerScriptSchema as SchemaNode
  let value = input
  let path = where
  // A JSON pointer: '~1' is a '/' in a property name, '~0' a '~'.
  for (const segment of error.instancePath.split('/').slice(1).map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'))) {
    if (node === CallerActionSchema as SchemaNode || node.anyOf) break
    if (node.properties) {
      if (!Object.hasOwn(node.properties, segment)) return `${path} has an unknown property '${segment}'; expected ${listed(node.properties)}`
      node = node.properties[segment]
      path += `.${segment}`
    } else if (node.items) {
      node = node.items
      path += `[${segment}]`
    }
    value = (value as Record<string, unknown>)[segment]
  }
  if (node === CallerActionSchema as SchemaNode) return actionProblem(value, path)
  if (node.anyOf && node.expected) return `${path} must be ${node.expected}; got ${shown(value)}`
  if (error.keyword === 'additionalProperties') return `${path} has an unknown property '${(error.params.additionalProperties as string[])[0]}'; expected ${listed(node.properties ?? {})}`
  if (error.keyword === 'type') return `${path} must be ${node.expected ?? TYPE_NOUNS[node.type ?? ''] ?? error.message}`
  if (error.keyword === 'maxLength' && typeof value === 'string') return `${path} is ${value.length} characters long; the limit is ${String(error.params.limit)}`
  // Whatever else the schema declares is enforced all the same, in the validator's words.
  return `${path} ${error.message}`
}

function listed (properties: Record<string, SchemaNode>): string {
  return Object.keys(properties).filter((k) => properties[k].unlisted !== true).join(', ')
}

/** An action is worded against the kind it names (its first property that is one of ACTION_SCHEMAS). */
function actionProblem (a: unknown, where: string): string {
  const kinds = Object.keys(ACTION_SCHEMAS) as Array<keyof typeof ACTION_SCHEMAS>
  if (typeof a !== 'object' || a === null || Array.isArray(a)) return `${where} ${shown(a)} is not an action; expected an object such as {"silence": 800}, {"speech": 2500}, {"tone": "#"} or {"hangup": true}`
  const keys = Object.keys(a)
  // An action named by its own property first ({"silence", "tone"} is a silence); else one a property belongs to (audio: speech).
  const kind = keys.find((k): k is keyof typeof ACTION_SCHEMAS => (kinds as string[]).includes(k)) ??
    kinds.find((k) => keys.some((key) => Object.hasOwn(ACTION_SCHEMAS[k].properties, key)))
  if (!kind) return `${where} ${shown(a)} is not an action; expected one of ${kinds.join(', ')}`
  const schema: TSchema & { properties: Record<string, unknown> } = ACTION_SCHEMAS[kind]
  const unknown = keys.find((k) => !(k in schema.properties))
  if (unknown) return `${where} ${shown(a)} is not a valid ${kind} action: unknown property '${unknown}'`
  const first = Value.Errors(schema, a)[0]
  const path = first?.instancePath ? first.instancePath.slice(1) : ''
  return `${where} ${shown(a)} is not a valid ${kind} action: ${path ? `'${path}' ` : ''}${first ? ruleOf(first, schema.properties[path]) : 'has the wrong shape'}`
}

/** A validator message in words: a regex or "equal to constant" tells a script author little. */
function ruleOf (error: { keyword: string, message: string, params: Record<string, unknown> }, property: unknown): string {
  const description = (property as { description?: string } | undefined)?.description
  if (error.keyword === 'pattern' && description) return `must be ${description}`
  if (error.keyword === 'const') return `must be ${JSON.stringify(error.params.allowedValue)}`
  return error.message
}
