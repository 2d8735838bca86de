import assert from 'node:assert/strict'
import { generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, type TestContext } from 'node:test'
import type { LightMyRequestResponse } from 'fastify'
import { resolveSettings } from '../../src/config/load-settings.js'
import type { Settings } from '../../src/config/settings.js'
import { buildMock as buildServer, type BuiltMock } from '../../src/server.js'
import { advance, answeredCall, build, journal, JSON_HEADERS, startBot, type ReceivedNotification } from '../helper.js'

/** Default PUBLIC_BASE_URL of build(): host and port of the settings. */
export const BASE = 'http://127.0.0.1:4000'
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
export const RECORDING_URL = /^http:\/\/127\.0\.0\.1:4000\/recordings\/[0-9a-f-]{36}$/

export type Version = 'v1.0' | 'beta'
export type Bot = Awaited<ReturnType<typeof startBot>>

export interface Setup { mock: BuiltMock, bot: Bot, callId: string }

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

/** The mock of test/helper.ts with the shared signing key. */
export async function buildMock (t: TestContext, settings: Partial<Settings> = {}): Promise<BuiltMock> {
  return await build(t, { signingKeyFile: sharedKeyFile(), ...settings })
}

let shared: Promise<BuiltMock> | undefined
after(async () => { if (shared) await (await shared).app.close() })

/**
 * One mock per test file, reset (POST /_mock/reset: calls, scripts, journal, clock back to 0) before each
 * use: building a Fastify app per test would be most of the folder's run time.
 */
export async function mockFor (_t: TestContext): Promise<BuiltMock> {
  shared ??= buildServer(resolveSettings({ clock: 'manual', logLevel: 'silent', port: 4000, signingKeyFile: sharedKeyFile() }))
  const mock = await shared
  const res = await mock.app.inject({ method: 'POST', url: '/_mock/reset' })
  assert.equal(res.statusCode, 200, res.body)
  return mock
}

/** A mock, a bot and an answered service-hosted call at virtual time 0, its call notifications delivered. */
export async function setup (t: TestContext, opts: { script?: unknown, settings?: Partial<Settings> } = {}): Promise<Setup> {
  const mock = opts.settings ? await buildMock(t, opts.settings) : await mockFor(t)
  const bot = await startBot(t)
  const callId = await answeredCall(mock, bot.url, opts.script)
  await advance(mock, 0)
  return { mock, bot, callId }
}

export function prompt (uri: string): Record<string, unknown> {
  return { '@odata.type': '#microsoft.graph.mediaPrompt', mediaInfo: { uri, resourceId: '1d2b4c8e-0000-4000-8000-000000000001' } }
}

/** POST a call action under a version prefix ('' means none). */
export async function action (mock: BuiltMock, callId: string, name: string, body: unknown, prefix = '/v1.0'): Promise<LightMyRequestResponse> {
  return await mock.app.inject({ method: 'POST', url: `${prefix}/communications/calls/${callId}/${name}`, headers: JSON_HEADERS, payload: body as Record<string, unknown> })
}

/** recordResponse that must succeed; returns the operation id. */
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

export function operationUrl (callId: string, opId: string): string {
  return `/communications/calls/${callId}/operations/${opId}`
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

/** GET /_mock/calls/{id}: the call with its operations and recordings. */
export async function callView (mock: BuiltMock, callId: string): Promise<any> {
  const res = await mock.app.inject({ method: 'GET', url: `/_mock/calls/${callId}` })
  assert.equal(res.statusCode, 200, res.body)
  return res.json()
}

/** The one recording of an operation, as the control API lists it. */
export async function recordingOf (mock: BuiltMock, callId: string, opId: string): Promise<any> {
  const found = (await callView(mock, callId)).recordings.filter((r: any) => r.operationId === opId)
  assert.equal(found.length, 1)
  return found[0]
}

/** Moves the clock to just before `ms` after `from`, checks nothing of opId was sent, then to `ms`. */
export async function advanceTo (s: Setup, from: number, ms: number, opId: string): Promise<void> {
  await advance(s.mock, ms - from - 1)
  await noNotification(s, opId)
  await advance(s.mock, 1)
}

export async function control (mock: BuiltMock, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown): Promise<LightMyRequestResponse> {
  return await mock.app.inject({ method, url: `/_mock${url}`, ...(payload !== undefined ? { payload: JSON.stringify(payload), headers: { 'content-type': 'application/json' } } : {}) })
}

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

/** GET an operation through Graph. */
export async function getOperation (mock: BuiltMock, callId: string, opId: string, prefix = '/v1.0'): Promise<LightMyRequestResponse> {
  return await mock.app.inject({ method: 'GET', url: `${prefix}/communications/calls/${callId}/operations/${opId}`, headers: JSON_HEADERS })
}

/** The call notifications carrying toneInfo, as the bot received them. */
export function toneNotifications (bot: Bot): any[] {
  return bot.received.map((n) => n.body.value[0]).filter((v) => v.resourceData?.toneInfo)
}
