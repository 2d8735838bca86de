// The one helper module of the tests: building a mock, a bot's endpoint, Graph and control requests,
// the notifications and recordings a test checks.
import assert from 'node:assert/strict'
import { generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, type TestContext } from 'node:test'
import type { LightMyRequestResponse } from 'fastify'
import wav from 'node-wav'
import { resolveSettings } from '../src/config/load-settings.js'
import type { Settings } from '../src/config/settings.js'
import { startMock, type StartedMock, type StartMockOptions } from '../src/index.js'
import { buildMock, type BuiltMock } from '../src/server.js'
import type { MockTuning } from '../src/mock.js'
import type { Notification } from '../src/notifications/notification.js'

/**
 * The CLI as `npx graph-calling-mock` runs it: the built bundle, which scripts/run-tests.mjs rebuilds
 * before the tests when src/ is newer. Starting it takes a fraction of what compiling src/ with tsx does.
 */
export const CLI = ['dist/cli.js']

export const BOT_TOKEN = 'Bearer test-token'
export const JSON_HEADERS = { 'content-type': 'application/json', authorization: BOT_TOKEN }

/** Default PUBLIC_BASE_URL of build(): host and port of the settings. */
export const BASE = 'http://127.0.0.1:4000'
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
export const RECORDING_URL = /^http:\/\/127\.0\.0\.1:4000\/recordings\/[0-9a-f-]{36}$/

export type Version = 'v1.0' | 'beta'

// ---- Building a mock ----

/** The settings of a test mock: manual clock, no logs, port 4000 (so BASE), then the overrides. */
function testSettings (overrides: Partial<Settings>): Settings {
  return resolveSettings({ clock: 'manual', logLevel: 'silent', port: 4000, ...overrides })
}

/** The mock, built as the server builds it, on the manual clock unless told otherwise; closed after the test. */
export async function build (t: TestContext, overrides: Partial<Settings> = {}, tuning: MockTuning = {}): Promise<BuiltMock> {
  const built = await buildMock(testSettings(overrides), undefined, tuning)
  t.after(async () => { await built.app.close() })
  return built
}

let keyFile: string | undefined
/** One signing key per test process: generating a 2048-bit key per mock would dominate the run time. */
export function sharedKeyFile (): string {
  if (!keyFile) {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    keyFile = join(mkdtempSync(join(tmpdir(), 'media-test-')), 'key.pem')
    writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }))
  }
  return keyFile
}

let shared: Promise<BuiltMock> | undefined
after(async () => { if (shared) await (await shared).app.close() })

/**
 * One mock per test file, reset (POST /_mock/reset: calls, scripts, journal, clock back to 0) before each
 * use: building a Fastify app per test would be most of the folder's run time.
 */
export async function mockFor (_t: TestContext): Promise<BuiltMock> {
  shared ??= buildMock(testSettings({ signingKeyFile: sharedKeyFile() }))
  const mock = await shared
  const res = await mock.app.inject({ method: 'POST', url: '/_mock/reset' })
  assert.equal(res.statusCode, 200, res.body)
  return mock
}

/** startMock on the manual clock, closed after the test. */
export async function startedMock (t: TestContext, options: StartMockOptions = {}): Promise<StartedMock> {
  const mock = await startMock({ clock: 'manual', ...options })
  t.after(async () => { await mock.close() })
  return mock
}

// ---- The bot ----

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

export type Bot = Awaited<ReturnType<typeof startBot>>

export interface Setup { mock: BuiltMock, bot: Bot, callId: string }

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

/**
 * A mock, a bot and an answered service-hosted call at virtual time 0, its call notifications delivered.
 * Without settings the mock is the file's shared one (mockFor).
 */
export async function setup (t: TestContext, opts: { script?: unknown, settings?: Partial<Settings> } = {}): Promise<Setup> {
  const mock = opts.settings ? await build(t, { signingKeyFile: sharedKeyFile(), ...opts.settings }) : await mockFor(t)
  const bot = await startBot(t)
  const callId = await answeredCall(mock, bot.url, opts.script)
  await advance(mock, 0)
  return { mock, bot, callId }
}

// ---- Graph requests ----

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

export function prompt (uri: string): Record<string, unknown> {
  return { '@odata.type': '#microsoft.graph.mediaPrompt', mediaInfo: { uri, resourceId: '1d2b4c8e-0000-4000-8000-000000000001' } }
}

/** A recordResponse without prompt or beep, so the recording window opens at once (R = start). */
export const NO_PROMPT = { playBeep: false }

