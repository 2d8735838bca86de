import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  action, advance, answeredCall, BASE, build, callView, expectGraphError, finalNotification, JSON_HEADERS, mockFor, prompt,
  record, RESULTS, setup, sharedKeyFile, startBot, UUID
} from '../helper.js'

/** Every recordResponse validation rule (see docs/graph-behaviour.md, Media operations): the 400 body names the field and the rule. */
const INVALID: Array<[string, unknown, string]> = [
  ['two prompts', { prompts: [prompt('welcome.wav'), prompt('yes.wav')] }, "the property 'prompts' must NOT have more than 1 items"],
  ['prompts not an array', { prompts: prompt('welcome.wav') }, "the property 'prompts' must be array or null"],
  ['prompt without @odata.type', { prompts: [{ mediaInfo: { uri: 'welcome.wav' } }] }, "the property 'prompts[0].@odata.type' is required"],
  ['prompt of another type', { prompts: [{ '@odata.type': '#microsoft.graph.textPrompt', mediaInfo: { uri: 'welcome.wav' } }] }, "the property 'prompts[0].@odata.type' must match pattern \"^#?microsoft\\.graph\\.mediaPrompt$\""],
  ['prompt without mediaInfo', { prompts: [{ '@odata.type': '#microsoft.graph.mediaPrompt' }] }, "the property 'prompts[0].mediaInfo' is required"],
  ['mediaInfo without uri', { prompts: [{ '@odata.type': '#microsoft.graph.mediaPrompt', mediaInfo: { resourceId: 'r' } }] }, "the property 'prompts[0].mediaInfo.uri' is required"],
  ['empty uri', { prompts: [{ '@odata.type': '#microsoft.graph.mediaPrompt', mediaInfo: { uri: '' } }] }, "the property 'prompts[0].mediaInfo.uri' must NOT have fewer than 1 characters"],
  ['initialSilenceTimeoutInSeconds 0', { initialSilenceTimeoutInSeconds: 0 }, "the property 'initialSilenceTimeoutInSeconds' must be >= 1"],
  ['initialSilenceTimeoutInSeconds 121', { initialSilenceTimeoutInSeconds: 121 }, "the property 'initialSilenceTimeoutInSeconds' must be <= 120"],
  ['initialSilenceTimeoutInSeconds 2.5', { initialSilenceTimeoutInSeconds: 2.5 }, "the property 'initialSilenceTimeoutInSeconds' must be integer or null"],
  ['maxSilenceTimeoutInSeconds 0', { maxSilenceTimeoutInSeconds: 0 }, "the property 'maxSilenceTimeoutInSeconds' must be >= 1"],
  ['maxSilenceTimeoutInSeconds 121', { maxSilenceTimeoutInSeconds: 121 }, "the property 'maxSilenceTimeoutInSeconds' must be <= 120"],
  ['maxSilenceTimeoutInSeconds "5" (no coercion)', { maxSilenceTimeoutInSeconds: '5' }, "the property 'maxSilenceTimeoutInSeconds' must be integer or null"],
  ['maxRecordDurationInSeconds 0', { maxRecordDurationInSeconds: 0 }, "the property 'maxRecordDurationInSeconds' must be >= 1"],
  ['maxRecordDurationInSeconds 300 (the old 5-minute limit)', { maxRecordDurationInSeconds: 300 }, "the property 'maxRecordDurationInSeconds' must be <= 120"],
  ['maxRecordDurationInSeconds 1.5', { maxRecordDurationInSeconds: 1.5 }, "the property 'maxRecordDurationInSeconds' must be integer or null"],
  ['playBeep "true" (no coercion)', { playBeep: 'true' }, "the property 'playBeep' must be boolean or null"],
  ['playBeep 0', { playBeep: 0 }, "the property 'playBeep' must be boolean or null"],
  ['bargeInAllowed "yes"', { bargeInAllowed: 'yes' }, "the property 'bargeInAllowed' must be boolean or null"],
  ['stopTones a string', { stopTones: '#' }, "the property 'stopTones' must be array or null"],
  ['stopTones with E', { stopTones: ['#', 'E'] }, "the property 'stopTones[1]' must be one of \"0\", \"1\", \"2\", \"3\", \"4\", \"5\", \"6\", \"7\", \"8\", \"9\", \"*\", \"#\", \"A\", \"B\", \"C\", \"D\", \"a\", \"b\", \"c\", \"d\""],
  ['stopTones with two keys in one item', { stopTones: ['11'] }, "the property 'stopTones[0]' must be one of \"0\", \"1\", \"2\", \"3\", \"4\", \"5\", \"6\", \"7\", \"8\", \"9\", \"*\", \"#\", \"A\", \"B\", \"C\", \"D\", \"a\", \"b\", \"c\", \"d\""],
  ['stopTones with a number', { stopTones: [1] }, "the property 'stopTones[0]' must be string"],
  ['clientContext of 257 characters', { clientContext: 'c'.repeat(257) }, "the property 'clientContext' must NOT have more than 256 characters"],
  ['clientContext a number', { clientContext: 42 }, "the property 'clientContext' must be string or null"],
  ['streamWhileRecording not boolean', { streamWhileRecording: 'yes' }, "the property 'streamWhileRecording' must be boolean or null"],
  ['body an array', [prompt('welcome.wav')], 'it must be object'],
  ['body null', null, 'it must be object']
]

