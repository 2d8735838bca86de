import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { test, type TestContext } from 'node:test'
import { BODY_LIMIT_BYTES } from '../../src/app-options.js'
import { resolveSettings } from '../../src/config/load-settings.js'
import { listenMock } from '../../src/server.js'
import { answeredCall, build, expectGraphError, JSON_HEADERS, startBot } from '../helper.js'

test('an unknown route is a Graph-shaped 404 itemNotFound', async (t) => {
  const mock = await build(t)
  const res = await mock.app.inject({ method: 'GET', url: '/v1.0/communications/nothing-here', headers: JSON_HEADERS })
  const message = expectGraphError(res, 404, 'itemNotFound')
  assert.match(message, /nothing-here/)
})

test('an unknown call is 404 8522 "Call not found."', async (t) => {
  const mock = await build(t)
  for (const url of ['/v1.0/communications/calls/00000000-0000-0000-0000-000000000000', '/beta/app/calls/nope']) {
    const res = await mock.app.inject({ method: 'GET', url, headers: JSON_HEADERS })
    assert.equal(expectGraphError(res, 404, '8522'), 'Call not found.')
  }
  const action = await mock.app.inject({ method: 'POST', url: '/v1.0/communications/calls/nope/answer', headers: JSON_HEADERS, payload: { callbackUri: 'http://127.0.0.1:1/cb', acceptedModalities: ['audio'], mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' } } })
  expectGraphError(action, 404, '8522')
})

test('invalid JSON is a 400 BadRequest that says so', async (t) => {
  const mock = await build(t)
  const res = await mock.app.inject({ method: 'POST', url: '/v1.0/communications/calls', headers: JSON_HEADERS, payload: '{"callbackUri": ' })
  assert.match(expectGraphError(res, 400, 'BadRequest'), /not valid JSON/)
})

test('a wrong type is a 400 naming the field and the rule, without coercion', async (t) => {
  const mock = await build(t)
  const bot = await startBot(t)
  const id = await answeredCall(mock, bot.url)
  const res = await mock.app.inject({ method: 'POST', url: `/v1.0/communications/calls/${id}/recordResponse`, headers: JSON_HEADERS, payload: { maxRecordDurationInSeconds: '10' } })
  assert.match(expectGraphError(res, 400, 'BadRequest'), /'maxRecordDurationInSeconds' must be integer/)
  const call = await mock.app.inject({ method: 'POST', url: '/v1.0/communications/calls', headers: JSON_HEADERS, payload: { callbackUri: bot.url, targets: [{}], requestedModalities: 'audio', mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' } } })
  assert.match(expectGraphError(call, 400, 'BadRequest'), /'requestedModalities' must be array/)
  const missing = await mock.app.inject({ method: 'POST', url: '/v1.0/communications/calls', headers: JSON_HEADERS, payload: { targets: [{}], requestedModalities: ['audio'], mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' } } })
  assert.match(expectGraphError(missing, 400, 'BadRequest'), /'callbackUri' is required/)
})

test('a wrong content type is a 415 in Graph\'s shape', async (t) => {
  const mock = await build(t)
  const res = await mock.app.inject({ method: 'POST', url: '/v1.0/communications/calls', headers: { authorization: JSON_HEADERS.authorization, 'content-type': 'text/plain' }, payload: 'hello' })
  assert.match(expectGraphError(res, 415, 'UnsupportedMediaType'), /text\/plain/)
})

test('a body over the limit is a 413 in Graph\'s shape', async (t) => {
  const mock = await build(t)
  const res = await mock.app.inject({ method: 'POST', url: '/v1.0/communications/calls', headers: JSON_HEADERS, payload: JSON.stringify({ subject: 'x'.repeat(BODY_LIMIT_BYTES + 10) }) })
  expectGraphError(res, 413, 'RequestEntityTooLarge')
})

test('every response carries request-id, and client-request-id echoes the client\'s', async (t) => {
  const mock = await build(t)
  const res = await mock.app.inject({ method: 'GET', url: '/v1.0/communications/calls/nope', headers: { ...JSON_HEADERS, 'client-request-id': 'my-request-42' } })
  assert.match(String(res.headers['request-id']), /^[0-9a-f-]{36}$/)
  assert.equal(res.headers['client-request-id'], 'my-request-42')
  assert.equal(expectGraphError(res, 404, '8522'), 'Call not found.')
  const ok = await mock.app.inject({ method: 'GET', url: '/_mock/health' })
  assert.match(String(ok.headers['request-id']), /^[0-9a-f-]{36}$/)
  assert.equal(ok.headers['client-request-id'], ok.headers['request-id'])
})

test('a bad request changes nothing: the call and its state survive', async (t) => {
  const mock = await build(t)
  const bot = await startBot(t)
  const id = await answeredCall(mock, bot.url)
  const bad = await mock.app.inject({ method: 'POST', url: `/v1.0/communications/calls/${id}/answer`, headers: JSON_HEADERS, payload: '{{{' })
  expectGraphError(bad, 400, 'BadRequest')
  const call = await mock.app.inject({ method: 'GET', url: `/v1.0/communications/calls/${id}`, headers: JSON_HEADERS })
  assert.equal(call.statusCode, 200)
  assert.equal(call.json().state, 'established')
})

interface RawReply { status: number, headers: Record<string, string>, body: string }

/** Sends raw bytes on a loopback socket and reads until the server closes it. */
async function exchange (port: number, bytes: string): Promise<RawReply> {
  const raw = await new Promise<string>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    const chunks: Buffer[] = []
    socket.on('data', (c: Buffer) => chunks.push(c))
    socket.on('error', reject)
    socket.on('close', () => { resolve(Buffer.concat(chunks).toString('utf8')) })
    socket.end(bytes)
  })
  const [head, ...rest] = raw.split('\r\n\r\n')
  const [statusLine, ...lines] = head.split('\r\n')
  const headers = Object.fromEntries(lines.map((l) => { const i = l.indexOf(':'); return [l.slice(0, i).toLowerCase(), l.slice(i + 1).trim()] }))
  return { status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') }
}

async function running (t: TestContext): Promise<number> {
  const mock = await listenMock(resolveSettings({ port: 0, host: '127.0.0.1', clock: 'manual', logLevel: 'silent' }))
  t.after(async () => { await mock.app.close() })
  return mock.port
}

function assertGraphError (reply: RawReply, status: number, code: string): string {
  assert.equal(reply.status, status, JSON.stringify(reply))
  assert.match(reply.headers['content-type'], /^application\/json/)
  assert.equal(reply.headers.connection, 'close')
  assert.equal(Number(reply.headers['content-length']), Buffer.byteLength(reply.body))
  const body = JSON.parse(reply.body) as { error: { code: string, message: string, innerError: Record<string, string> } }
  assert.deepEqual(Object.keys(body), ['error'])
  assert.equal(body.error.code, code)
  assert.deepEqual(Object.keys(body.error.innerError).sort(), ['client-request-id', 'date', 'request-id'])
  assert.equal(body.error.innerError['request-id'], reply.headers['request-id'])
  assert.match(body.error.innerError.date, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/)
  return body.error.message
}

test('bad chunked framing is a Graph-shaped 400 and the connection closes', async (t) => {
  const port = await running(t)
  const reply = await exchange(port, 'POST /_mock/calls HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\n{}\r\n0\r\n\r\n')
  assert.match(assertGraphError(reply, 400, 'BadRequest'), /not valid HTTP/)
})

test('a bad request line is a Graph-shaped 400 that does not echo the request', async (t) => {
  const port = await running(t)
  const reply = await exchange(port, 'SECRETVERB\u0001 /x HTTP/1.1\r\nHost: x\r\n\r\n')
  assertGraphError(reply, 400, 'BadRequest')
  assert.doesNotMatch(reply.body, /SECRETVERB/)
})

test('headers over Node\'s limit are a Graph-shaped 431 naming the limit', async (t) => {
  const port = await running(t)
  const reply = await exchange(port, `GET /_mock/health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`)
  assert.match(assertGraphError(reply, 431, 'RequestHeaderFieldsTooLarge'), /limit of \d+ bytes/)
})

test('a good request on the same server still works', async (t) => {
  const port = await running(t)
  const reply = await exchange(port, 'GET /_mock/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
  assert.equal(reply.status, 200)
})
