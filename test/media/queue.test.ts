import assert from 'node:assert/strict'
import { test } from 'node:test'
import { MAX_OPERATIONS_PER_CALL, MAX_QUEUED_OPERATIONS } from '../../src/engine/media/media-engine.js'
import {
  action, advance, BASE, callView, control, expectGraphError, finalNotification, getOperation, journal, noNotification,
  operationDeliveries, playPrompt, playPromptNotification, prompt, record, recordNotification, RESULTS, setup, toneNotifications,
  type Version
} from '../helper.js'

for (const version of ['v1.0', 'beta'] as Version[]) {
  test(`${version}: queue: two playPrompts and a recordResponse run one at a time in arrival order`, async (t) => {
    const s = await setup(t, { script: { responses: [{ actions: [{ silence: 300 }, { speech: 1000 }, { tone: '#' }] }] } })
    const prefix = `/${version}`
    const p1Res = await action(s.mock, s.callId, 'playPrompt', { prompts: [prompt('https://cdn.contoso.com/welcome.wav')], clientContext: 'p1' }, prefix)
    assert.equal(p1Res.statusCode, 200)
    const p1 = (p1Res.json() as { id: string }).id
    assert.equal(p1Res.headers.location, `${BASE}/${version}/communications/calls/${s.callId}/operations/${p1}`)
    assert.deepEqual(p1Res.json(), { '@odata.type': '#microsoft.graph.playPromptOperation', id: p1, status: 'running', clientContext: 'p1', resultInfo: null, ...(version === 'beta' ? { completionReason: null } : {}) })
    // yes.wav (419 ms) and a prompt that names no fixture (2 s): 2419 ms.
    const p2Prompts = [prompt('yes.wav'), prompt('https://cdn.contoso.com/prompts/greeting-v2.wav')]
    const p2Res = await action(s.mock, s.callId, 'playPrompt', { prompts: p2Prompts, clientContext: 'p2' }, prefix)
    assert.equal((p2Res.json() as { status: string }).status, 'notStarted')
    const p2 = (p2Res.json() as { id: string }).id
    const recRes = await action(s.mock, s.callId, 'recordResponse', { stopTones: ['#'], clientContext: 'rec' }, prefix)
    assert.equal((recRes.json() as { status: string }).status, 'notStarted')
    const rec = (recRes.json() as { id: string }).id

    const statuses = async (): Promise<string[]> => await Promise.all([p1, p2, rec].map(async (id) => ((await getOperation(s.mock, s.callId, id, prefix)).json() as { status: string }).status))
    assert.deepEqual(await statuses(), ['running', 'notStarted', 'notStarted'])

    await advance(s.mock, 2956)
    assert.deepEqual(await statuses(), ['running', 'notStarted', 'notStarted'])
    await advance(s.mock, 1)
    assert.deepEqual(await statuses(), ['completed', 'running', 'notStarted'])
    const n1 = await finalNotification(s, p1)
    assert.equal(n1.virtualMs, 2957)
    assert.deepEqual(n1.value, playPromptNotification({ callId: s.callId, opId: p1, version, status: 'completed', clientContext: 'p1', prompts: [prompt('https://cdn.contoso.com/welcome.wav')] }))

    await advance(s.mock, 2418)
    assert.deepEqual(await statuses(), ['completed', 'running', 'notStarted'])
    await advance(s.mock, 1)
    assert.deepEqual(await statuses(), ['completed', 'completed', 'running'])
    const n2 = await finalNotification(s, p2)
    assert.equal(n2.virtualMs, 5376)
    assert.deepEqual(n2.value, playPromptNotification({ callId: s.callId, opId: p2, version, status: 'completed', clientContext: 'p2', prompts: p2Prompts }))

    // The recording starts at 5376: beep to 5876, 300 ms silence, 1000 ms speech, '#'.
    const startedAt = (await callView(s.mock, s.callId)).operations.find((o: any) => o.id === rec).startedAtMs
    assert.equal(startedAt, 5376)
    await advance(s.mock, 7175 - 5376)
    await noNotification(s, rec)
    await advance(s.mock, 1)
    const n3 = await finalNotification(s, rec)
    assert.equal(n3.virtualMs, 7176)
    const { recordingLocation, recordingAccessToken } = n3.value.resourceData
    assert.deepEqual(n3.value, recordNotification({ callId: s.callId, opId: rec, version, status: 'completed', completionReason: 'stopToneDetected', resultInfo: RESULTS.stopToneDetected, clientContext: 'rec', recordingLocation, recordingAccessToken }))
    assert.deepEqual((await operationDeliveries(s.mock, s.callId)).map((e) => e.resourceUrls[0].split('/').pop()), [p1, p2, rec])
  })
}

