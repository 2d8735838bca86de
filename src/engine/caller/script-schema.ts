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

export const CallerResponseSchema = Type.Object({
  actions: Type.Optional(Type.Array(CallerActionSchema, { maxItems: SCRIPT_LIMITS.actionsPerResponse })),
  prompt: Type.Optional(Type.Union([Type.Literal('ok'), Type.Literal('fail')], { description: '"fail": the prompt cannot be played' }))
}, { additionalProperties: false })
export type CallerResponse = Static<typeof CallerResponseSchema>

export const AnswerAfterSchema = Type.Union([
  Type.Integer({ minimum: 0, maximum: MAX_MS }),
  Type.Literal('never'),
  Type.Literal('reject')
], { description: 'Outgoing calls: ms until the callee answers, "never", or "reject"' })

export const CallerScriptSchema = Type.Object({
  description: Type.Optional(Type.String({ maxLength: SCRIPT_LIMITS.descriptionLength })),
  answerAfterMs: Type.Optional(AnswerAfterSchema),
  responses: Type.Optional(Type.Array(CallerResponseSchema, { maxItems: SCRIPT_LIMITS.responses }))
}, { additionalProperties: false })
export type CallerScript = Static<typeof CallerScriptSchema>

/** Why a script is not valid, naming the bad part or the limit it breaks; undefined when it is. */
export function scriptProblem (input: unknown, where = 'script'): string | undefined {
  const problem = shapeProblem(input, where)
  if (problem) return problem
  // Whatever the schema declares is enforced, even a rule the checks above do not word.
  if (Value.Check(CallerScriptSchema, input)) return undefined
  const first = Value.Errors(CallerScriptSchema, input)[0]
  return `${where}${first?.instancePath.replace(/\/(\d+)/g, '[$1]').replace(/\//g, '.') ?? ''} ${first?.message ?? 'is not a valid script'}`
}

function shapeProblem (input: unknown, where: string): string | undefined {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return `${where} must be an object`
  const s = input as Record<string, unknown>
  for (const key of Object.keys(s)) {
    if (!['description', 'answerAfterMs', 'responses'].includes(key)) return `${where} has an unknown property '${key}'; expected answerAfterMs, responses`
  }
  if (s.answerAfterMs !== undefined && !Value.Check(AnswerAfterSchema, s.answerAfterMs)) return `${where}.answerAfterMs must be a whole number of ms (0..${MAX_MS}), "never" or "reject"; got ${JSON.stringify(s.answerAfterMs)?.slice(0, 120)}`
  if (s.description !== undefined && typeof s.description !== 'string') return `${where}.description must be a string`
  if (typeof s.description === 'string' && s.description.length > SCRIPT_LIMITS.descriptionLength) return `${where}.description is ${s.description.length} characters long; the limit is ${SCRIPT_LIMITS.descriptionLength}`
  if (s.responses === undefined) return undefined
  if (!Array.isArray(s.responses)) return `${where}.responses must be an array`
  // Sizes first, so an oversized script is refused before anything walks through it.
  const sizeProblem = sizesProblem(s.responses, where)
  if (sizeProblem) return sizeProblem
  for (const [i, r] of s.responses.entries()) {
    const problem = responseProblem(r, `${where}.responses[${i}]`)
    if (problem) return problem
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

function responseProblem (r: unknown, where: string): string | undefined {
  if (typeof r !== 'object' || r === null || Array.isArray(r)) return `${where} must be an object with actions and/or prompt`
  const resp = r as Record<string, unknown>
  for (const key of Object.keys(resp)) if (key !== 'actions' && key !== 'prompt') return `${where} has an unknown property '${key}'; expected actions, prompt`
  if (resp.prompt !== undefined && resp.prompt !== 'ok' && resp.prompt !== 'fail') return `${where}.prompt must be "ok" or "fail"; got ${JSON.stringify(resp.prompt)}`
  if (resp.actions === undefined) return undefined
  if (!Array.isArray(resp.actions)) return `${where}.actions must be an array`
  let ms = 0
  for (const [j, a] of resp.actions.entries()) {
    const problem = actionProblem(a, `${where}.actions[${j}]`)
    if (problem) return problem
    ms += (a as SilenceAction).silence ?? (a as SpeechAction).speech ?? 0
  }
  if (ms > SCRIPT_LIMITS.responseMs) return `${where}.actions last ${ms} ms of silence and speech together; the limit is ${SCRIPT_LIMITS.responseMs} ms per response`
  return undefined
}

function actionProblem (a: unknown, where: string): string | undefined {
  const shown = JSON.stringify(a)?.slice(0, 120)
  if (typeof a !== 'object' || a === null || Array.isArray(a)) return `${where} ${shown} is not an action; expected an object such as {"silence": 800}, {"speech": 2500}, {"tone": "#"} or {"hangup": true}`
  const keys = Object.keys(a)
  const kind = (['silence', 'tone', 'hangup', 'speech'] as const).find((k) => keys.includes(k)) ?? (keys.includes('audio') ? 'speech' : undefined)
  if (!kind) return `${where} ${shown} is not an action; expected one of silence, speech, tone, hangup`
  const schema: TSchema & { properties: Record<string, unknown> } = ACTION_SCHEMAS[kind]
  const unknown = keys.find((k) => !(k in schema.properties))
  if (unknown) return `${where} ${shown} is not a valid ${kind} action: unknown property '${unknown}'`
  if (Value.Check(schema, a)) return undefined
  const first = Value.Errors(schema, a)[0]
  const path = first?.instancePath ? first.instancePath.slice(1) : ''
  return `${where} ${shown} is not a valid ${kind} action: ${path ? `'${path}' ` : ''}${first ? ruleOf(first, schema.properties[path]) : 'has the wrong shape'}`
}

/** A validator message in words: a regex or "equal to constant" tells a script author little. */
function ruleOf (error: { keyword: string, message: string, params: Record<string, unknown> }, property: unknown): string {
  const description = (property as { description?: string } | undefined)?.description
  if (error.keyword === 'pattern' && description) return `must be ${description}`
  if (error.keyword === 'const') return `must be ${JSON.stringify(error.params.allowedValue)}`
  return error.message
}
