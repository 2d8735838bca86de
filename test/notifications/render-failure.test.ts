import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import Fastify from 'fastify'
import { fastifyOptions } from '../../src/app-options.js'
import { resolveSettings } from '../../src/config/load-settings.js'
import { renderable, stringifySafely } from '../../src/routes/safe-json.js'
import type { BuiltMock } from '../../src/server.js'
import { advance, build, journal, JSON_HEADERS, startBot } from '../helper.js'

const SERVICE_HOSTED = { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' }

/** A simulated call whose `created` notification has been delivered to a bot. */
async function ringingCall (t: TestContext): Promise<{ mock: BuiltMock, bot: Awaited<ReturnType<typeof startBot>>, id: string }> {
  const mock = await build(t)
  const bot = await startBot(t)
  const created = await mock.app.inject({ method: 'POST', url: '/_mock/calls', payload: { callbackUri: bot.url } })
  await advance(mock, 0)
  return { mock, bot, id: created.json().id as string }
}

// Bodies are bounded when parsed, so no request can make a value JSON cannot write: these tests put one
// into a call behind the API's back, as a bug in the mock's own rendering would.
test('a notification that cannot be rendered is journaled failed with the reason; the queue, the clock and the listings carry on', { timeout: 20_000 }, async (t) => {
  const { mock, bot, id } = await ringingCall(t)
  const call = mock.services.engine.findCall(id)!
  const source = call.source
  call.source = { toJSON () { throw new Error('this source cannot be rendered') } }

  const answered = await mock.app.inject({ method: 'POST', url: `/v1.0/communications/calls/${id}/answer`, headers: JSON_HEADERS, payload: { callbackUri: bot.url, acceptedModalities: ['audio'], mediaConfig: SERVICE_HOSTED } })
  assert.equal(answered.statusCode, 202)
  await advance(mock, 0)
  const failed = await journal(mock, { callId: id, outcome: 'failed' })
  assert.equal(failed.length, 2, 'establishing and established')
  for (const e of failed) {
    assert.equal(e.attempt, 1, 'not retried: rendering again cannot help')
    assert.equal(e.httpStatus, null)
    assert.match(e.error, /cannot render the notification: this source cannot be rendered/)
    assert.equal(e.body.value[0].changeType, 'updated')
  }
  assert.equal(bot.received.length, 1, 'only the created notification reached the bot')

  // The API and the listings answer, without the part that cannot be written.
  const got = await mock.app.inject({ method: 'GET', url: `/v1.0/communications/calls/${id}`, headers: JSON_HEADERS })
  assert.equal(got.statusCode, 200, got.body)
  assert.equal(got.json().source, null)
  assert.equal(got.json().state, 'established')
  assert.equal((await mock.app.inject({ method: 'GET', url: '/_mock/calls' })).statusCode, 200)
  assert.equal((await mock.app.inject({ method: 'GET', url: `/_mock/calls/${id}` })).statusCode, 200)

  // The call's queue moved on: once the value is renderable again, the next notifications go out.
  call.source = source
  assert.equal((await mock.app.inject({ method: 'DELETE', url: `/v1.0/communications/calls/${id}`, headers: JSON_HEADERS })).statusCode, 204)
  await advance(mock, 0)
  const delivered = await journal(mock, { callId: id, outcome: 'delivered' })
  assert.deepEqual(delivered.map((e) => e.body.value[0].resourceData.state), ['incoming', 'terminating', 'terminated'])
  assert.equal(mock.services.dispatcher.pending(), 0)
})

test('a notification that cannot even be built is listed with its change type and resource, resourceData null', { timeout: 20_000 }, async (t) => {
  const { mock, id } = await ringingCall(t)
  const call = mock.services.engine.findCall(id)!
  // Read when the notification is built, not when it is queued.
  Object.defineProperty(call, 'subject', { get () { throw new Error('no subject') } })
  mock.services.engine.lifecycle.hangUpByCaller(call)
  await advance(mock, 0)
  const [deleted] = await journal(mock, { callId: id, changeType: 'deleted' })
  assert.equal(deleted.outcome, 'failed')
  assert.match(deleted.error, /cannot render the notification: no subject/)
  assert.deepEqual(deleted.body.value, [{ '@odata.type': '#microsoft.graph.commsNotification', changeType: 'deleted', resourceUrl: `/communications/calls/${id}`, resourceData: null }])
})

test('an attempt that throws anywhere still ends: journaled failed, the queue moves on, the clock advances', { timeout: 20_000 }, async (t) => {
  const { mock, id } = await ringingCall(t)
  // A callback that is not a string breaks the attempt before any rendering.
  const call = mock.services.engine.findCall(id)!
  call.callbackUri = { toString () { throw new Error('no URL here') } } as unknown as string
  mock.services.engine.lifecycle.hangUpByCaller(call)
  await advance(mock, 0)
  const entries = await journal(mock, { callId: id })
  assert.deepEqual(entries.map((e) => e.outcome), ['delivered', 'failed'])
  assert.equal(mock.services.dispatcher.pending(), 0)
  assert.equal((await mock.app.inject({ method: 'POST', url: '/_mock/clock/advance', payload: { ms: 1000 } })).statusCode, 200)
})

test('a simulated call whose source JSON cannot write is created; its notification fails, the API answers', { timeout: 20_000 }, async (t) => {
  const mock = await build(t)
  const bot = await startBot(t)
  const call = mock.services.engine.lifecycle.createIncoming({ callbackUri: bot.url, source: { big: 10n } })
  await advance(mock, 0)
  const [created] = await journal(mock, { callId: call.id })
  assert.equal(created.outcome, 'failed')
  assert.match(created.error, /cannot render the notification: .*BigInt/)
  const got = await mock.app.inject({ method: 'GET', url: `/v1.0/communications/calls/${call.id}`, headers: JSON_HEADERS })
  assert.equal(got.statusCode, 200)
  assert.deepEqual(got.json().source, { big: null })
  assert.equal((await mock.app.inject({ method: 'GET', url: '/_mock/calls' })).statusCode, 200)
})

test('a route with a response schema (as GET /_mock/requests has) writes what its serializer cannot as null, not a 500', async (t) => {
  const app = Fastify(fastifyOptions(resolveSettings({ logLevel: 'silent' })))
  t.after(async () => { await app.close() })
  const schema = { response: { 200: { type: 'object', properties: { value: { type: 'array', items: { type: 'object', properties: { id: { type: 'integer' }, body: {} } } } } } } }
  app.get('/listing', { schema }, async () => ({ value: [{ id: 1, body: { ok: true } }, { id: 2, body: { big: 10n } }] }))
  const res = await app.inject({ method: 'GET', url: '/listing' })
  assert.equal(res.statusCode, 200, res.body)
  assert.deepEqual(res.json(), { value: [{ id: 1, body: { ok: true } }, { id: 2, body: { big: null } }] })
})

test('renderable: what JSON cannot write becomes null, at any depth, without recursion', () => {
  const cyclic: Record<string, unknown> = { a: 1 }
  cyclic.self = cyclic
  const getter = Object.defineProperty({ ok: true }, 'bad', { enumerable: true, get () { throw new Error('no') } })
  let deep: unknown = 'bottom'
  for (let i = 0; i < 100_000; i++) deep = [deep]
  assert.throws(() => JSON.stringify(deep))
  const out = renderable({ cyclic, big: 10n, getter, list: [undefined, () => 1, 2], throws: { toJSON () { throw new Error('x') } }, deep }) as Record<string, any>
  assert.deepEqual(out.cyclic, { a: 1, self: null })
  assert.equal(out.big, null)
  assert.deepEqual(out.getter, { ok: true, bad: null })
  assert.deepEqual(out.list, [null, null, 2])
  assert.equal(out.throws, null)
  assert.doesNotThrow(() => JSON.stringify(out.deep))
  assert.equal(stringifySafely({ ok: [1, 'x'] }), '{"ok":[1,"x"]}')
  assert.equal(stringifySafely(renderable(JSON.parse('{"__proto__":{"x":1}}'))), '{"__proto__":{"x":1}}')
})
