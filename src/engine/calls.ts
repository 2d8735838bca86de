import { graphErrors } from '../errors/graph-error.js'
import { assertTransition, isActive } from './call-states.js'
import type { EngineContext } from './context.js'
import { newId } from '../ids.js'
import type { ApiVersion, Call, ResultInfo } from './model.js'
import type { CallerScript } from './caller/script-schema.js'
import { createSharedValues, deepFreeze } from './shared-values.js'

/** An incoming call rings this long before Graph gives up on the bot (see docs/graph-behaviour.md, The call resource). */
export const INCOMING_RING_MS = 15_000
/** Outgoing calls: how long the callee takes to answer when no script says. */
export const DEFAULT_ANSWER_AFTER_MS = 1000

const ENDED_BY_BOT: ResultInfo = { code: 200, subcode: 7000, message: 'Call ended by the application.' }
const ENDED_BY_CALLER: ResultInfo = { code: 200, subcode: 4097, message: 'Call ended by the other party.' }
const NOT_ANSWERED: ResultInfo = { code: 408, subcode: 1106, message: 'Call acceptance was not acknowledged in time.' }
const REJECT_RESULTS: Record<string, ResultInfo> = {
  none: { code: 603, subcode: 0, message: 'Call was rejected.' },
  busy: { code: 486, subcode: 0, message: 'Call was rejected: busy.' },
  forbidden: { code: 403, subcode: 0, message: 'Call was rejected: forbidden.' },
  callee: { code: 603, subcode: 0, message: 'Call was declined by the callee.' }
}

export interface OutgoingCallInput {
  callbackUri: string
  targets: Array<Record<string, unknown>>
  requestedModalities: string[]
  mediaConfig: Record<string, unknown>
  source?: Record<string, unknown>
  tenantId?: string
  subject?: string | null
  extra: Record<string, unknown>
  apiVersion: ApiVersion
}

export interface IncomingCallInput { callbackUri?: string, source?: Record<string, unknown>, tenantId?: string, script?: CallerScript | null }

/** Other call properties when the bot sent none: one frozen object for every such call. */
const NO_EXTRA: Record<string, unknown> = Object.freeze({})

const hasKeys = (o: Record<string, unknown>): boolean => Object.keys(o).length > 0

/** The caller of a simulated incoming call that names none: a user of its own in each call. */
function simulatedCaller (): Record<string, unknown> {
  return {
    '@odata.type': '#microsoft.graph.participantInfo',
    identity: { '@odata.type': '#microsoft.graph.identitySet', user: { '@odata.type': '#microsoft.graph.identity', displayName: 'Simulated Caller', id: newId() } },
    region: 'amer',
    languageId: 'en-US'
  }
}

type NewCall = Pick<Call, 'direction' | 'state' | 'callbackUri' | 'tenantId' | 'source' | 'targets' | 'requestedModalities' | 'mediaConfig' | 'apiVersion'> &
  Partial<Pick<Call, 'subject' | 'extra' | 'script'>>

