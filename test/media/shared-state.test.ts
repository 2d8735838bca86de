import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createClock } from '../../src/clock/clock.js'
import { createEngine } from '../../src/engine/engine.js'
import { flat, newId } from '../../src/ids.js'
import type { EngineEvent } from '../../src/engine/events.js'
import { createSharedValues } from '../../src/engine/shared-values.js'

function engine () {
  const events: EngineEvent[] = []
  const e = createEngine({
    clock: createClock({ mode: 'manual' }),
    emit: (event) => { events.push(event) },
    recordings: { create: () => ({ location: 'http://127.0.0.1:9/recordings/x', token: 't' }), callEnded: () => {} },
    fixtureMs: () => undefined,
    promptMs: () => undefined,
    fixtureFolders: { audio: [], scenarios: ['/nonexistent'], audioPlaces: 'nowhere', scenarioPlaces: 'nowhere' },
    defaults: { tenantId: 't', botAppId: 'bot' },
    maxEndedCalls: 10_000,
    maxLiveCalls: 20_000,
    onCallForgotten: () => {}
  })
  return { engine: e, events }
}

test('ids are UUIDs, each its own; flat() keeps the text', () => {
  const ids = new Set(Array.from({ length: 100 }, newId))
  assert.equal(ids.size, 100)
  for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  assert.equal(flat('a' + 'é'.repeat(20) + '"\\'), 'a' + 'é'.repeat(20) + '"\\')
})

test('equal values are shared and frozen; large ones are left alone', () => {
  const shared = createSharedValues(2, 64)
  const a = shared.json({ '@odata.type': 'x', list: [1] })
  assert.equal(shared.json({ '@odata.type': 'x', list: [1] }), a)
  assert.ok(Object.isFrozen(a) && Object.isFrozen(a.list))
  assert.notEqual(shared.json({ '@odata.type': 'y' }), a)
  const big = { text: 'z'.repeat(100) }
  assert.equal(shared.json(big), big)
  assert.ok(!Object.isFrozen(big))
  assert.equal(shared.string('u'), 'u')
})

test('calls share what is the same in every call and keep their own ids and caller', () => {
  const { engine: e } = engine()
  const a = e.lifecycle.createIncoming({ callbackUri: 'http://127.0.0.1:9/a' })
  const b = e.lifecycle.createIncoming({ callbackUri: 'http://127.0.0.1:9/a' })
  assert.equal(a.targets, b.targets)
  assert.ok(Object.isFrozen(a.targets))
  assert.notEqual(a.source, b.source)
  assert.notEqual(a.id, b.id)
  const answer = { callbackUri: 'http://127.0.0.1:9/b', mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' }, acceptedModalities: ['audio'], extra: {} }
  e.lifecycle.answer(a, answer)
  e.lifecycle.answer(b, { ...answer, mediaConfig: { ...answer.mediaConfig }, extra: { mine: 1 } })
  assert.equal(a.mediaConfig, b.mediaConfig)
  assert.deepEqual([a.extra, b.extra], [{}, { mine: 1 }])
})
