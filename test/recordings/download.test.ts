import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import { resolveSettings } from '../../src/config/load-settings.js'
import type { Settings } from '../../src/config/settings.js'
import { listenMock, type BuiltMock } from '../../src/server.js'
import {
  advance, answeredCall, build, completion, decodeWav, download, expectGraphError, NO_PROMPT, record, recordingIdOf,
  recordingsOf, startBot
} from '../helper.js'

const SCRIPT = { responses: [{ actions: [{ silence: 200 }, { speech: 1000 }, { tone: '#' }] }, { actions: [{ speech: 500 }, { tone: '#' }] }] }
const WINDOW_MS = 1200
const SIZE = 44 + WINDOW_MS * 16 * 2

/** A call with one finished recording (1200 ms); returns its location and token. */
async function recorded (t: TestContext, overrides: Partial<Settings> = {}): Promise<{ mock: BuiltMock, botUrl: string, callId: string, location: string, token: string }> {
  const mock = await build(t, overrides)
  const bot = await startBot(t)
  const callId = await answeredCall(mock, bot.url, SCRIPT)
  const opId = await record(mock, callId, { ...NO_PROMPT, stopTones: ['#'] }, '/beta')
  await advance(mock, 5000)
  const done = await completion(mock, callId, opId)
  assert.equal(done.completionReason, 'stopToneDetected')
  return { mock, botUrl: bot.url, callId, location: done.recordingLocation!, token: done.recordingAccessToken! }
}

test('GET with the recording token: 200, application/octet-stream, chunked WAV bytes, Graph headers', async (t) => {
  const { mock, location, token } = await recorded(t)
  assert.match(location, /^http:\/\/127\.0\.0\.1:4000\/recordings\/[0-9a-f-]{36}$/)
  assert.match(token, /^[\w-]{32,}$/)
  const res = await download(mock, location, token, { headers: { 'client-request-id': 'my-download-1' } })
  assert.equal(res.statusCode, 200)
  assert.equal(res.headers['content-type'], 'application/octet-stream')
  assert.equal(res.headers['transfer-encoding'], 'chunked')
  assert.equal(res.headers['content-length'], undefined)
  assert.equal(res.headers['accept-ranges'], 'bytes')
  assert.equal(res.headers['client-request-id'], 'my-download-1')
  assert.ok(res.headers['request-id'])
  assert.equal(res.rawPayload.length, SIZE)
  assert.equal(decodeWav(res.rawPayload).durationMs, WINDOW_MS)
  // The scheme is case-insensitive, as for any Bearer token.
  const lower = await mock.app.inject({ method: 'GET', url: new URL(location).pathname, headers: { authorization: `bearer ${token}` } })
  assert.equal(lower.statusCode, 200)
  assert.ok(lower.rawPayload.equals(res.rawPayload))
})

test('the WAV is produced at the first download, not before; HEAD does not produce it', async (t) => {
  const { mock, callId, location, token } = await recorded(t)
  assert.equal(mock.services.recordings.cacheStats().entries, 0)
  const head = await download(mock, location, token, { method: 'HEAD' })
  assert.equal(head.statusCode, 200)
  assert.equal(head.headers['content-length'], String(SIZE))
  assert.equal(head.headers['content-type'], 'application/octet-stream')
  assert.equal(head.rawPayload.length, 0)
  assert.equal(mock.services.recordings.cacheStats().entries, 0)
  assert.equal((await recordingsOf(mock, callId))[0].downloaded, false)
  const get = await download(mock, location, token)
  assert.equal(get.rawPayload.length, SIZE)
  assert.equal(mock.services.recordings.cacheStats().entries, 1)
  assert.equal((await recordingsOf(mock, callId))[0].downloaded, true)
})

test('Range: 206 with Content-Range for first, open and suffix ranges; HEAD agrees', async (t) => {
  const { mock, location, token } = await recorded(t)
  const full = (await download(mock, location, token)).rawPayload
  const cases: Array<[string, number, number]> = [['bytes=0-43', 0, 43], ['bytes=1000-', 1000, SIZE - 1], ['bytes=-100', SIZE - 100, SIZE - 1], ['bytes=100-999999', 100, SIZE - 1]]
  for (const [range, start, end] of cases) {
    const res = await download(mock, location, token, { headers: { range } })
    assert.equal(res.statusCode, 206, range)
    assert.equal(res.headers['content-range'], `bytes ${start}-${end}/${SIZE}`, range)
    assert.equal(res.headers['content-length'], String(end - start + 1), range)
    assert.ok(res.rawPayload.equals(full.subarray(start, end + 1)), range)
    const head = await download(mock, location, token, { method: 'HEAD', headers: { range } })
    assert.equal(head.statusCode, 206)
    assert.equal(head.headers['content-range'], res.headers['content-range'])
    assert.equal(head.headers['content-length'], res.headers['content-length'])
  }
  // Ranges the server may ignore (several ranges, other units) get the whole file.
  for (const range of ['bytes=0-1,4-5', 'items=0-1']) {
    const res = await download(mock, location, token, { headers: { range } })
    assert.equal(res.statusCode, 200, range)
    assert.ok(res.rawPayload.equals(full))
  }
})

test('Range past the end: 416 in Graph shape with Content-Range bytes */size', async (t) => {
  const { mock, location, token } = await recorded(t)
  for (const range of [`bytes=${SIZE}-`, `bytes=${SIZE + 10}-${SIZE + 20}`, 'bytes=-0', 'bytes=50-10']) {
    const res = await download(mock, location, token, { headers: { range } })
    expectGraphError(res, 416, 'invalidRange')
    assert.equal(res.headers['content-range'], `bytes */${SIZE}`, range)
  }
})

