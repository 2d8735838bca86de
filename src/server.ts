import { rm, rename, writeFile } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import Fastify, { type FastifyInstance } from 'fastify'
import { fastifyOptions } from './app-options.js'
import { registerApp } from './app.js'
import { localUrlOf, SettingsError, settingInfo } from './config/load-settings.js'
import type { Settings } from './config/settings.js'
import { createMock, type Mock, type MockTuning } from './mock.js'
import type { ServerTls } from './tls/server-tls.js'

export interface BuiltMock { app: FastifyInstance, services: Mock }

/**
 * The mock as a Fastify instance that is ready but not listening (tests use inject on it). With `tls`
 * the server it would listen with speaks HTTPS, and notifications trust its CA too.
 */
export async function buildMock (settings: Settings, tls?: Pick<ServerTls, 'cert' | 'key' | 'caCert'>, tuning: MockTuning = {}): Promise<BuiltMock> {
  const options = fastifyOptions(settings)
  // Fastify's typings pick the server's type from the options; the app's plugins see a plain instance.
  const app = Fastify(tls ? { ...options, https: { cert: tls.cert, key: tls.key } } as typeof options : options)
  const services = createMock(settings, app.log, { ...tuning, trustedCa: tls?.caCert })
  // A configured key is read now, so a bad file stops start-up like any bad setting; a generated one
  // keeps being made in the background.
  if (settings.signingKeyFile) await services.key()
  await registerApp(app, services)
  // Hooks cannot be added once the app is ready: listenMock writes the file, closing removes it.
  const { readyFile } = settings
  if (readyFile) app.addHook('onClose', async () => { await rm(readyFile, { force: true }) })
  await app.ready()
  return { app, services }
}

export interface RunningMock extends BuiltMock {
  /** Where this process can reach the mock (loopback when it listens on all interfaces). */
  url: string
  port: number
  /** With HTTPS: the CA that signed the server's certificate, as PEM, and the file it was written to. */
  ca?: { pem: string, file: string }
}

/** Why listening failed, in terms of the setting to change; undefined when no setting explains it. */
function listenError (err: NodeJS.ErrnoException, settings: Settings): SettingsError | undefined {
  switch (err.code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new SettingsError(settingInfo('host'), settings.host, `is not a name or address this machine can resolve (${err.code})`)
    case 'EADDRNOTAVAIL':
      return new SettingsError(settingInfo('host'), settings.host, 'is not an address of this machine (EADDRNOTAVAIL)')
    case 'EADDRINUSE':
      return new SettingsError(settingInfo('port'), settings.port, `is already in use on ${settings.host} (EADDRINUSE)`)
    case 'EACCES':
      return new SettingsError(settingInfo('port'), settings.port, 'needs privileges this process lacks (EACCES)')
    default:
      return undefined
  }
}

/** Writes READY_FILE, renamed into place so that a reader never sees half of it. */
async function writeReadyFile (app: FastifyInstance, file: string, url: string): Promise<void> {
  const partial = `${file}.${process.pid}.partial`
  try {
    await writeFile(partial, url)
    await rename(partial, file)
  } catch (err) {
    await app.close()
    throw new SettingsError(settingInfo('readyFile'), file, `cannot be written (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`)
  }
}

/**
 * Builds the mock and listens on settings.host:settings.port (port 0 picks a free one). Throws
 * SettingsError when HOST or PORT cannot be used.
 */
export async function listenMock (settings: Settings): Promise<RunningMock> {
  // Loaded only for HTTPS: the certificate code is not part of every start.
  const tls = settings.https ? await (await import('./tls/server-tls.js')).prepareServerTls(settings) : undefined
  const built = await buildMock(settings, tls)
  try {
    await built.app.listen({ port: settings.port, host: settings.host })
  } catch (err) {
    await built.app.close()
    throw listenError(err as NodeJS.ErrnoException, settings) ?? err
  }
  const { port } = built.app.server.address() as AddressInfo
  built.services.setBoundPort(port)
  const url = localUrlOf(settings, port)
  // Listening is being healthy: /_mock/health needs nothing more.
  if (settings.readyFile) await writeReadyFile(built.app, settings.readyFile, url)
  return { ...built, port, url, ...(tls ? { ca: { pem: tls.caCert, file: tls.caFile } } : {}) }
}