test('GET operations/{id} returns the operation as it is now, under the version asked for', async (t) => {
  const s = await setup(t, { script: { responses: [{ actions: [{ speech: 1000 }, { tone: '#' }] }] } })
  const opId = await record(s.mock, s.callId, { stopTones: ['#'], clientContext: 'now' }, '/beta')
  const running = await getOperation(s.mock, s.callId, opId)
  assert.equal(running.statusCode, 200)
  assert.deepEqual(running.json(), { '@odata.type': '#microsoft.graph.recordOperation', id: opId, status: 'running', clientContext: 'now', resultInfo: null, recordingLocation: null, recordingAccessToken: null })
  await advance(s.mock, 1500)
  const done = await getOperation(s.mock, s.callId, opId.toUpperCase(), '/beta')
  const body = done.json() as Record<string, any>
  assert.deepEqual(body, {
    '@odata.type': '#microsoft.graph.recordOperation',
    id: opId,
    status: 'completed',
    clientContext: 'now',
    resultInfo: { '@odata.type': '#microsoft.graph.resultInfo', ...RESULTS.stopToneDetected },
    recordingLocation: body.recordingLocation,
    recordingAccessToken: body.recordingAccessToken,
    completionReason: 'stopToneDetected'
  })
  assert.equal(body.recordingLocation, (await finalNotification(s, opId)).value.resourceData.recordingLocation)
  // Every path form reaches it.
  for (const url of [`/communications/calls/${s.callId}/operations/${opId}`, `/v1.0/app/calls/${s.callId}/operations/${opId}`]) {
    assert.equal((await s.mock.app.inject({ method: 'GET', url, headers: { authorization: 'Bearer x' } })).statusCode, 200, url)
  }
  // Unknown operation on a live call: 404 itemNotFound; another call's operation is not this call's.
  assert.match(expectGraphError(await getOperation(s.mock, s.callId, '11111111-2222-4333-8444-555555555555'), 404, 'itemNotFound'), /Operation '11111111-2222-4333-8444-555555555555' was not found/)
  expectGraphError(await getOperation(s.mock, '11111111-2222-4333-8444-555555555555', opId), 404, '8522')
})

test('cancelMediaProcessing cancels the running and every queued operation, each announced; the queue is empty after', async (t) => {
  const s = await setup(t, { script: { responses: [{ actions: [{ speech: 500 }, { tone: '#' }] }, { actions: [{ speech: 500 }, { tone: '#' }] }] } })
  const play = await playPrompt(s.mock, s.callId, ['welcome.wav'], 'play')
  const rec = await record(s.mock, s.callId, { stopTones: ['#'], clientContext: 'rec' })
  const play2 = await playPrompt(s.mock, s.callId, ['no.wav', 'yes.wav'], 'play2')
  await advance(s.mock, 1000)
  const res = await action(s.mock, s.callId, 'cancelMediaProcessing', { clientContext: 'stop-all' })
  assert.equal(res.statusCode, 200)
  const cancelId = (res.json() as { id: string }).id
  assert.deepEqual(res.json(), { '@odata.type': '#microsoft.graph.cancelMediaProcessingOperation', id: cancelId, status: 'completed', clientContext: 'stop-all', resultInfo: null })
  await advance(s.mock, 0)
  const expected = [
    playPromptNotification({ callId: s.callId, opId: play, version: 'v1.0', status: 'failed', clientContext: 'play', prompts: [prompt('welcome.wav')] }),
    recordNotification({ callId: s.callId, opId: rec, version: 'v1.0', status: 'failed', completionReason: 'operationCanceled', resultInfo: RESULTS.operationCanceled, clientContext: 'rec', recordingLocation: '', recordingAccessToken: '' }),
    playPromptNotification({ callId: s.callId, opId: play2, version: 'v1.0', status: 'failed', clientContext: 'play2', prompts: [prompt('no.wav'), prompt('yes.wav')] })
  ]
  const deliveries = await operationDeliveries(s.mock, s.callId)
  assert.deepEqual(deliveries.map((d) => d.body.value[0]), expected)
  assert.deepEqual(deliveries.map((d) => d.virtualMs), [1000, 1000, 1000])
  // The cancel operation itself is completed already and can be read back.
  assert.equal((await getOperation(s.mock, s.callId, cancelId)).json().status, 'completed')
  // The queue is empty: a new recordResponse runs at once and takes the second scripted response.
  const after = await action(s.mock, s.callId, 'recordResponse', { stopTones: ['#'], playBeep: false })
  assert.equal(after.json().status, 'running')
  await advance(s.mock, 500)
  assert.equal((await finalNotification(s, after.json().id)).value.resourceData.status, 'completed')
  // Cancelling with nothing to cancel still answers 200 completed.
  assert.equal((await action(s.mock, s.callId, 'cancelMediaProcessing', {})).json().status, 'completed')
})

