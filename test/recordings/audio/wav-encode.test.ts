import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { test } from 'node:test'
import { promisify } from 'node:util'
import fc from 'fast-check'
import wav from 'node-wav'
import { encodeWav16Mono } from '../../../src/recordings/wav-encode.js'

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
