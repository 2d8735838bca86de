import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import type { LightMyRequestResponse } from 'fastify'
import { answeredCall, build, JSON_HEADERS, startBot } from '../helper.js'

// FUZZ_RUNS=5000 npm test -- fuzz   for a long run; npm test keeps it short.
const RUNS = Number(process.env.FUZZ_RUNS ?? 250)

const ROUTES: Array<[string, string]> = [
  ['POST', '/{v}/communications/calls'],
  ['GET', '/{v}/communications/calls/{id}'],
  ['DELETE', '/{v}/communications/calls/{id}'],
  ['POST', '/{v}/communications/calls/{id}/answer'],
  ['POST', '/{v}/communications/calls/{id}/reject'],
  ['POST', '/{v}/communications/calls/{id}/keepAlive'],
  ['POST', '/{v}/communications/calls/{id}/recordResponse'],
  ['POST', '/{v}/communications/calls/{id}/microsoft.graph.recordResponse'],
  ['POST', '/{v}/app/calls/{id}/playPrompt'],
  ['POST', '/{v}/communications/calls/{id}/cancelMediaProcessing'],
  ['POST', '/{v}/communications/calls/{id}/subscribeToTone'],
  ['GET', '/{v}/communications/calls/{id}/operations/{id}'],
  ['GET', '/recordings/{id}'],
  ['POST', '/_mock/calls'],
  ['GET', '/_mock/calls/{id}'],
  ['PUT', '/_mock/calls/{id}/script'],
  ['PUT', '/_mock/script'],
  ['POST', '/_mock/calls/{id}/tones'],
  ['POST', '/_mock/calls/{id}/hangup'],
  ['POST', '/_mock/clock/advance'],
  ['GET', '/_mock/notifications'],
  ['POST', '/{v}/{id}/oauth2/v2.0/token']
]

const hostileSegment = fc.oneof(
  fc.constantFrom('..', '%2e%2e', '..%2f..%2fetc%2fpasswd', '%00', '%ff%fe', 'A'.repeat(600), '%E2%80%AE', '😀', 'null', 'undefined', '__proto__', 'constructor', '%', '%%', '{id}'),
  fc.string({ maxLength: 40 }).map((s) => encodeURIComponent(s)),
  fc.uuid()
)

const hostileJson = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.record({
    prompts: fc.oneof(fc.constant([]), fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 3 }), fc.string()),
    maxRecordDurationInSeconds: fc.oneof(fc.integer(), fc.double(), fc.string(), fc.constant(null), fc.boolean()),
    stopTones: fc.oneof(fc.array(fc.string({ maxLength: 3 }), { maxLength: 4 }), fc.string()),
    clientContext: fc.oneof(fc.string({ maxLength: 300 }), fc.integer()),
    callbackUri: fc.oneof(fc.webUrl(), fc.string()),
    tones: fc.string({ maxLength: 70 }),
    ms: fc.oneof(fc.integer({ min: -10, max: 100_000 }), fc.string()),
    script: fc.jsonValue({ maxDepth: 4 }),
    __proto__: fc.jsonValue({ maxDepth: 2 })
  }, { requiredKeys: [] }),
  fc.integer({ min: 1, max: 200 }).map((depth) => '['.repeat(depth * 50) + ']'.repeat(depth * 50)),
  fc.integer({ min: 1, max: 5000 }).map((depth) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth))
)

const payloads = fc.oneof(
  hostileJson.map((v) => ({ body: typeof v === 'string' ? v : JSON.stringify(v), type: 'application/json' })),
  fc.string({ maxLength: 200 }).map((s) => ({ body: s, type: 'application/json' })),
  fc.constantFrom('{', '{"a":', '[1,2', '\u0000', '{"__proto__":{"polluted":true}}', '{"constructor":{"prototype":{"polluted":true}}}').map((s) => ({ body: s, type: 'application/json' })),
  fc.string({ maxLength: 100 }).map((s) => ({ body: s, type: fc.sample(fc.constantFrom('text/plain', 'application/xml', 'multipart/form-data', 'application/x-www-form-urlencoded', 'application/octet-stream', 'application/json; charset=utf-16'), 1)[0] })),
  fc.constant({ body: JSON.stringify({ subject: 'x'.repeat(5 * 1024 * 1024) }), type: 'application/json' }),
  fc.constant({ body: undefined, type: undefined })
)

