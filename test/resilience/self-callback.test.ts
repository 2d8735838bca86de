import assert from 'node:assert/strict'
import { lookup } from 'node:dns/promises'
import { hostname } from 'node:os'
import { test, type TestContext } from 'node:test'
import type { LightMyRequestResponse } from 'fastify'
import { resolveSettings } from '../../src/config/load-settings.js'
import type { Settings } from '../../src/config/settings.js'
import { listenMock, type BuiltMock, type RunningMock } from '../../src/server.js'
import { build, expectGraphError, journal, JSON_HEADERS, startBot } from '../helper.js'

const SELF = /points at the mock itself/
const SERVICE_HOSTED = { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' }

// build() serves port 4000 on 127.0.0.1 (without listening): every spelling an attacker might try of the mock's own API.
const REFUSED = [
  'http://127.0.0.1:4000/_mock/reset',
  'http://LOCALHOST:4000/_mock/reset',
  'http://localhost.:4000/_mock/reset',
  'http://localhost..:4000/_mock/reset',
  'http://bot.localhost:4000/_mock/reset',
  'http://127.1:4000/_mock/reset',
  'http://0x7f.1:4000/_mock/reset',
  'http://2130706433:4000/_mock/reset',
  'http://0177.0.0.1:4000/_mock/reset',
  'http://127.0.0.1.:4000/_mock/reset',
  'http://127.8.9.10:4000/v1.0/communications/calls/x/recordResponse',
  'http://[::1]:4000/_mock/reset',
  'http://[0:0:0:0:0:0:0:1]:4000/_mock/reset',
  'http://[::ffff:127.0.0.1]:4000/_mock/reset',
  'http://[::ffff:7f00:1]:4000/_mock/reset',
  'http://0.0.0.0:4000/_mock/reset',
  'http://0:4000/_mock/reset',
  'http://[::]:4000/_mock/reset',
  'http://a@127.0.0.1:4000/_mock/reset',
  'http://user:pass@localhost:4000/_mock/reset',
  'https://127.0.0.1:4000/_mock/reset',
  'http://127.0.0.1:4000/%2F_mock/reset',
  'http://127.0.0.1:4000/%5Fmock/reset',
  'http://127.0.0.1:4000/v1.0/../_mock/reset',
  'http://127.0.0.1:4000/v1.0/%2e%2e/_mock/reset',
  'http://127.0.0.1:4000/_mock/callback-sink/../reset',
  'http://127.0.0.1:4000/_mock/callback-sink%2F..%2Freset',
  'http://127.0.0.1:4000/_MOCK/RESET',
  'http://127.0.0.1:4000/_mock/clock/advance',
  'http://127.0.0.1:4000/beta/communications/calls/x/recordResponse',
  'http://127.0.0.1:4000/recordings/x',
  'http://127.0.0.1:4000/v1/.well-known/OpenIdConfiguration',
  'http://127.0.0.1:4000/tenant/oauth2/v2.0/token',
  'http://127.0.0.1:4000',
  'http://127.0.0.1:4000/%zz'
]

const ALLOWED = [
  'http://127.0.0.1:4000/_mock/callback-sink',
  'http://LOCALHOST.:4000/_mock/callback-sink/',
  'http://127.0.0.1:4000/_mock/Callback-Sink?call=1',
  'http://[::1]:4000/_mock/%63allback-sink',
  'http://127.0.0.1:4001/_mock/reset',
  'http://127.0.0.1/_mock/reset',
  'http://bot.contoso.com:4000/_mock/reset',
  'http://10.1.2.3:4000/api/calls',
  'https://bot.contoso.com/api/calls'
]

async function simulate (mock: BuiltMock, callbackUri: string): Promise<LightMyRequestResponse> {
  return await mock.app.inject({ method: 'POST', url: '/_mock/calls', payload: { callbackUri } })
}

test('a callbackUri that points at the mock is a 400 in every spelling; its callback sink and other servers are not', async (t) => {
  const mock = await build(t)
  for (const uri of REFUSED) assert.match(expectGraphError(await simulate(mock, uri), 400, 'BadRequest'), SELF, uri)
  for (const uri of ALLOWED) assert.equal((await simulate(mock, uri)).statusCode, 201, uri)
})

test('answer, reject and create call refuse such a callback too, and nothing changes', async (t) => {
  const mock = await build(t)
  const bot = await startBot(t)
  const id = (await simulate(mock, bot.url)).json().id as string
  const self = 'http://[::ffff:127.0.0.1]:4000/v1.0/communications/calls/' + id + '/recordResponse'
  const answer = await mock.app.inject({ method: 'POST', url: `/v1.0/communications/calls/${id}/answer`, headers: JSON_HEADERS, payload: { callbackUri: self, acceptedModalities: ['audio'], mediaConfig: SERVICE_HOSTED } })
  assert.match(expectGraphError(answer, 400, 'BadRequest'), SELF)
  const reject = await mock.app.inject({ method: 'POST', url: `/beta/communications/calls/${id}/reject`, headers: JSON_HEADERS, payload: { reason: 'busy', callbackUri: 'http://127.1:4000/_mock/reset' } })
  assert.match(expectGraphError(reject, 400, 'BadRequest'), SELF)
  const create = await mock.app.inject({ method: 'POST', url: '/v1.0/communications/calls', headers: JSON_HEADERS, payload: { callbackUri: 'http://a@LOCALHOST.:4000/_mock/reset', targets: [{ identity: {} }], requestedModalities: ['audio'], mediaConfig: SERVICE_HOSTED } })
  assert.match(expectGraphError(create, 400, 'BadRequest'), SELF)
  const call = await mock.app.inject({ method: 'GET', url: `/_mock/calls/${id}` })
  assert.equal(call.json().state, 'incoming')
  assert.equal(call.json().callbackUri, bot.url)
  assert.equal((await mock.app.inject({ method: 'GET', url: '/_mock/calls' })).json().value.length, 1)
})

test('PUBLIC_BASE_URL, HOST and CALLBACK_URL: the mock is every address it answers on', async (t) => {
  const proxied = await build(t, { publicBaseUrl: 'https://mock.contoso.com/gm' })
  for (const uri of ['https://mock.contoso.com/gm/_mock/reset', 'https://MOCK.contoso.com./gm/v1.0/communications/calls', 'https://mock.contoso.com:443/GM/recordings/x', 'https://mock.contoso.com/gm']) {
    assert.match(expectGraphError(await simulate(proxied, uri), 400, 'BadRequest'), SELF, uri)
  }
  for (const uri of ['https://mock.contoso.com/gm/_mock/callback-sink', 'https://mock.contoso.com/bot/api/calls', 'http://mock.contoso.com/gm/_mock/reset', 'https://mock.contoso.com:8443/gm/x']) {
    assert.equal((await simulate(proxied, uri)).statusCode, 201, uri)
  }

  const everywhere = await build(t, { host: '0.0.0.0' })
  assert.match(expectGraphError(await simulate(everywhere, `http://${hostname()}:4000/_mock/reset`), 400, 'BadRequest'), SELF)
  const named = await build(t, { host: 'mock.internal' })
  assert.match(expectGraphError(await simulate(named, 'http://MOCK.internal.:4000/_mock/reset'), 400, 'BadRequest'), SELF)

  const defaulted = await build(t, { callbackUrl: 'http://localhost:4000/_mock/reset' })
  const res = await defaulted.app.inject({ method: 'POST', url: '/_mock/calls', payload: {} })
  assert.match(expectGraphError(res, 400, 'BadRequest'), /CALLBACK_URL 'http:\/\/localhost:4000\/_mock\/reset' points at the mock itself/)
})

async function listening (t: TestContext, overrides: Partial<Settings> = {}): Promise<RunningMock> {
  const mock = await listenMock(resolveSettings({ clock: 'manual', logLevel: 'silent', port: 0, ...overrides }))
  t.after(async () => { await mock.app.close() })
  return mock
}

test('the dispatcher never posts to the mock itself: such a notification is journaled failed, not retried, and the mock is untouched', async (t) => {
  const mock = await listening(t)
  // Behind the routes' back, as a CALLBACK_URL changed under a running mock would be.
  const call = mock.services.engine.lifecycle.createIncoming({ callbackUri: `http://127.1:${mock.port}/_mock/reset` })
  const res = await fetch(`${mock.url}/_mock/clock/advance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"ms":60000}' })
  assert.equal(res.status, 200)
  const entries = await journal(mock, { callId: call.id })
  assert.deepEqual(entries.map((e) => [e.outcome, e.attempt]), [['failed', 1], ['failed', 1]], 'created, and deleted when it rang out')
  assert.match(entries[0].error, /not sent: .*points at the mock itself/)
  // Not reset: the call is still there, and the clock where it was moved.
  assert.equal((await mock.app.inject({ method: 'GET', url: `/_mock/calls/${call.id}` })).statusCode, 200)
  assert.equal((await mock.app.inject({ method: 'GET', url: '/_mock/clock' })).json().nowMs, 60_000)
})

test('a name that resolves to the mock\'s address is caught when the dispatcher connects', async (t) => {
  const name = hostname()
  const addresses = await lookup(name, { all: true }).catch(() => [])
  if (!addresses.some((a) => a.address.startsWith('127.') || a.address === '::1')) { t.skip(`${name} does not resolve to a loopback address here`); return }
  const mock = await listening(t)
  const created = await mock.app.inject({ method: 'POST', url: '/_mock/calls', payload: { callbackUri: `http://${name}:${mock.port}/_mock/reset` } })
  assert.equal(created.statusCode, 201, 'the name is not the mock as written')
  const id = created.json().id as string
  await mock.app.inject({ method: 'POST', url: '/_mock/clock/advance', payload: { ms: 0 } })
  const entries = await journal(mock, { callId: id })
  assert.deepEqual(entries.map((e) => [e.outcome, e.attempt]), [['failed', 1]])
  assert.match(entries[0].error, /resolves to the mock's own address/)
  assert.equal((await mock.app.inject({ method: 'GET', url: `/_mock/calls/${id}` })).statusCode, 200, 'not reset')
})
