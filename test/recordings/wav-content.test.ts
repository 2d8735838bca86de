import assert from 'node:assert/strict'
import { test } from 'node:test'
import { goertzelPower, normalizedCorrelation, rmsDbfs } from './audio/analysis.js'
import { FixtureAudio } from '../../src/recordings/audio/fixture-audio.js'
import type { DtmfKey } from '../../src/engine/dtmf.js'
import { DTMF_FREQUENCIES, SAMPLE_RATE } from '../../src/recordings/audio/render.js'
import type { BuiltMock } from '../../src/server.js'
import {
  advance, answeredCall, build, completion, type DecodedWav, decodeWav, download, NO_PROMPT, record, recordingIdOf, recordingsOf,
  startBot
} from '../helper.js'

const FRAME_MS = 20
const ms = (t: number): number => Math.round(t * SAMPLE_RATE / 1000)
const fixtures = new FixtureAudio()

/** Runs one recordResponse with a script to its end; returns the completion and the served WAV. */
async function recordAndFetch (mock: BuiltMock, botUrl: string, script: unknown, body: Record<string, unknown>): Promise<{ callId: string, done: Awaited<ReturnType<typeof completion>>, wav: DecodedWav, bytes: Buffer }> {
  const callId = await answeredCall(mock, botUrl, script)
  const opId = await record(mock, callId, body, '/beta')
  await advance(mock, 130_000)
  const done = await completion(mock, callId, opId)
  assert.ok(done.recordingLocation, `no recording: ${JSON.stringify(done)}`)
  const res = await download(mock, done.recordingLocation, done.recordingAccessToken)
  assert.equal(res.statusCode, 200, res.body)
  assert.equal(res.headers['content-type'], 'application/octet-stream')
  return { callId, done, wav: decodeWav(res.rawPayload), bytes: res.rawPayload }
}

function assertFormat (wav: DecodedWav, expectedMs: number): void {
  assert.equal(wav.format, 1, 'PCM')
  assert.equal(wav.sampleRate, 16000)
  assert.equal(wav.channels, 1)
  assert.equal(wav.bitsPerSample, 16)
  assert.ok(Math.abs(wav.durationMs - expectedMs) <= FRAME_MS, `duration ${wav.durationMs} ms, expected ${expectedMs} ms`)
  assert.equal(wav.samples.length, wav.dataBytes / 2)
}

// Each row of the outcome table in docs/caller-scripts.md that keeps a recording, with the window it must cover.
const ROWS = [
  {
    reason: 'stopToneDetected',
    // Prompt and beep come before R, so the window is only the caller's 800 + 2500 ms; the stop key is not in it.
    body: { prompts: [{ '@odata.type': '#microsoft.graph.mediaPrompt', mediaInfo: { uri: 'https://cdn.contoso.com/welcome.wav' } }], maxRecordDurationInSeconds: 10, stopTones: ['#'], playBeep: true },
    script: { responses: [{ actions: [{ silence: 800 }, { speech: 2500, audio: 'hello.wav' }, { tone: '#' }] }] },
    windowMs: 3300
  },
  {
    reason: 'maxRecordDurationReached',
    body: { ...NO_PROMPT, maxRecordDurationInSeconds: 3 },
    script: { responses: [{ actions: [{ speech: 10_000 }] }] },
    windowMs: 3000
  },
  {
    reason: 'maxSilenceTimeout',
    body: { ...NO_PROMPT, maxSilenceTimeoutInSeconds: 2, maxRecordDurationInSeconds: 60 },
    script: { responses: [{ actions: [{ silence: 300 }, { speech: 1500 }, { silence: 30_000 }] }] },
    windowMs: 300 + 1500 + 2000
  }
]

for (const row of ROWS) {
  test(`${row.reason}: the served WAV is 16 kHz, 16-bit, mono PCM as long as the window`, async (t) => {
    const mock = await build(t)
    const bot = await startBot(t)
    const { callId, done, wav, bytes } = await recordAndFetch(mock, bot.url, row.script, row.body)
    assert.equal(done.status, 'completed')
    assert.equal(done.completionReason, row.reason)
    assertFormat(wav, row.windowMs)
    // The control API agrees with what was served.
    const [listed] = await recordingsOf(mock, callId)
    assert.equal(listed.id, recordingIdOf(done.recordingLocation!))
    assert.ok(Math.abs(listed.durationMs - row.windowMs) <= FRAME_MS)
    assert.equal(listed.sizeBytes, bytes.length)
  })
}

