import assert from 'node:assert/strict'
import { test } from 'node:test'
import wav from 'node-wav'
import { goertzelPower, meanSquare, normalizedCorrelation, rmsDbfs } from './analysis.js'
import { FixtureAudio } from '../../../src/recordings/audio/fixture-audio.js'
import { renderRecording, renderSamples, SAMPLE_RATE } from '../../../src/recordings/audio/render.js'

const fixtures = new FixtureAudio()

test('a fixture speech event reproduces the fixture, placed at startMs', () => {
  const clip = fixtures.samples('hello.wav')
  assert.ok(clip)
  const durationMs = fixtures.durationMs('hello.wav')!
  const bytes = renderRecording({ durationMs: 4000, seed: 'op-hello', events: [{ kind: 'speech', startMs: 300, durationMs, audio: 'hello.wav' }] }, fixtures)
  const samples = wav.decode(bytes).channelData[0] // int16-quantised, with the noise floor mixed in
  const start = 300 * 16
  const span = samples.subarray(start, start + clip.length)
  assert.ok(normalizedCorrelation(span, clip) > 0.95)
  // Misplaced by even 1 ms (16 samples) and the match collapses: the placement is exact.
  assert.ok(normalizedCorrelation(samples.subarray(start + 16, start + 16 + clip.length), clip) < 0.9)
  // After the fixture ends: back to background.
  assert.ok(rmsDbfs(samples, start + clip.length + 160, samples.length) < -50)
})

test('a speech span longer than its fixture repeats it; a shorter one truncates it', () => {
  const clip = fixtures.samples('yes.wav')!
  const half = Math.floor(clip.length / 2)
  const spanMs = (2 * clip.length + half) / 16 // two and a half times the fixture
  const samples = renderSamples({ durationMs: spanMs + 500, seed: 's', events: [{ kind: 'speech', startMs: 0, durationMs: spanMs, audio: 'yes.wav' }] }, fixtures)
  assert.ok(normalizedCorrelation(samples.subarray(clip.length, 2 * clip.length), clip) > 0.99)
  assert.ok(normalizedCorrelation(samples.subarray(2 * clip.length, 2 * clip.length + half), clip.subarray(0, half)) > 0.99)
  assert.ok(rmsDbfs(samples, 2 * clip.length + half + 16, samples.length) < -50)

  const short = renderSamples({ durationMs: 1000, seed: 's', events: [{ kind: 'speech', startMs: 0, durationMs: 100, audio: 'yes.wav' }] }, fixtures)
  assert.ok(rmsDbfs(short, 1600 + 16, short.length) < -50)
})

test('an unknown fixture name falls back to the synthetic voice', () => {
  const event = { kind: 'speech' as const, startMs: 0, durationMs: 1500 }
  const missing = renderSamples({ durationMs: 2000, seed: 's', events: [{ ...event, audio: 'no-such-file.wav' }] }, fixtures)
  const synthetic = renderSamples({ durationMs: 2000, seed: 's', events: [event] }, fixtures)
  assert.deepEqual(missing, synthetic)
  assert.ok(rmsDbfs(missing, 0, 1500 * 16) > -40)
})

/** Autocorrelation pitch estimate (80-400 Hz) of one window, or undefined when unvoiced. */
function pitchHz (x: Float32Array, from: number, n: number): number | undefined {
  let best = 0
  let bestLag = 0
  const energy = meanSquare(x, from, from + n) * n
  for (let lag = Math.floor(SAMPLE_RATE / 400); lag <= SAMPLE_RATE / 80; lag++) {
    let sum = 0
    for (let i = from; i < from + n; i++) sum += x[i] * x[i + lag]
    if (sum > best) [best, bestLag] = [sum, lag]
  }
  return best > 0.3 * energy ? SAMPLE_RATE / bestLag : undefined
}

test('synthetic speech is loud, voice-like and not a pure tone', () => {
  const samples = renderSamples({ durationMs: 4000, seed: 'op-voice', events: [{ kind: 'speech', startMs: 0, durationMs: 4000 }] }, fixtures)
  const level = rmsDbfs(samples)
  assert.ok(level > -40, `speech RMS ${level.toFixed(1)} dBFS should be far above the -60 dBFS floor`)
  const peak = samples.reduce((m, v) => Math.max(m, Math.abs(v)), 0)
  const peakDb = 20 * Math.log10(peak)
  assert.ok(peakDb > -13 && peakDb < -5, `peak ${peakDb.toFixed(1)} dBFS`)

  // Energy is spread over harmonics and formants: no single 80-400 Hz component dominates.
  const window = 4000 // 250 ms
  let voicedWindows = 0
  for (let from = 0; from + window <= samples.length; from += window) {
    const total = meanSquare(samples, from, from + window)
    if (total < 1e-4) continue // a pause between words
    voicedWindows++
    let largest = 0
    for (let f = 80; f <= 400; f += 5) largest = Math.max(largest, goertzelPower(samples, f, SAMPLE_RATE, from, from + window))
    assert.ok(largest / total < 0.5, `window at ${from / 16} ms: one bin holds ${((100 * largest) / total).toFixed(0)}%`)
  }
  assert.ok(voicedWindows >= 8, `only ${voicedWindows} voiced windows`)

  // Intonation: the pitch moves by more than a few Hz across the utterance.
  const pitches: number[] = []
  for (let from = 0; from + 800 + 200 < samples.length; from += 800) {
    if (meanSquare(samples, from, from + 640) < 1e-3) continue
    const p = pitchHz(samples, from, 640)
    if (p !== undefined) pitches.push(p)
  }
  assert.ok(pitches.length > 10)
  const spread = Math.max(...pitches) - Math.min(...pitches)
  assert.ok(spread > 15, `pitch spread ${spread.toFixed(1)} Hz over ${pitches.length} windows`)
  assert.ok(Math.min(...pitches) > 80 && Math.max(...pitches) < 260, `pitches ${Math.min(...pitches)}..${Math.max(...pitches)}`)
})
