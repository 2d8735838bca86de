import type { Clock } from '../clock/clock.js'
import { createCallerScripts } from './caller/caller-scripts.js'
import { createCallLifecycle } from './calls.js'
import type { EngineContext } from './context.js'
import type { EventSink, RecordingSink } from './events.js'
import { createMediaEngine } from './media/media-engine.js'
import type { Call } from './model.js'

export interface EngineOptions {
  clock: Clock
  emit: EventSink
  recordings: RecordingSink
  fixtureMs: (name: string) => number | undefined
  scenariosDir: string
  defaults: EngineContext['defaults']
}

/**
 * The calling engine: calls, their media operations and the scripted caller. Plain TypeScript with no
 * HTTP in it: routes call these methods, and everything the bot must hear goes out through `emit`.
 */
export function createEngine (options: EngineOptions) {
  const ctx: EngineContext = {
    clock: options.clock,
    emit: options.emit,
    recordings: options.recordings,
    fixtureMs: options.fixtureMs,
    calls: new Map(),
    defaults: options.defaults,
    scripts: createCallerScripts({ scenariosDir: options.scenariosDir, fixtureExists: (name) => options.fixtureMs(name) !== undefined })
  }
  // The two halves need each other: a scripted hang-up ends the call; a call's end stops its media.
  const media = createMediaEngine(ctx, { hangUpByCaller: (call) => { calls.hangUpByCaller(call) } })
  const calls = createCallLifecycle(ctx, {
    onCallEnded: (call) => {
      media.callEnded(call)
      ctx.recordings.callEnded(call.id)
    }
  })

  return {
    calls,
    media,
    scripts: ctx.scripts,
    /** Every call the mock knows, ended ones included, oldest first (control API). */
    listCalls (): Call[] { return [...ctx.calls.values()] },
    /** Any call by id, ended ones included, or undefined (control API). */
    findCall (id: string): Call | undefined { return ctx.calls.get(id.toLowerCase()) },
    reset (): void {
      ctx.calls.clear()
      media.reset()
      ctx.scripts.reset()
    }
  }
}

export type Engine = ReturnType<typeof createEngine>
