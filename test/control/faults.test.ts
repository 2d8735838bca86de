import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Client } from '@microsoft/microsoft-graph-client'
import { compileGlob } from '../../src/inspection/glob.js'
import { answeredCall, build, expectGraphError, graph, JSON_HEADERS, startBot, startedMock } from '../helper.js'

const CALL_PATH = '/v1.0/communications/calls/0b5c2f4e-1111-4222-8333-944445555666'

test('path globs: * stays within a segment, ** crosses them, matching ignores case', () => {
  const cases: Array<[string, string, boolean]> = [
    ['/v1.0/communications/calls/*/recordResponse', '/v1.0/communications/calls/abc/recordResponse', true],
    ['/v1.0/communications/calls/*/recordResponse', '/v1.0/communications/calls/a/b/recordResponse', false],
    ['/v1.0/communications/calls/*/recordResponse', '/beta/communications/calls/abc/recordResponse', false],
    ['**/recordResponse', '/beta/communications/calls/abc/recordresponse', true],
    ['**/recordResponse', '/beta/communications/calls/abc/microsoft.graph.recordResponse', false],
    ['**/*recordResponse', '/beta/communications/calls/abc/microsoft.graph.recordResponse', true],
    ['/**/calls/*', '/communications/calls/abc', true],
    ['/**/calls', '/calls', true],
    ['/v1.0/*', '/v1.0/communications/calls', false],
    ['/v1.0/app/calls/?bc', '/v1.0/app/calls/abc', true],
    ['/v1.0/(calls)', '/v1.0/(calls)', true],
    ['/v1.0/(calls)', '/v1.0/calls', false],
    ['**', '/anything/at/all', true]
  ]
  for (const [glob, path, expected] of cases) assert.equal(compileGlob(glob).test(path), expected, `${glob} vs ${path}`)
})

test('POST /_mock/faults returns the fault with its defaults; bad faults are 400s that say why', async (t) => {
  const mock = await build(t)
  const created = await mock.app.inject({ method: 'POST', url: '/_mock/faults', payload: { path: '**/answer', status: 500 } })
  assert.equal(created.statusCode, 201, created.body)
  const fault = created.json()
  assert.match(fault.id, /^[0-9a-f-]{36}$/)
  assert.deepEqual({ ...fault, id: undefined }, { id: undefined, method: '*', path: '**/answer', times: 1, remaining: 1, status: 500, retryAfterSeconds: null, delayMs: 0, message: null })
  assert.deepEqual((await mock.app.inject({ method: 'GET', url: '/_mock/faults' })).json(), { value: [fault] })

  const bad: Array<[unknown, RegExp]> = [
    [{ status: 500 }, /'path' is required/],
    [{ path: '**', status: 399 }, /'status' must be >= 400/],
    [{ path: '**', status: 600 }, /'status' must be <= 599/],
    [{ path: '**', delayMs: 60_001 }, /'delayMs' must be <= 60000/],
    [{ path: '**', status: 500, times: 0 }, /'times' must be >= 1/],
    [{ path: '**', status: '429' }, /'status' must be integer/],
    [{ path: '**', method: 'G T', status: 500 }, /'method' must match pattern/],
    [{ path: '**', status: 500, colour: 'red' }, /must NOT have additional properties/],
    [{ path: '**' }, /needs a status, a delayMs, or both/],
    [{ path: '**', status: 500, retryAfterSeconds: 3 }, /retryAfterSeconds goes with status 429 or 503, not 500/],
    [{ path: '**', delayMs: 10, message: 'x' }, /add a status/]
  ]
  for (const [payload, message] of bad) {
    const res = await mock.app.inject({ method: 'POST', url: '/_mock/faults', payload: payload as object })
    assert.match(expectGraphError(res, 400, 'BadRequest'), message, JSON.stringify(payload))
  }
  assert.equal((await mock.app.inject({ method: 'GET', url: '/_mock/faults' })).json().value.length, 1)
})

test('a 429 fault answers before auth, in Graph\'s shape with Retry-After, and is used up after `times`', async (t) => {
  const mock = await build(t)
  await mock.app.inject({ method: 'POST', url: '/_mock/faults', payload: { path: '/v1.0/communications/calls/*', status: 429, retryAfterSeconds: 3, times: 2, message: 'Slow down, bot.' } })
  for (let i = 0; i < 2; i++) {
    // No Authorization header: without the fault this is a 401.
    const res = await mock.app.inject({ method: 'GET', url: CALL_PATH })
    assert.equal(expectGraphError(res, 429, 'TooManyRequests'), 'Slow down, bot.')
    assert.equal(res.headers['retry-after'], '3')
  }
  expectGraphError(await mock.app.inject({ method: 'GET', url: CALL_PATH }), 401, 'InvalidAuthenticationToken')
  assert.deepEqual((await mock.app.inject({ method: 'GET', url: '/_mock/faults' })).json(), { value: [] })
})

