import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { startMock } from '../../src/index.js'
import { CONTAINER_PORT, DEFAULT_IMAGE, settingsEnv, startMockContainer, type GenericContainerLike, type TestcontainersModule } from '../../src/testcontainers.js'

/**
 * Docker cannot run here: a stand-in for testcontainers records what the module asks of it, and its
 * "container" is an in-process mock on the host port the module chose, as Docker would publish it.
 */
function fakeTestcontainers () {
  const seen = { image: '', ports: [] as unknown[], env: {} as Record<string, string>, wait: [] as unknown[], timeout: 0, stopped: 0 }
  class GenericContainer implements GenericContainerLike {
    constructor (image: string) { seen.image = image }
    withExposedPorts (...ports: unknown[]) { seen.ports = ports; return this }
    withEnvironment (env: Record<string, string>) { seen.env = env; return this }
    withWaitStrategy (strategy: unknown) { seen.wait.push(strategy); return this }
    withStartupTimeout (ms: number) { seen.timeout = ms; return this }
    async start () {
      // A bare container port is published on a port Docker picks: here, any free one.
      const binding = seen.ports[0] as number | { container: number, host: number }
      const mock = await startMock({ port: typeof binding === 'number' ? 0 : binding.host, publicBaseUrl: seen.env.PUBLIC_BASE_URL, clock: seen.env.CLOCK as 'manual' })
      return {
        getHost: () => 'localhost',
        getMappedPort: (port: number) => { assert.equal(port, CONTAINER_PORT); return mock.port },
        stop: async () => { seen.stopped++; await mock.close() }
      }
    }
  }
  const Wait = { forHttp: (path: string, port: number) => ({ forStatusCode: (status: number) => ({ path, port, status }) }) }
  return { module: { GenericContainer, Wait } satisfies TestcontainersModule, seen }
}

test('startMockContainer starts the image, waits on /_mock/health, and returns a working url, control client and stop', async (t) => {
  const { module, seen } = fakeTestcontainers()
  const mock = await startMockContainer({ testcontainers: module, settings: { clock: 'manual', timeScale: 0.5 } })
  t.after(mock.stop)
  assert.equal(seen.image, DEFAULT_IMAGE)
  const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version
  assert.equal(DEFAULT_IMAGE, `ghcr.io/graph-calling-mock/graph-calling-mock:${version}`, 'the image the release workflow tags for this version')
  assert.deepEqual(seen.wait, [{ path: '/_mock/health', port: CONTAINER_PORT, status: 200 }])
  assert.equal(seen.timeout, 60_000)
  const [binding] = seen.ports as Array<{ container: number, host: number }>
  assert.equal(binding.container, CONTAINER_PORT)
  assert.deepEqual(seen.env, { CLOCK: 'manual', TIME_SCALE: '0.5', PUBLIC_BASE_URL: `http://localhost:${binding.host}` })

  assert.equal(mock.url, `http://localhost:${binding.host}`)
  assert.deepEqual(await mock.control.health(), { status: 'ok' })
  assert.equal((await mock.control.getClock()).mode, 'manual')
  // Links the mock hands out point where the test process reaches it.
  const created = await fetch(`${mock.url}/v1.0/communications/calls`, {
    method: 'POST',
    headers: { authorization: 'Bearer t', 'content-type': 'application/json' },
    body: JSON.stringify({ callbackUri: `${mock.url}/_mock/callback-sink`, targets: [{ identity: { user: { id: 'u' } } }], requestedModalities: ['audio'], mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' } })
  })
  assert.equal(created.status, 201, await created.clone().text())
  assert.ok(created.headers.get('location')?.startsWith(`${mock.url}/`), String(created.headers.get('location')))

  await mock.stop()
  await mock.stop()
  assert.equal(seen.stopped, 1, 'stop is safe to call twice')
})

test('an explicit publicBaseUrl (a bot in another container) leaves the port to Docker', async (t) => {
  const { module, seen } = fakeTestcontainers()
  const mock = await startMockContainer({ testcontainers: module, image: 'graph-calling-mock:dev', settings: { publicBaseUrl: 'http://mock:4000' } })
  t.after(mock.stop)
  assert.equal(seen.image, 'graph-calling-mock:dev')
  assert.deepEqual(seen.ports, [CONTAINER_PORT])
  assert.deepEqual(seen.env, { PUBLIC_BASE_URL: 'http://mock:4000' })
  assert.deepEqual(await mock.control.health(), { status: 'ok' })
})

test('settings become the image\'s variables; port, host and unknown names are refused', () => {
  assert.deepEqual(settingsEnv({ auth: 'strict', maxEndedCalls: 10, callbackUrl: undefined }), { AUTH: 'strict', MAX_ENDED_CALLS: '10' })
  assert.throws(() => settingsEnv({ port: 1 } as never), /port is not a setting the container takes/)
  assert.throws(() => settingsEnv({ colour: 'red' } as never), /colour is not a setting/)
})

test('without the testcontainers package installed, the error says what to install', { skip: canResolve('testcontainers') && 'testcontainers is installed here' }, async () => {
  await assert.rejects(startMockContainer(), /npm install --save-dev testcontainers/)
})

function canResolve (name: string): boolean {
  try { import.meta.resolve(name); return true } catch { return false }
}
