import assert from 'node:assert/strict'
import { test } from 'node:test'
import wav from 'node-wav'
import { FixtureAudio } from '../../../src/recordings/audio/fixture-audio.js'
import { renderRecording, renderSamples, SAMPLE_RATE, type RecordingSpec } from '../../../src/recordings/audio/render.js'

const fixtures = new FixtureAudio()

const spec: RecordingSpec = {
  durationMs: 2345,
  seed: 'op-render-wav',
  events: [
    { kind: 'speech', startMs: 100, durationMs: 600 },
    { kind: 'speech', startMs: 800, durationMs: 500, audio: 'yes.wav' },
    { kind: 'tone', atMs: 1500, key: '5' },
  ],
}

test('the WAV is 16 kHz, mono, 16-bit PCM, as long as the window', () => {
  const bytes = renderRecording(spec, fixtures)
  // Header fields at their canonical offsets: audioFormat (1 = PCM), channels, rate, bits.
  assert.equal(bytes.toString('ascii', 0, 4), 'RIFF')
  assert.equal(bytes.toString('ascii', 8, 12), 'WAVE')
  assert.equal(bytes.readUInt16LE(20), 1)
  assert.equal(bytes.readUInt16LE(22), 1)
  assert.equal(bytes.readUInt32LE(24), 16000)
  assert.equal(bytes.readUInt16LE(34), 16)

  const decoded = wav.decode(bytes)
  assert.equal(decoded.sampleRate, SAMPLE_RATE)
  assert.equal(decoded.channelData.length, 1)
  const lengthMs = (decoded.channelData[0].length * 1000) / decoded.sampleRate
  assert.ok(Math.abs(lengthMs - spec.durationMs) < 20, `length ${lengthMs} ms`)
  assert.equal(decoded.channelData[0].length, Math.round(spec.durationMs * 16))
})

test('the same spec renders identical bytes; another seed renders different ones', () => {
  const a = renderRecording(spec, fixtures)
  const b = renderRecording(structuredClone(spec), fixtures)
  assert.ok(a.equals(b))
  const c = renderRecording({ ...spec, seed: 'op-other' }, fixtures)
  assert.equal(c.length, a.length)
  assert.ok(!a.equals(c))
})

test('a zero-length window is a valid, empty WAV; a negative or NaN one is rejected', () => {
  const empty = renderRecording({ durationMs: 0, events: [{ kind: 'tone', atMs: 0, key: '1' }], seed: 's' }, fixtures)
  assert.equal(empty.length, 44)
  assert.throws(() => renderSamples({ durationMs: -1, events: [], seed: 's' }, fixtures), RangeError)
  assert.throws(() => renderSamples({ durationMs: Number.NaN, events: [], seed: 's' }, fixtures), RangeError)
})

test('events beyond the window are cut, not appended', () => {
  const samples = renderSamples(
    {
      durationMs: 1000,
      seed: 's',
      events: [
        { kind: 'speech', startMs: 900, durationMs: 5000 },
        { kind: 'speech', startMs: -300, durationMs: 500, audio: 'no.wav' },
        { kind: 'tone', atMs: 980, key: '#' },
        { kind: 'tone', atMs: 5000, key: '#' },
      ],
    },
    fixtures
  )
  assert.equal(samples.length, 16000)
})

test('stacked loud events are clamped to full scale, not wrapped around', () => {
  const events = Array.from({ length: 4 }, () => ({ kind: 'tone' as const, atMs: 100, key: '#' }))
  const samples = renderSamples({ durationMs: 300, seed: 's', events }, fixtures)
  const peak = samples.reduce((m, v) => Math.max(m, Math.abs(v)), 0)
  assert.equal(peak, 1)
  assert.ok(samples.every((v) => v >= -1 && v <= 1))
})