/** Call lifecycle (see docs/graph-behaviour.md, The call resource): create, ring, answer, reject, hang up; the media engine is told when a call ends. */
export function createCallLifecycle (ctx: EngineContext, hooks: { onCallEnded: (call: Call) => void, liveCalls: () => number, maxLiveCalls: number }) {
  const { clock, emit } = ctx
  const shared = createSharedValues()
  // The bot's own participantInfo: the same in every call, so one frozen copy serves them all.
  const botApplication = { '@odata.type': '#microsoft.graph.identitySet', application: { '@odata.type': '#microsoft.graph.identity', displayName: 'Calling bot', id: ctx.defaults.botAppId } }
  const botSource = deepFreeze({ '@odata.type': '#microsoft.graph.participantInfo', identity: botApplication, endpointType: null, region: null, languageId: null })
  const botTargets = deepFreeze([{ '@odata.type': '#microsoft.graph.invitationParticipantInfo', identity: botApplication }])

  // Every field in one literal, in one order: all calls share one hidden class with in-object fields.
  function newCall (f: NewCall): Call {
    // A runaway test loop stops with a clear 400 before it eats the machine's memory.
    if (hooks.liveCalls() >= hooks.maxLiveCalls) throw graphErrors.badRequest(`The mock already has ${hooks.maxLiveCalls} calls up; the limit is ${hooks.maxLiveCalls} (MAX_LIVE_CALLS). End some, or POST /_mock/reset.`)
    const call: Call = {
      id: newId(),
      direction: f.direction,
      state: f.state,
      callbackUri: shared.string(f.callbackUri),
      tenantId: f.tenantId,
      callChainId: newId(),
      myParticipantId: newId(),
      apiVersion: f.apiVersion,
      source: f.source,
      targets: f.targets,
      requestedModalities: shared.json(f.requestedModalities),
      mediaConfig: f.mediaConfig && shared.json(f.mediaConfig),
      mediaActive: false,
      subject: f.subject ?? null,
      resultInfo: null,
      extra: f.extra && hasKeys(f.extra) ? f.extra : NO_EXTRA,
      createdAt: clock.now(),
      endedAt: null,
      endedBy: null,
      etag: 1,
      operations: [],
      toneSubscribed: false,
      toneSequence: 0,
      script: f.script ?? null,
      recordRequests: 0
    }
    ctx.calls.set(call.id, call)
    return call
  }

  function changed (call: Call, changeType: 'created' | 'updated' | 'deleted'): void {
    call.etag++
    emit({ type: 'call', changeType, call })
  }

  function establish (call: Call): void {
    if (call.state !== 'establishing') return
    call.state = 'established'
    call.mediaActive = true
    changed(call, 'updated')
  }

  /** Ends the call: media stops unannounced (see docs/decisions/media-engine.md), then the bot hears `deleted` with the reason. */
  function end (call: Call, endedBy: NonNullable<Call['endedBy']>, resultInfo: ResultInfo): void {
    if (!isActive(call)) return
    call.state = 'terminated'
    call.mediaActive = false
    call.endedAt = clock.now()
    call.endedBy = endedBy
    call.resultInfo = resultInfo
    hooks.onCallEnded(call)
    changed(call, 'deleted')
  }

  return {
    /** The call for a Graph request: unknown and ended calls are 404 8522 "Call not found." */
    activeCall (id: string): Call {
      const call = ctx.calls.get(id.toLowerCase())
      if (!call || !isActive(call)) throw graphErrors.callNotFound()
      return call
    },

    /** POST /communications/calls (see docs/graph-behaviour.md, The call resource): 201 establishing; the scripted callee answers later. */
    createOutgoing (input: OutgoingCallInput): Call {
      const call = newCall({
        direction: 'outgoing',
        state: 'establishing',
        callbackUri: input.callbackUri,
        tenantId: input.tenantId ?? ctx.defaults.tenantId,
        source: input.source ? shared.json(input.source) : botSource,
        targets: shared.json(input.targets),
        requestedModalities: input.requestedModalities,
        mediaConfig: input.mediaConfig,
        subject: input.subject ?? null,
        extra: input.extra,
        apiVersion: input.apiVersion
      })
      changed(call, 'updated')
      const answerAfter = ctx.scripts.answerAfter(null) ?? DEFAULT_ANSWER_AFTER_MS
      if (answerAfter === 'reject') clock.setTimer(0, () => end(call, 'caller', REJECT_RESULTS.callee))
      else if (answerAfter !== 'never') clock.setTimer(answerAfter, () => establish(call))
      return call
    },

    /** POST /_mock/calls: an incoming call rings the bot with a `created` notification. */
    createIncoming (input: IncomingCallInput): Call {
      const callbackUri = input.callbackUri ?? ctx.defaults.callbackUrl
      if (!callbackUri) throw graphErrors.badRequest('callbackUri is required: the mock has no CALLBACK_URL to post the incoming call to.')
      const call = newCall({
        direction: 'incoming',
        state: 'incoming',
        callbackUri,
        tenantId: input.tenantId ?? ctx.defaults.tenantId,
        source: input.source ? shared.json(input.source) : simulatedCaller(),
        targets: botTargets,
        requestedModalities: ['audio'],
        mediaConfig: null,
        apiVersion: 'v1.0',
        script: input.script ?? null
      })
      emit({ type: 'call', changeType: 'created', call })
      clock.setTimer(INCOMING_RING_MS, () => { if (call.state === 'incoming') end(call, 'timeout', NOT_ANSWERED) })
      return call
    },

    /** POST .../answer (see docs/graph-behaviour.md, The call resource): 202, then establishing and established. */
    answer (call: Call, input: { callbackUri: string, mediaConfig: Record<string, unknown>, acceptedModalities: string[], extra: Record<string, unknown> }): void {
      assertTransition(call, 'answer')
      call.callbackUri = shared.string(input.callbackUri)
      call.mediaConfig = shared.json(input.mediaConfig)
      call.requestedModalities = shared.json(input.acceptedModalities)
      if (hasKeys(input.extra)) call.extra = { ...call.extra, ...input.extra }
      call.state = 'establishing'
      changed(call, 'updated')
      establish(call)
    },

    /** POST .../reject (see docs/graph-behaviour.md, The call resource): 202, then `deleted`. */
    reject (call: Call, reason: string, callbackUri?: string): void {
      assertTransition(call, 'reject')
      if (callbackUri) call.callbackUri = shared.string(callbackUri)
      end(call, 'bot', REJECT_RESULTS[reason] ?? REJECT_RESULTS.none)
    },

    /** DELETE .../calls/{id} (see docs/graph-behaviour.md, The call resource): `updated` terminating, then `deleted` terminated. */
    hangUpByBot (call: Call): void {
      assertTransition(call, 'hangUp', 'hang up')
      call.state = 'terminating'
      changed(call, 'updated')
      end(call, 'bot', ENDED_BY_BOT)
    },

    /** The caller hangs up (script or control API). */
    hangUpByCaller (call: Call): void {
      assertTransition(call, 'hangUp', 'hang up')
      end(call, 'caller', ENDED_BY_CALLER)
    }
  }
}

export type CallLifecycle = ReturnType<typeof createCallLifecycle>
