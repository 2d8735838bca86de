import assert from 'node:assert/strict'
import { test } from 'node:test'
import wav from 'node-wav'
import { goertzelPower } from './analysis.js'
import { FixtureAudio } from '../../../src/recordings/audio/fixture-audio.js'
import { DTMF_FREQUENCIES, renderRecording, SAMPLE_RATE } from '../../../src/recordings/audio/render.js'

const ROWS = [697, 770, 852, 941]
const COLUMNS = [1209, 1336, 1477, 1633]

test('the keypad table is the ITU-T Q.23 grid', () => {
  assert.equal(Object.keys(DTMF_FREQUENCIES).length, 16)
  assert.deepEqual(DTMF_FREQUENCIES['1'], [697, 1209])
  assert.deepEqual(DTMF_FREQUENCIES['#'], [941, 1477])
  assert.deepEqual(DTMF_FREQUENCIES['*'], [941, 1209])
  assert.deepEqual(DTMF_FREQUENCIES['0'], [941, 1336])
  assert.deepEqual(DTMF_FREQUENCIES.A, [697, 1633])
  assert.deepEqual(DTMF_FREQUENCIES.D, [941, 1633])
})

// Decode the actual WAV so the check covers int16 quantisation too, like a real detector would.
for (const key of ['#', '1', '5', 'D', '0'] as const) {
  test(`a '${key}' at 500 ms carries exactly its two DTMF frequencies for 100 ms`, () => {
    const bytes = renderRecording(
      { durationMs: 1200, seed: `op-dtmf-${key}`, events: [{ kind: 'speech', startMs: 800, durationMs: 300 }, { kind: 'tone', atMs: 500, key }] },
      new FixtureAudio()
    )
    const samples = wav.decode(bytes).channelData[0]
    const from = 500 * 16
    const to = 600 * 16
    const [low, high] = DTMF_FREQUENCIES[key]
    const power = (f: number) => goertzelPower(samples, f, SAMPLE_RATE, from, to)
    // Each component is -10 dBFS peak: power ~0.05 (a little less for the edge ramps).
    assert.ok(power(low) > 0.03, `${low} Hz: ${power(low)}`)
    assert.ok(power(high) > 0.03, `${high} Hz: ${power(high)}`)
    for (const other of [...ROWS, ...COLUMNS].filter((f) => f !== low && f !== high)) {
      assert.ok(power(other) < power(low) / 100, `${other} Hz should be quiet: ${power(other)}`)
    }
    // Before and after the tone: nothing at those frequencies (just -60 dBFS noise).
    assert.ok(goertzelPower(samples, low, SAMPLE_RATE, 300 * 16, 400 * 16) < 1e-5)
    assert.ok(goertzelPower(samples, high, SAMPLE_RATE, 650 * 16, 750 * 16) < 1e-5)
  })
}

test('an unknown key adds nothing; lowercase a-d are accepted', () => {
  const fixtures = new FixtureAudio()
  const base = { durationMs: 1000, seed: 'op-keys' }
  const plain = renderRecording({ ...base, events: [] }, fixtures)
  assert.ok(renderRecording({ ...base, events: [{ kind: 'tone', atMs: 100, key: 'X' }] }, fixtures).equals(plain))
  const lower = wav.decode(renderRecording({ ...base, events: [{ kind: 'tone', atMs: 100, key: 'b' }] }, fixtures)).channelData[0]
  assert.ok(goertzelPower(lower, 1633, SAMPLE_RATE, 1600, 3200) > 0.03)
})
