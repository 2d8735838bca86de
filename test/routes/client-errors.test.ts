import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { test, type TestContext } from 'node:test'
import { resolveSettings } from '../../src/config/load-settings.js'
import { listenMock } from '../../src/server.js'

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
