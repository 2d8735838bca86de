import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import type { LightMyRequestResponse } from 'fastify'
import { jsonShapeProblem, MAX_JSON_MEMBERS, MAX_JSON_NESTING_DEPTH } from '../../src/schemas/json-shape.js'
import { answeredCall, build, expectGraphError, JSON_HEADERS, startBot, startedMock } from '../helper.js'

const SERVICE_HOSTED = '{"@odata.type":"#microsoft.graph.serviceHostedMediaConfig"}'
const deepArrays = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth)
const LIMIT_NAMED = new RegExp(`\\b${MAX_JSON_NESTING_DEPTH}\\b.*\\blimit\\b|\\blimit\\b.*\\b${MAX_JSON_NESTING_DEPTH}\\b`)

async function post (url: string, body: string, method = 'POST'): Promise<{ status: number, body: any }> {
  const res = await fetch(url, { method, headers: { 'content-type': 'application/json', authorization: 'Bearer x' }, body })
  const text = await res.text()
  return { status: res.status, body: text ? JSON.parse(text) : undefined }
}

test('the issue\'s reproduction: 6,000 levels in answer, playPrompt mediaInfo and a simulated call source are 400s naming the limit; the clock and queue keep working after a reset', async (t) => {
  const mock = await startedMock(t)
  const sink = `${mock.url}/_mock/callback-sink`
  const deep = deepArrays(6000)
  const created = await post(`${mock.url}/_mock/calls`, JSON.stringify({ callbackUri: sink }))
  assert.equal(created.status, 201)
  const id = created.body.id as string

  const answer = await post(`${mock.url}/v1.0/communications/calls/${id}/answer`, `{"callbackUri":"${sink}","acceptedModalities":["audio"],"mediaConfig":${SERVICE_HOSTED},"x":${deep}}`)
  assert.equal(answer.status, 400, JSON.stringify(answer.body))
  assert.equal(answer.body.error.code, 'BadRequest')
  assert.match(answer.body.error.message, LIMIT_NAMED)

  const answered = await post(`${mock.url}/v1.0/communications/calls/${id}/answer`, `{"callbackUri":"${sink}","acceptedModalities":["audio"],"mediaConfig":${SERVICE_HOSTED}}`)
  assert.equal(answered.status, 202)
  const prompt = await post(`${mock.url}/v1.0/communications/calls/${id}/playPrompt`, `{"prompts":[{"@odata.type":"#microsoft.graph.mediaPrompt","mediaInfo":{"uri":"https://cdn.contoso.com/a.wav","x":${deep}}}]}`)
  assert.equal(prompt.status, 400)
  assert.match(prompt.body.error.message, LIMIT_NAMED)
  const simulated = await post(`${mock.url}/_mock/calls`, `{"callbackUri":"${sink}","source":{"x":${deep}}}`)
  assert.equal(simulated.status, 400)
  assert.match(simulated.body.error.message, LIMIT_NAMED)

  for (const path of ['/_mock/requests', '/_mock/notifications', '/_mock/calls', `/v1.0/communications/calls/${id}`]) {
    const res = await fetch(mock.url + path, { headers: { authorization: 'Bearer x' } })
    assert.equal(res.status, 200, path)
  }
  assert.equal((await post(`${mock.url}/_mock/reset`, '{}')).status, 200)
  const advanced = await post(`${mock.url}/_mock/clock/advance`, '{"ms":0}')
  assert.equal(advanced.status, 200)
  // A new call after the reset is delivered to the sink as usual.
  const again = await post(`${mock.url}/_mock/calls`, JSON.stringify({ callbackUri: sink }))
  assert.equal((await post(`${mock.url}/_mock/clock/advance`, '{"ms":0}')).status, 200)
  const delivered = await fetch(`${mock.url}/_mock/notifications?callId=${again.body.id as string}`).then(async (r) => await r.json() as { value: Array<{ outcome: string }> })
  assert.deepEqual(delivered.value.map((e) => e.outcome), ['delivered'])
})

