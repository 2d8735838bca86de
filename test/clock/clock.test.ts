import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createClock } from '../../src/clock/clock.js'
import type { BuiltMock } from '../../src/server.js'
import { build, expectGraphError, JSON_HEADERS, startBot } from '../helper.js'

test('GET /_mock/clock reads the manual clock; advance moves it by exactly ms', async (t) => {
  const mock = await build(t)
  const before = (await mock.app.inject({ method: 'GET', url: '/_mock/clock' })).json()
  assert.equal(before.mode, 'manual')
  assert.equal(before.nowMs, 0)
  const res = await mock.app.inject({ method: 'POST', url: '/_mock/clock/advance', payload: { ms: 1500 } })
  assert.equal(res.statusCode, 200)
  assert.equal(res.json().nowMs, 1500)
  assert.equal(Date.parse(res.json().now) - Date.parse(before.now), 1500)
  expectGraphError(await mock.app.inject({ method: 'POST', url: '/_mock/clock/advance', payload: { ms: -1 } }), 400, 'BadRequest')
  expectGraphError(await mock.app.inject({ method: 'POST', url: '/_mock/clock/advance', payload: { ms: '5' } }), 400, 'BadRequest')
})

test('the real clock cannot be advanced', async (t) => {
  const mock = await build(t, { clock: 'real' })
  const res = await mock.app.inject({ method: 'POST', url: '/_mock/clock/advance', payload: { ms: 10 } })
  assert.match(expectGraphError(res, 400, 'BadRequest'), /CLOCK=manual/)
  assert.equal((await mock.app.inject({ method: 'GET', url: '/_mock/clock' })).json().mode, 'real')
})

test('a scaled real clock (TIME_SCALE=0.01) runs a 1 s callee answer delay in about 10 ms', async (t) => {
  const mock = await build(t, { clock: 'real', timeScale: 0.01 })
  const bot = await startBot(t)
  // The signing key is generated off-thread at start-up; wait for it so only the clock is measured.
  assert.equal((await mock.app.inject({ method: 'GET', url: '/v1/.well-known/keys' })).statusCode, 200)
  const started = Date.now()
  const res = await mock.app.inject({
    method: 'POST',
    url: '/v1.0/communications/calls',
    headers: JSON_HEADERS,
    payload: { callbackUri: bot.url, targets: [{}], requestedModalities: ['audio'], mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' } }
  })
  assert.equal(res.statusCode, 201)
  const polled = await mock.app.inject({ method: 'GET', url: `/_mock/notifications?callId=${res.json().id}&minCount=2&waitMs=3000` })
  const entries = polled.json().value
  assert.equal(entries.length, 2)
  assert.equal(entries[1].body.value[0].resourceData.state, 'established')
  const elapsed = bot.received[1].at - started
  // 1000 virtual ms x 0.01 = 10 real ms; the upper bound leaves room for a busy machine, far below 1 s.
  assert.ok(elapsed >= 9, `established after ${elapsed} ms: too early for a 10 ms delay`)
  assert.ok(elapsed < 400, `established after ${elapsed} ms: not scaled`)
  assert.ok(entries[1].virtualMs >= 1000, 'the journal shows virtual time')
})

test('the clock runs events in time order, same-time events in the order they were set, and skips cancelled ones', async () => {
  const clock = createClock({ mode: 'manual' })
  const ran: string[] = []
  clock.setTimer(200, () => ran.push('b@200'))
  clock.setTimer(100, () => { ran.push('a@100'); clock.setTimer(0, () => ran.push('a2@100')) })
  clock.setTimer(200, () => ran.push('c@200'))
  const cancelled = clock.setTimer(150, () => ran.push('never'))
  cancelled.cancel()
  await clock.advance(199)
  assert.deepEqual(ran, ['a@100', 'a2@100'])
  assert.equal(clock.now(), 199)
  await clock.advance(1)
  assert.deepEqual(ran, ['a@100', 'a2@100', 'b@200', 'c@200'])
  assert.equal(clock.pending(), 0)
})

test('a real clock serves many events with one timer and fires them in order', async () => {
  const clock = createClock({ mode: 'real', timeScale: 0.1 })
  const ran: number[] = []
  // The clock's timer is unref'd (it never holds a process open); this keeps the test's event loop alive.
  const keepAlive = setTimeout(() => undefined, 10_000)
  await new Promise<void>((resolve) => {
    for (let i = 20; i >= 1; i--) clock.setTimer(i * 100, () => { ran.push(i); if (ran.length === 20) resolve() })
  })
  clearTimeout(keepAlive)
  assert.deepEqual(ran, Array.from({ length: 20 }, (_, i) => i + 1))
  clock.stop()
})

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