test('401 for no token, a wrong token, a mangled header, another recording\'s token and a Graph access token', async (t) => {
  const { mock, botUrl, callId, location, token } = await recorded(t)
  // A second recording on the same call and one on another call: their tokens open only their own.
  const op2 = await record(mock, callId, { ...NO_PROMPT, stopTones: ['#'] }, '/beta')
  await advance(mock, 5000)
  const sameCall = await completion(mock, callId, op2)
  const otherCallId = await answeredCall(mock, botUrl, SCRIPT)
  const op3 = await record(mock, otherCallId, { ...NO_PROMPT, stopTones: ['#'] }, '/beta')
  await advance(mock, 5000)
  const otherCall = await completion(mock, otherCallId, op3)
  assert.notEqual(sameCall.recordingAccessToken, token)
  assert.equal((await download(mock, sameCall.recordingLocation!, sameCall.recordingAccessToken)).statusCode, 200)

  const tokenRes = await mock.app.inject({
    method: 'POST',
    url: '/contoso.onmicrosoft.com/oauth2/v2.0/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: 'grant_type=client_credentials&client_id=bot&client_secret=s&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default'
  })
  assert.equal(tokenRes.statusCode, 200, tokenRes.body)
  const graphToken = (tokenRes.json() as { access_token: string }).access_token

  const path = new URL(location).pathname
  const cases: Array<[string, Record<string, string>]> = [
    ['no Authorization', {}],
    ['empty bearer', { authorization: 'Bearer ' }],
    ['wrong token', { authorization: 'Bearer not-the-token' }],
    ['token with a changed last character', { authorization: `Bearer ${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}` }],
    ['a very long token', { authorization: `Bearer ${'x'.repeat(4000)}` }],
    ['right token without the scheme', { authorization: token }],
    ['right token with Basic', { authorization: `Basic ${token}` }],
    ['same call, other recording\'s token', { authorization: `Bearer ${sameCall.recordingAccessToken!}` }],
    ['other call\'s recording token', { authorization: `Bearer ${otherCall.recordingAccessToken!}` }],
    ['Graph access token', { authorization: `Bearer ${graphToken}` }]
  ]
  for (const [name, headers] of cases) {
    for (const method of ['GET', 'HEAD'] as const) {
      const res = await mock.app.inject({ method, url: path, headers })
      if (method === 'HEAD') {
        assert.equal(res.statusCode, 401, `${name} (HEAD)`)
        continue
      }
      const message = expectGraphError(res, 401, 'InvalidAuthenticationToken')
      assert.match(message, /token/i, name)
      assert.ok(res.headers['www-authenticate'], name)
    }
  }
  // None of that counted as a download.
  assert.equal((await recordingsOf(mock, callId))[0].downloaded, false)
})

test('404 for an unknown recording id, with or without a token', async (t) => {
  const { mock, location, token } = await recorded(t)
  const unknown = '00000000-0000-4000-8000-000000000000'
  for (const headers of [{}, { authorization: `Bearer ${token}` }]) {
    expectGraphError(await mock.app.inject({ method: 'GET', url: `/recordings/${unknown}`, headers }), 404, 'itemNotFound')
    expectGraphError(await mock.app.inject({ method: 'GET', url: '/recordings/not-a-recording', headers }), 404, 'itemNotFound')
  }
  assert.equal((await mock.app.inject({ method: 'HEAD', url: `/recordings/${unknown}` })).statusCode, 404)
  // The id is matched case-insensitively, like Graph ids.
  const upper = await mock.app.inject({ method: 'GET', url: `/recordings/${recordingIdOf(location).toUpperCase()}`, headers: { authorization: `Bearer ${token}` } })
  assert.equal(upper.statusCode, 200)
})

test('recordingLocation starts with PUBLIC_BASE_URL when set', async (t) => {
  const { mock, location, token } = await recorded(t, { publicBaseUrl: 'https://mock.example.test/graph-mock/' })
  assert.match(location, /^https:\/\/mock\.example\.test\/graph-mock\/recordings\/[0-9a-f-]{36}$/)
  // Behind a proxy that strips the prefix, the mock serves it at /recordings/{id}.
  const res = await mock.app.inject({ method: 'GET', url: `/recordings/${recordingIdOf(location)}`, headers: { authorization: `Bearer ${token}` } })
  assert.equal(res.statusCode, 200)
})

test('over a real socket, recordingLocation names the bound port and the download streams the WAV', async (t) => {
  const running = await listenMock(resolveSettings({ clock: 'manual', logLevel: 'silent', port: 0, host: '127.0.0.1' }))
  t.after(async () => { await running.app.close() })
  const bot = await startBot(t)
  const callId = await answeredCall(running, bot.url, SCRIPT)
  const opId = await record(running, callId, { ...NO_PROMPT, stopTones: ['#'] }, '/beta')
  await advance(running, 5000)
  const done = await completion(running, callId, opId)
  assert.ok(done.recordingLocation!.startsWith(`http://127.0.0.1:${running.port}/recordings/`), done.recordingLocation!)
  const res = await fetch(done.recordingLocation!, { headers: { authorization: `Bearer ${done.recordingAccessToken!}` } })
  assert.equal(res.status, 200)
  assert.equal(res.headers.get('content-type'), 'application/octet-stream')
  const bytes = Buffer.from(await res.arrayBuffer())
  assert.equal(bytes.length, SIZE)
  assert.equal(decodeWav(bytes).sampleRate, 16000)
  const denied = await fetch(done.recordingLocation!)
  assert.equal(denied.status, 401)
  assert.equal(((await denied.json()) as { error: { code: string } }).error.code, 'InvalidAuthenticationToken')
})
