import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import type { Settings } from '../../src/config/settings.js'
import type { BuiltMock } from '../../src/server.js'
import {
  advance, answeredCall, build, completion, download, expectGraphError, JSON_HEADERS, NO_PROMPT, record, recordingIdOf,
  recordingsOf, startBot
} from '../helper.js'

const SCRIPT = { responses: [{ actions: [{ silence: 200 }, { speech: 800 }, { tone: '#' }] }] }

async function recorded (t: TestContext, overrides: Partial<Settings> = {}): Promise<{ mock: BuiltMock, callId: string, opId: string, location: string, token: string }> {
  const mock = await build(t, overrides)
  const bot = await startBot(t)
  const callId = await answeredCall(mock, bot.url, SCRIPT)
  const opId = await record(mock, callId, { ...NO_PROMPT, stopTones: ['#'] }, '/beta')
  await advance(mock, 2000)
  const done = await completion(mock, callId, opId)
  return { mock, callId, opId, location: done.recordingLocation!, token: done.recordingAccessToken! }
}

async function nowMs (mock: BuiltMock): Promise<number> {
  return ((await mock.app.inject({ method: 'GET', url: '/_mock/clock' })).json() as { nowMs: number }).nowMs
}

test('GET /_mock/calls/{id} lists the recording: id, operation, duration, size, downloaded, expiry', async (t) => {
  const { mock, callId, opId, location, token } = await recorded(t)
  const [before] = await recordingsOf(mock, callId)
  assert.deepEqual(Object.keys(before).sort(), ['callId', 'createdAt', 'downloaded', 'durationMs', 'expired', 'expiresAt', 'id', 'operationId', 'sizeBytes'])
  assert.equal(before.id, recordingIdOf(location))
  assert.equal(before.callId, callId)
  assert.equal(before.operationId, opId)
  assert.equal(before.durationMs, 1000)
  assert.equal(before.sizeBytes, 44 + 1000 * 32)
  assert.equal(before.downloaded, false)
  assert.equal(before.expiresAt, null)
  assert.equal(before.expired, false)
  assert.match(before.createdAt, /^\d{4}-\d\d-\d\dT/)
  assert.equal((await download(mock, location, token)).statusCode, 200)
  const [after] = await recordingsOf(mock, callId)
  assert.equal(after.downloaded, true)
  // The call list shows the same.
  const list = (await mock.app.inject({ method: 'GET', url: '/_mock/calls' })).json() as { value: Array<{ id: string, recordings: unknown[] }> }
  assert.deepEqual(list.value.find((c) => c.id === callId)?.recordings, [after])
})

test('while the call is up the recording never expires', async (t) => {
  const { mock, callId, location, token } = await recorded(t, { recordingRetentionSeconds: 60 })
  await advance(mock, 10 * 60_000)
  assert.equal((await download(mock, location, token)).statusCode, 200)
  assert.equal((await recordingsOf(mock, callId))[0].expiresAt, null)
})

test('after RECORDING_RETENTION_SECONDS past the call\'s end: 404 even with the right token, and the bytes are freed', async (t) => {
  const { mock, callId, location, token } = await recorded(t, { recordingRetentionSeconds: 60 })
  assert.equal((await download(mock, location, token)).statusCode, 200)
  assert.equal(mock.services.recordings.cacheStats().entries, 1)
  await advance(mock, 5000)
  const hangup = await mock.app.inject({ method: 'DELETE', url: `/v1.0/communications/calls/${callId}`, headers: { authorization: JSON_HEADERS.authorization } })
  assert.equal(hangup.statusCode, 204, hangup.body)
  const endedAt = await nowMs(mock)
  const [listed] = await recordingsOf(mock, callId)
  const clock = (await mock.app.inject({ method: 'GET', url: '/_mock/clock' })).json() as { now: string }
  assert.equal(Date.parse(listed.expiresAt) - Date.parse(clock.now), 60_000)

  await advance(mock, 60_000 - 1)
  assert.equal(await nowMs(mock), endedAt + 59_999)
  assert.equal((await download(mock, location, token)).statusCode, 200, 'still there 1 ms before expiry')
  assert.equal((await download(mock, location, token, { method: 'HEAD' })).statusCode, 200)

  await advance(mock, 1)
  const gone = await download(mock, location, token)
  expectGraphError(gone, 404, 'itemNotFound')
  assert.equal((await download(mock, location, token, { method: 'HEAD' })).statusCode, 404)
  // Expired is 404 with any token (or none): nothing says it ever existed.
  expectGraphError(await download(mock, location, null), 404, 'itemNotFound')
  expectGraphError(await download(mock, location, 'wrong'), 404, 'itemNotFound')
  assert.deepEqual(mock.services.recordings.cacheStats(), { entries: 0, bytes: 0, maxBytes: 64 * 1024 * 1024 })
  assert.equal(mock.services.recordings.count(), 0)
  const [expired] = await recordingsOf(mock, callId)
  assert.equal(expired.expired, true)
  assert.equal(expired.downloaded, true)
})

test('a caller hang-up starts retention too; RECORDING_RETENTION_SECONDS=0 expires at once', async (t) => {
  const { mock, callId, location, token } = await recorded(t, { recordingRetentionSeconds: 0 })
  assert.equal((await download(mock, location, token)).statusCode, 200)
  const res = await mock.app.inject({ method: 'POST', url: `/_mock/calls/${callId}/hangup` })
  assert.equal(res.statusCode, 200, res.body)
  expectGraphError(await download(mock, location, token), 404, 'itemNotFound')
  await advance(mock, 0)
  assert.equal(mock.services.recordings.cacheStats().bytes, 0)
})

test('retention uses the default of 300 s when not set', async (t) => {
  const { mock, callId, location, token } = await recorded(t)
  const res = await mock.app.inject({ method: 'POST', url: `/_mock/calls/${callId}/hangup` })
  assert.equal(res.statusCode, 200, res.body)
  await advance(mock, 299_999)
  assert.equal((await download(mock, location, token)).statusCode, 200)
  await advance(mock, 1)
  expectGraphError(await download(mock, location, token), 404, 'itemNotFound')
})

test('POST /_mock/reset forgets recordings and their cached bytes', async (t) => {
  const { mock, location, token } = await recorded(t)
  assert.equal((await download(mock, location, token)).statusCode, 200)
  assert.equal(mock.services.recordings.cacheStats().entries, 1)
  assert.equal((await mock.app.inject({ method: 'POST', url: '/_mock/reset' })).statusCode, 200)
  expectGraphError(await download(mock, location, token), 404, 'itemNotFound')
  assert.equal(mock.services.recordings.cacheStats().entries, 0)
})