test('recordResponse: every validation rule answers 400 BadRequest naming the field and the rule', async (t) => {
  const s = await setup(t)
  for (const [name, body, rule] of INVALID) {
    const res = await s.mock.app.inject({ method: 'POST', url: `/v1.0/communications/calls/${s.callId}/recordResponse`, headers: JSON_HEADERS, payload: JSON.stringify(body) })
    const message = expectGraphError(res, 400, 'BadRequest')
    assert.equal(message, `Invalid request body: ${rule}.`, name)
    const inner = (res.json() as any).error.innerError
    assert.deepEqual(res.json(), { error: { code: 'BadRequest', message, innerError: inner } }, name)
  }
  // A refused request creates nothing and takes no scripted response.
  const view = await callView(s.mock, s.callId)
  assert.deepEqual([view.operations, view.recordResponseRequests], [[], 0])
})

test('recordResponse: invalid JSON is a 400 too', async (t) => {
  const s = await setup(t)
  const res = await s.mock.app.inject({ method: 'POST', url: `/v1.0/communications/calls/${s.callId}/recordResponse`, headers: JSON_HEADERS, payload: '{"prompts": [' })
  assert.match(expectGraphError(res, 400, 'BadRequest'), /^The request body is not valid JSON/)
})

test('recordResponse: the token is checked before the body (401, not 400)', async (t) => {
  const s = await setup(t)
  const res = await s.mock.app.inject({ method: 'POST', url: `/v1.0/communications/calls/${s.callId}/recordResponse`, headers: { 'content-type': 'application/json' }, payload: { prompts: 'bad' } })
  assert.equal(expectGraphError(res, 401, 'InvalidAuthenticationToken'), 'Access token is empty.')
})

