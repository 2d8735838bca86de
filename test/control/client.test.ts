import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { TSchema } from 'typebox'
import { Value } from 'typebox/value'
import { ControlClientError, createControlClient, type CallView } from '../../src/index.js'
import { CallScriptSchema, CallViewSchema, ClockViewSchema, DefaultScriptSchema, DefaultScriptSetSchema } from '../../src/schemas/control-views.js'
import { answer, graph, startBot, startedMock } from '../helper.js'

test('health, getClock and advanceClock read and move the manual clock', async (t) => {
  const { control } = await startedMock(t)
  assert.deepEqual(await control.health(), { status: 'ok' })
  const before = await control.getClock()
  assert.equal(before.mode, 'manual')
  assert.equal(before.nowMs, 0)
  const after = await control.advanceClock(1500)
  assert.equal(after.nowMs, 1500)
  assert.equal((await control.getClock()).nowMs, 1500)
  assert.equal(Date.parse(after.now) - Date.parse(before.now), 1500)
})

test('simulateIncomingCall rings the bot; listCalls and getCall show the call', async (t) => {
  const { control } = await startedMock(t)
  const bot = await startBot(t)
  const { id } = await control.simulateIncomingCall({ callbackUri: bot.url, tenantId: 'tenant-x' })
  assert.match(id, /^[0-9a-f-]{36}$/)

  const calls = await control.listCalls()
  assert.deepEqual(calls.map((c) => c.id), [id])
  const call = await control.getCall(id)
  assert.equal(call.state, 'incoming')
  assert.equal(call.direction, 'incoming')
  assert.equal(call.callbackUri, bot.url)
  assert.equal(call.tenantId, 'tenant-x')

  const created = await control.waitForNotification({ callId: id, changeType: 'created' })
  assert.equal(created.outcome, 'delivered')
  assert.equal(bot.received.length, 1)
  assert.equal(bot.received[0].body.value[0].changeType, 'created')
})

test('setCallScript, pressTones and notifications follow a recordResponse to its end', async (t) => {
  const mock = await startedMock(t)
  const { control } = mock
  const bot = await startBot(t)
  const { id } = await control.simulateIncomingCall({ callbackUri: bot.url })
  const set = await control.setCallScript(id, { responses: [{ actions: [{ speech: 1000 }, { silence: 60_000 }] }] })
  assert.equal(set.id, id)
  assert.equal((await control.getCall(id)).hasOwnScript, true)
  await answer(mock, id, bot.url)

  const record = await graph(mock, 'POST', `/v1.0/communications/calls/${id}/recordResponse`, { stopTones: ['#'], maxSilenceTimeoutInSeconds: 120, clientContext: 'ctx-1' })
  assert.equal(record.status, 200, JSON.stringify(record.body))
  await control.advanceClock(2000) // past the beep and the caller's second of speech
  const pressed = await control.pressTones(id, '#')
  assert.equal(pressed.id, id)

  const ended = await control.waitForNotification((n) => n.changeTypes.includes('deleted') && n.resourceUrls.some((u) => u.includes('/operations/')), { filter: { callId: id } })
  const operation = ended.body as { value: Array<{ resourceData: { status: string, completionReason?: string, clientContext: string } }> }
  assert.equal(operation.value[0].resourceData.status, 'completed')
  assert.equal(operation.value[0].resourceData.clientContext, 'ctx-1')
  const op = (await control.getCall(id)).operations.find((o) => o.kind === 'recordResponse')
  assert.equal(op?.completionReason, 'stopToneDetected')

  const all = await control.notifications({ callId: id })
  assert.ok(all.length >= 3, `created, answered and the operation's end; got ${all.length}`)
  assert.deepEqual(all.map((n) => n.id), [...all.map((n) => n.id)].sort((a, b) => a - b))
  assert.deepEqual(await control.notifications({ callId: 'no-such-call' }), [])
})

test('setDefaultScript, getDefaultScript and clearDefaultScript manage the default caller', async (t) => {
  const mock = await startedMock(t)
  const { control } = mock
  assert.equal((await control.getDefaultScript()).script, null)
  const script = { responses: [{ prompt: 'fail' as const }] }
  assert.deepEqual((await control.setDefaultScript(script)).script, script)
  assert.deepEqual((await control.getDefaultScript()).script, script)

  // The default applies to a call without its own script.
  const bot = await startBot(t)
  const { id } = await control.simulateIncomingCall({ callbackUri: bot.url })
  await answer(mock, id, bot.url)
  await graph(mock, 'POST', `/v1.0/communications/calls/${id}/recordResponse`, { prompts: [{ '@odata.type': '#microsoft.graph.mediaPrompt', mediaInfo: { uri: 'https://example.com/p.wav' } }] })
  await control.advanceClock(5000)
  assert.equal((await control.getCall(id)).operations[0].completionReason, 'playPromptFailed')

  await control.clearDefaultScript()
  assert.equal((await control.getDefaultScript()).script, null)
})

