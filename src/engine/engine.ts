import type { Clock } from '../clock/clock.js'
import type { FixtureFolders } from '../config/fixtures-dir.js'
import { createCallerScripts } from './caller/caller-scripts.js'
import { createCallLifecycle } from './calls.js'
import type { EngineContext } from './context.js'
import type { EventSink, NoteSink, RecordingSink } from './events.js'
import { createMediaEngine } from './media/media-engine.js'
import type { Call } from './model.js'
import type { CallerScript } from './caller/script-schema.js'

const SCRIPT_LET_GO: CallerScript = Object.freeze({})

export interface EngineOptions {
  clock: Clock
  emit: EventSink
  /** What happens without a notification (the mock's log); nothing by default. */
  note?: NoteSink
  recordings: RecordingSink
  fixtureMs: (name: string) => number | undefined
  /** Prompt length: the ms of audio a playPrompt/recordResponse prompt's mediaInfo.uri names, if known. */
  promptMs: (uri: string) => number | undefined
  /** Where scenarios are found, and how messages name the fixture folders. */
  fixtureFolders: FixtureFolders
  defaults: EngineContext['defaults']
  /** Ended calls kept; beyond it the oldest ended call is forgotten (MAX_ENDED_CALLS). */
  maxEndedCalls: number
  /** Calls up at once; another is refused (MAX_LIVE_CALLS). */
  maxLiveCalls: number
  /** A call was forgotten: what else is kept about it (notifications, recordings) can go too. */
  onCallForgotten: (callId: string) => void
}

/**
 * The calling engine: calls, their media operations and the scripted caller. Plain TypeScript with no
 * HTTP in it: routes call these methods, and everything the bot must hear goes out through `emit`.
 */
export function createEngine (options: EngineOptions) {
  const ctx: EngineContext = {
    clock: options.clock,
    emit: options.emit,
    note: options.note ?? (() => undefined),
    recordings: options.recordings,
    fixtureMs: options.fixtureMs,
    promptMs: options.promptMs,
    calls: new Map(),
    defaults: options.defaults,
    scripts: createCallerScripts({ folders: options.fixtureFolders, fixtureExists: (name) => options.fixtureMs(name) !== undefined })
  }
  // Ids of ended calls, oldest first: a mock that runs for days without a reset stays the same size.
  let ended: string[] = []
  const forgetOldEndedCalls = (): void => {
    while (ended.length > options.maxEndedCalls) {
      const id = ended.shift()!
      ctx.calls.delete(id)
      options.onCallForgotten(id)
    }
  }
  // The two halves need each other: a scripted hang-up ends the call; a call's end stops its media.
  const media = createMediaEngine(ctx, { hangUpByCaller: (call) => { lifecycle.hangUpByCaller(call) } })
  const lifecycle = createCallLifecycle(ctx, {
    onCallEnded: (call) => {
      // An ended call records nothing more: its own script (up to 10,000 actions) is let go, not kept
      // for MAX_ENDED_CALLS calls; an empty one says it had one (hasOwnScript in the control API).
      if (call.script) call.script = SCRIPT_LET_GO
      media.callEnded(call)
      ctx.recordings.callEnded(call.id)
      ended.push(call.id)
      forgetOldEndedCalls()
    },
    liveCalls: () => ctx.calls.size - ended.length,
    maxLiveCalls: options.maxLiveCalls
  })

  return {
    lifecycle,
    media,
    scripts: ctx.scripts,
    /** Every call the mock knows, the newest ended ones included, oldest first (control API). */
    listCalls (): Call[] { return [...ctx.calls.values()] },
    /** Any call by id, ended ones not yet forgotten included, or undefined (control API). */
    findCall (id: string): Call | undefined { return ctx.calls.get(id.toLowerCase()) },
    /** What this call's caller does from now on (control API). */
    setCallScript (call: Call, script: CallerScript): void { call.script = script },
    reset (): void {
      ctx.calls.clear()
      ended = []
      media.reset()
      ctx.scripts.reset()
    }
  }
}

export type Engine = ReturnType<typeof createEngine>
