import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createClock } from '../../src/clock/clock.js'
import { MAX_OPERATIONS_PER_CALL } from '../../src/engine/media/media-engine.js'
import { FixtureAudio } from '../../src/recordings/audio/fixture-audio.js'
import { renderRecording } from '../../src/recordings/audio/render.js'
import { createRecordingStore, wavSizeOf } from '../../src/recordings/recording-store.js'
import { createWavCache } from '../../src/recordings/wav-cache.js'

const fixtures = new FixtureAudio()

function store (cacheBytes?: number) {
  const clock = createClock({ mode: 'manual' })
  return { clock, store: createRecordingStore({ clock, baseUrl: () => 'http://127.0.0.1:4000', retentionMs: 1000, fixtures, cacheBytes }) }
}

test('the size is known without rendering and matches the rendered WAV, fractional windows included', () => {
  for (const durationMs of [0, 1, 1000, 1000.03, 3457.3125, 120_000]) {
    assert.equal(wavSizeOf(durationMs), renderRecording({ durationMs, events: [], seed: 's' }, fixtures).length, String(durationMs))
  }
})

test('the cache keeps the most recently used WAVs within its byte budget', () => {
  const cache = createWavCache({ maxBytes: 250 })
  let renders = 0
  const get = (id: string): Buffer => cache.get(id, () => { renders++; return Buffer.alloc(100, id) })
  get('a')
  get('b')
  get('a') // a is now the most recently used
  assert.equal(renders, 2)
  get('c') // 300 bytes > 250: b goes, not a
  assert.deepEqual(cache.stats(), { entries: 2, bytes: 200, maxBytes: 250 })
  // a and c are served without rendering (in the order they were used), so the two entries are theirs.
  get('a')
  get('c')
  assert.equal(renders, 3)
  cache.delete('a')
  assert.deepEqual(cache.stats(), { entries: 1, bytes: 100, maxBytes: 250 })
  // One entry larger than the budget is still served (and pushes the rest out).
  assert.equal(cache.get('big', () => Buffer.alloc(1000)).length, 1000)
  assert.deepEqual(cache.stats(), { entries: 1, bytes: 1000, maxBytes: 250 })
  cache.clear()
  assert.deepEqual(cache.stats(), { entries: 0, bytes: 0, maxBytes: 250 })
})

test('thousands of recordings hold no rendered bytes; downloads stay within the cache budget', () => {
  const oneSecond = wavSizeOf(1000)
  const { store: s } = store(3 * oneSecond)
  // 2000 recordings of 120 s would be 7.7 GB rendered; unrendered they are a few events each.
  const refs = Array.from({ length: 2000 }, (_, i) => s.sink.create({ callId: `call-${i % 100}`, operationId: `op-${i}`, durationMs: 120_000, audio: [{ kind: 'speech', startMs: 0, durationMs: 120_000 }] }))
  assert.equal(s.count(), 2000)
  assert.equal(s.cacheStats().bytes, 0)
  assert.equal(new Set(refs.map((r) => r.token)).size, 2000)

  const short = Array.from({ length: 10 }, (_, i) => s.sink.create({ callId: 'c', operationId: `short-${i}`, durationMs: 1000, audio: [{ kind: 'tone', atMs: 100 * i, key: '1' }] }))
  const handles = short.map((r) => {
    const found = s.authorize(r.location.split('/').pop()!, r.token)
    assert.ok(typeof found === 'object')
    return found.recording
  })
  const first = handles.map((h) => Buffer.from(s.wav(h)))
  assert.ok(s.cacheStats().bytes <= 3 * oneSecond)
  assert.equal(s.cacheStats().entries, 3)
  // An evicted recording renders again to the very same bytes.
  assert.ok(s.wav(handles[0]).equals(first[0]))
  assert.ok(!first[0].equals(first[1]))
})

test('authorize: only the recording\'s own token, whatever the length of the one given', () => {
  const { store: s } = store()
  const a = s.sink.create({ callId: 'c1', operationId: 'o1', durationMs: 500, audio: [] })
  const b = s.sink.create({ callId: 'c2', operationId: 'o2', durationMs: 500, audio: [] })
  const idA = a.location.split('/').pop()!
  assert.ok(typeof s.authorize(idA, a.token) === 'object')
  for (const token of [undefined, '', 'x', b.token, a.token + 'x', 'y'.repeat(10_000)]) assert.equal(s.authorize(idA, token), 'unauthorized')
  assert.equal(s.authorize('nope', a.token), 'notFound')
})

test('retention starts at the call\'s end and frees audio and cached bytes', async () => {
  const { clock, store: s } = store()
  const a = s.sink.create({ callId: 'c1', operationId: 'o1', durationMs: 500, audio: [] })
  const id = a.location.split('/').pop()!
  const found = s.authorize(id, a.token)
  assert.ok(typeof found === 'object')
  s.wav(found.recording)
  await clock.advance(5000)
  assert.ok(typeof s.authorize(id, a.token) === 'object', 'the call is still up')
  s.sink.callEnded('c1')
  await clock.advance(999)
  assert.ok(typeof s.authorize(id, a.token) === 'object')
  await clock.advance(1)
  assert.equal(s.authorize(id, a.token), 'notFound')
  assert.equal(s.cacheStats().bytes, 0)
  assert.throws(() => s.wav(found.recording), /expired/)
  assert.deepEqual(s.listForCall('c1').map((r) => [r.expired, r.expiresAt]), [[true, clock.isoAt(6000)]])
})

test('recordings of the same content share one cached WAV; a reset empties the cache', () => {
  const { store: s } = store()
  const wavOf = (operationId: string): Buffer => {
    const ref = s.sink.create({ callId: 'c', operationId, durationMs: 500, audio: [{ kind: 'tone', atMs: 100, key: '#' }] })
    const found = s.authorize(ref.location.split('/').pop()!, ref.token)
    assert.ok(typeof found === 'object')
    return s.wav(found.recording)
  }
  assert.ok(wavOf('o1').equals(wavOf('o2')))
  assert.equal(s.cacheStats().entries, 1)
  s.reset()
  assert.deepEqual(s.cacheStats(), { entries: 0, bytes: 0, maxBytes: s.cacheStats().maxBytes })
})

test('a live call keeps as many recordings as it keeps operations: the oldest goes, and is no longer served', () => {
  const { store: s } = store()
  const refs = Array.from({ length: MAX_OPERATIONS_PER_CALL + 2 }, (_, i) => s.sink.create({ callId: 'c', operationId: `o${i}`, durationMs: 10, audio: [] }))
  const idOf = (location: string): string => location.split('/').pop()!
  assert.equal(s.listForCall('c').length, MAX_OPERATIONS_PER_CALL)
  assert.equal(s.authorize(idOf(refs[0].location), refs[0].token), 'notFound')
  assert.equal(s.authorize(idOf(refs[1].location), refs[1].token), 'notFound')
  assert.equal(typeof s.authorize(idOf(refs[2].location), refs[2].token), 'object')
  assert.equal(s.listForCall('c')[0].operationId, 'o2')
})