/** POST a call action under a version prefix ('' means none). */
export async function action (mock: BuiltMock, callId: string, name: string, body: unknown, prefix = '/v1.0'): Promise<LightMyRequestResponse> {
  return await mock.app.inject({ method: 'POST', url: `${prefix}/communications/calls/${callId}/${name}`, headers: JSON_HEADERS, payload: body as Record<string, unknown> })
}

/** recordResponse that must succeed (under '/beta' the notifications carry completionReason); returns the operation id. */
export async function record (mock: BuiltMock, callId: string, body: Record<string, unknown> = {}, prefix = '/v1.0'): Promise<string> {
  const res = await action(mock, callId, 'recordResponse', body, prefix)
  assert.equal(res.statusCode, 200, res.body)
  return (res.json() as { id: string }).id
}

export async function playPrompt (mock: BuiltMock, callId: string, uris: string[], clientContext?: string, prefix = '/v1.0'): Promise<string> {
  const res = await action(mock, callId, 'playPrompt', { prompts: uris.map(prompt), ...(clientContext ? { clientContext } : {}) }, prefix)
  assert.equal(res.statusCode, 200, res.body)
  return (res.json() as { id: string }).id
}

/** GET an operation through Graph. */
export async function getOperation (mock: BuiltMock, callId: string, opId: string, prefix = '/v1.0'): Promise<LightMyRequestResponse> {
  return await mock.app.inject({ method: 'GET', url: `${prefix}/communications/calls/${callId}/operations/${opId}`, headers: JSON_HEADERS })
}

export function operationUrl (callId: string, opId: string): string {
  return `/communications/calls/${callId}/operations/${opId}`
}

export interface GraphReply { status: number, headers: Headers, body: any }

/** A Graph request as a bot sends it, over the real socket of a startedMock. */
export async function graph (mock: StartedMock, method: string, path: string, body?: unknown, headers: Record<string, string> = { authorization: BOT_TOKEN }): Promise<GraphReply> {
  const res = await fetch(mock.url + path, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body)
  })
  const text = await res.text()
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined }
}

/** The bot answers an incoming call of a startedMock with service-hosted media, over the socket. */
export async function answer (mock: StartedMock, callId: string, callbackUri: string): Promise<void> {
  const res = await graph(mock, 'POST', `/v1.0/communications/calls/${callId}/answer`, {
    callbackUri, acceptedModalities: ['audio'], mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' }
  })
  assert.equal(res.status, 202, JSON.stringify(res.body))
}

// ---- The control API ----

export async function control (mock: BuiltMock, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown): Promise<LightMyRequestResponse> {
  return await mock.app.inject({ method, url: `/_mock${url}`, ...(payload !== undefined ? { payload: JSON.stringify(payload), headers: { 'content-type': 'application/json' } } : {}) })
}

/** Moves the manual clock; resolves after the resulting notifications had their delivery attempts. */
export async function advance (mock: BuiltMock, ms: number): Promise<void> {
  const res = await mock.app.inject({ method: 'POST', url: '/_mock/clock/advance', payload: { ms } })
  assert.equal(res.statusCode, 200, res.body)
}

/** Moves the clock to just before `ms` after `from`, checks nothing of opId was sent, then to `ms`. */
export async function advanceTo (s: Setup, from: number, ms: number, opId: string): Promise<void> {
  await advance(s.mock, ms - from - 1)
  await noNotification(s, opId)
  await advance(s.mock, 1)
}

/** GET /_mock/calls/{id}: the call with its operations and recordings. */
export async function callView (mock: BuiltMock, callId: string): Promise<any> {
  const res = await mock.app.inject({ method: 'GET', url: `/_mock/calls/${callId}` })
  assert.equal(res.statusCode, 200, res.body)
  return res.json()
}

// ---- Notifications ----

/** The delivery journal, optionally for one call. */
export async function journal (mock: BuiltMock, query: Record<string, string | number> = {}): Promise<any[]> {
  const qs = new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)])).toString()
  const res = await mock.app.inject({ method: 'GET', url: `/_mock/notifications${qs ? '?' + qs : ''}` })
  assert.equal(res.statusCode, 200, res.body)
  return (res.json() as { value: any[] }).value
}

/** Delivery attempts of operation notifications (the journal), oldest first. */
export async function operationDeliveries (mock: BuiltMock, callId: string): Promise<any[]> {
  return (await journal(mock, { callId })).filter((e) => (e.resourceUrls as string[]).some((u) => u.includes('/operations/')))
}

