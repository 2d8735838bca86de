import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  action, advance, advanceTo, callView, expectGraphError, finalNotification, JSON_HEADERS, noNotification, playPrompt,
  playPromptNotification, prompt, record, RECORDING_URL, recordingOf, recordNotification, RESULTS, setup, type Setup,
  type Version
} from '../helper.js'

/** One outcome row of the outcome table in docs/caller-scripts.md, checked through HTTP on the manual clock, in both versions. */
const VERSIONS: Version[] = ['v1.0', 'beta']

async function expectRecorded (s: Setup, opId: string, version: Version, reason: keyof typeof RESULTS, atMs: number, windowMs: number, clientContext: string | null = null): Promise<void> {
  const n = await finalNotification(s, opId)
  assert.equal(n.virtualMs, atMs)
  const { recordingLocation, recordingAccessToken } = n.value.resourceData
  assert.match(recordingLocation, RECORDING_URL)
  assert.match(recordingAccessToken, /^[A-Za-z0-9_-]{20,}$/)
  assert.deepEqual(n.value, recordNotification({ callId: s.callId, opId, version, status: 'completed', completionReason: reason, resultInfo: RESULTS[reason], clientContext, recordingLocation, recordingAccessToken }))
  const rec = await recordingOf(s.mock, s.callId, opId)
  assert.equal(rec.durationMs, windowMs)
  // The recording really is served at that location with that token, and is as long as the window.
  const wav = await s.mock.app.inject({ method: 'GET', url: new URL(recordingLocation).pathname, headers: { authorization: `Bearer ${recordingAccessToken}` } })
  assert.equal(wav.statusCode, 200)
  assert.equal(wav.rawPayload.length, 44 + Math.round(windowMs * 16) * 2)
}

async function expectFailed (s: Setup, opId: string, version: Version, reason: 'initialSilenceTimeout' | 'playPromptFailed', atMs: number, clientContext: string | null = null): Promise<void> {
  const n = await finalNotification(s, opId)
  assert.equal(n.virtualMs, atMs)
  assert.deepEqual(n.value, recordNotification({ callId: s.callId, opId, version, status: 'failed', completionReason: reason, resultInfo: RESULTS[reason], clientContext }))
  assert.deepEqual((await callView(s.mock, s.callId)).recordings, [])
}

