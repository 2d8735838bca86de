import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test, type TestContext } from 'node:test'
import { startMock, type DeliveryAttempt, type StartedMock } from '../../src/index.js'

/**
 * docs/notifications.md shows notification bodies and a journal entry; each example is marked
 * `<!-- example: NAME -->` (`, complete` when it lists every property) before its ```json block. This
 * test runs the flows the doc describes and checks every example against what the mock sent: the same
 * properties with values of the same kind, and the same values once ids, hosts, times and tokens are
 * set aside. A complete example must also list every property the mock sends at that level.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi
/** Values that differ on every run. */
const VARYING = new Set(['recordingAccessToken', 'at', 'durationMs', 'virtualMs'])

function normalised (value: string): string {
  return value.replace(GUID, '{id}').replace(/^https?:\/\/[^/]+/, '{base}')
}

function kind (value: Json): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value
}

function compare (doc: Json, actual: Json, path: string): void {
  assert.equal(kind(doc), kind(actual), `${path}: the doc shows ${kind(doc)}, the mock sends ${JSON.stringify(actual)}`)
  if (Array.isArray(doc)) {
    assert.ok((actual as Json[]).length >= doc.length, `${path}: the mock sends fewer items than the doc shows`)
    doc.forEach((item, i) => { compare(item, (actual as Json[])[i], `${path}[${i}]`) })
  } else if (doc !== null && typeof doc === 'object') {
    const real = actual as Record<string, Json>
    for (const [key, value] of Object.entries(doc)) {
      assert.ok(key in real, `${path}.${key}: the mock does not send it`)
      if (!VARYING.has(key)) compare(value, real[key], `${path}.${key}`)
    }
  } else if (typeof doc === 'string') {
    assert.equal(normalised(doc), normalised(actual as string), `${path}: a different value`)
  } else {
    assert.equal(doc, actual, `${path}: a different value`)
  }
}

function examples (): Map<string, { json: Json, complete: boolean }> {
  const text = readFileSync(new URL('../../docs/notifications.md', import.meta.url), 'utf8')
  const found = new Map<string, { json: Json, complete: boolean }>()
  for (const m of text.matchAll(/<!-- example: ([a-z-]+)(, complete)? -->\n```json\n([\s\S]*?)```/g)) {
    assert.ok(!found.has(m[1]), `example ${m[1]} appears once`)
    found.set(m[1], { json: JSON.parse(m[3]) as Json, complete: m[2] !== undefined })
  }
  return found
}

/** The flows of the doc, on one mock whose own callback sink plays the bot; every attempt by example name. */
async function runFlows (t: TestContext): Promise<Map<string, DeliveryAttempt>> {
  const mock: StartedMock = await startMock({ clock: 'manual' })
  t.after(async () => { await mock.close() })
  const sink = `${mock.url}/_mock/callback-sink`
  const graph = async (method: string, path: string, body?: unknown): Promise<any> => {
    const res = await fetch(`${mock.url}${path}`, { method, headers: { authorization: 'Bearer t', 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) })
    assert.ok(res.ok, `${method} ${path}: ${res.status} ${await res.clone().text()}`)
    const text = await res.text()
    return text ? JSON.parse(text) : undefined
  }
  const calls = '/v1.0/communications/calls'
  const serviceHosted = { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' }

  // Incoming call: answered, two recordings (v1.0, then beta), the bot hangs up.
  const speakThenPound = { actions: [{ speech: 500 }, { tone: '#' }] }
  const { id } = await mock.control.simulateIncomingCall({ callbackUri: sink, script: { responses: [speakThenPound, speakThenPound] } })
  await graph('POST', `${calls}/${id}/answer`, { callbackUri: sink, acceptedModalities: ['audio'], mediaConfig: serviceHosted })
  await graph('POST', `${calls}/${id}/recordResponse`, { stopTones: ['#'], clientContext: 'ask-name' })
  await mock.control.advanceClock(5000)
  await graph('POST', `/beta/communications/calls/${id}/recordResponse`, { stopTones: ['#'], clientContext: 'ask-again' })
  await mock.control.advanceClock(5000)
  await graph('DELETE', `${calls}/${id}`)
  // Outgoing call: the callee answers after a second.
  const outgoing = await graph('POST', calls, {
    '@odata.type': '#microsoft.graph.call',
    callbackUri: sink,
    source: { identity: { application: { id: 'bot' } } },
    targets: [{ identity: { user: { id: 'callee' } } }],
    requestedModalities: ['audio'],
    mediaConfig: serviceHosted,
    tenantId: 'b2a7c9d1-3e4f-4a5b-8c6d-7e8f9a0b1c2d'
  })
  await mock.control.advanceClock(1000)
  // Rejected call.
  const rejected = await mock.control.simulateIncomingCall({ callbackUri: sink })
  await graph('POST', `${calls}/${rejected.id}/reject`, { reason: 'busy' })
  await mock.control.advanceClock(0)

  const attempts = await mock.control.notifications()
  const of = (callId: string): DeliveryAttempt[] => attempts.filter((a) => a.callId === callId)
  const incoming = of(id)
  const out = of(outgoing.id)
  const names = [
    ['incoming-created', incoming[0]], ['incoming-establishing', incoming[1]], ['incoming-established', incoming[2]],
    ['record-completed', incoming[3]], ['record-completed-beta', incoming[4]],
    ['hangup-terminating', incoming[5]], ['hangup-deleted', incoming[6]],
    ['outgoing-establishing', out[0]], ['outgoing-established', out[1]],
    ['reject-created', of(rejected.id)[0]], ['reject-deleted', of(rejected.id)[1]]
  ] as const
  assert.equal(incoming.length, 7)
  assert.equal(out.length, 2)
  return new Map(names.map(([name, attempt]) => [name, attempt]))
}

test('docs/notifications.md shows what the mock sends, flow by flow, and what the journal records', async (t) => {
  const docExamples = examples()
  const attempts = await runFlows(t)
  const journal = attempts.get('record-completed')!
  const actual = new Map<string, Json>([...attempts].map(([name, a]) => [name, a.body as Json]))
  actual.set('journal-attempt', journal as unknown as Json)
  assert.deepEqual([...docExamples.keys()].sort(), [...actual.keys()].sort(), 'one example per notification of each flow, and the journal entry')
  for (const [name, { json, complete }] of docExamples) {
    const real = actual.get(name)!
    compare(json, real, name)
    if (!complete) continue
    // Complete: every property at the level the example is about (the resource, or the journal entry).
    const level = (v: Json): Record<string, Json> => name === 'journal-attempt' ? v as Record<string, Json> : (v as any).value[0].resourceData
    assert.deepEqual(Object.keys(level(json)).sort(), Object.keys(level(real)).sort(), `${name} lists every property`)
  }
})