/**
 * The one notification the bot got for an operation, and the virtual ms it was sent at. Fails unless
 * there was exactly one notification and one delivery attempt for it.
 */
export async function finalNotification (s: Setup, opId: string): Promise<{ value: any, virtualMs: number }> {
  const url = operationUrl(s.callId, opId)
  const attempts = (await journal(s.mock, { callId: s.callId })).filter((e) => e.resourceUrls.includes(url))
  assert.equal(attempts.length, 1, `expected one notification for ${opId}, got ${attempts.length}`)
  assert.equal(attempts[0].outcome, 'delivered')
  const got = s.bot.received.filter((n) => n.body.value.some((v: any) => v.resourceUrl === url))
  assert.equal(got.length, 1)
  assert.equal(got[0].body['@odata.type'], '#microsoft.graph.commsNotifications')
  assert.equal(got[0].body.value.length, 1)
  assert.deepEqual(got[0].body, attempts[0].body)
  return { value: got[0].body.value[0], virtualMs: attempts[0].virtualMs }
}

export async function noNotification (s: Setup, opId: string): Promise<void> {
  const url = operationUrl(s.callId, opId)
  assert.equal((await journal(s.mock, { callId: s.callId })).filter((e) => e.resourceUrls.includes(url)).length, 0)
  assert.equal(s.bot.received.filter((n: ReceivedNotification) => n.body.value.some((v: any) => v.resourceUrl === url)).length, 0)
}

export interface Completed {
  status: string
  completionReason: string
  recordingLocation: string | null
  recordingAccessToken: string | null
}

/** The operation as the bot heard it in its completion notification (first delivery attempt). */
export async function completion (mock: BuiltMock, callId: string, operationId: string): Promise<Completed> {
  const entries = await journal(mock, { callId })
  for (const e of entries) {
    for (const n of e.body?.value ?? []) {
      if (n.changeType === 'deleted' && n.resourceData?.id === operationId) return n.resourceData as Completed
    }
  }
  assert.fail(`no completion notification for operation ${operationId}`)
}

export interface ExpectedRecord {
  callId: string
  opId: string
  version: Version
  status: 'completed' | 'failed'
  completionReason: string
  resultInfo: { code: number, subcode: number, message: string }
  clientContext?: string | null
  recordingLocation?: string | null
  recordingAccessToken?: string | null
  etag?: number
}

/** The deleted commsNotification Graph sends for a finished recordOperation (see docs/graph-behaviour.md, Notifications to the bot). */
export function recordNotification (e: ExpectedRecord): Record<string, unknown> {
  const url = operationUrl(e.callId, e.opId)
  return {
    '@odata.type': '#microsoft.graph.commsNotification',
    changeType: 'deleted',
    resourceUrl: url,
    resourceData: {
      '@odata.type': '#microsoft.graph.recordOperation',
      '@odata.id': url,
      '@odata.etag': `W/"${e.etag ?? 2}"`,
      id: e.opId,
      status: e.status,
      clientContext: e.clientContext ?? null,
      resultInfo: { '@odata.type': '#microsoft.graph.resultInfo', ...e.resultInfo },
      recordingLocation: e.recordingLocation ?? null,
      recordingAccessToken: e.recordingAccessToken ?? null,
      ...(e.version === 'beta' ? { completionReason: e.completionReason } : {})
    }
  }
}

export const RESULTS = {
  stopToneDetected: { code: 200, subcode: 8514, message: 'Action completed, stop tone detected.' },
  maxRecordDurationReached: { code: 200, subcode: 8515, message: 'Action completed, max record duration reached.' },
  maxSilenceTimeout: { code: 200, subcode: 8513, message: 'Action completed, max silence timeout reached.' },
  initialSilenceTimeout: { code: 400, subcode: 8510, message: 'Action failed, initial silence timeout reached.' },
  playPromptFailed: { code: 400, subcode: 8511, message: 'Action failed, failure while playing the prompt.' },
  operationCanceled: { code: 400, subcode: 8508, message: 'Action failed, the operation was cancelled.' },
  playPromptCompleted: { code: 200, subcode: 0, message: 'Action completed successfully.' }
} as const