test('hangUp ends the call as the caller did', async (t) => {
  const mock = await startedMock(t)
  const { control } = mock
  const bot = await startBot(t)
  const { id } = await control.simulateIncomingCall({ callbackUri: bot.url })
  await answer(mock, id, bot.url)
  const view = await control.hangUp(id)
  assert.equal(view.endedBy, 'caller')
  const deleted = await control.waitForNotification({ callId: id, changeType: 'deleted' })
  assert.equal(deleted.outcome, 'delivered')
  assert.equal((await control.getCall(id)).state, 'terminated')
})

test('waitForNotification waits for an attempt still to come, and honours afterId', async (t) => {
  const { control } = await startedMock(t)
  const bot = await startBot(t)
  const waiting = control.waitForNotification((n) => n.changeTypes.includes('created'), { timeoutMs: 10_000 })
  const { id } = await control.simulateIncomingCall({ callbackUri: bot.url })
  const first = await waiting
  assert.equal(first.callId, id)

  const second = control.waitForNotification({ changeType: 'created' }, { afterId: first.id, timeoutMs: 10_000 })
  const other = await control.simulateIncomingCall({ callbackUri: bot.url })
  assert.equal((await second).callId, other.id)
})

test('waitForNotification rejects with a clear message when nothing matches in time', async (t) => {
  const { control } = await startedMock(t)
  const started = Date.now()
  await assert.rejects(control.waitForNotification({ callId: 'never-called' }, { timeoutMs: 150 }), /no delivery attempt matched filter \{"callId":"never-called"\} within 150 ms/)
  assert.ok(Date.now() - started >= 140, 'it waited for the timeout')
  await assert.rejects(control.waitForNotification(() => false, { timeoutMs: 0 }), /no delivery attempt matched the predicate within 0 ms/)
})

test('requests lists the Graph requests the bot sent', async (t) => {
  const mock = await startedMock(t)
  const { control } = mock
  const bot = await startBot(t)
  const { id } = await control.simulateIncomingCall({ callbackUri: bot.url })
  await answer(mock, id, bot.url)
  const entries = await control.requests({ callId: id })
  assert.equal(entries.length, 1)
  assert.equal(entries[0].method, 'POST')
  assert.equal(entries[0].path, `/v1.0/communications/calls/${id}/answer`)
  assert.equal(entries[0].status, 202)
  assert.equal((entries[0].body as { callbackUri: string }).callbackUri, bot.url)
  await control.clearRequests()
  assert.deepEqual(await control.requests(), [])
})

test('addFault, listFaults and clearFaults manage injected faults', async (t) => {
  const mock = await startedMock(t)
  const { control } = mock
  const fault = await control.addFault({ method: 'get', path: '/v1.0/communications/calls/*', status: 503, retryAfterSeconds: 7, times: 2 })
  assert.equal(fault.method, 'GET')
  assert.equal(fault.remaining, 2)
  assert.deepEqual(await control.listFaults(), [fault])

  const hit = await graph(mock, 'GET', '/v1.0/communications/calls/abc')
  assert.equal(hit.status, 503)
  assert.equal(hit.headers.get('retry-after'), '7')
  assert.equal((await control.listFaults())[0].remaining, 1)

  await control.clearFaults()
  assert.deepEqual(await control.listFaults(), [])
  assert.equal((await graph(mock, 'GET', '/v1.0/communications/calls/abc')).status, 404)
})

test('reset forgets calls, notifications, requests, faults and scripts, and restarts the clock', async (t) => {
  const mock = await startedMock(t)
  const { control } = mock
  const bot = await startBot(t)
  const { id } = await control.simulateIncomingCall({ callbackUri: bot.url })
  await answer(mock, id, bot.url)
  await control.addFault({ path: '**', status: 500 })
  await control.setDefaultScript({ responses: [] })
  await control.advanceClock(1000)

  await control.reset()
  assert.deepEqual(await control.listCalls(), [])
  assert.deepEqual(await control.notifications(), [])
  assert.deepEqual(await control.requests(), [])
  assert.deepEqual(await control.listFaults(), [])
  assert.equal((await control.getDefaultScript()).script, null)
  assert.equal((await control.getClock()).nowMs, 0)
})

