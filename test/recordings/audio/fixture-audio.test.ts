import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import wav from 'node-wav'
import { FixtureAudio, fixtureNameFromUri } from '../../../src/recordings/audio/fixture-audio.js'

test('fixtureNameFromUri takes the decoded last path segment, without query or fragment', () => {
  const cases: Array<[string, string | undefined]> = [
    ['https://cdn.contoso.com/prompts/welcome.wav?x=1', 'welcome.wav'],
    ['https://cdn.contoso.com/prompts/welcome.wav#t=2', 'welcome.wav'],
    ['https://cdn.contoso.com/prompts/press%20pound.wav', 'press pound.wav'],
    ['https://cdn.contoso.com/yes.wav', 'yes.wav'],
    ['file:///srv/prompts/no.wav', 'no.wav'],
    ['prompts/hello.wav?v=3', 'hello.wav'],
    ['hello.wav', 'hello.wav'],
    ['https://cdn.contoso.com/prompts/', undefined],
    ['https://cdn.contoso.com', undefined],
    ['https://cdn.contoso.com/?file=yes.wav', undefined],
    ['https://cdn.contoso.com/prompts/..', undefined],
    ['https://cdn.contoso.com/prompts/..%2Fsecret.wav', undefined], // decodes to a path, not a name
    ['data:audio/wav;base64,UklGRg==', undefined],
    ['', undefined],
  ]
  for (const [uri, expected] of cases) assert.equal(fixtureNameFromUri(uri), expected, uri)
})

test('FixtureAudio finds the project fixtures and reports their length', () => {
  const fixtures = new FixtureAudio()
  for (const name of ['yes.wav', 'no.wav', 'one-two-three.wav', 'hello.wav', 'welcome.wav', 'press-pound.wav']) {
    assert.ok(fixtures.has(name), name)
    const samples = fixtures.samples(name)!
    assert.equal(fixtures.durationMs(name), (samples.length * 1000) / 16000)
    assert.ok(samples.every((v) => v >= -1 && v <= 1))
  }
  assert.ok(fixtures.durationMs('yes.wav')! > 200 && fixtures.durationMs('yes.wav')! < 1000)
  assert.equal(fixtures.has('missing.wav'), false)
  assert.equal(fixtures.durationMs('missing.wav'), undefined)
  assert.equal(fixtures.samples('missing.wav'), undefined)
})

test('FixtureAudio refuses anything that is not a bare file name', () => {
  const fixtures = new FixtureAudio()
  // "../audio/yes.wav" really exists from the folder's point of view: it must still be refused.
  for (const name of ['../x.wav', 'a/b.wav', '../audio/yes.wav', '..', '.', '', 'a\\b.wav', '/etc/passwd', 'C:yes.wav', 'yes.wav\u0000']) {
    assert.equal(fixtures.has(name), false, JSON.stringify(name))
    assert.equal(fixtures.samples(name), undefined, JSON.stringify(name))
    assert.equal(fixtures.durationMs(name), undefined, JSON.stringify(name))
  }
})

const dir = mkdtempSync(join(tmpdir(), 'fixture-audio-'))
after(() => rmSync(dir, { recursive: true, force: true }))

test('other formats are down-mixed to mono and resampled to 16 kHz', () => {
  // 0.5 s of stereo 8 kHz: a 500 Hz sine on the left, silence on the right.
  const n = 4000
  const left = Float32Array.from({ length: n }, (_, i) => 0.8 * Math.sin((2 * Math.PI * 500 * i) / 8000))
  writeFileSync(join(dir, 'stereo8k.wav'), wav.encode([left, new Float32Array(n)], { sampleRate: 8000, bitDepth: 16 }))
  writeFileSync(join(dir, 'float44k.wav'), wav.encode([Float32Array.from({ length: 44100 }, () => 1.5)], { sampleRate: 44100, float: true }))

  const fixtures = new FixtureAudio(dir)
  const samples = fixtures.samples('stereo8k.wav')!
  assert.equal(samples.length, 8000)
  assert.equal(fixtures.durationMs('stereo8k.wav'), 500)
  const peak = samples.reduce((m, v) => Math.max(m, Math.abs(v)), 0)
  assert.ok(Math.abs(peak - 0.4) < 0.01, `down-mix halves the one-sided sine: ${peak}`)
  // Sample 100 at 16 kHz is time 6.25 ms, i.e. sample 50 at 8 kHz.
  assert.ok(Math.abs(samples[100] - left[50] / 2) < 1e-3)

  const float = fixtures.samples('float44k.wav')!
  assert.equal(float.length, 16000)
  assert.ok(float.every((v) => v === 1), 'over-range float samples are clamped to full scale')
})

test('undecodable files are absent to durationMs/samples; results are copies', () => {
  writeFileSync(join(dir, 'broken.wav'), 'RIFF....WAVEnot really')
  const fixtures = new FixtureAudio(dir)
  assert.equal(fixtures.has('broken.wav'), true)
  assert.equal(fixtures.samples('broken.wav'), undefined)
  assert.equal(fixtures.durationMs('broken.wav'), undefined)

  const first = fixtures.samples('stereo8k.wav')!
  first.fill(0)
  assert.notEqual(fixtures.samples('stereo8k.wav')![100], 0)
})
