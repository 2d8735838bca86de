import assert from 'node:assert/strict'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { TestContext } from 'node:test'
import type { LightMyRequestResponse } from 'fastify'
import { resolveSettings } from '../src/config/load-settings.js'
import type { Settings } from '../src/config/settings.js'
import { buildMock, type BuiltMock } from '../src/server.js'
import type { ServiceTuning } from '../src/mock-services.js'
import type { Notification } from '../src/notifications/notification.js'

/**
 * The CLI as `npx graph-calling-mock` runs it: the built bundle, which scripts/run-tests.mjs rebuilds
 * before the tests when src/ is newer. Starting it takes a fraction of what compiling src/ with tsx does.
 */
export const CLI = ['dist/cli.js']

export const BOT_TOKEN = 'Bearer test-token'
export const JSON_HEADERS = { 'content-type': 'application/json', authorization: BOT_TOKEN }

/** The mock, built as the server builds it, on the manual clock unless told otherwise; closed after the test. */
export async function build (t: TestContext, overrides: Partial<Settings> = {}, tuning: ServiceTuning = {}): Promise<BuiltMock> {
  const settings = resolveSettings({ clock: 'manual', logLevel: 'silent', port: 4000, ...overrides })
  const built = await buildMock(settings, undefined, tuning)
  t.after(async () => { await built.app.close() })
  return built
}

/** Asserts a Graph-shaped error with the given status and code; returns its message. */
export function expectGraphError (res: LightMyRequestResponse, status: number, code: string): string {
  assert.equal(res.statusCode, status, `expected ${status}, got ${res.statusCode}: ${res.body}`)
  assert.match(String(res.headers['content-type']), /application\/json/)
  const body = res.json() as { error: { code: string, message: string, innerError: Record<string, string> } }
  assert.deepEqual(Object.keys(body), ['error'])
  assert.equal(body.error.code, code)
  assert.equal(typeof body.error.message, 'string')
  assert.ok(body.error.message.length > 0)
  assert.deepEqual(Object.keys(body.error.innerError).sort(), ['client-request-id', 'date', 'request-id'])
  assert.match(body.error.innerError.date, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/)
  assert.equal(body.error.innerError['request-id'], res.headers['request-id'])
  assert.equal(body.error.innerError['client-request-id'], res.headers['client-request-id'])
  return body.error.message
}

export interface ReceivedNotification { headers: IncomingHttpHeaders, body: any, at: number }

/**
 * A bot's callback endpoint on a real loopback socket. `respond` decides each reply (status, or
 * 'hang' to never answer); by default 202.
 */
export async function startBot (t: TestContext, respond: (n: ReceivedNotification, index: number) => number | 'hang' = () => 202): Promise<{ url: string, received: ReceivedNotification[], server: Server }> {
  const received: ReceivedNotification[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString()
      const n: ReceivedNotification = { headers: req.headers, body: text ? JSON.parse(text) : undefined, at: Date.now() }
      received.push(n)
      const reply = respond(n, received.length - 1)
      if (reply === 'hang') return
      res.statusCode = reply
      res.end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(async () => {
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/calls`, received, server }
}

/** The incoming-call flow most tests start from: simulate, answer with service-hosted media. */
export async function answeredCall (mock: BuiltMock, callbackUri: string, script?: unknown, headers: Record<string, string> = JSON_HEADERS): Promise<string> {
  const created = await mock.app.inject({ method: 'POST', url: '/_mock/calls', payload: { callbackUri, ...(script !== undefined ? { script } : {}) } })
  assert.equal(created.statusCode, 201, created.body)
  const id = (created.json() as { id: string }).id
  const answered = await mock.app.inject({
    method: 'POST',
    url: `/v1.0/communications/calls/${id}/answer`,
    headers,
    payload: { callbackUri, acceptedModalities: ['audio'], mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' } }
  })
  assert.equal(answered.statusCode, 202, answered.body)
  return id
}

/** Moves the manual clock; resolves after the resulting notifications had their delivery attempts. */
export async function advance (mock: BuiltMock, ms: number): Promise<void> {
  const res = await mock.app.inject({ method: 'POST', url: '/_mock/clock/advance', payload: { ms } })
  assert.equal(res.statusCode, 200, res.body)
}

/** The delivery journal, optionally for one call. */
export async function journal (mock: BuiltMock, query: Record<string, string | number> = {}): Promise<any[]> {
  const qs = new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)])).toString()
  const res = await mock.app.inject({ method: 'GET', url: `/_mock/notifications${qs ? '?' + qs : ''}` })
  assert.equal(res.statusCode, 200, res.body)
  return (res.json() as { value: any[] }).value
}

/** A notification with a fixed body, for tests that drive the dispatcher or the delivery journal directly. */
export function plainNotification (callId: string, callbackUri: string, value: { changeType: string, resourceUrl: string, [field: string]: unknown }): Notification {
  return { callId, callbackUri, tenantId: 't', callChainId: 'x', changeType: value.changeType, resourceUrl: value.resourceUrl, render: () => ({ value: [value] }) }
}