for (const version of VERSIONS) {
  test(`${version}: stop tone: prompt 2 s + beep 0.5 s + 800 ms silence + 2500 ms speech + '#' ends at 5800 ms`, async (t) => {
    const s = await setup(t, { script: { responses: [{ actions: [{ silence: 800 }, { speech: 2500, audio: 'hello.wav' }, { tone: '#' }, { speech: 9000 }] }] } })
    const opId = await record(s.mock, s.callId, {
      prompts: [prompt('https://cdn.contoso.com/prompts/custom-greeting.wav')],
      maxRecordDurationInSeconds: 10,
      stopTones: ['#', '*'],
      clientContext: 'stop-tone-ctx'
    }, `/${version}`)
    await advanceTo(s, 0, 5800, opId)
    await expectRecorded(s, opId, version, 'stopToneDetected', 5800, 3300, 'stop-tone-ctx')
  })

  test(`${version}: max duration: welcome.wav prompt (2957 ms), no beep, 4 s window ends at 6957 ms`, async (t) => {
    const s = await setup(t, { script: { responses: [{ actions: [{ silence: 500 }, { speech: 10000 }, { tone: '#' }] }] } })
    const opId = await record(s.mock, s.callId, {
      prompts: [prompt('https://cdn.contoso.com/audio/welcome.wav?v=3')],
      playBeep: false,
      maxRecordDurationInSeconds: 4,
      stopTones: ['#']
    }, `/${version}`)
    await advanceTo(s, 0, 6957, opId)
    await expectRecorded(s, opId, version, 'maxRecordDurationReached', 6957, 4000)
  })

  test(`${version}: max silence: beep, 1000 ms silence, 1500 ms speech, then 3 s silence ends at 6000 ms`, async (t) => {
    const s = await setup(t, { script: { responses: [{ actions: [{ silence: 1000 }, { speech: 1500 }, { silence: 30000 }] }] } })
    const opId = await record(s.mock, s.callId, { maxSilenceTimeoutInSeconds: 3, maxRecordDurationInSeconds: 20 }, `/${version}`)
    await advanceTo(s, 0, 6000, opId)
    await expectRecorded(s, opId, version, 'maxSilenceTimeout', 6000, 5500)
  })

  test(`${version}: initial silence: press-pound.wav (2320 ms) + beep, silent for 3 s, fails at 5820 ms without a recording`, async (t) => {
    const s = await setup(t, { script: { responses: [{ actions: [{ silence: 30000 }] }] } })
    const opId = await record(s.mock, s.callId, { prompts: [prompt('press-pound.wav')], initialSilenceTimeoutInSeconds: 3, clientContext: 'silent' }, `/${version}`)
    await advanceTo(s, 0, 5820, opId)
    await expectFailed(s, opId, version, 'initialSilenceTimeout', 5820, 'silent')
  })

  test(`${version}: prompt failure: the operation fails when it starts, here at 2957 ms behind a playPrompt`, async (t) => {
    const s = await setup(t, { script: { responses: [{ prompt: 'fail', actions: [{ speech: 1000 }, { tone: '#' }] }] } })
    await playPrompt(s.mock, s.callId, ['welcome.wav'])
    const opId = await record(s.mock, s.callId, { prompts: [prompt('https://cdn.contoso.com/missing.wav')], stopTones: ['#'] }, `/${version}`)
    await advanceTo(s, 0, 2957, opId)
    await expectFailed(s, opId, version, 'playPromptFailed', 2957)
  })

  test(`${version}: cancelMediaProcessing at 1500 ms: failed, 400/8508, empty recording location and token`, async (t) => {
    const s = await setup(t, { script: { responses: [{ actions: [{ speech: 4000 }] }] } })
    const opId = await record(s.mock, s.callId, { clientContext: 'to-cancel' }, `/${version}`)
    await advance(s.mock, 1500)
    await noNotification(s, opId)
    const res = await action(s.mock, s.callId, 'cancelMediaProcessing', { clientContext: 'cancel-ctx' }, `/${version}`)
    assert.equal(res.statusCode, 200, res.body)
    const cancel = res.json() as { id: string }
    assert.equal(res.headers.location, `http://127.0.0.1:4000/${version}/communications/calls/${s.callId}/operations/${cancel.id}`)
    assert.deepEqual(res.json(), { '@odata.type': '#microsoft.graph.cancelMediaProcessingOperation', id: cancel.id, status: 'completed', clientContext: 'cancel-ctx', resultInfo: null })
    await advance(s.mock, 0)
    const n = await finalNotification(s, opId)
    assert.equal(n.virtualMs, 1500)
    assert.deepEqual(n.value, recordNotification({ callId: s.callId, opId, version, status: 'failed', completionReason: 'operationCanceled', resultInfo: RESULTS.operationCanceled, clientContext: 'to-cancel', recordingLocation: '', recordingAccessToken: '' }))
    // Nothing more happens for it later, and the cancel operation itself is never announced.
    await advance(s.mock, 60_000)
    await finalNotification(s, opId)
    await noNotification(s, cancel.id)
  })

  test(`${version}: barge-in at 1000 ms cancels the running record and the queued playPrompt, then runs`, async (t) => {
    const s = await setup(t, { script: { responses: [{ actions: [{ speech: 4000 }] }, { actions: [{ speech: 1000 }, { tone: '1' }] }] } })
    const first = await record(s.mock, s.callId, { clientContext: 'first' }, `/${version}`)
    const queued = await playPrompt(s.mock, s.callId, ['yes.wav'], 'queued', `/${version}`)
    await advance(s.mock, 1000)
    const res = await action(s.mock, s.callId, 'recordResponse', { bargeInAllowed: true, playBeep: false, stopTones: ['1'], clientContext: 'barger' }, `/${version}`)
    assert.equal(res.statusCode, 200, res.body)
    const barger = res.json() as { id: string, status: string }
    assert.equal(barger.status, 'running')
    await advance(s.mock, 0)
    const a = await finalNotification(s, first)
    assert.equal(a.virtualMs, 1000)
    assert.deepEqual(a.value, recordNotification({ callId: s.callId, opId: first, version, status: 'failed', completionReason: 'operationCanceled', resultInfo: RESULTS.operationCanceled, clientContext: 'first', recordingLocation: '', recordingAccessToken: '' }))
    const b = await finalNotification(s, queued)
    assert.equal(b.virtualMs, 1000)
    assert.deepEqual(b.value, playPromptNotification({ callId: s.callId, opId: queued, version, status: 'failed', clientContext: 'queued', prompts: [prompt('yes.wav')] }))
    // The cancellations reach the bot before anything of the barging operation.
    const order = s.bot.received.map((r) => r.body.value[0].resourceUrl as string).filter((u) => u.includes('/operations/'))
    assert.deepEqual(order.slice(0, 2).map((u) => u.split('/').pop()), [first, queued])
    // No beep: the window opens at 1000 ms; 1000 ms speech then the stop tone '1'.
    await advanceTo(s, 1000, 2000, barger.id)
    await expectRecorded(s, barger.id, version, 'stopToneDetected', 2000, 1000, 'barger')
  })
}

