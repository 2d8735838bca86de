import assert from 'node:assert/strict'
import { test } from 'node:test'
import { rmsDbfs } from './analysis.js'
import { FixtureAudio } from '../../../src/recordings/audio/fixture-audio.js'
import { renderSamples } from '../../../src/recordings/audio/render.js'

test('silence is line noise near -60 dBFS RMS, never digital zero', () => {
  const samples = renderSamples({ durationMs: 3000, events: [], seed: 'op-quiet' }, new FixtureAudio())
  const level = rmsDbfs(samples)
  assert.ok(level > -70 && level < -50, `noise at ${level.toFixed(1)} dBFS`)
  // It must survive 16-bit quantisation, and it must not be a constant or a short loop.
  const quantized = new Set(Array.from(samples.subarray(0, 4000), (v) => Math.round(v * 32767)))
  assert.ok(quantized.size > 20, `only ${quantized.size} distinct int16 values`)
  // Zero mean (no DC offset) within a small tolerance.
  const mean = samples.reduce((sum, v) => sum + v, 0) / samples.length
  assert.ok(Math.abs(mean) < 1e-4, `mean ${mean}`)
})
