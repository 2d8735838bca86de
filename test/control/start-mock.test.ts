import assert from 'node:assert/strict'
import { test } from 'node:test'
import * as pkg from '../../src/index.js'
import { SettingsError, startMock } from '../../src/index.js'

test('startMock listens on a free loopback port with test-friendly defaults', async (t) => {
  const a = await startMock()
  t.after(async () => { await a.close() })
  const b = await startMock({ clock: 'manual', logLevel: 'warn' })
  t.after(async () => { await b.close() })

  assert.match(a.url, /^http:\/\/127\.0\.0\.1:\d+$/)
  assert.notEqual(a.port, 0)
  assert.notEqual(a.port, b.port)
  assert.equal(a.url, `http://127.0.0.1:${a.port}`)
  assert.equal(a.settings.port, 0)
  assert.equal(a.settings.logLevel, 'silent')
  assert.equal(a.settings.clock, 'real', 'the contract defaults otherwise')
  assert.equal(a.settings.auth, 'bearer')
  assert.equal(b.settings.logLevel, 'warn')
  assert.equal(a.control.url, a.url)
  assert.deepEqual(await a.control.health(), { status: 'ok' })
  assert.equal((await b.control.getClock()).mode, 'manual')
  assert.equal(a.services.baseUrl(), a.url, 'Location and recording URLs point at the bound port')
  assert.equal((await a.app.inject({ method: 'GET', url: '/_mock/health' })).statusCode, 200)
})

test('startMock rejects a bad setting with a message naming the option', async () => {
  await assert.rejects(startMock({ clock: 'fast' as 'real' }), (err: Error) => err instanceof SettingsError && /option clock: "fast" is not one of real, manual/.test(err.message))
  await assert.rejects(startMock({ timeScale: 0 }), /option timeScale: 0 is not a number more than 0/)
  await assert.rejects(startMock({ colour: 'red' } as object), /Unknown setting colour/)
  // @ts-expect-error the options are typed from the settings schema
  await assert.rejects(startMock({ logLevel: 'loud' }), /option logLevel/)
})

test('close() stops the server and may be called twice', async () => {
  const mock = await startMock()
  await mock.close()
  await mock.close()
  await assert.rejects(mock.control.health(), /fetch failed/)
})

test('the package root exports the in-process API, the client and the settings table', () => {
  for (const name of ['startMock', 'createControlClient', 'ControlClientError', 'SETTINGS', 'SettingsSchema', 'resolveSettings', 'settingsFromEnv', 'SettingsError', 'buildMock', 'listenMock']) {
    assert.equal(typeof (pkg as Record<string, unknown>)[name] !== 'undefined', true, `${name} is exported`)
  }
  assert.equal(typeof pkg.startMock, 'function')
})
