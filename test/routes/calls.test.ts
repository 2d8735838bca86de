import assert from 'node:assert/strict'
import { test } from 'node:test'
import { advance, answeredCall, build, expectGraphError, journal, JSON_HEADERS, startBot } from '../helper.js'

const SERVICE_HOSTED = { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' }
const outgoingBody = (callbackUri: string): Record<string, unknown> => ({
  '@odata.type': '#microsoft.graph.call',
  callbackUri,
  targets: [{ '@odata.type': '#microsoft.graph.invitationParticipantInfo', identity: { '@odata.type': '#microsoft.graph.identitySet', user: { '@odata.type': '#microsoft.graph.identity', displayName: 'John', id: '112f7296-5fa4-42ca-bae8-6a692b15d4b8' } } }],
  requestedModalities: ['audio'],
  mediaConfig: SERVICE_HOSTED,
  tenantId: 'aa67bd4c-8475-432d-bd41-39f255720e0a'
})

test('POST /communications/calls creates an outgoing call: 201, Location, establishing; established when the callee answers', async (t) => {
  const mock = await build(t)
  const bot = await startBot(t)
  const res = await mock.app.inject({ method: 'POST', url: '/v1.0/communications/calls', headers: JSON_HEADERS, payload: outgoingBody(bot.url) })
  assert.equal(res.statusCode, 201, res.body)
  const call = res.json()
  assert.equal(res.headers.location, `http://127.0.0.1:4000/v1.0/communications/calls/${call.id}`)
  assert.equal(call['@odata.type'], '#microsoft.graph.call')
  assert.equal(call['@odata.context'], 'http://127.0.0.1:4000/v1.0/$metadata#communications/calls/$entity')
  assert.equal(call.state, 'establishing')
  assert.equal(call.direction, 'outgoing')
  assert.equal(call.callbackUri, bot.url)
  assert.equal(call.tenantId, 'aa67bd4c-8475-432d-bd41-39f255720e0a')
  assert.deepEqual(call.mediaConfig, SERVICE_HOSTED)
  assert.deepEqual(call.requestedModalities, ['audio'])
  assert.match(call.callChainId, /^[0-9a-f-]{36}$/)
  assert.match(call.myParticipantId, /^[0-9a-f-]{36}$/)
  assert.equal(call.source.identity.application.id, mock.services.settings.botAppId)

  await advance(mock, 999)
  let states = (await journal(mock, { callId: call.id })).map((e) => e.body.value[0].resourceData.state)
  assert.deepEqual(states, ['establishing'], 'the callee has not answered yet')
  await advance(mock, 1)
  const entries = await journal(mock, { callId: call.id })
  states = entries.map((e) => e.body.value[0].resourceData.state)
  assert.deepEqual(states, ['establishing', 'established'])
  const established = entries[1]
  assert.equal(established.virtualMs, 1000)
  assert.equal(established.body.value[0].changeType, 'updated')
  assert.equal(established.body.value[0].resourceUrl, `/communications/calls/${call.id}`)
  assert.deepEqual(established.body.value[0].resourceData.mediaState, { '@odata.type': '#microsoft.graph.callMediaState', audio: 'active' })
  assert.equal(bot.received.length, 2)
})

test('the default script decides whether the callee answers, never answers or rejects', async (t) => {
  const mock = await build(t)
  const bot = await startBot(t)
  const set = async (script: unknown): Promise<void> => {
    const res = await mock.app.inject({ method: 'PUT', url: '/_mock/script', payload: script as object })
    assert.equal(res.statusCode, 200, res.body)
  }
  await set({ answerAfterMs: 250 })
  const quick = (await mock.app.inject({ method: 'POST', url: '/v1.0/communications/calls', headers: JSON_HEADERS, payload: outgoingBody(bot.url) })).json()
  await set({ answerAfterMs: 'never' })
  const never = (await mock.app.inject({ method: 'POST', url: '/v1.0/communications/calls', headers: JSON_HEADERS, payload: outgoingBody(bot.url) })).json()
  await set({ answerAfterMs: 'reject' })
  const rejected = (await mock.app.inject({ method: 'POST', url: '/v1.0/communications/calls', headers: JSON_HEADERS, payload: outgoingBody(bot.url) })).json()
  await advance(mock, 60_000)
  const states = async (id: string): Promise<string[]> => (await journal(mock, { callId: id })).map((e) => `${e.body.value[0].changeType}:${e.body.value[0].resourceData.state}@${e.virtualMs}`)
  assert.deepEqual(await states(quick.id), ['updated:establishing@0', 'updated:established@250'])
  assert.deepEqual(await states(never.id), ['updated:establishing@0'])
  assert.deepEqual(await states(rejected.id), ['updated:establishing@0', 'deleted:terminated@0'])
  const gone = await mock.app.inject({ method: 'GET', url: `/v1.0/communications/calls/${rejected.id}`, headers: JSON_HEADERS })
  expectGraphError(gone, 404, '8522')
})

test('a simulated incoming call posts a created notification with state incoming', async (t) => {
  const mock = await build(t)
  const bot = await startBot(t)
  const res = await mock.app.inject({ method: 'POST', url: '/_mock/calls', payload: { callbackUri: bot.url } })
  assert.equal(res.statusCode, 201)
  const { id } = res.json()
  await advance(mock, 0)
  assert.equal(bot.received.length, 1)
  const body = bot.received[0].body
  assert.equal(body['@odata.type'], '#microsoft.graph.commsNotifications')
  assert.equal(body.value.length, 1)
  const n = body.value[0]
  assert.equal(n['@odata.type'], '#microsoft.graph.commsNotification')
  assert.equal(n.changeType, 'created')
  assert.equal(n.resourceUrl, `/communications/calls/${id}`)
  assert.equal(n.resourceData['@odata.type'], '#microsoft.graph.call')
  assert.equal(n.resourceData['@odata.id'], `/communications/calls/${id}`)
  assert.match(n.resourceData['@odata.etag'], /^W\/"\d+"$/)
  assert.equal(n.resourceData.state, 'incoming')
  assert.equal(n.resourceData.direction, 'incoming')
  assert.equal(n.resourceData.mediaState, null)
  assert.equal(n.resourceData.targets[0].identity.application.id, mock.services.settings.botAppId)
  assert.ok(n.resourceData.source.identity.user.id)
})

test('a simulated call without a callback and no CALLBACK_URL is a 400; with CALLBACK_URL it uses that', async (t) => {
  const mock = await build(t)
  expectGraphError(await mock.app.inject({ method: 'POST', url: '/_mock/calls', payload: {} }), 400, 'BadRequest')
  const bot = await startBot(t)
  const withDefault = await build(t, { callbackUrl: bot.url })
  const res = await withDefault.app.inject({ method: 'POST', url: '/_mock/calls', payload: {} })
  assert.equal(res.statusCode, 201)
  await advance(withDefault, 0)
  assert.equal(bot.received.length, 1)
})

test('answer: 202 with an empty body, then establishing and established with active audio', async (t) => {
  const mock = await build(t)
  const bot = await startBot(t)
  const { id } = (await mock.app.inject({ method: 'POST', url: '/_mock/calls', payload: { callbackUri: bot.url } })).json()
  const res = await mock.app.inject({ method: 'POST', url: `/v1.0/communications/calls/${id}/answer`, headers: JSON_HEADERS, payload: { callbackUri: bot.url, acceptedModalities: ['audio'], mediaConfig: SERVICE_HOSTED } })
  assert.equal(res.statusCode, 202)
  assert.equal(res.body, '')
  await advance(mock, 0)
  const data = bot.received.map((n) => n.body.value[0].resourceData)
  assert.deepEqual(data.map((d) => d.state), ['incoming', 'establishing', 'established'])
  assert.equal(data[2].mediaState.audio, 'active')
  assert.deepEqual(data[2].mediaConfig, SERVICE_HOSTED)
})

test('wrong state transitions get a 400 that says why', async (t) => {
  const mock = await build(t)
  const bot = await startBot(t)
  const id = await answeredCall(mock, bot.url)
  const again = await mock.app.inject({ method: 'POST', url: `/v1.0/communications/calls/${id}/answer`, headers: JSON_HEADERS, payload: { callbackUri: bot.url, acceptedModalities: ['audio'], mediaConfig: SERVICE_HOSTED } })
  assert.match(expectGraphError(again, 400, 'BadRequest'), /already answered/)
  const reject = await mock.app.inject({ method: 'POST', url: `/v1.0/communications/calls/${id}/reject`, headers: JSON_HEADERS, payload: { reason: 'busy' } })
  assert.match(expectGraphError(reject, 400, 'BadRequest'), /state 'established'/)

  const outgoing = (await mock.app.inject({ method: 'POST', url: '/v1.0/communications/calls', headers: JSON_HEADERS, payload: outgoingBody(bot.url) })).json()
  const answerOutgoing = await mock.app.inject({ method: 'POST', url: `/v1.0/communications/calls/${outgoing.id}/answer`, headers: JSON_HEADERS, payload: { callbackUri: bot.url, acceptedModalities: ['audio'], mediaConfig: SERVICE_HOSTED } })
  assert.match(expectGraphError(answerOutgoing, 400, 'BadRequest'), /outgoing call/)
})

test('reject: 202, then a deleted notification; the call is gone', async (t) => {
  const mock = await build(t)
  const bot = await startBot(t)
  const { id } = (await mock.app.inject({ method: 'POST', url: '/_mock/calls', payload: { callbackUri: bot.url } })).json()
  const res = await mock.app.inject({ method: 'POST', url: `/v1.0/communications/calls/${id}/reject`, headers: JSON_HEADERS, payload: { reason: 'busy' } })
  assert.equal(res.statusCode, 202)
  assert.equal(res.body, '')
  await advance(mock, 0)
  const last = bot.received.at(-1)!.body.value[0]
  assert.equal(last.changeType, 'deleted')
  assert.equal(last.resourceData.state, 'terminated')
  assert.deepEqual(last.resourceData.resultInfo, { '@odata.type': '#microsoft.graph.resultInfo', code: 486, subcode: 0, message: 'Call was rejected: busy.' })
  expectGraphError(await mock.app.inject({ method: 'POST', url: `/v1.0/communications/calls/${id}/keepAlive`, headers: JSON_HEADERS }), 404, '8522')
})

test('an incoming call not answered within 15 s ends with 408', async (t) => {
  const mock = await build(t)
  const bot = await startBot(t)
  const { id } = (await mock.app.inject({ method: 'POST', url: '/_mock/calls', payload: { callbackUri: bot.url } })).json()
  await advance(mock, 14_999)
  assert.equal(bot.received.length, 1)
  await advance(mock, 1)
  const last = bot.received.at(-1)!.body.value[0]
  assert.equal(last.changeType, 'deleted')
  assert.equal(last.resourceData.resultInfo.code, 408)
  const view = (await mock.app.inject({ method: 'GET', url: `/_mock/calls/${id}` })).json()
  assert.equal(view.state, 'terminated')
  assert.equal(view.endedBy, 'timeout')
})

test('GET a call returns it as it is now', async (t) => {
  const mock = await build(t)
  const bot = await startBot(t)
  const id = await answeredCall(mock, bot.url)
  const res = await mock.app.inject({ method: 'GET', url: `/beta/communications/calls/${id}`, headers: JSON_HEADERS })
  assert.equal(res.statusCode, 200)
  const call = res.json()
  assert.equal(call.id, id)
  assert.equal(call.state, 'established')
  assert.equal(call['@odata.context'], 'http://127.0.0.1:4000/beta/$metadata#communications/calls/$entity')
  assert.ok('answeredBy' in call, 'beta carries beta-only properties')
  const v1 = (await mock.app.inject({ method: 'GET', url: `/v1.0/communications/calls/${id.toUpperCase()}`, headers: JSON_HEADERS })).json()
  assert.equal(v1.id, id, 'ids are matched case-insensitively')
  assert.ok(!('answeredBy' in v1))
})

test('DELETE: 204, then terminating and terminated (with resultInfo); then 404 8522', async (t) => {
  const mock = await build(t)
  const bot = await startBot(t)
  const id = await answeredCall(mock, bot.url)
  const res = await mock.app.inject({ method: 'DELETE', url: `/v1.0/communications/calls/${id}`, headers: JSON_HEADERS })
  assert.equal(res.statusCode, 204)
  assert.equal(res.body, '')
  await advance(mock, 0)
  const tail = bot.received.slice(-2).map((n) => n.body.value[0])
  assert.deepEqual(tail.map((n) => [n.changeType, n.resourceData.state]), [['updated', 'terminating'], ['deleted', 'terminated']])
  assert.deepEqual(tail[1].resourceData.resultInfo, { '@odata.type': '#microsoft.graph.resultInfo', code: 200, subcode: 7000, message: 'Call ended by the application.' })
  expectGraphError(await mock.app.inject({ method: 'DELETE', url: `/v1.0/communications/calls/${id}`, headers: JSON_HEADERS }), 404, '8522')
  expectGraphError(await mock.app.inject({ method: 'GET', url: `/v1.0/communications/calls/${id}`, headers: JSON_HEADERS }), 404, '8522')
  const view = (await mock.app.inject({ method: 'GET', url: `/_mock/calls/${id}` })).json()
  assert.equal(view.state, 'terminated')
  assert.equal(view.endedBy, 'bot')
})

test('keepAlive: 200 with no body on a live call, 404 on an ended one; an empty JSON body is fine', async (t) => {
  const mock = await build(t)
  const bot = await startBot(t)
  const id = await answeredCall(mock, bot.url)
  const ok = await mock.app.inject({ method: 'POST', url: `/v1.0/communications/calls/${id}/keepAlive`, headers: JSON_HEADERS, payload: '' })
  assert.equal(ok.statusCode, 200)
  assert.equal(ok.body, '')
  await mock.app.inject({ method: 'POST', url: `/_mock/calls/${id}/hangup` })
  expectGraphError(await mock.app.inject({ method: 'POST', url: `/v1.0/communications/calls/${id}/keepAlive`, headers: JSON_HEADERS }), 404, '8522')
})

test('every path form reaches the same call: versions, /app/calls and microsoft.graph.-qualified actions', async (t) => {
  const mock = await build(t)
  const bot = await startBot(t)
  const forms = ['/v1.0/communications/calls', '/beta/communications/calls', '/communications/calls', '/v1.0/app/calls', '/beta/app/calls', '/app/calls']
  for (const base of forms) {
    const { id } = (await mock.app.inject({ method: 'POST', url: '/_mock/calls', payload: { callbackUri: bot.url } })).json()
    for (const action of ['answer', 'microsoft.graph.answer']) {
      const res = await mock.app.inject({ method: 'POST', url: `${base}/${id}/${action}`, headers: JSON_HEADERS, payload: { callbackUri: bot.url, acceptedModalities: ['audio'], mediaConfig: SERVICE_HOSTED } })
      if (action === 'answer') assert.equal(res.statusCode, 202, `${base}/${id}/${action}: ${res.body}`)
      else assert.match(expectGraphError(res, 400, 'BadRequest'), /already answered/, `${base} qualified action reaches the call`)
    }
    const keep = await mock.app.inject({ method: 'POST', url: `${base}/${id}/microsoft.graph.keepAlive`, headers: JSON_HEADERS })
    assert.equal(keep.statusCode, 200, `${base} keepAlive`)
    assert.equal((await mock.app.inject({ method: 'GET', url: `${base}/${id}`, headers: JSON_HEADERS })).statusCode, 200)
    assert.equal((await mock.app.inject({ method: 'DELETE', url: `${base}/${id}`, headers: JSON_HEADERS })).statusCode, 204)
  }
  const created = await mock.app.inject({ method: 'POST', url: '/beta/app/calls', headers: JSON_HEADERS, payload: outgoingBody(bot.url) })
  assert.equal(created.statusCode, 201)
  assert.match(String(created.headers.location), /\/beta\/communications\/calls\//)
})
