import assert from 'node:assert/strict'
import { test } from 'node:test'
import { BODY_LIMIT_BYTES } from '../../src/app-options.js'
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
