import type { FastifyInstance } from 'fastify'
import { createControlClient, type ControlClient } from './client/control-client.js'
import { resolveSettings, SettingsError } from './config/load-settings.js'
import type { Settings } from './config/settings.js'
import type { Mock } from './mock.js'
import { listenMock, type RunningMock } from './server.js'
import { fetchTrusting } from './tls/trusting-fetch.js'

export { createControlClient, type ControlClient, type ControlClientOptions } from './client/control-client.js'
export { ControlClientError } from './client/errors.js'
export type * from './client/types.js'
export { SETTINGS, SettingsSchema, type Settings, type SettingName, type SettingInfo } from './config/settings.js'
export { resolveSettings, settingsFromEnv, SettingsError } from './config/load-settings.js'
export { buildMock, listenMock, type BuiltMock, type RunningMock } from './server.js'
export type { Mock, ShutdownSummary } from './mock.js'
export type { GraphErrorBody } from './schemas/graph-error.js'

/**
 * Options of startMock: the settings of README's table, in camelCase. Two defaults differ from the
 * CLI's, because a test process is not a server: `port` is 0 (a free port) and `logLevel` is 'silent'.
 * Environment variables are not read, so a test runs the same on every machine.
 */
export type StartMockOptions = Partial<Settings>

export interface StartedMock {
  /** Base URL of the running mock, e.g. http://127.0.0.1:53412 (Graph is under /v1.0 and /beta too). */
  url: string
  /**
   * With `https: true`: the PEM of the CA that signed the mock's certificate (`ca:` of node:https or
   * undici), and the file it was written to (`caFile`, for NODE_EXTRA_CA_CERTS of a bot started later).
   */
  ca?: { pem: string, file: string }
  port: number
  /** Typed client of the control API at `url` (trusting the mock's CA under HTTPS). */
  control: ControlClient
  /** The settings in force, defaults filled in. */
  settings: Settings
  /** Stops the server and its timers; pending notifications are dropped. Safe to call twice. */
  close: () => Promise<void>
  /** The Fastify instance, for inject() or hooks. */
  app: FastifyInstance
  /**
   * The mock behind the HTTP surface: the control API's actions in-process (`advanceClock`, `pressTones`,
   * `hangUp`, …) and its parts (engine, clock, journals, stores) for white-box tests.
   */
  services: Mock
}

/**
 * Starts the mock in this process and listens on a real socket:
 * `const mock = await startMock({ clock: 'manual' })`, then point the bot at `mock.url` and drive the
 * caller with `mock.control`. Throws SettingsError naming the bad option (`timeScale`, not TIME_SCALE).
 */
export async function startMock (options: StartMockOptions = {}): Promise<StartedMock> {
  let running: RunningMock
  let settings: Settings
  try {
    settings = resolveSettings({ port: 0, logLevel: 'silent', ...options }, 'option')
    running = await listenMock(settings)
  } catch (err) {
    throw err instanceof SettingsError ? err.namedAs('option') : err
  }
  const { app, services, url, port, ca } = running
  let closing: Promise<void> | undefined
  return {
    url,
    port,
    ...(ca ? { ca } : {}),
    control: createControlClient(url, ca ? { fetch: fetchTrusting(ca.pem) } : {}),
    settings,
    close: async () => { closing ??= app.close().then(() => undefined); await closing },
    app,
    services
  }
}
