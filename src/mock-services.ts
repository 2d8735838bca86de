import type { FastifyBaseLogger as Logger } from 'fastify'
import { createAccessTokens } from './auth/access-tokens.js'
import { createNotificationTokens } from './auth/notification-tokens.js'
import { loadSigningKey, type SigningKey } from './auth/signing-key.js'
import { createClock } from './clock/clock.js'
import { publicBaseUrlOf } from './config/load-settings.js'
import { fixtureFolders } from './config/fixtures-dir.js'
import type { Settings } from './config/settings.js'
import { createEngine } from './engine/engine.js'
import { createFaultStore } from './inspection/faults.js'
import { createRequestJournal } from './inspection/request-journal.js'
import { createDeliveryJournal } from './notifications/delivery-journal.js'
import { createDispatcher } from './notifications/dispatcher.js'
import { createActivityLog } from './logging/activity-log.js'
import { createNotifier } from './notifications/notifier.js'
import { createSelfCallbackCheck } from './notifications/self-callback.js'
import { FixtureAudio, fixtureNameFromUri } from './recordings/audio/fixture-audio.js'
import { createRecordingStore } from './recordings/recording-store.js'

/** Not settings: knobs for tests that must not wait the real 5 s of a delivery timeout. */
export interface ServiceTuning {
  /** Real ms before a delivery attempt counts as timed out; tests shorten it (not a setting). */
  deliveryTimeoutMs?: number
  /** A CA certificate (PEM) notifications trust besides the system's: the mock's own under HTTPS. */
  trustedCa?: string
}

/**
 * Everything the mock is, apart from HTTP: built once from the settings and handed to the Fastify app,
 * so tests and the CLI run the very same wiring.
 */
export function createMockServices (settings: Settings, log: Logger, tuning: ServiceTuning = {}) {
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
  const journal = createDeliveryJournal()
  const notificationTokens = createNotificationTokens({ key, botAppId: settings.botAppId })
  const dispatcher = createDispatcher({ clock, tokens: notificationTokens, journal, log: log.child({ component: 'notifications' }), selfCallbacks, timeoutMs: tuning.deliveryTimeoutMs, extraCa: tuning.trustedCa })
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
    onCallForgotten: (callId) => {
      // Said once, so whoever finds an old call gone (404 8522 from GET /_mock/calls/{id}) learns why.
      if (!forgettingCalls) log.info({ maxEndedCalls: settings.maxEndedCalls, callId }, 'more calls have ended than MAX_ENDED_CALLS: from now on the oldest ended call is forgotten as another ends')
      forgettingCalls = true
      dispatcher.forgetCall(callId)
      journal.forgetCall(callId)
      recordings.forgetCall(callId)
    }
  })
  const faults = createFaultStore()
  const requests = createRequestJournal((virtualMs) => clock.isoAt(virtualMs))

  return {
    settings,
    clock,
    key,
    accessTokens: createAccessTokens({ key, clock }),
    notificationTokens,
    fixtures,
    journal,
    dispatcher,
    recordings,
    engine,
    /** Injected faults and the journal of Graph requests (control API). */
    faults,
    requests,
    baseUrl,
    selfCallbacks,
    /** The port the server actually listens on (port 0 picks one). */
    setBoundPort (port: number): void {
      boundPort = port
      base = publicBaseUrlOf(settings, port)
    },
    /** POST /_mock/reset: forget everything; the clock returns to its start. */
    reset (): void {
      dispatcher.reset()
      clock.reset()
      engine.reset()
      recordings.reset()
      fixtures.clear()
      journal.clear()
      faults.clear()
      requests.clear()
    },
    /** Shutdown: stop timers and deliveries; returns how many notifications were dropped. */
    close (): number {
      clock.stop()
      return dispatcher.close()
    }
  }
}

export type MockServices = ReturnType<typeof createMockServices>