test('nesting is counted in objects and arrays, not in strings: the limit is accepted, one more level is not', async (t) => {
  const mock = await build(t)
  const bot = await startBot(t)
  const body = (x: string): string => `{"callbackUri":"${bot.url}","source":{"x":${x}}}`
  // The body is level 1 and source level 2: the value at x may add the rest.
  const atLimit = await mock.app.inject({ method: 'POST', url: '/_mock/calls', headers: { 'content-type': 'application/json' }, payload: body(deepArrays(MAX_JSON_NESTING_DEPTH - 2)) })
  assert.equal(atLimit.statusCode, 201, atLimit.body)
  const over = await mock.app.inject({ method: 'POST', url: '/_mock/calls', headers: { 'content-type': 'application/json' }, payload: body(deepArrays(MAX_JSON_NESTING_DEPTH - 1)) })
  assert.match(expectGraphError(over, 400, 'BadRequest'), LIMIT_NAMED)
  // Brackets inside strings, escaped quotes included, are text.
  const inStrings = JSON.stringify('['.repeat(5000) + '\\"{' + '{'.repeat(5000))
  const text = await mock.app.inject({ method: 'POST', url: '/_mock/calls', headers: { 'content-type': 'application/json' }, payload: body(`{"a":${inStrings},"b":"\\"[[["}`) })
  assert.equal(text.statusCode, 201, text.body)
  // The Graph API refuses the same way.
  const id = text.json().id as string
  const answer = await mock.app.inject({ method: 'POST', url: `/beta/communications/calls/${id}/answer`, headers: JSON_HEADERS, payload: `{"callbackUri":"${bot.url}","acceptedModalities":["audio"],"mediaConfig":${SERVICE_HOSTED},"callOptions":{"x":${deepArrays(MAX_JSON_NESTING_DEPTH)}}}` })
  assert.match(expectGraphError(answer, 400, 'BadRequest'), LIMIT_NAMED)
})

test('an object or array may have as many members as the limit, not one more; commas in strings do not count', async (t) => {
  const mock = await build(t)
  const bot = await startBot(t)
  const simulate = async (source: string): Promise<LightMyRequestResponse> => await mock.app.inject({ method: 'POST', url: '/_mock/calls', headers: { 'content-type': 'application/json' }, payload: `{"callbackUri":"${bot.url}","source":${source}}` })
  const keys = (n: number): string => '{' + Array.from({ length: n }, (_, i) => `"k${i}":1`).join(',') + '}'
  const items = (n: number): string => '{"list":[' + Array.from({ length: n }, () => '"a,b,c"').join(',') + ']}'
  assert.equal((await simulate(keys(MAX_JSON_MEMBERS))).statusCode, 201)
  assert.equal((await simulate(items(MAX_JSON_MEMBERS))).statusCode, 201)
  const named = new RegExp(`more than ${MAX_JSON_MEMBERS} members; the limit is ${MAX_JSON_MEMBERS}`)
  assert.match(expectGraphError(await simulate(keys(MAX_JSON_MEMBERS + 1)), 400, 'BadRequest'), named)
  assert.match(expectGraphError(await simulate(items(MAX_JSON_MEMBERS + 1)), 400, 'BadRequest'), named)
  // The largest body is one container too wide, well before the 4 MB limit.
  const wide = '[' + '0,'.repeat(MAX_JSON_MEMBERS * 10) + '0]'
  const res = await mock.app.inject({ method: 'POST', url: '/v1.0/communications/calls', headers: JSON_HEADERS, payload: `{"callbackUri":"${bot.url}","targets":[{}],"requestedModalities":["audio"],"mediaConfig":${SERVICE_HOSTED},"chatInfo":{"x":${wide}}}` })
  assert.match(expectGraphError(res, 400, 'BadRequest'), named)
})