test('recordResponse: limits and leniencies accepted: 1 and 120, 256-char clientContext, every DTMF key, nulls, "#"-less type, extra properties', async (t) => {
  const s = await setup(t)
  const ok: Array<Record<string, unknown>> = [
    { initialSilenceTimeoutInSeconds: 1, maxSilenceTimeoutInSeconds: 1, maxRecordDurationInSeconds: 1 },
    { initialSilenceTimeoutInSeconds: 120, maxSilenceTimeoutInSeconds: 120, maxRecordDurationInSeconds: 120 },
    { clientContext: 'c'.repeat(256) },
    { stopTones: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '#', 'A', 'B', 'C', 'D'] },
    { stopTones: ['a', 'd'], prompts: [] },
    { prompts: null, bargeInAllowed: null, playBeep: null, stopTones: null, clientContext: null, initialSilenceTimeoutInSeconds: null },
    { prompts: [{ '@odata.type': 'microsoft.graph.mediaPrompt', mediaInfo: { uri: 'https://cdn.contoso.com/a.wav', resourceId: null, extra: 1 }, loop: 2 }] },
    // Graph ignores properties it does not know, and the beta-only streamWhileRecording.
    { '@odata.type': '#microsoft.graph.recordResponse', somethingNew: { nested: true }, streamWhileRecording: true }
  ]
  for (const body of ok) {
    const res = await action(s.mock, s.callId, 'recordResponse', body)
    assert.equal(res.statusCode, 200, `${JSON.stringify(body)}: ${res.body}`)
  }
  // No body at all means every default.
  const bare = await s.mock.app.inject({ method: 'POST', url: `/v1.0/communications/calls/${s.callId}/recordResponse`, headers: { authorization: JSON_HEADERS.authorization } })
  assert.equal(bare.statusCode, 200, bare.body)
  const empty = await s.mock.app.inject({ method: 'POST', url: `/v1.0/communications/calls/${s.callId}/recordResponse`, headers: JSON_HEADERS, payload: '' })
  assert.equal(empty.statusCode, 200, empty.body)
  assert.equal((await callView(s.mock, s.callId)).operations.length, ok.length + 2)
})

test('recordResponse on every path form: 200, Location under the version asked for, recordOperation body', async (t) => {
  const s = await setup(t)
  const forms: Array<[string, 'v1.0' | 'beta']> = []
  for (const [prefix, version] of [['/v1.0', 'v1.0'], ['/beta', 'beta'], ['', 'v1.0']] as const) {
    for (const collection of ['/communications/calls', '/app/calls']) {
      for (const segment of ['recordResponse', 'microsoft.graph.recordResponse']) forms.push([`${prefix}${collection}/${s.callId}/${segment}`, version])
    }
  }
  // Case-insensitive routing, as Graph's.
  forms.push([`/BETA/Communications/Calls/${s.callId}/RecordResponse`, 'beta'])
  for (const [i, [url, version]] of forms.entries()) {
    const res = await s.mock.app.inject({ method: 'POST', url, headers: JSON_HEADERS, payload: { clientContext: `form-${i}` } })
    assert.equal(res.statusCode, 200, `${url}: ${res.body}`)
    assert.match(String(res.headers['content-type']), /^application\/json/)
    const body = res.json() as Record<string, unknown>
    const id = String(body.id)
    assert.match(id, UUID)
    assert.equal(res.headers.location, `${BASE}/${version}/communications/calls/${s.callId}/operations/${id}`, url)
    assert.deepEqual(body, {
      '@odata.type': '#microsoft.graph.recordOperation',
      id,
      // The first runs at once; the others wait their turn.
      status: i === 0 ? 'running' : 'notStarted',
      clientContext: `form-${i}`,
      resultInfo: null,
      recordingLocation: null,
      recordingAccessToken: null,
      ...(version === 'beta' ? { completionReason: null } : {})
    }, url)
  }
})

test('Location follows PUBLIC_BASE_URL', async (t) => {
  const mock = await build(t, { signingKeyFile: sharedKeyFile(), publicBaseUrl: 'https://graph.example.test/mock' })
  const bot = await startBot(t)
  const callId = await answeredCall(mock, bot.url)
  const res = await action(mock, callId, 'recordResponse', {}, '/beta')
  assert.equal(res.headers.location, `https://graph.example.test/mock/beta/communications/calls/${callId}/operations/${(res.json() as { id: string }).id}`)
})

