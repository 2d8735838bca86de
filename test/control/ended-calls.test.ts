import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { BuiltMock } from '../../src/server.js'
import {
  advance, answeredCall, build, completion, download, expectGraphError, journal, JSON_HEADERS, NO_PROMPT, record, recordingsOf,
  startBot
} from '../helper.js'

const SCRIPT = { responses: [{ actions: [{ silence: 200 }, { speech: 800 }, { tone: '#' }] }] }

interface Ended { callId: string, location: string, token: string }

/** A call that records once and is hung up by the bot: notifications, a recording, an ended call. */
async function endedCall (mock: BuiltMock, botUrl: string): Promise<Ended> {
  const callId = await answeredCall(mock, botUrl, SCRIPT)
  const opId = await record(mock, callId, { ...NO_PROMPT, stopTones: ['#'] }, '/beta')
  await advance(mock, 2000)
  const done = await completion(mock, callId, opId)
  const hangUp = await mock.app.inject({ method: 'DELETE', url: `/v1.0/communications/calls/${callId}`, headers: { authorization: JSON_HEADERS.authorization } })
  assert.equal(hangUp.statusCode, 204, hangUp.body)
  await advance(mock, 0)
  return { callId, location: done.recordingLocation!, token: done.recordingAccessToken! }
}

async function listedCallIds (mock: BuiltMock): Promise<string[]> {
  const res = await mock.app.inject({ method: 'GET', url: '/_mock/calls' })
  assert.equal(res.statusCode, 200, res.body)
  return (res.json() as { value: Array<{ id: string }> }).value.map((c) => c.id)
}

test('beyond MAX_ENDED_CALLS the oldest ended call is forgotten with its notifications and recordings', async (t) => {
  const mock = await build(t, { maxEndedCalls: 2 })
  const bot = await startBot(t)
  const a = await endedCall(mock, bot.url)
  const b = await endedCall(mock, bot.url)
  const bAttempts = await journal(mock, { callId: b.callId })
  assert.ok(bAttempts.length > 0)
  assert.deepEqual(await listedCallIds(mock), [a.callId, b.callId], 'two ended calls: both kept')

  const c = await endedCall(mock, bot.url)
  assert.deepEqual(await listedCallIds(mock), [b.callId, c.callId])
  expectGraphError(await mock.app.inject({ method: 'GET', url: `/_mock/calls/${a.callId}` }), 404, '8522')
  assert.deepEqual(await journal(mock, { callId: a.callId }), [])
  const all = await journal(mock)
  assert.ok(all.every((e) => e.callId !== a.callId), 'the unfiltered journal lists none of its attempts either')
  assert.deepEqual(await journal(mock, { callId: b.callId }), bAttempts, 'the calls kept keep their attempts, ids unchanged')
  expectGraphError(await download(mock, a.location, a.token), 404, 'itemNotFound')
  // The recordings of calls kept are still there (300 s retention has not run out).
  assert.equal((await download(mock, b.location, b.token)).statusCode, 200)
  assert.equal((await recordingsOf(mock, b.callId)).length, 1)
})

test('calls still up are never forgotten, however many calls end after them', async (t) => {
  const mock = await build(t, { maxEndedCalls: 1 })
  const bot = await startBot(t)
  const live = await answeredCall(mock, bot.url, SCRIPT)
  for (let i = 0; i < 3; i++) await endedCall(mock, bot.url)
  const ids = await listedCallIds(mock)
  assert.equal(ids.length, 2, 'the live call and the newest ended one')
  assert.equal(ids[0], live)
  const op = await record(mock, live, { ...NO_PROMPT, stopTones: ['#'] }, '/beta')
  await advance(mock, 2000)
  assert.equal((await completion(mock, live, op)).completionReason, 'stopToneDetected')
})

test('a mock that never resets stays the same size: calls, journal and recordings are bounded', async (t) => {
  const mock = await build(t, { maxEndedCalls: 5 })
  const bot = await startBot(t)
  const sizes: Array<{ calls: number, listed: number, held: number }> = []
  for (let i = 0; i < 40; i++) {
    await endedCall(mock, bot.url)
    if (i >= 10) sizes.push({ calls: (await listedCallIds(mock)).length, listed: (await journal(mock)).length, held: mock.services.deliveries.heldCount() })
  }
  const perCall = (await journal(mock)).length / 5
  assert.ok(Number.isInteger(perCall) && perCall >= 4, `each flow has its notifications (${perCall})`)
  assert.ok(sizes.every((s) => s.calls === 5 && s.listed === 5 * perCall), JSON.stringify(sizes))
  // Forgotten attempts leave the array in batches: it holds at most twice what the calls kept have, plus a call's.
  assert.ok(sizes.every((s) => s.held <= 2 * 5 * perCall + perCall), JSON.stringify(sizes))
  assert.ok(sizes.some((s) => s.held > s.listed), 'and it does hold forgotten ones between compactions')
  assert.equal(mock.services.recordings.count(), 5)
  // Attempt ids go on increasing after forgetting: none is reused.
  const ids = (await journal(mock)).map((e) => e.id as number)
  assert.deepEqual(ids, [...ids].sort((x, y) => x - y))
  assert.equal(new Set(ids).size, ids.length)
  assert.ok(ids[0] > 5 * perCall, 'the first attempts kept are not the journal\'s first')
})

test('MAX_LIVE_CALLS: another call is refused with a 400 naming the limit; an ended call makes room', async (t) => {
  const mock = await build(t, { maxLiveCalls: 2 })
  const bot = await startBot(t)
  const simulate = async (): Promise<{ statusCode: number, body: string, json: () => any }> => await mock.app.inject({ method: 'POST', url: '/_mock/calls', payload: { callbackUri: bot.url } })
  const first = (await simulate()).json().id as string
  const outgoing = await mock.app.inject({ method: 'POST', url: '/v1.0/communications/calls', headers: JSON_HEADERS, payload: { callbackUri: bot.url, targets: [{ identity: { user: { id: 'u1' } } }], requestedModalities: ['audio'], mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' } } })
  assert.equal(outgoing.statusCode, 201, outgoing.body)
  assert.match(expectGraphError(await simulate() as never, 400, 'BadRequest'), /already has 2 calls up; the limit is 2 \(MAX_LIVE_CALLS\)/)
  const again = await mock.app.inject({ method: 'POST', url: '/v1.0/communications/calls', headers: JSON_HEADERS, payload: { callbackUri: bot.url, targets: [{ identity: { user: { id: 'u1' } } }], requestedModalities: ['audio'], mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' } } })
  assert.match(expectGraphError(again, 400, 'BadRequest'), /\(MAX_LIVE_CALLS\)/)
  assert.deepEqual((await listedCallIds(mock)).length, 2, 'the refused requests made no call')
  // The ringing call times out (15 virtual s): an ended call no longer counts.
  await advance(mock, 15_000)
  assert.equal((await simulate()).statusCode, 201)
  assert.ok((await listedCallIds(mock)).includes(first))
})
