import assert from 'node:assert/strict'
import { test } from 'node:test'
import { advance, build, expectGraphError, journal, JSON_HEADERS, startBot } from '../helper.js'

const SERVICE_HOSTED = { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' }
// Graph's own examples of create call (https://learn.microsoft.com/graph/api/application-post-calls).
const CHAT_INFO = { '@odata.type': '#microsoft.graph.chatInfo', threadId: '19:meeting_abc@thread.v2', messageId: '0' }
const MEETING_INFO = { '@odata.type': '#microsoft.graph.organizerMeetingInfo', organizer: { '@odata.type': '#microsoft.graph.identitySet', user: { id: 'u1' } } }
const OUTGOING_OPTIONS = { '@odata.type': '#microsoft.graph.outgoingCallOptions', isContentSharingNotificationEnabled: true }

test('create call echoes callOptions, chatInfo and meetingInfo as sent; properties `call` does not define are ignored, read-only ones too', async (t) => {
  const mock = await build(t)
  const bot = await startBot(t)
  const body = {
    '@odata.type': '#microsoft.graph.call',
    callbackUri: bot.url,
    targets: [{ '@odata.type': '#microsoft.graph.invitationParticipantInfo', identity: { user: { id: 'u2' } } }],
    requestedModalities: ['audio'],
    mediaConfig: SERVICE_HOSTED,
    callOptions: OUTGOING_OPTIONS,
    chatInfo: CHAT_INFO,
    meetingInfo: MEETING_INFO,
    participantCapacity: 3,
    requestedModalites: ['video'],
    state: 'terminated',
    id: 'mine',
    myParticipantId: 'mine'
  }
  const created = await mock.app.inject({ method: 'POST', url: '/v1.0/communications/calls', headers: JSON_HEADERS, payload: body })
  assert.equal(created.statusCode, 201, created.body)
  const call = created.json()
  const got = (await mock.app.inject({ method: 'GET', url: `/v1.0/communications/calls/${call.id as string}`, headers: JSON_HEADERS })).json()
  await advance(mock, 0)
  const [notified] = (await journal(mock, { callId: call.id })).map((e) => e.body.value[0].resourceData)
  for (const resource of [call, got, notified]) {
    assert.deepEqual(resource.callOptions, OUTGOING_OPTIONS)
    assert.deepEqual(resource.chatInfo, CHAT_INFO)
    assert.deepEqual(resource.meetingInfo, MEETING_INFO)
    assert.equal(resource.participantCapacity, undefined)
    assert.equal(resource.requestedModalites, undefined)
    assert.equal(resource.state, 'establishing')
    assert.notEqual(resource.id, 'mine')
    assert.notEqual(resource.myParticipantId, 'mine')
  }
  const plain = await mock.app.inject({ method: 'POST', url: '/v1.0/communications/calls', headers: JSON_HEADERS, payload: { callbackUri: bot.url, targets: body.targets, requestedModalities: ['audio'], mediaConfig: SERVICE_HOSTED } })
  assert.deepEqual([plain.json().callOptions, plain.json().chatInfo, plain.json().meetingInfo], [null, null, null])
})

test('answer: participantCapacity and misspelled properties are accepted and not copied into the call; callOptions is', async (t) => {
  const mock = await build(t)
  const bot = await startBot(t)
  const id = (await mock.app.inject({ method: 'POST', url: '/_mock/calls', payload: { callbackUri: bot.url } })).json().id as string
  const incomingOptions = { '@odata.type': '#microsoft.graph.incomingCallOptions', isContentSharingNotificationEnabled: true }
  const answer = { callbackUri: bot.url, acceptedModalities: ['audio'], mediaConfig: SERVICE_HOSTED, participantCapacity: 200, callOptions: incomingOptions, calbackUri: 'typo', subject: 'not answer\'s' }
  assert.equal((await mock.app.inject({ method: 'POST', url: `/v1.0/communications/calls/${id}/answer`, headers: JSON_HEADERS, payload: answer })).statusCode, 202)
  await advance(mock, 0)
  const got = (await mock.app.inject({ method: 'GET', url: `/v1.0/communications/calls/${id}`, headers: JSON_HEADERS })).json()
  const notified = (await journal(mock, { callId: id })).map((e) => e.body.value[0].resourceData)
  for (const resource of [got, ...notified.slice(1)]) {
    assert.equal(resource.participantCapacity, undefined)
    assert.equal(resource.calbackUri, undefined)
    assert.equal(resource.subject, null)
    assert.deepEqual(resource.callOptions, incomingOptions)
  }
  assert.equal(notified[0].callOptions, null, 'the created notification was the call before the answer')
})

test('modality `unknown` is beta\'s: beta accepts it in answer and create call, v1.0 refuses it naming the property', async (t) => {
  const mock = await build(t)
  const bot = await startBot(t)
  const ring = async (): Promise<string> => (await mock.app.inject({ method: 'POST', url: '/_mock/calls', payload: { callbackUri: bot.url } })).json().id
  const answer = { callbackUri: bot.url, acceptedModalities: ['unknown'], mediaConfig: SERVICE_HOSTED }
  const v1 = await ring()
  const refused = await mock.app.inject({ method: 'POST', url: `/v1.0/communications/calls/${v1}/answer`, headers: JSON_HEADERS, payload: answer })
  assert.match(expectGraphError(refused, 400, 'BadRequest'), /'acceptedModalities\[0\]' must be one of "audio", "video", "videoBasedScreenSharing", "data", "unknownFutureValue"/)
  const beta = await ring()
  assert.equal((await mock.app.inject({ method: 'POST', url: `/beta/communications/calls/${beta}/answer`, headers: JSON_HEADERS, payload: answer })).statusCode, 202)
  const got = (await mock.app.inject({ method: 'GET', url: `/beta/communications/calls/${beta}`, headers: JSON_HEADERS })).json()
  assert.deepEqual(got.requestedModalities, ['unknown'])

  const create = { callbackUri: bot.url, targets: [{ identity: { user: { id: 'u' } } }], requestedModalities: ['audio', 'unknown'], mediaConfig: SERVICE_HOSTED }
  assert.match(expectGraphError(await mock.app.inject({ method: 'POST', url: '/v1.0/communications/calls', headers: JSON_HEADERS, payload: create }), 400, 'BadRequest'), /requestedModalities\[1\]/)
  assert.equal((await mock.app.inject({ method: 'POST', url: '/beta/communications/calls', headers: JSON_HEADERS, payload: create })).statusCode, 201)
})

test('/_mock/docs/json is OpenAPI generated from the route schemas: the control API and each Graph route once', async (t) => {
  const mock = await build(t)
  const res = await mock.app.inject({ method: 'GET', url: '/_mock/docs/json' })
  assert.equal(res.statusCode, 200)
  const doc = res.json()
  assert.match(doc.openapi, /^3\./)
  const paths = Object.keys(doc.paths)
  for (const p of ['/_mock/calls', '/_mock/clock/advance', '/_mock/notifications', '/_mock/faults', '/communications/calls/{callId}/recordResponse']) assert.ok(paths.includes(p), p)
  assert.ok(!paths.some((p) => p.includes('microsoft.graph.') || p.startsWith('/beta') || p.includes('/app/calls')), 'aliases are hidden')
  const record = doc.paths['/communications/calls/{callId}/recordResponse'].post
  const body = record.requestBody.content['application/json'].schema
  assert.equal(body.properties.maxRecordDurationInSeconds.maximum, 120)
  assert.equal(body.properties.prompts.maxItems, 1)
  const short = await mock.app.inject({ method: 'GET', url: '/_mock/docs' })
  assert.deepEqual(short.json(), doc)
})