test('a refused control request throws ControlClientError with the mock\'s message', async (t) => {
  const mock = await startedMock(t)
  const { control } = mock
  const notFound = await control.getCall('no-such-call').catch((err: unknown) => err)
  assert.ok(notFound instanceof ControlClientError)
  assert.equal(notFound.status, 404)
  assert.equal(notFound.code, '8522')
  assert.match(notFound.message, /^GET \/_mock\/calls\/no-such-call failed with 404 8522: Call not found\.$/)
  assert.match(String(notFound.requestId), /^[0-9a-f-]{36}$/)

  const { id } = await control.simulateIncomingCall({ callbackUri: 'http://127.0.0.1:9/cb' })
  await assert.rejects(control.pressTones(id, '1'), (err: ControlClientError) => err.status === 400 && /must be established/.test(err.message))
  await assert.rejects(control.advanceClock(-1), /failed with 400 BadRequest: Invalid request body: the property 'ms' must be >= 0/)

  const real = await startedMock(t, { clock: 'real' })
  await assert.rejects(real.control.advanceClock(10), /The clock is real/)
  await assert.rejects(createControlClient('http://127.0.0.1:9').health(), /fetch failed/)
})

test('token() gets a token that AUTH=strict accepts', async (t) => {
  const mock = await startedMock(t, { auth: 'strict' })
  const { id } = await mock.control.simulateIncomingCall({ callbackUri: 'http://127.0.0.1:9/cb' })
  const token = await mock.control.token(mock.settings.tenantId)
  assert.equal(token.split('.').length, 3)
  assert.equal((await graph(mock, 'GET', `/v1.0/communications/calls/${id}`, undefined, { authorization: `Bearer ${token}` })).status, 200)
  assert.equal((await graph(mock, 'GET', `/v1.0/communications/calls/${id}`, undefined, { authorization: 'Bearer not-a-jwt' })).status, 401)
  await assert.rejects(mock.control.token('t', { scope: 'calls' }), /failed with 400 invalid_scope: AADSTS1002012/)
})

test('control views are served byte for byte as the views render them, and match their schemas', async (t) => {
  const mock = await startedMock(t)
  const bot = await startBot(t)
  const inject = async (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object): Promise<string> => {
    const res = await mock.app.inject({ method, url: `/_mock${url}`, payload })
    assert.ok(res.statusCode < 300, res.body)
    return res.body
  }
  const served = <T extends TSchema>(schema: T, body: string, rendered: unknown): void => {
    assert.equal(body, JSON.stringify(rendered))
    assert.ok(Value.Check(schema, JSON.parse(body)), body)
  }

  const script = { responses: [{ actions: [{ speech: 1000, audio: 'hello.wav' }, { silence: 60_000 }] }], answerAfterMs: 5 }
  const { id } = JSON.parse(await inject('POST', '/calls', { callbackUri: bot.url, script })) as { id: string }
  served(CallScriptSchema, await inject('PUT', `/calls/${id}/script`, script), { id, script: mock.services.engine.findCall(id)?.script })
  served(DefaultScriptSetSchema, await inject('PUT', '/script', { scenario: 'press-pound' }), { script: mock.services.defaultScript().script })
  served(DefaultScriptSchema, await inject('GET', '/script'), mock.services.defaultScript())
  await answer(mock, id, bot.url)
  assert.equal((await graph(mock, 'POST', `/beta/communications/calls/${id}/subscribeToTone`, {})).status, 200)
  assert.equal((await graph(mock, 'POST', `/beta/communications/calls/${id}/recordResponse`, { stopTones: ['#'], clientContext: 'c' })).status, 200)
  served(ClockViewSchema, await inject('POST', '/clock/advance', { ms: 2500 }), mock.services.clockView())
  served(CallViewSchema, await inject('POST', `/calls/${id}/tones`, { tones: '#' }), mock.services.getCall(id))
  served(CallViewSchema, await inject('POST', `/calls/${id}/hangup`), mock.services.getCall(id))
  const ended = JSON.parse(await inject('GET', `/calls/${id}`)) as CallView
  assert.equal(ended.recordings.length, 1, 'the view holds a recording, a resultInfo and operations')
  assert.ok(ended.resultInfo !== null && ended.operations.length >= 2)
  served(CallViewSchema, await inject('GET', `/calls/${id}`), mock.services.getCall(id))
  served(ClockViewSchema, await inject('GET', '/clock'), mock.services.clockView())
})