/** Defaults are proven by when the operation ends. */
async function endsAt (t: import('node:test').TestContext, actions: unknown[], body: Record<string, unknown>, atMs: number, reason: keyof typeof RESULTS): Promise<void> {
  const s = await setup(t, { script: { responses: [{ actions }] } })
  const opId = await record(s.mock, s.callId, body)
  await advance(s.mock, atMs - 1)
  assert.equal((await callView(s.mock, s.callId)).operations[0].status, 'running')
  await advance(s.mock, 1)
  const n = await finalNotification(s, opId)
  assert.equal(n.virtualMs, atMs)
  assert.deepEqual(n.value.resourceData.resultInfo, { '@odata.type': '#microsoft.graph.resultInfo', ...RESULTS[reason] })
}

test('defaults: initialSilenceTimeoutInSeconds absent is 5 s, after the default beep (0.5 s)', async (t) => {
  await endsAt(t, [{ silence: 60_000 }], {}, 5500, 'initialSilenceTimeout')
})

test('defaults: maxRecordDurationInSeconds absent is 5 s', async (t) => {
  await endsAt(t, [{ speech: 60_000 }], { maxSilenceTimeoutInSeconds: 120 }, 5500, 'maxRecordDurationReached')
})

test('defaults: maxSilenceTimeoutInSeconds absent is 5 s', async (t) => {
  await endsAt(t, [{ speech: 400 }, { silence: 60_000 }], { maxRecordDurationInSeconds: 60 }, 500 + 400 + 5000, 'maxSilenceTimeout')
})

test('defaults: playBeep explicitly false is kept (no 0.5 s beep); null means true', async (t) => {
  await endsAt(t, [{ silence: 60_000 }], { playBeep: false }, 5000, 'initialSilenceTimeout')
  await endsAt(t, [{ silence: 60_000 }], { playBeep: null }, 5500, 'initialSilenceTimeout')
})

test('limits: 1 s and 120 s timeouts take effect', async (t) => {
  await endsAt(t, [{ silence: 60_000 }], { initialSilenceTimeoutInSeconds: 1 }, 1500, 'initialSilenceTimeout')
  await endsAt(t, [{ speech: 200_000 }], { maxRecordDurationInSeconds: 120 }, 120_500, 'maxRecordDurationReached')
})

test('defaults: bargeInAllowed absent is false: a second recordResponse waits instead of cancelling', async (t) => {
  const s = await setup(t, { script: { responses: [{ actions: [{ speech: 60_000 }] }, { actions: [{ speech: 60_000 }] }] } })
  const first = await record(s.mock, s.callId, {})
  const second = await action(s.mock, s.callId, 'recordResponse', {})
  assert.equal((second.json() as { status: string }).status, 'notStarted')
  await advance(s.mock, 0)
  const view = await callView(s.mock, s.callId)
  assert.deepEqual(view.operations.map((o: any) => o.status), ['running', 'notStarted'])
  await advance(s.mock, 5500)
  assert.equal((await finalNotification(s, first)).value.resourceData.status, 'completed')
})

