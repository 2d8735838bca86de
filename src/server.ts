import type { AddressInfo } from 'node:net'
import Fastify, { type FastifyInstance } from 'fastify'
import { fastifyOptions } from './app-options.js'
import { registerApp } from './app.js'
import { SettingsError } from './config/load-settings.js'
import { SETTINGS, type Settings } from './config/settings.js'
import { createMockServices, type MockServices, type ServiceTuning } from './mock-services.js'

export interface BuiltMock { app: FastifyInstance, services: MockServices }

/** The mock as a Fastify instance that is ready but not listening (tests use inject on it). */
export async function buildMock (settings: Settings, tuning: ServiceTuning = {}): Promise<BuiltMock> {
  const app = Fastify(fastifyOptions(settings))
  const services = createMockServices(settings, app.log, tuning)
  // A configured key is read now, so a bad file stops start-up like any bad setting; a generated one
  // keeps being made in the background.
  if (settings.signingKeyFile) {
    await services.key().catch((err: Error) => {
      throw new SettingsError(SETTINGS.find((s) => s.name === 'signingKeyFile')!, settings.signingKeyFile, err.message.replace(/^SIGNING_KEY_FILE /, ''))
    })
  }
  await registerApp(app, services)
  await app.ready()
  return { app, services }
}

export interface RunningMock extends BuiltMock {
  /** Where this process can reach the mock (loopback when it listens on all interfaces). */
  url: string
  port: number
}

/** Builds the mock and listens on settings.host:settings.port (port 0 picks a free one). */
export async function listenMock (settings: Settings): Promise<RunningMock> {
  const built = await buildMock(settings)
  await built.app.listen({ port: settings.port, host: settings.host })
  const { port } = built.app.server.address() as AddressInfo
  built.services.setBoundPort(port)
  const host = settings.host === '0.0.0.0' || settings.host === '::' ? '127.0.0.1' : settings.host
  return { ...built, port, url: `http://${host.includes(':') ? `[${host}]` : host}:${port}` }
}