test('the speech part of a fixture-audio script is that fixture, over low-level noise', async (t) => {
  const mock = await build(t)
  const bot = await startBot(t)
  const { wav } = await recordAndFetch(mock, bot.url, ROWS[0].script, ROWS[0].body)
  const hello = fixtures.samples('hello.wav')!
  const from = ms(800)
  const got = wav.samples.subarray(from, from + hello.length)
  assert.equal(got.length, hello.length)
  assert.ok(normalizedCorrelation(got, hello) > 0.999, `correlation ${normalizedCorrelation(got, hello)}`)
  // What is left after taking the fixture away is only the background noise (about -60 dBFS).
  const residual = got.map((v, i) => v - hello[i])
  assert.ok(rmsDbfs(residual) < -55, `residual ${rmsDbfs(residual)} dBFS`)
  // 2500 ms of speech from a 2222 ms clip: it starts over, so the tail is the clip's beginning again.
  const tail = wav.samples.subarray(from + hello.length, ms(3300))
  assert.ok(normalizedCorrelation(tail, hello.subarray(0, tail.length)) > 0.99)
  // Before the caller speaks: noise near -60 dBFS, neither digital silence nor anything loud.
  const quiet = rmsDbfs(wav.samples, 0, ms(800))
  assert.ok(quiet > -66 && quiet < -54, `silence at ${quiet} dBFS`)
})

test('synthetic speech is clearly louder than the silence around it', async (t) => {
  const mock = await build(t)
  const bot = await startBot(t)
  const { wav } = await recordAndFetch(mock, bot.url, ROWS[2].script, ROWS[2].body)
  const speech = rmsDbfs(wav.samples, ms(300), ms(1800))
  const after = rmsDbfs(wav.samples, ms(1900), wav.samples.length)
  assert.ok(speech > -40, `speech at ${speech} dBFS`)
  assert.ok(after < -54, `silence at ${after} dBFS`)
})

/** Each of the key's two frequencies carries energy in [at, at + 100 ms); the other six DTMF frequencies do not. */
function assertDtmf (samples: Float32Array, key: DtmfKey, atMs: number): void {
  const [low, high] = DTMF_FREQUENCIES[key]
  const power = (f: number, from = atMs, to = atMs + 100): number => goertzelPower(samples, f, SAMPLE_RATE, ms(from), ms(to))
  assert.ok(power(low) > 0.03, `${key}: ${low} Hz power ${power(low)}`)
  assert.ok(power(high) > 0.03, `${key}: ${high} Hz power ${power(high)}`)
  const others = [697, 770, 852, 941, 1209, 1336, 1477, 1633].filter((f) => f !== low && f !== high)
  for (const f of others) assert.ok(power(f) < power(low) / 100, `${key}: ${f} Hz should be quiet, power ${power(f)}`)
  // Just before the key the frequencies are absent.
  assert.ok(power(low, atMs - 150, atMs - 50) < 1e-5)
  assert.ok(power(high, atMs - 150, atMs - 50) < 1e-5)
}

test('a scripted key shows energy at both of its DTMF frequencies at its moment', async (t) => {
  const mock = await build(t)
  const bot = await startBot(t)
  const script = { responses: [{ actions: [{ silence: 500 }, { tone: '5' }, { silence: 400 }, { speech: 600 }, { tone: '#' }] }] }
  const { done, wav } = await recordAndFetch(mock, bot.url, script, { ...NO_PROMPT, stopTones: ['#'] })
  assert.equal(done.completionReason, 'stopToneDetected')
  assertFormat(wav, 1500)
  assertDtmf(wav.samples, '5', 500)
})