test('faults match on method and glob, case-insensitively, and leave other requests alone', async (t) => {
  const mock = await build(t)
  const bot = await startBot(t)
  const id = await answeredCall(mock, bot.url)
  await mock.app.inject({ method: 'POST', url: '/_mock/faults', payload: { method: 'post', path: '**/*RECORDRESPONSE', status: 503, retryAfterSeconds: 0, times: 2 } })
  assert.equal((await mock.app.inject({ method: 'GET', url: `/v1.0/communications/calls/${id}`, headers: JSON_HEADERS })).statusCode, 200)
  const plain = await mock.app.inject({ method: 'POST', url: `/v1.0/communications/calls/${id}/recordResponse`, headers: JSON_HEADERS, payload: {} })
  expectGraphError(plain, 503, 'serviceNotAvailable')
  assert.equal(plain.headers['retry-after'], '0')
  const qualified = await mock.app.inject({ method: 'POST', url: `/beta/app/calls/${id}/microsoft.graph.recordResponse?x=1`, headers: JSON_HEADERS, payload: {} })
  expectGraphError(qualified, 503, 'serviceNotAvailable')
  const through = await mock.app.inject({ method: 'POST', url: `/v1.0/communications/calls/${id}/recordResponse`, headers: JSON_HEADERS, payload: {} })
  assert.equal(through.statusCode, 200, through.body)
})

test('control, token and recording routes are never faulted', async (t) => {
  const mock = await build(t)
  await mock.app.inject({ method: 'POST', url: '/_mock/faults', payload: { path: '**', status: 500, times: 100 } })
  assert.equal((await mock.app.inject({ method: 'GET', url: '/_mock/health' })).statusCode, 200)
  const token = await mock.app.inject({ method: 'POST', url: '/common/oauth2/v2.0/token', payload: 'grant_type=client_credentials&client_id=a&client_secret=b&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default', headers: { 'content-type': 'application/x-www-form-urlencoded' } })
  assert.equal(token.statusCode, 200, token.body)
  expectGraphError(await mock.app.inject({ method: 'GET', url: '/recordings/nope' }), 404, 'itemNotFound')
  expectGraphError(await mock.app.inject({ method: 'GET', url: CALL_PATH, headers: JSON_HEADERS }), 500, 'UnknownError')
  assert.equal((await mock.app.inject({ method: 'GET', url: '/_mock/faults' })).json().value[0].remaining, 99)
})

test('DELETE /_mock/faults and POST /_mock/reset clear every fault', async (t) => {
  const mock = await build(t)
  const add = async (): Promise<void> => { await mock.app.inject({ method: 'POST', url: '/_mock/faults', payload: { path: '**', status: 500 } }) }
  await add()
  assert.equal((await mock.app.inject({ method: 'DELETE', url: '/_mock/faults' })).statusCode, 204)
  assert.equal((await mock.app.inject({ method: 'GET', url: CALL_PATH, headers: JSON_HEADERS })).statusCode, 404)
  await add()
  await mock.app.inject({ method: 'POST', url: '/_mock/reset' })
  assert.equal((await mock.app.inject({ method: 'GET', url: CALL_PATH, headers: JSON_HEADERS })).statusCode, 404)
})

test('delayMs alone holds a request for that many real ms, then lets it through', async (t) => {
  const mock = await startedMock(t)
  await mock.control.addFault({ path: '**/calls/*', delayMs: 300 })
  const started = performance.now()
  const res = await graph(mock, 'GET', CALL_PATH)
  const elapsed = performance.now() - started
  assert.equal(res.status, 404, 'the request went through to the route')
  assert.equal(res.body.error.code, '8522')
  assert.ok(elapsed >= 295, `answered after ${elapsed} ms`)
  const [entry] = await mock.control.requests()
  assert.ok(entry.durationMs >= 295, `journal says ${entry.durationMs} ms`)
  assert.equal(entry.status, 404)

  // Without a fault, the same request is answered at once.
  const again = performance.now()
  await graph(mock, 'GET', CALL_PATH)
  assert.ok(performance.now() - again < 250)
})

test('delayMs with a status waits, then fails', async (t) => {
  const mock = await startedMock(t)
  await mock.control.addFault({ path: '**', status: 504, delayMs: 200 })
  const started = performance.now()
  const res = await graph(mock, 'GET', CALL_PATH)
  assert.ok(performance.now() - started >= 195)
  assert.equal(res.status, 504)
  assert.equal(res.body.error.code, 'GatewayTimeout')
  assert.equal(res.headers.get('retry-after'), null)
})

test('the Microsoft Graph SDK honours Retry-After from a 429 fault and retries', async (t) => {
  // The SDK attaches its token only to https hosts, so against a plain-http mock it sends none: AUTH=none.
  const mock = await startedMock(t, { auth: 'none' })
  const { id } = await mock.control.simulateIncomingCall({ callbackUri: 'http://127.0.0.1:9/cb' })
  await mock.control.addFault({ method: 'GET', path: '/v1.0/communications/calls/*', status: 429, retryAfterSeconds: 1 })
  const client = Client.init({ baseUrl: mock.url + '/', defaultVersion: 'v1.0', authProvider: (done) => { done(null, 'sdk-token') } })

  const started = performance.now()
  const call = await client.api(`/communications/calls/${id}`).get() as { id: string }
  const elapsed = performance.now() - started
  assert.equal(call.id, id)
  // Without Retry-After the SDK would back off its default 3 s, so the upper bound shows the header was used.
  assert.ok(elapsed >= 1000 && elapsed < 2500, `the SDK waited ${elapsed} ms; Retry-After said 1 s`)

  const sent = await mock.control.requests({ callId: id })
  assert.deepEqual(sent.map((r) => r.status), [429, 200])
  assert.equal(sent[0].faultId !== null, true)
  assert.equal(sent[1].headers['retry-attempt'], '1')
  assert.ok(sent[1].virtualMs === sent[0].virtualMs, 'the manual clock did not move while the SDK waited')
})