test('subscribeToTone: later key presses arrive as call updated notifications with toneInfo', async (t) => {
  const s = await setup(t, { script: { responses: [{ actions: [{ silence: 200 }, { tone: '1' }, { speech: 500 }, { tone: '*' }, { speech: 500 }, { tone: '#' }] }] } })
  // Before subscribing, keys are not reported.
  assert.equal((await control(s.mock, 'POST', `/calls/${s.callId}/tones`, { tones: '9' })).statusCode, 200)
  await advance(s.mock, 0)
  assert.deepEqual(toneNotifications(s.bot), [])

  const res = await action(s.mock, s.callId, 'subscribeToTone', { clientContext: 'tones' }, '/beta')
  assert.equal(res.statusCode, 200)
  const subId = (res.json() as { id: string }).id
  assert.equal(res.headers.location, `${BASE}/beta/communications/calls/${s.callId}/operations/${subId}`)
  assert.deepEqual(res.json(), { '@odata.type': '#microsoft.graph.subscribeToToneOperation', id: subId, status: 'completed', clientContext: 'tones', resultInfo: null })

  // Scripted keys during a recording: '1' and '*' are reported; '#' ends it and is reported first.
  const rec = await record(s.mock, s.callId, { stopTones: ['#'] })
  await advance(s.mock, 10_000)
  // Live keys: every key of the keypad, in order.
  assert.equal((await control(s.mock, 'POST', `/calls/${s.callId}/tones`, { tones: '0123456789*#ABcd' })).statusCode, 200)
  await advance(s.mock, 0)
  const tones = toneNotifications(s.bot)
  const callUrl = `/communications/calls/${s.callId}`
  for (const n of tones) {
    assert.equal(n.changeType, 'updated')
    assert.equal(n.resourceUrl, callUrl)
    assert.equal(n.resourceData['@odata.type'], '#microsoft.graph.call')
    assert.equal(n.resourceData['@odata.id'], callUrl)
    assert.equal(n.resourceData.state, 'established')
    assert.equal(n.resourceData.id, s.callId)
  }
  const names = ['tone1', 'star', 'pound', 'tone0', 'tone1', 'tone2', 'tone3', 'tone4', 'tone5', 'tone6', 'tone7', 'tone8', 'tone9', 'star', 'pound', 'a', 'b', 'c', 'd']
  assert.deepEqual(tones.map((n) => n.resourceData.toneInfo), names.map((tone, i) => ({ '@odata.type': '#microsoft.graph.toneInfo', sequenceId: i + 1, tone })))
  // Timing of the scripted keys: R = 500; '1' at 700, '*' at 1200, '#' at 1700, then the operation.
  const entries = (await journal(s.mock, { callId: s.callId })).filter((e) => e.body.value[0].resourceData?.toneInfo || e.resourceUrls[0].includes('/operations/'))
  assert.deepEqual(entries.slice(0, 4).map((e) => [e.virtualMs, e.body.value[0].resourceData.toneInfo?.tone ?? e.body.value[0].resourceData.id]), [[700, 'tone1'], [1200, 'star'], [1700, 'pound'], [1700, rec]])
  // cancelMediaProcessing does not end the subscription (see docs/graph-behaviour.md, Media operations).
  await action(s.mock, s.callId, 'cancelMediaProcessing', {})
  await control(s.mock, 'POST', `/calls/${s.callId}/tones`, { tones: '5' })
  await advance(s.mock, 0)
  assert.deepEqual(toneNotifications(s.bot).at(-1).resourceData.toneInfo, { '@odata.type': '#microsoft.graph.toneInfo', sequenceId: 20, tone: 'tone5' })
})

