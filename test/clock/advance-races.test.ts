import assert from 'node:assert/strict'
import { test } from 'node:test'
import { build, expectGraphError, startBot } from '../helper.js'
import type { BuiltMock } from '../../src/server.js'

const advanceRequest = async (mock: BuiltMock, ms: number) => await mock.app.inject({ method: 'POST', url: '/_mock/clock/advance', payload: { ms } })
const clockNow = async (mock: BuiltMock): Promise<{ nowMs: number, pendingEvents: number }> => (await mock.app.inject({ method: 'GET', url: '/_mock/clock' })).json()

/** Resolves once `check` holds, polling on the event loop (real time only passes for the bot's socket). */
async function until (check: () => boolean): Promise<void> {
  for (let i = 0; i < 2000 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 2))
  assert.ok(check(), 'condition never held')
}

test('two overlapping advances of 10 000 ms move the clock by 20 000 ms', async (t) => {
  const mock = await build(t)
  // A ringing call gives the advances events to run (the 15 s ring timeout among them).
  const bot = await startBot(t)
  await mock.app.inject({ method: 'POST', url: '/_mock/calls', payload: { callbackUri: bot.url } })
  const [a, b] = await Promise.all([advanceRequest(mock, 10_000), advanceRequest(mock, 10_000)])
  assert.equal(a.statusCode, 200, a.body)
  assert.equal(b.statusCode, 200, b.body)
  assert.deepEqual([a.json().nowMs, b.json().nowMs], [10_000, 20_000], 'the second waits for the first, then moves by its own ms')
  assert.equal((await clockNow(mock)).nowMs, 20_000)
})

test('advances of 20 000 then 60 000 ms, overlapping, end at 80 000', async (t) => {
  const mock = await build(t)
  const bot = await startBot(t)
  await mock.app.inject({ method: 'POST', url: '/_mock/calls', payload: { callbackUri: bot.url } })
  const results = await Promise.all([advanceRequest(mock, 20_000), advanceRequest(mock, 60_000)])
  assert.deepEqual(results.map((r) => r.json().nowMs), [20_000, 80_000])
  assert.equal((await clockNow(mock)).nowMs, 80_000)
})

test('a reset during an advance wins: the clock is at 0 with nothing pending, and the advances cut short answer 409', async (t) => {
  // The bot holds the first notification, so the advance is still waiting for its delivery when the reset comes.
  const mock = await build(t, {}, { deliveryTimeoutMs: 10_000 })
  const bot = await startBot(t, () => 'hang')
  await mock.app.inject({ method: 'POST', url: '/_mock/calls', payload: { callbackUri: bot.url } })
  const running = advanceRequest(mock, 60_000)
  const queued = advanceRequest(mock, 5_000)
  await until(() => bot.received.length === 1)
  const reset = await mock.app.inject({ method: 'POST', url: '/_mock/reset' })
  assert.equal(reset.statusCode, 200)

  const [first, second] = await Promise.all([running, queued])
  assert.match(expectGraphError(first, 409, 'Conflict'), /reset before this advance of 60000 ms finished/)
  assert.match(expectGraphError(second, 409, 'Conflict'), /reset before this advance of 5000 ms finished/)
  const clock = await clockNow(mock)
  assert.equal(clock.nowMs, 0)
  assert.equal(clock.pendingEvents, 0)
  // Advances asked for after the reset count from 0.
  const after = await advanceRequest(mock, 500)
  assert.equal(after.json().nowMs, 500)
})
