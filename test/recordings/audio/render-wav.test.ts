import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { test } from 'node:test'
import { promisify } from 'node:util'
import fc from 'fast-check'
import wav from 'node-wav'
import { createClock } from '../../../src/clock/clock.js'
import { FixtureAudio } from '../../../src/recordings/audio/fixture-audio.js'
import { type CallerAudioEvent, type RecordingSpec, renderRecording, renderSamples, SAMPLE_RATE } from '../../../src/recordings/audio/render.js'
import { createRecordingStore } from '../../../src/recordings/recording-store.js'
import { encodeWav16Mono } from '../../../src/recordings/wav-encode.js'

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

test('16-bit mono WAVs are byte for byte what node-wav writes, clipping and NaN included', () => {
  const sample = fc.oneof(fc.float({ min: -2, max: 2, noNaN: true }), fc.constantFrom(Number.NaN, -1, 1, 0, -0))
  fc.assert(fc.property(fc.array(sample, { maxLength: 300 }), fc.constantFrom(8000, 16000, 44100), (values, rate) => {
    const samples = Float32Array.from(values)
    assert.ok(encodeWav16Mono(samples, rate).equals(wav.encode([samples], { sampleRate: rate, bitDepth: 16 })))
  }), { numRuns: 200 })
})

test('rendering a recording raises no deprecation warning, even where Node reports them from node_modules', async () => {
  // --pending-deprecation makes Node report the Buffer() constructor (DEP0005) from packages too, as it
  // does without the flag once the CLI's bundle holds their code.
  const script = `
    const { renderRecording } = await import('./src/recordings/audio/render.ts')
    const { FixtureAudio } = await import('./src/recordings/audio/fixture-audio.ts')
    renderRecording({ durationMs: 200, seed: 'warning', events: [{ kind: 'tone', atMs: 10, key: '1' }] }, new FixtureAudio())
    process.stdout.write('rendered')`
  const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--pending-deprecation', '--import', 'tsx', '--input-type=module', '--eval', script])
  assert.equal(stdout, 'rendered')
  assert.doesNotMatch(stderr, /DeprecationWarning|DEP0005/)
})

// Recordings are deterministic down to the byte, and the bots' snapshot tests depend on it: these are the
// SHA-256 digests the renderer produced before it was optimised, and every later version must match them.
const SNAPSHOTS: Array<[RecordingSpec, string]> = [
  [{ durationMs: 1300, seed: 'snapshot-voice', events: [{ kind: 'speech', startMs: 200, durationMs: 1000 }, { kind: 'tone', atMs: 1200, key: '#' }] }, 'cb3b08c94f169957c3a3d9e51277c37413bb5e152c62d3e7c68477d6e098571c'],
  [{ durationMs: 2345, seed: 'snapshot-mix', events: [{ kind: 'speech', startMs: -40, durationMs: 600 }, { kind: 'speech', startMs: 800, durationMs: 1900, audio: 'yes.wav' }, { kind: 'tone', atMs: 1500, key: 'a' }, { kind: 'tone', atMs: 2300, key: '5' }] }, '8f579e35c21cb9d572ac8bf8fc9f2c27eff83edc10bcfab8c6f996c6801a5da0'],
  [{ durationMs: 300, seed: 'snapshot-clamp', events: [0, 1, 2, 3].map(() => ({ kind: 'tone' as const, atMs: -20, key: '1' })) }, '93ab9e7500248a8230069d0aa1206f59b8a27304377631f668ef384d02333c8f']
]

test('rendered recordings are byte for byte the snapshots', () => {
  const fixtures = new FixtureAudio()
  for (const [spec, digest] of SNAPSHOTS) {
    assert.equal(createHash('sha256').update(renderRecording(spec, fixtures)).digest('hex'), digest, spec.seed)
  }
})

test('the same content is rendered once and its bytes shared; recordings naming fixture files are rendered each', () => {
  const fixtures = new FixtureAudio()
  const clock = createClock({ mode: 'manual' })
  const store = createRecordingStore({ clock, baseUrl: () => 'http://127.0.0.1:4000', retentionMs: 1000, fixtures })
  let n = 0
  const wavOf = ([spec]: [RecordingSpec, string]): Buffer => {
    const ref = store.sink.create({ callId: 'c', operationId: `o${n++}`, durationMs: spec.durationMs, audio: structuredClone(spec.events) })
    const found = store.authorize(ref.location.split('/').pop()!, ref.token)
    assert.ok(typeof found === 'object')
    return store.wav(found.recording)
  }
  assert.equal(wavOf(SNAPSHOTS[0]), wavOf(SNAPSHOTS[0]))
  const a = wavOf(SNAPSHOTS[1])
  const b = wavOf(SNAPSHOTS[1])
  assert.notEqual(a, b)
  assert.ok(a.equals(b))
})

// Times reach past both ends of the window so that cutting is exercised too.
const time = fc.double({ min: -500, max: 3500, noNaN: true })
const event: fc.Arbitrary<CallerAudioEvent> = fc.oneof(
  fc.record(
    {
      kind: fc.constant('speech' as const),
      startMs: time,
      durationMs: fc.double({ min: 0, max: 3000, noNaN: true }),
      audio: fc.constantFrom('yes.wav', 'welcome.wav', 'missing.wav', '../yes.wav'),
    },
    { requiredKeys: ['kind', 'startMs', 'durationMs'] }
  ),
  fc.record({ kind: fc.constant('tone' as const), atMs: time, key: fc.constantFrom(...'0123456789*#ABCDx') })
)

test('any event list renders the exact length, within [-1, 1]', () => {
  fc.assert(
    fc.property(fc.double({ min: 0, max: 3000, noNaN: true }), fc.array(event, { maxLength: 8 }), fc.string(), (durationMs, events, seed) => {
      const samples = renderSamples({ durationMs, events, seed }, fixtures)
      assert.equal(samples.length, Math.round(durationMs * 16))
      for (const v of samples) assert.ok(v >= -1 && v <= 1, `sample ${v}`)
    }),
    { numRuns: 60 }
  )
})

test('the encoded WAV always decodes back to the same length', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 2000 }), fc.array(event, { maxLength: 4 }), (durationMs, events) => {
      const decoded = wav.decode(renderRecording({ durationMs, events, seed: 'p' }, fixtures))
      assert.equal(decoded.channelData[0].length, durationMs * 16)
    }),
    { numRuns: 25 }
  )
})