test('live key presses: a stop tone ends the recording at that moment; keys during the prompt do not', async (t) => {
  const s = await setup(t, { script: { responses: [{ actions: [{ speech: 60_000 }] }] } })
  const rec = await record(s.mock, s.callId, { prompts: [prompt('yes.wav')], stopTones: ['#'], maxRecordDurationInSeconds: 60 }, '/beta')
  // yes.wav lasts 419 ms, the beep to 919 ms: '#' at 800 ms falls before the window.
  await advance(s.mock, 800)
  await control(s.mock, 'POST', `/calls/${s.callId}/tones`, { tones: '#' })
  await advance(s.mock, 1200)
  await noNotification(s, rec)
  // At 2000 ms, '2' is not a stop tone; '#' is.
  const res = await control(s.mock, 'POST', `/calls/${s.callId}/tones`, { tones: '2#3' })
  assert.equal(res.statusCode, 200)
  await advance(s.mock, 0)
  const n = await finalNotification(s, rec)
  assert.equal(n.virtualMs, 2000)
  assert.equal(n.value.resourceData.completionReason, 'stopToneDetected')
  const recording = (await callView(s.mock, s.callId)).recordings[0]
  assert.equal(recording.durationMs, 2000 - 919)
})

test('a recordResponse whose prompt fails does not hold up the queue', async (t) => {
  const s = await setup(t, { script: { responses: [{ prompt: 'fail' }] } })
  const rec = await record(s.mock, s.callId, { prompts: [prompt('welcome.wav')] })
  const play = await playPrompt(s.mock, s.callId, ['yes.wav'])
  await advance(s.mock, 0)
  assert.equal((await finalNotification(s, rec)).value.resourceData.status, 'failed')
  await advance(s.mock, 419)
  const n = await finalNotification(s, play)
  assert.equal(n.virtualMs, 419)
  assert.equal(n.value.resourceData.status, 'completed')
})

test('beta playPrompt with loop: true plays until cancelled', async (t) => {
  const s = await setup(t)
  const res = await action(s.mock, s.callId, 'playPrompt', { prompts: [prompt('yes.wav')], loop: true }, '/beta')
  const opId = (res.json() as { id: string }).id
  await advance(s.mock, 600_000)
  await noNotification(s, opId)
  assert.equal((await getOperation(s.mock, s.callId, opId, '/beta')).json().status, 'running')
  await action(s.mock, s.callId, 'cancelMediaProcessing', {}, '/beta')
  await advance(s.mock, 0)
  assert.equal((await finalNotification(s, opId)).value.resourceData.completionReason, 'mediaOperationCanceled')
})

test('a call keeps at most MAX_QUEUED_OPERATIONS waiting and MAX_OPERATIONS_PER_CALL in all, forgetting the oldest finished one', async (t) => {
  const s = await setup(t)
  // One playPrompt runs; MAX_QUEUED_OPERATIONS more wait behind it; the next is refused, naming the limit.
  const running = await playPrompt(s.mock, s.callId, ['https://cdn.contoso.com/welcome.wav'])
  for (let i = 0; i < MAX_QUEUED_OPERATIONS; i++) assert.equal((await action(s.mock, s.callId, 'playPrompt', { prompts: [prompt('yes.wav')] })).statusCode, 200)
  const refused = await action(s.mock, s.callId, 'recordResponse', {})
  assert.match(expectGraphError(refused, 400, 'BadRequest'), new RegExp(`${MAX_QUEUED_OPERATIONS} media operations waiting; the limit is ${MAX_QUEUED_OPERATIONS} \\(MAX_QUEUED_OPERATIONS\\)`))
  assert.equal((await action(s.mock, s.callId, 'playPrompt', { prompts: [prompt('yes.wav')] })).statusCode, 400, 'playPrompt too')
  // A barge-in cancels what waits, so it has room; the refused requests left no operation behind.
  assert.equal((await action(s.mock, s.callId, 'recordResponse', { bargeInAllowed: true })).statusCode, 200)
  assert.equal((await callView(s.mock, s.callId)).operations.length, 1 + MAX_QUEUED_OPERATIONS + 1)

  // Operations that finish at once (subscribeToTone) fill the call up to its limit, then the oldest finished go.
  const kept = (await callView(s.mock, s.callId)).operations.length
  const ids: string[] = []
  for (let i = kept; i < MAX_OPERATIONS_PER_CALL + 5; i++) ids.push((await action(s.mock, s.callId, 'subscribeToTone', {})).json().id)
  const operations = (await callView(s.mock, s.callId)).operations as Array<{ id: string }>
  assert.equal(operations.length, MAX_OPERATIONS_PER_CALL)
  assert.equal(operations.at(-1)!.id, ids.at(-1))
  assert.equal((await getOperation(s.mock, s.callId, running)).statusCode, 404, 'the first, canceled by the barge-in, was forgotten first')
  assert.equal((await getOperation(s.mock, s.callId, ids.at(-1)!)).statusCode, 200)
})