function assertGraphShaped (res: LightMyRequestResponse, what: string): void {
  assert.ok(res.statusCode < 500, `${what} -> ${res.statusCode}: ${res.body.slice(0, 300)}`)
  if (res.statusCode < 400) return
  assert.ok(res.headers['request-id'], `${what}: request-id header`)
  const body = res.json() as Record<string, any>
  // The token endpoint is Entra ID's, not Graph's: its errors have Entra ID's shape.
  if (/\/oauth2\/v2\.0\/token$/.test(what) && typeof body.error === 'string') { assert.equal(typeof body.error_description, 'string', what); return }
  assert.equal(typeof body.error?.code, 'string', `${what}: ${res.body.slice(0, 200)}`)
  assert.equal(typeof body.error?.message, 'string', what)
  assert.equal(body.error.innerError['request-id'], res.headers['request-id'], what)
}

test('malformed and hostile requests never get a 5xx, always a Graph-shaped error, and leave the mock healthy', async (t) => {
  const mock = await build(t)
  const bot = await startBot(t)
  const id = await answeredCall(mock, bot.url)
  const rec = await mock.app.inject({ method: 'POST', url: `/beta/communications/calls/${id}/recordResponse`, headers: JSON_HEADERS, payload: { maxRecordDurationInSeconds: 120, initialSilenceTimeoutInSeconds: 120, stopTones: ['#'] } })
  assert.equal(rec.statusCode, 200)
  const before = (await mock.app.inject({ method: 'GET', url: `/_mock/calls/${id}` })).json()

  await fc.assert(fc.asyncProperty(
    fc.constantFrom(...ROUTES),
    fc.constantFrom('v1.0', 'beta', 'V1.0', 'v2.0', ''),
    hostileSegment,
    payloads,
    fc.constantFrom<Record<string, string>>({}, { authorization: 'Bearer x' }, { authorization: 'Bearer' }, { authorization: 'Basic abc' }, { 'client-request-id': 'x'.repeat(500) }),
    fc.boolean(),
    async ([method, template], version, segment, payload, headers, useRealCall) => {
      const url = template.replace('{v}', version).replace(/\{id\}/g, () => useRealCall && !template.startsWith('/_mock/calls/{id}/hangup') ? id : segment).replace(/\/\/+/g, '/')
      const res = await mock.app.inject({ method: method as 'GET', url, headers: { ...headers, ...(payload.type ? { 'content-type': payload.type } : {}) }, payload: method === 'GET' ? undefined : payload.body })
      assertGraphShaped(res, `${method} ${url.slice(0, 120)}`)
    }
  ), { numRuns: RUNS })

  assert.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype pollution')
  const health = await mock.app.inject({ method: 'GET', url: '/_mock/health' })
  assert.deepEqual(health.json(), { status: 'ok' })
  const after = (await mock.app.inject({ method: 'GET', url: `/_mock/calls/${id}` })).json()
  // Fuzzed requests may have acted on the call legitimately (hang-up, cancel); its recorded history must stay intact.
  assert.deepEqual(after.operations[0].id, before.operations[0].id)
  assert.equal(after.id, before.id)
})

test('the existing call is untouched by hostile requests that do not name it', async (t) => {
  const mock = await build(t)
  const bot = await startBot(t)
  const id = await answeredCall(mock, bot.url)
  await fc.assert(fc.asyncProperty(fc.constantFrom(...ROUTES), hostileSegment, payloads, async ([method, template], segment, payload) => {
    const url = template.replace('{v}', 'v1.0').replace(/\{id\}/g, segment)
    const res = await mock.app.inject({ method: method as 'GET', url, headers: { authorization: 'Bearer x', ...(payload.type ? { 'content-type': payload.type } : {}) }, payload: method === 'GET' ? undefined : payload.body })
    assertGraphShaped(res, `${method} ${url.slice(0, 120)}`)
  }), { numRuns: Math.ceil(RUNS / 2) })
  const call = await mock.app.inject({ method: 'GET', url: `/v1.0/communications/calls/${id}`, headers: JSON_HEADERS })
  assert.equal(call.statusCode, 200)
  assert.equal(call.json().state, 'established')
})