test('media operations need an established call with serviceHostedMediaConfig; otherwise a 4xx saying why', async (t) => {
  const mock = await mockFor(t)
  const bot = await startBot(t)

  // Unknown call.
  expectGraphError(await action(mock, '00000000-0000-4000-8000-000000000000', 'recordResponse', {}), 404, '8522')

  // Ringing, not answered yet.
  const ringing = ((await mock.app.inject({ method: 'POST', url: '/_mock/calls', payload: { callbackUri: bot.url } })).json() as { id: string }).id
  for (const name of ['recordResponse', 'playPrompt', 'cancelMediaProcessing', 'subscribeToTone']) {
    const body = name === 'playPrompt' ? { prompts: [prompt('yes.wav')] } : {}
    assert.equal(expectGraphError(await action(mock, ringing, name, body), 400, 'BadRequest'),
      `Cannot run ${name} on call ${ringing} in state 'incoming'; this needs state 'established'.`)
  }

  // Answered with app-hosted media.
  const appHosted = ((await mock.app.inject({ method: 'POST', url: '/_mock/calls', payload: { callbackUri: bot.url } })).json() as { id: string }).id
  const answered = await mock.app.inject({ method: 'POST', url: `/v1.0/communications/calls/${appHosted}/answer`, headers: JSON_HEADERS, payload: { callbackUri: bot.url, acceptedModalities: ['audio'], mediaConfig: { '@odata.type': '#microsoft.graph.appHostedMediaConfig', blob: '<blob>' } } })
  assert.equal(answered.statusCode, 202)
  assert.equal(expectGraphError(await action(mock, appHosted, 'recordResponse', {}), 400, 'BadRequest'),
    `recordResponse is only supported for calls with serviceHostedMediaConfig; call ${appHosted} uses appHostedMediaConfig.`)

  // Outgoing, still establishing; the callee answers after the default 1000 ms.
  const created = await mock.app.inject({
    method: 'POST',
    url: '/v1.0/communications/calls',
    headers: JSON_HEADERS,
    payload: { '@odata.type': '#microsoft.graph.call', callbackUri: bot.url, targets: [{ '@odata.type': '#microsoft.graph.invitationParticipantInfo', identity: { user: { id: 'u1' } } }], requestedModalities: ['audio'], mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' } }
  })
  assert.equal(created.statusCode, 201, created.body)
  const outgoing = (created.json() as { id: string }).id
  assert.match(expectGraphError(await action(mock, outgoing, 'recordResponse', {}), 400, 'BadRequest'), /in state 'establishing'/)
  await advance(mock, 1000)
  assert.equal((await action(mock, outgoing, 'recordResponse', {})).statusCode, 200)
})

const PLAY_INVALID: Array<[string, unknown, string]> = [
  ['no prompts', {}, "the property 'prompts' is required"],
  ['zero prompts', { prompts: [] }, "the property 'prompts' must NOT have fewer than 1 items"],
  ['21 prompts', { prompts: Array.from({ length: 21 }, () => prompt('yes.wav')) }, "the property 'prompts' must NOT have more than 20 items"],
  ['prompt without uri', { prompts: [{ '@odata.type': '#microsoft.graph.mediaPrompt', mediaInfo: {} }] }, "the property 'prompts[0].mediaInfo.uri' is required"],
  ['clientContext of 257 characters', { prompts: [prompt('yes.wav')], clientContext: 'x'.repeat(257) }, "the property 'clientContext' must NOT have more than 256 characters"],
  ['loop not boolean', { prompts: [prompt('yes.wav')], loop: 'forever' }, "the property 'loop' must be boolean or null"]
]

test('playPrompt, cancelMediaProcessing, subscribeToTone: validation answers 400 naming the field and the rule', async (t) => {
  const s = await setup(t)
  for (const [name, body, rule] of PLAY_INVALID) {
    assert.equal(expectGraphError(await action(s.mock, s.callId, 'playPrompt', body), 400, 'BadRequest'), `Invalid request body: ${rule}.`, name)
  }
  for (const name of ['cancelMediaProcessing', 'subscribeToTone']) {
    assert.equal(expectGraphError(await action(s.mock, s.callId, name, { clientContext: 'x'.repeat(257) }), 400, 'BadRequest'), "Invalid request body: the property 'clientContext' must NOT have more than 256 characters.")
    assert.equal(expectGraphError(await action(s.mock, s.callId, name, { clientContext: 7 }), 400, 'BadRequest'), "Invalid request body: the property 'clientContext' must be string or null.")
    // Without a body they work: clientContext is optional.
    const bare = await s.mock.app.inject({ method: 'POST', url: `/v1.0/communications/calls/${s.callId}/${name}`, headers: { authorization: JSON_HEADERS.authorization } })
    assert.equal(bare.statusCode, 200, bare.body)
  }
  assert.ok(PLAY_INVALID.length > 0)
})
