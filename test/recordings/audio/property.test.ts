import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import wav from 'node-wav'
import { FixtureAudio } from '../../../src/recordings/audio/fixture-audio.js'
import { renderRecording, renderSamples, type CallerAudioEvent } from '../../../src/recordings/audio/render.js'

const fixtures = new FixtureAudio()
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
