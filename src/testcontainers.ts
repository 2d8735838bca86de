/**
 * `graph-calling-mock/testcontainers`: starts the mock's Docker image with Testcontainers, waits for
 * /_mock/health and hands back its URL and a control client. `testcontainers` is an optional peer
 * dependency, loaded only when this is called, so the package builds and runs without it; the few parts of
 * its API used here are typed locally below.
 */
import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { createControlClient, type ControlClient } from './client/control-client.js'
import { SETTINGS, type Settings } from './config/settings.js'

/** The port the image listens on (its ENV PORT and EXPOSE). */
export const CONTAINER_PORT = 4000
const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version
/** The image the release workflow pushes for this version of the package. */
export const DEFAULT_IMAGE = `ghcr.io/graph-calling-mock/graph-calling-mock:${VERSION}`
const DEFAULT_STARTUP_TIMEOUT_MS = 60_000

/**
 * What this module uses of testcontainers' GenericContainer (testcontainers 10 to 12: each one's module
 * is assignable to TestcontainersModule). withWaitStrategy is a method so that its parameter, here only
 * what Wait.forHttp returns, stays compatible with testcontainers' own WaitStrategy.
 */
export interface GenericContainerLike {
  withExposedPorts: (...ports: Array<number | { container: number, host: number }>) => GenericContainerLike
  withEnvironment: (env: Record<string, string>) => GenericContainerLike
  withWaitStrategy(strategy: unknown): GenericContainerLike
  withStartupTimeout: (ms: number) => GenericContainerLike
  start: () => Promise<StartedContainerLike>
}
export interface StartedContainerLike {
  getHost: () => string
  getMappedPort: (port: number) => number
  stop: () => Promise<unknown>
}
export interface TestcontainersModule {
  GenericContainer: new (image: string) => GenericContainerLike
  Wait: { forHttp: (path: string, port: number) => { forStatusCode: (status: number) => unknown } }
}

export interface MockContainerOptions {
  /** Default: the image of this package's version on GHCR (DEFAULT_IMAGE). */
  image?: string
  /**
   * The mock's settings, in camelCase as for startMock; `port` and `host` belong to the image. Without
   * `publicBaseUrl`, the container's port is published on the same free host port that the mock is told
   * its public URL has, so Location headers and recording links work from the test process.
   */
  settings?: Omit<Partial<Settings>, 'port' | 'host'>
  /** How long the image may take to answer /_mock/health. Default 60 s (a first pull takes longer: pull beforehand). */
  startupTimeoutMs?: number
  /** The testcontainers module to use; default: `import('testcontainers')`. */
  testcontainers?: TestcontainersModule
}

export interface StartedMockContainer {
  /** Base URL of the mock as seen from this process, e.g. http://localhost:49160. */
  url: string
  /** Typed client of the control API at `url`. */
  control: ControlClient
  /** Stops and removes the container. Safe to call twice. */
  stop: () => Promise<void>
}

/** The environment variables for `settings`: each setting's own variable (docs in README, "Settings"). */
export function settingsEnv (settings: MockContainerOptions['settings'] = {}): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [name, value] of Object.entries(settings)) {
    const info = SETTINGS.find((s) => s.name === name)
    if (info === undefined || info.name === 'port' || info.name === 'host') throw new TypeError(`${name} is not a setting the container takes (see SETTINGS)`)
    if (value !== undefined) env[info.env] = String(value)
  }
  return env
}

async function freeHostPort (): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(0, '127.0.0.1', resolve) })
  const { port } = server.address() as { port: number }
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

async function loadTestcontainers (): Promise<TestcontainersModule> {
  // A specifier in a variable: tsc does not look for the optional package, and bundlers leave it alone.
  const name = 'testcontainers'
  try {
    return await import(name) as TestcontainersModule
  } catch (err) {
    throw new Error('graph-calling-mock/testcontainers needs the testcontainers package: npm install --save-dev testcontainers', { cause: err })
  }
}

/**
 * Starts the mock's image: `const mock = await startMockContainer({ settings: { clock: 'manual' } })`,
 * then point the bot at `mock.url` and `await mock.stop()` after the tests.
 */
export async function startMockContainer (options: MockContainerOptions = {}): Promise<StartedMockContainer> {
  const tc = options.testcontainers ?? await loadTestcontainers()
  const env = settingsEnv(options.settings)
  let port: number | { container: number, host: number } = CONTAINER_PORT
  if (env.PUBLIC_BASE_URL === undefined) {
    const host = await freeHostPort()
    port = { container: CONTAINER_PORT, host }
    env.PUBLIC_BASE_URL = `http://localhost:${host}`
  }
  const started = await new tc.GenericContainer(options.image ?? DEFAULT_IMAGE)
    .withExposedPorts(port)
    .withEnvironment(env)
    .withWaitStrategy(tc.Wait.forHttp('/_mock/health', CONTAINER_PORT).forStatusCode(200))
    .withStartupTimeout(options.startupTimeoutMs ?? DEFAULT_STARTUP_TIMEOUT_MS)
    .start()
  const url = `http://${started.getHost()}:${started.getMappedPort(CONTAINER_PORT)}`
  let stopping: Promise<void> | undefined
  return {
    url,
    control: createControlClient(url),
    stop: async () => { stopping ??= started.stop().then(() => undefined); await stopping }
  }
}