/** The deleted commsNotification of a finished playPromptOperation (see docs/graph-behaviour.md, Notifications to the bot): the prompts are echoed. */
export function playPromptNotification (e: { callId: string, opId: string, version: Version, status: 'completed' | 'failed', clientContext?: string | null, prompts: unknown[] }): Record<string, unknown> {
  const url = operationUrl(e.callId, e.opId)
  const completed = e.status === 'completed'
  return {
    '@odata.type': '#microsoft.graph.commsNotification',
    changeType: 'deleted',
    resourceUrl: url,
    resourceData: {
      '@odata.type': '#microsoft.graph.playPromptOperation',
      '@odata.id': url,
      '@odata.etag': 'W/"2"',
      id: e.opId,
      status: e.status,
      clientContext: e.clientContext ?? null,
      resultInfo: { '@odata.type': '#microsoft.graph.resultInfo', ...(completed ? RESULTS.playPromptCompleted : RESULTS.operationCanceled) },
      prompts: e.prompts,
      ...(e.version === 'beta' ? { completionReason: completed ? 'completedSuccessfully' : 'mediaOperationCanceled' } : {})
    }
  }
}

/** The call notifications carrying toneInfo, as the bot received them. */
export function toneNotifications (bot: Bot): any[] {
  return bot.received.map((n) => n.body.value[0]).filter((v) => v.resourceData?.toneInfo)
}

// ---- Recordings ----

/** The call's recordings as GET /_mock/calls/{id} shows them. */
export async function recordingsOf (mock: BuiltMock, callId: string): Promise<any[]> {
  return (await callView(mock, callId)).recordings
}

/** The one recording of an operation, as the control API lists it. */
export async function recordingOf (mock: BuiltMock, callId: string, opId: string): Promise<any> {
  const found = (await recordingsOf(mock, callId)).filter((r: any) => r.operationId === opId)
  assert.equal(found.length, 1)
  return found[0]
}

/** The id a recordingLocation names (its last path segment). */
export function recordingIdOf (location: string): string {
  return new URL(location).pathname.split('/').pop()!
}

/** GET (or HEAD) a recordingLocation through inject; `token` null sends no Authorization. */
export async function download (mock: BuiltMock, location: string, token: string | null, extra: { method?: 'GET' | 'HEAD', headers?: Record<string, string> } = {}): Promise<LightMyRequestResponse> {
  const { pathname } = new URL(location)
  return await mock.app.inject({
    method: extra.method ?? 'GET',
    url: pathname,
    headers: { ...(token === null ? {} : { authorization: `Bearer ${token}` }), ...extra.headers }
  })
}

export interface DecodedWav {
  format: number
  channels: number
  sampleRate: number
  bitsPerSample: number
  dataBytes: number
  durationMs: number
  samples: Float32Array
}

/** Reads the RIFF header itself (node-wav does not report bit depth) and the samples with node-wav. */
export function decodeWav (bytes: Buffer): DecodedWav {
  assert.equal(bytes.toString('ascii', 0, 4), 'RIFF')
  assert.equal(bytes.toString('ascii', 8, 12), 'WAVE')
  let fmt: { format: number, channels: number, sampleRate: number, bitsPerSample: number } | undefined
  let dataBytes: number | undefined
  for (let at = 12; at + 8 <= bytes.length;) {
    const id = bytes.toString('ascii', at, at + 4)
    const size = bytes.readUInt32LE(at + 4)
    if (id === 'fmt ') fmt = { format: bytes.readUInt16LE(at + 8), channels: bytes.readUInt16LE(at + 10), sampleRate: bytes.readUInt32LE(at + 12), bitsPerSample: bytes.readUInt16LE(at + 22) }
    if (id === 'data') { dataBytes = size; break }
    at += 8 + size + (size % 2)
  }
  assert.ok(fmt, 'no fmt chunk')
  assert.ok(dataBytes !== undefined, 'no data chunk')
  // node-wav misreads Buffers that sit at an offset in a shared ArrayBuffer; give it its own copy.
  const own = Buffer.from(new Uint8Array(bytes))
  const decoded = wav.decode(own)
  assert.equal(decoded.sampleRate, fmt.sampleRate)
  assert.equal(decoded.channelData.length, fmt.channels)
  const frameBytes = fmt.channels * fmt.bitsPerSample / 8
  return { ...fmt, dataBytes, durationMs: dataBytes / frameBytes / fmt.sampleRate * 1000, samples: decoded.channelData[0] }
}

/** A notification with a fixed body, for tests that drive the dispatcher or the delivery journal directly. */
export function plainNotification (callId: string, callbackUri: string, value: { changeType: string, resourceUrl: string, [field: string]: unknown }): Notification {
  return { callId, callbackUri, tenantId: 't', callChainId: 'x', changeType: value.changeType, resourceUrl: value.resourceUrl, render: () => ({ value: [value] }) }
}
