import assert from 'node:assert/strict'
import { test } from 'node:test'
import pino from 'pino'
import { createClock } from '../../src/clock/clock.js'
import { createDeliveryJournal } from '../../src/notifications/delivery-journal.js'
import { createDispatcher } from '../../src/notifications/dispatcher.js'
import { advance, build, journal, plainNotification, startBot } from '../helper.js'
import type { BuiltMock } from '../../src/server.js'

// A small real delivery timeout keeps the test fast; the rule is the same at the default 5 s.
const TIMEOUT_MS = 250
// What an advance may take: one timeout, and room for a loaded machine.
const BOUND_MS = TIMEOUT_MS + 450

async function simulate (mock: BuiltMock, callbackUri: string): Promise<string> {
  const res = await mock.app.inject({ method: 'POST', url: '/_mock/calls', payload: { callbackUri } })
  assert.equal(res.statusCode, 201, res.body)
  return res.json().id
}

/** Real ms one advance takes. */
async function timedAdvance (mock: BuiltMock, ms: number): Promise<number> {
  const started = performance.now()
  await advance(mock, ms)
  return performance.now() - started
}

test('three calls to a hung bot cost an advance of 60 s one delivery timeout, and a healthy bot hears its call within it', async (t) => {
  const mock = await build(t, {}, { deliveryTimeoutMs: TIMEOUT_MS })
  await mock.services.key() // signing is not what is measured
  const hung = await startBot(t, () => 'hang')
  const healthy = await startBot(t)
  const hungCalls = [await simulate(mock, hung.url), await simulate(mock, hung.url), await simulate(mock, hung.url)]
  const healthyCall = await simulate(mock, healthy.url)

  // 60 s: each hung call's `created` is tried six times and its ring times out at 15 s (`deleted`).
  const took = await timedAdvance(mock, 60_000)
  assert.ok(took < BOUND_MS, `the advance took ${Math.round(took)} ms; one timeout is ${TIMEOUT_MS} ms`)
  // The healthy call rang out at 15 s too: both its notifications were delivered within the advance.
  const entries = await journal(mock, { callId: healthyCall })
  assert.deepEqual(entries.map((e) => [e.body.value[0].changeType, e.outcome]), [['created', 'delivered'], ['deleted', 'delivered']])
  assert.deepEqual(healthy.received.map((n) => n.body.value[0].changeType), ['created', 'deleted'])
  // What the advance stopped waiting for is journaled when it ends, and retried on the virtual clock.
  const hungEntries = await journal(mock, { callId: hungCalls[0], minCount: 1, waitMs: 5000 })
  assert.equal(hungEntries[0].outcome, 'retrying')
  assert.match(hungEntries[0].error, /timed out/)
})

test('a hung bot costs each advance one timeout at most, even an advance of 0 ms', async (t) => {
  const mock = await build(t, {}, { deliveryTimeoutMs: TIMEOUT_MS })
  await mock.services.key()
  const hung = await startBot(t, () => 'hang')
  await simulate(mock, hung.url)
  for (const ms of [0, 0, 1000, 30_000]) {
    const took = await timedAdvance(mock, ms)
    assert.ok(took < BOUND_MS, `advance ${ms} took ${Math.round(took)} ms`)
  }
})

test('a healthy call on the same bot as a hung call is not held up once the hung one timed out', async (t) => {
  const mock = await build(t, {}, { deliveryTimeoutMs: TIMEOUT_MS })
  await mock.services.key()
  // One bot, two paths: the first call's notifications hang, the second's are answered.
  const bot = await startBot(t, (n) => n.body.value[0].resourceUrl.includes(hungCall) ? 'hang' : 202)
  const hungCall = await simulate(mock, bot.url)
  const took = await timedAdvance(mock, 10_000)
  assert.ok(took < BOUND_MS, `took ${Math.round(took)} ms`)
  const other = await simulate(mock, bot.url)
  const tookAgain = await timedAdvance(mock, 10_000)
  assert.ok(tookAgain < BOUND_MS, `took ${Math.round(tookAgain)} ms`)
  const entries = await journal(mock, { callId: other })
  assert.deepEqual(entries.map((e) => [e.body.value[0].changeType, e.outcome]), [['created', 'delivered']])
})

test('with every socket slot to a bot held by hung calls, another call to it waits one timeout at most, then goes first', async (t) => {
  const hung = await startBot(t, (n) => n.body.value[0].resourceUrl.includes('hung') ? 'hang' : 202)
  const journal = createDeliveryJournal()
  const dispatcher = createDispatcher({ clock: createClock({ mode: 'manual' }), journal, log: pino({ level: 'silent' }), tokens: { tokenFor: async () => 'a.b.c' }, maxSockets: 2, timeoutMs: TIMEOUT_MS })
  t.after(() => { dispatcher.close() })
  const notify = (callId: string): void => { dispatcher.enqueue(plainNotification(callId, hung.url, { changeType: 'created', resourceUrl: `/communications/calls/${callId}` })) }
  notify('hung-1')
  notify('hung-2')
  const started = performance.now()
  notify('healthy')
  for (let i = 0; i < 500 && journal.list({ callId: 'healthy' }).length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 5))
  const waited = performance.now() - started
  assert.deepEqual(journal.list({ callId: 'healthy' }).map((e) => e.outcome), ['delivered'])
  assert.ok(waited < BOUND_MS, `the healthy call waited ${Math.round(waited)} ms for a slot`)
  assert.ok(waited >= TIMEOUT_MS - 20, `it cannot have had a slot before a hung attempt timed out (${Math.round(waited)} ms)`)
})