/** Depth and widest container of a parsed value, the slow obvious way. */
function shapeOf (v: unknown): { depth: number, members: number } {
  if (typeof v !== 'object' || v === null) return { depth: 0, members: 0 }
  const children = Object.values(v).map(shapeOf)
  return { depth: 1 + Math.max(0, ...children.map((c) => c.depth)), members: Math.max(Object.keys(v).length, ...children.map((c) => c.members)) }
}

test('property: the text scan agrees with the parsed value\'s depth and width, whatever the strings hold', () => {
  const text = fc.string({ unit: fc.constantFrom('"', '\\', '[', ']', '{', '}', ',', 'a', 'u', '0') })
  fc.assert(fc.property(fc.jsonValue({ maxDepth: 8, stringUnit: 'binary' }), fc.array(text, { maxLength: 3 }), (value, strings) => {
    const json = JSON.stringify([value, ...strings])
    const { depth, members } = shapeOf(JSON.parse(json))
    assert.equal(jsonShapeProblem(json, depth, Math.max(members, 1)), undefined, json)
    if (depth > 1) assert.match(jsonShapeProblem(json, depth - 1, Math.max(members, 1)) ?? '', /levels deep/, json)
    if (members > 1) assert.match(jsonShapeProblem(json, depth, members - 1) ?? '', /members/, json)
  }), { numRuns: 300 })
})

/** Where an open property sits in a route's body: `body` puts the value there, `enclosing` levels around it. */
interface Slot { name: string, method: 'POST' | 'PUT', url: (callId: string) => string, needs: 'incoming' | 'established' | 'none', enclosing: number, objectOnly?: boolean, body: (bot: string, v: string) => string }

const SLOTS: Slot[] = [
  { name: 'answer: unknown property', method: 'POST', url: (id) => `/v1.0/communications/calls/${id}/answer`, needs: 'incoming', enclosing: 1, body: (bot, v) => `{"callbackUri":"${bot}","acceptedModalities":["audio"],"mediaConfig":${SERVICE_HOSTED},"x":${v}}` },
  { name: 'answer: mediaConfig', method: 'POST', url: (id) => `/beta/communications/calls/${id}/answer`, needs: 'incoming', enclosing: 2, body: (bot, v) => `{"callbackUri":"${bot}","acceptedModalities":["audio"],"mediaConfig":{"@odata.type":"#microsoft.graph.serviceHostedMediaConfig","x":${v}}}` },
  { name: 'answer: callOptions', method: 'POST', url: (id) => `/v1.0/communications/calls/${id}/answer`, needs: 'incoming', enclosing: 1, objectOnly: true, body: (bot, v) => `{"callbackUri":"${bot}","acceptedModalities":["audio"],"mediaConfig":${SERVICE_HOSTED},"callOptions":${v}}` },
  { name: 'create call: source', method: 'POST', url: () => '/v1.0/communications/calls', needs: 'none', enclosing: 1, objectOnly: true, body: (bot, v) => `{"callbackUri":"${bot}","targets":[{"identity":{}}],"requestedModalities":["audio"],"mediaConfig":${SERVICE_HOSTED},"source":${v}}` },
  { name: 'create call: targets', method: 'POST', url: () => '/beta/communications/calls', needs: 'none', enclosing: 2, objectOnly: true, body: (bot, v) => `{"callbackUri":"${bot}","targets":[${v}],"requestedModalities":["audio"],"mediaConfig":${SERVICE_HOSTED}}` },
  { name: 'create call: chatInfo', method: 'POST', url: () => '/v1.0/communications/calls', needs: 'none', enclosing: 1, objectOnly: true, body: (bot, v) => `{"callbackUri":"${bot}","targets":[{"identity":{}}],"requestedModalities":["audio"],"mediaConfig":${SERVICE_HOSTED},"chatInfo":${v}}` },
  { name: 'playPrompt: mediaInfo', method: 'POST', url: (id) => `/v1.0/communications/calls/${id}/playPrompt`, needs: 'established', enclosing: 4, body: (_bot, v) => `{"prompts":[{"@odata.type":"#microsoft.graph.mediaPrompt","mediaInfo":{"uri":"https://cdn.contoso.com/a.wav","x":${v}}}]}` },
  { name: 'recordResponse: prompt', method: 'POST', url: (id) => `/beta/communications/calls/${id}/recordResponse`, needs: 'established', enclosing: 3, body: (_bot, v) => `{"prompts":[{"@odata.type":"#microsoft.graph.mediaPrompt","mediaInfo":{"uri":"https://cdn.contoso.com/a.wav"},"x":${v}}],"maxRecordDurationInSeconds":5}` },
  { name: 'simulated call: source', method: 'POST', url: () => '/_mock/calls', needs: 'none', enclosing: 1, objectOnly: true, body: (bot, v) => `{"callbackUri":"${bot}","source":${v}}` },
  { name: 'caller script', method: 'PUT', url: (id) => `/_mock/calls/${id}/script`, needs: 'incoming', enclosing: 1, body: (_bot, v) => `{"responses":[{"actions":[{"silence":100}]}],"x":${v}}` }
]

