import type { FastifyBaseLogger as Logger } from 'fastify'
import { createAccessTokens } from './auth/access-tokens.js'
import { createNotificationTokens } from './auth/notification-tokens.js'
import { loadSigningKey, type SigningKey } from './auth/signing-key.js'
import { createClock } from './clock/clock.js'
import { publicBaseUrlOf } from './config/load-settings.js'
import { fixtureFolders } from './config/fixtures-dir.js'
import type { Settings } from './config/settings.js'
import { assertTransition, isActive } from './engine/call-states.js'
import type { CallerScript } from './engine/caller/script-schema.js'
import { createEngine } from './engine/engine.js'
import type { Call } from './engine/model.js'
import { graphErrorForStatus, graphErrors } from './errors/graph-error.js'
import { createFaultStore } from './inspection/faults.js'
import { createRequestJournal } from './inspection/request-journal.js'
import { createDeliveryJournal } from './notifications/delivery-journal.js'
import { createDispatcher } from './notifications/dispatcher.js'
import { createActivityLog } from './logging/activity-log.js'
import { createNotifier } from './notifications/notifier.js'
import { createSelfCallbackCheck } from './notifications/self-callback.js'
import { FixtureAudio, fixtureNameFromUri } from './recordings/audio/fixture-audio.js'
import { createRecordingStore } from './recordings/recording-store.js'
import { callView, clockView, type CallView, type ClockView } from './control/views.js'
import type { SimulateCallBody } from './schemas/control.js'

/** Not settings: knobs for tests that must not wait the real 5 s of a delivery timeout. */
export interface MockTuning {
  /** Real ms before a delivery attempt counts as timed out; tests shorten it (not a setting). */
  deliveryTimeoutMs?: number
  /** A CA certificate (PEM) notifications trust besides the system's: the mock's own under HTTPS. */
  trustedCa?: string
}

/** What a shutdown let go: logged once by the app as it closes. */
export interface ShutdownSummary {
  droppedNotifications: number
  activeCalls: number
  runningOperations: number
}

/**
 * Everything the mock is, apart from HTTP: its parts, built once from the settings, and what the control
 * API, the app and startMock ask of them, in the mock's own words (advance the clock, press keys, hang
 * up). Routes validate and call one of these; tests and the CLI run the very same wiring.
 */
