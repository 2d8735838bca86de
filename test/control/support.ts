import assert from 'node:assert/strict'
import type { TestContext } from 'node:test'
import { startMock, type StartedMock, type StartMockOptions } from '../../src/index.js'

/** startMock on the manual clock, closed after the test. */
export async function startedMock (t: TestContext, options: StartMockOptions = {}): Promise<StartedMock> {
  const mock = await startMock({ clock: 'manual', ...options })
  t.after(async () => { await mock.close() })
  return mock
}

export interface GraphReply { status: number, headers: Headers, body: any }

/** A Graph request as a bot sends it, over the real socket. */
export async function graph (mock: StartedMock, method: string, path: string, body?: unknown, headers: Record<string, string> = { authorization: 'Bearer test-token' }): Promise<GraphReply> {
  const res = await fetch(mock.url + path, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body)
  })
  const text = await res.text()
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined }
}

/** The bot answers an incoming call with service-hosted media. */
export async function answer (mock: StartedMock, callId: string, callbackUri: string): Promise<void> {
  const res = await graph(mock, 'POST', `/v1.0/communications/calls/${callId}/answer`, {
    callbackUri, acceptedModalities: ['audio'], mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' }
  })
  assert.equal(res.status, 202, JSON.stringify(res.body))
}