test('a key pressed live through the control API is in the recording at the moment it was pressed', async (t) => {
  const mock = await build(t)
  const bot = await startBot(t)
  const callId = await answeredCall(mock, bot.url, { responses: [{ actions: [{ silence: 1000 }, { speech: 300 }, { silence: 4000 }] }] })
  const opId = await record(mock, callId, { ...NO_PROMPT, stopTones: ['#'] }, '/beta')
  const press = async (tones: string): Promise<void> => {
    const res = await mock.app.inject({ method: 'POST', url: `/_mock/calls/${callId}/tones`, payload: { tones } })
    assert.equal(res.statusCode, 200, res.body)
  }
  await advance(mock, 600)
  await press('7')
  await advance(mock, 1400)
  await press('#')
  await advance(mock, 0)
  const done = await completion(mock, callId, opId)
  assert.equal(done.completionReason, 'stopToneDetected')
  const wav = decodeWav((await download(mock, done.recordingLocation!, done.recordingAccessToken)).rawPayload)
  assertFormat(wav, 2000)
  assertDtmf(wav.samples, '7', 600)
  // The stop key ends the window, so none of it is in the audio.
  const [low, high] = DTMF_FREQUENCIES['#']
  for (const f of [low, high]) assert.ok(goertzelPower(wav.samples, f, SAMPLE_RATE, ms(1900), ms(2000)) < 1e-5)
})

test('the same script gives the same bytes, on another call and on a second download', async (t) => {
  const mock = await build(t)
  const bot = await startBot(t)
  const script = { responses: [{ actions: [{ silence: 400 }, { tone: '3' }, { speech: 900 }, { speech: 700, audio: 'yes.wav' }, { tone: '#' }] }] }
  const body = { ...NO_PROMPT, stopTones: ['#'] }
  const first = await recordAndFetch(mock, bot.url, script, body)
  const second = await recordAndFetch(mock, bot.url, script, body)
  assert.notEqual(first.done.recordingLocation, second.done.recordingLocation)
  assert.ok(first.bytes.equals(second.bytes), 'two calls with the same script should give identical WAVs')
  const again = await download(mock, first.done.recordingLocation!, first.done.recordingAccessToken)
  assert.ok(again.rawPayload.equals(first.bytes))
  // A different script gives different audio.
  const other = await recordAndFetch(mock, bot.url, { responses: [{ actions: [{ silence: 400 }, { tone: '4' }, { speech: 1600 }, { tone: '#' }] }] }, body)
  assert.equal(other.bytes.length, first.bytes.length)
  assert.ok(!other.bytes.equals(first.bytes))
})

test('rows without a recording carry no location and list none', async (t) => {
  const mock = await build(t)
  const bot = await startBot(t)
  const cases = [
    { script: { responses: [{ actions: [{ silence: 30_000 }] }] }, reason: 'initialSilenceTimeout', location: null },
    { script: { responses: [{ prompt: 'fail' }] }, reason: 'playPromptFailed', location: null }
  ]
  for (const c of cases) {
    const callId = await answeredCall(mock, bot.url, c.script)
    const opId = await record(mock, callId, { ...NO_PROMPT, initialSilenceTimeoutInSeconds: 2 }, '/beta')
    await advance(mock, 10_000)
    const done = await completion(mock, callId, opId)
    assert.equal(done.completionReason, c.reason)
    assert.equal(done.recordingLocation, c.location)
    assert.equal(done.recordingAccessToken, c.location)
    assert.deepEqual(await recordingsOf(mock, callId), [])
  }
  // Canceled: empty strings, as Graph sends them, and still no recording.
  const callId = await answeredCall(mock, bot.url, { responses: [{ actions: [{ speech: 20_000 }] }] })
  const opId = await record(mock, callId, { ...NO_PROMPT, maxRecordDurationInSeconds: 30 }, '/beta')
  await advance(mock, 1000)
  const cancel = await mock.app.inject({ method: 'POST', url: `/v1.0/communications/calls/${callId}/cancelMediaProcessing`, headers: { 'content-type': 'application/json', authorization: 'Bearer x' }, payload: {} })
  assert.equal(cancel.statusCode, 200, cancel.body)
  await advance(mock, 0)
  const done = await completion(mock, callId, opId)
  assert.equal(done.completionReason, 'operationCanceled')
  assert.equal(done.recordingLocation, '')
  assert.equal(done.recordingAccessToken, '')
  assert.deepEqual(await recordingsOf(mock, callId), [])
})