/** JSON text nesting one container per entry of `kinds` (true: object, false: array), innermost empty. */
function nested (kinds: boolean[]): string {
  return kinds.map((o) => o ? '{"k":' : '[').join('').replace(/:$/, ':0') + kinds.map((o) => o ? '}' : ']').reverse().join('')
}

test('property: a body nested up to the limit is never a 5xx, one nested deeper is a 400 naming the limit', async (t) => {
  const mock = await build(t)
  const bot = await startBot(t)
  const json = { 'content-type': 'application/json' }
  const depths = fc.integer({ min: MAX_JSON_NESTING_DEPTH - 6, max: MAX_JSON_NESTING_DEPTH + 6 })
  await fc.assert(fc.asyncProperty(fc.constantFrom(...SLOTS), depths, fc.array(fc.boolean(), { minLength: MAX_JSON_NESTING_DEPTH + 6, maxLength: MAX_JSON_NESTING_DEPTH + 6 }), async (slot, total, kinds) => {
    const levels = kinds.slice(0, total - slot.enclosing)
    if (slot.objectOnly) levels[0] = true
    let callId = 'none'
    if (slot.needs === 'established') callId = await answeredCall(mock, bot.url)
    if (slot.needs === 'incoming') callId = (await mock.app.inject({ method: 'POST', url: '/_mock/calls', payload: { callbackUri: bot.url } })).json().id
    const res: LightMyRequestResponse = await mock.app.inject({ method: slot.method, url: slot.url(callId), headers: { ...json, authorization: 'Bearer x' }, payload: slot.body(bot.url, nested(levels)) })
    const what = `${slot.name} at depth ${total}: ${res.statusCode} ${res.body.slice(0, 200)}`
    assert.ok(res.statusCode < 500, what)
    if (total > MAX_JSON_NESTING_DEPTH) assert.match(expectGraphError(res, 400, 'BadRequest'), LIMIT_NAMED, what)
    else if (res.statusCode >= 400) assert.doesNotMatch(res.body, /levels deep/, what)
  }), { numRuns: 80 })

  // Everything accepted stays listable and deliverable.
  assert.equal((await mock.app.inject({ method: 'POST', url: '/_mock/clock/advance', payload: { ms: 20_000 } })).statusCode, 200)
  for (const url of ['/_mock/requests', '/_mock/notifications', '/_mock/calls']) assert.equal((await mock.app.inject({ method: 'GET', url })).statusCode, 200, url)
  const failed = (await mock.app.inject({ method: 'GET', url: '/_mock/notifications?outcome=failed' })).json().value
  assert.deepEqual(failed, [])
})
