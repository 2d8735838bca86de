/**
 * `graph-calling-mock/global-setup`: a Vitest or Jest globalSetup that starts one in-process mock for the
 * whole run and puts its URL in process.env.GRAPH_CALLING_MOCK_URL, which the test workers (started after
 * globalSetup) inherit. Vitest calls the function this returns as the teardown; Jest runs
 * `graph-calling-mock/global-teardown` instead. Both share the mock through globalThis, as Jest's global
 * setup and teardown run in the same process.
 */
import { startMock, type StartMockOptions, type StartedMock } from './index.js'

/** The variable the mock's base URL is written to (Graph is `${url}/v1.0`). */
export const URL_ENV = 'GRAPH_CALLING_MOCK_URL'
const RUNNING = Symbol.for('graph-calling-mock.global-setup')

interface Holder { [RUNNING]?: StartedMock }

/** Stops the mock the global setup started and removes the variable; does nothing when none runs. */
export async function teardown (): Promise<void> {
  const holder = globalThis as Holder
  const mock = holder[RUNNING]
  if (mock === undefined) return
  delete holder[RUNNING]
  delete process.env[URL_ENV]
  await mock.close()
}

/**
 * A globalSetup with settings of your own, for a setup file of two lines:
 * `export default createGlobalSetup({ clock: 'real', timeScale: 0.1 })`.
 */
export function createGlobalSetup (options: StartMockOptions = {}): () => Promise<() => Promise<void>> {
  return async () => {
    const holder = globalThis as Holder
    if (holder[RUNNING] !== undefined) throw new Error('graph-calling-mock: the global setup already started a mock; its teardown has not run')
    const mock = await startMock(options)
    holder[RUNNING] = mock
    process.env[URL_ENV] = mock.url
    return teardown
  }
}

/** The default globalSetup: startMock's defaults (a free port, the real clock, logs off). */
export default createGlobalSetup()
