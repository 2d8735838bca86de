import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { test } from 'node:test'
import { createClock } from '../../../src/clock/clock.js'
import { FixtureAudio } from '../../../src/recordings/audio/fixture-audio.js'
import { renderRecording, type RecordingSpec } from '../../../src/recordings/audio/render.js'
import { createRecordingStore } from '../../../src/recordings/recording-store.js'

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