export function createMock (settings: Settings, log: Logger, tuning: MockTuning = {}) {
  // Every Location header and resource URL starts with it: worked out when the port is known, not per use.
  let base = publicBaseUrlOf(settings, settings.port)
  const baseUrl = (): string => base
  let boundPort = settings.port
  // Callback URLs that would make the mock post notifications to its own API (routes refuse them, the dispatcher never posts to them).
  const selfCallbacks = createSelfCallbackCheck({ host: settings.host, port: () => boundPort, publicBaseUrl: settings.publicBaseUrl })
  const clock = createClock({ mode: settings.clock, timeScale: settings.timeScale, onError: (err) => log.error({ err }, 'a scheduled event failed') })

  // Key generation runs off the main thread while the server starts; the first use awaits it.
  const keyPromise = loadSigningKey(settings.signingKeyFile)
  keyPromise.catch(() => undefined)
  const key = async (): Promise<SigningKey> => await keyPromise

  const folders = fixtureFolders(settings.fixturesDir)
  const fixtures = new FixtureAudio(folders.audio)
  const deliveries = createDeliveryJournal()
  const notificationTokens = createNotificationTokens({ key, botAppId: settings.botAppId })
  const dispatcher = createDispatcher({ clock, tokens: notificationTokens, journal: deliveries, log: log.child({ component: 'notifications' }), selfCallbacks, timeoutMs: tuning.deliveryTimeoutMs, extraCa: tuning.trustedCa })
  let forgettingCalls = false
  const recordings = createRecordingStore({ clock, baseUrl, retentionMs: settings.recordingRetentionSeconds * 1000, fixtures })
  const notify = createNotifier(dispatcher)
  const activity = createActivityLog(log.child({ component: 'engine' }))
  const engine = createEngine({
    clock,
    // The bot hears of every change; the log says it in the mock's words.
    emit: (event) => { notify(event); activity.events(event) },
    note: activity.notes,
    recordings: recordings.sink,
    fixtureMs: (name) => fixtures.durationMs(name),
    promptMs: (uri) => {
      const name = fixtureNameFromUri(uri)
      return name === undefined ? undefined : fixtures.durationMs(name)
    },
    fixtureFolders: folders,
    defaults: { tenantId: settings.tenantId, botAppId: settings.botAppId, callbackUrl: settings.callbackUrl },
    maxEndedCalls: settings.maxEndedCalls,
    maxLiveCalls: settings.maxLiveCalls,
    onCallForgotten: (callId) => {
      // Said once, so whoever finds an old call gone (404 8522 from GET /_mock/calls/{id}) learns why.
      if (!forgettingCalls) log.info({ maxEndedCalls: settings.maxEndedCalls, callId }, 'more calls have ended than MAX_ENDED_CALLS: from now on the oldest ended call is forgotten as another ends')
      forgettingCalls = true
      dispatcher.forgetCall(callId)
      deliveries.forgetCall(callId)
      recordings.forgetCall(callId)
    }
  })
  const faults = createFaultStore()
  const graphRequests = createRequestJournal((virtualMs) => clock.isoAt(virtualMs))
  const { lifecycle, media, scripts } = engine

  /** Any call the mock knows, ended ones not yet forgotten included; 404 8522 otherwise. */
  const knownCall = (id: string): Call => {
    const call = engine.findCall(id)
    if (!call) throw graphErrors.callNotFound()
    return call
  }
  const viewOf = (call: Call): CallView => callView(call, clock, recordings)

  return {
    settings,
    clock,
    key,
    accessTokens: createAccessTokens({ key, clock }),
    notificationTokens,
    fixtures,
    /** Every delivery attempt of a notification (GET /_mock/notifications). */
    deliveries,
    dispatcher,
    recordings,
    engine,
    /** Injected faults and the journal of Graph requests (control API). */
    faults,
    graphRequests,
    baseUrl,
    selfCallbacks,
    /** The port the server actually listens on (port 0 picks one). */
    setBoundPort (port: number): void {
      boundPort = port
      base = publicBaseUrlOf(settings, port)
    },

    clockView: (): ClockView => clockView(clock),
    /**
     * Manual clock: moves virtual time by `ms`. Deliveries already under way finish at the current time;
     * then each due event runs and its notifications get their delivery attempts before the next event,
     * except a bot's that let one time out during this advance (docs/decisions/limits-scripts-and-clock.md).
     * A reset that overtakes it is a 409: the clock restarted at 0 and this advance did not move it.
     */
    async advanceClock (ms: number): Promise<ClockView> {
      if (clock.mode !== 'manual') throw graphErrors.badRequest('The clock is real; start the mock with CLOCK=manual to advance it.')
      const wait = dispatcher.advanceStarted()
      try {
        const completed = await clock.advance(ms, async () => { await dispatcher.idle(wait) })
        if (!completed) throw graphErrorForStatus(409, `The mock was reset before this advance of ${ms} ms finished; the clock restarted at 0 and was not moved by it.`)
      } finally {
        dispatcher.advanceEnded(wait)
      }
      return clockView(clock)
    },

    /** A caller rings the bot: the `created` notification goes to `callbackUri`, or CALLBACK_URL. */
    simulateIncomingCall (input: SimulateCallBody = {}): Call {
      if (input.callbackUri !== undefined) selfCallbacks.refuse(input.callbackUri)
      else selfCallbacks.refuse(settings.callbackUrl, 'the default callback CALLBACK_URL')
      const script = input.script === undefined ? null : scripts.resolve(input.script)
      return lifecycle.createIncoming({ callbackUri: input.callbackUri, source: input.source, tenantId: input.tenantId, script })
    },
    /** Every call the mock knows, oldest first, the newest ended ones included. */
    listCalls: (): Call[] => engine.listCalls(),
    /** How the control API shows a call. */
    viewOf,
    getCall: (callId: string): CallView => viewOf(knownCall(callId)),

    /** What this call's caller does from now on: a script, or a scenario by name or as {"scenario": name}. */
    setCallScript (callId: string, input: unknown): { id: string, script: CallerScript } {
      const call = knownCall(callId)
      const script = scripts.resolve(input)
      engine.setCallScript(call, script)
      return { id: call.id, script }
    },
    /** The script of calls without their own. */
    setDefaultScript (input: unknown): { script: CallerScript } {
      const script = scripts.resolve(input)
      scripts.setDefault(script)
      return { script }
    },
    /** Back to the built-in default caller. */
    clearDefaultScript: (): void => { scripts.setDefault(null) },
    defaultScript: (): { script: CallerScript | null, scenarios: string[] } => ({ script: scripts.getDefault(), scenarios: scripts.scenarioNames() }),

    /** The caller presses keys now: tone notifications, and a stop tone ends a recording. */
    pressTones (callId: string, tones: string): CallView {
      const call = lifecycle.activeCall(callId)
      assertTransition(call, 'pressTones')
      media.pressTones(call, tones)
      return viewOf(call)
    },
    /** The caller hangs up now. */
    hangUp (callId: string): CallView {
      const call = lifecycle.activeCall(callId)
      lifecycle.hangUpByCaller(call)
      return viewOf(call)
    },

    /** POST /_mock/reset: forget everything; the clock returns to its start. */
    reset (): void {
      dispatcher.reset()
      clock.reset()
      engine.reset()
      recordings.reset()
      fixtures.clear()
      deliveries.clear()
      faults.clear()
      graphRequests.clear()
    },
    /** Shutdown: stops timers and deliveries, and says what was let go. */
    close (): ShutdownSummary {
      const active = engine.listCalls().filter(isActive)
      const runningOperations = active.reduce((n, c) => n + c.operations.filter((o) => o.status === 'running' || o.status === 'notStarted').length, 0)
      clock.stop()
      return { droppedNotifications: dispatcher.close(), activeCalls: active.length, runningOperations }
    }
  }
}

export type Mock = ReturnType<typeof createMock>