test('hang-up by the caller mid-recording: no operation notification, the control API shows it failed', async (t) => {
  const s = await setup(t, { script: { responses: [{ actions: [{ speech: 4000 }] }] } })
  const opId = await record(s.mock, s.callId, { maxRecordDurationInSeconds: 10 })
  const queued = await record(s.mock, s.callId, {})
  await advance(s.mock, 2000)
  const res = await s.mock.app.inject({ method: 'POST', url: `/_mock/calls/${s.callId}/hangup` })
  assert.equal(res.statusCode, 200, res.body)
  await advance(s.mock, 60_000)
  await noNotification(s, opId)
  await noNotification(s, queued)
  const view = await callView(s.mock, s.callId)
  assert.equal(view.state, 'terminated')
  assert.equal(view.endedBy, 'caller')
  const ops = view.operations.map((o: any) => ({ id: o.id, status: o.status, completionReason: o.completionReason, resultInfo: o.resultInfo, notified: o.notified, recordingLocation: o.recordingLocation, endedAtMs: o.endedAtMs }))
  assert.deepEqual(ops, [
    { id: opId, status: 'failed', completionReason: 'operationCanceled', resultInfo: null, notified: false, recordingLocation: null, endedAtMs: 2000 },
    { id: queued, status: 'failed', completionReason: 'operationCanceled', resultInfo: null, notified: false, recordingLocation: null, endedAtMs: 2000 }
  ])
  assert.deepEqual(view.recordings, [])
  // The bot hears only that the call ended (after the answer's established notification).
  const last = s.bot.received.at(-1)!.body.value[0]
  assert.equal(last.changeType, 'deleted')
  assert.equal(last.resourceUrl, `/communications/calls/${s.callId}`)
  assert.equal(last.resourceData.state, 'terminated')
  // Graph paths on the ended call answer 404 8522.
  const get = await s.mock.app.inject({ method: 'GET', url: `/v1.0/communications/calls/${s.callId}/operations/${opId}`, headers: JSON_HEADERS })
  assert.equal(expectGraphError(get, 404, '8522'), 'Call not found.')
  expectGraphError(await action(s.mock, s.callId, 'recordResponse', {}), 404, '8522')
})

test('hang-up by the bot (DELETE) mid-recording: no operation notification, operation failed', async (t) => {
  const s = await setup(t, { script: { responses: [{ actions: [{ speech: 4000 }] }] } })
  const opId = await record(s.mock, s.callId, {}, '/beta')
  await advance(s.mock, 3000)
  const del = await s.mock.app.inject({ method: 'DELETE', url: `/beta/communications/calls/${s.callId}`, headers: JSON_HEADERS })
  assert.equal(del.statusCode, 204)
  await advance(s.mock, 60_000)
  await noNotification(s, opId)
  const op = (await callView(s.mock, s.callId)).operations[0]
  assert.deepEqual([op.status, op.completionReason, op.notified, op.endedAtMs], ['failed', 'operationCanceled', false, 3000])
  const calls = s.bot.received.map((r) => r.body.value[0]).filter((v) => v.resourceUrl === `/communications/calls/${s.callId}`).slice(-2)
  assert.deepEqual(calls.map((v) => [v.changeType, v.resourceData.state]), [['updated', 'terminating'], ['deleted', 'terminated']])
  expectGraphError(await s.mock.app.inject({ method: 'GET', url: `/beta/communications/calls/${s.callId}/operations/${opId}`, headers: JSON_HEADERS }), 404, '8522')
})

test('scripted hang-up: the caller speaks 1200 ms then hangs up; the call ends at R + 1200 without an operation notification', async (t) => {
  const s = await setup(t, { script: { responses: [{ actions: [{ speech: 1200 }, { hangup: true }, { tone: '#' }] }] } })
  const opId = await record(s.mock, s.callId, { stopTones: ['#'] })
  await advance(s.mock, 1699)
  assert.equal((await callView(s.mock, s.callId)).state, 'established')
  await advance(s.mock, 1)
  const view = await callView(s.mock, s.callId)
  assert.equal(view.state, 'terminated')
  assert.equal(view.endedBy, 'caller')
  assert.equal(view.operations[0].status, 'failed')
  assert.equal(view.operations[0].endedAtMs, 1700)
  await advance(s.mock, 10_000)
  await noNotification(s, opId)
})
