import assert from 'node:assert/strict'
import { test } from 'node:test'
import { callIdOfPath, createRequestJournal, REQUEST_JOURNAL_LIMIT } from '../../src/inspection/request-journal.js'
import { redactHeaders } from '../../src/inspection/redaction.js'
import { advance, answeredCall, build, expectGraphError, JSON_HEADERS, startBot } from '../helper.js'
import type { BuiltMock } from '../../src/server.js'

const TOKEN = 'eyJhbGciOiJub25lIn0.secret-part.sig'

async function requests (mock: BuiltMock, query = ''): Promise<any[]> {
  const res = await mock.app.inject({ method: 'GET', url: `/_mock/requests${query}` })
  assert.equal(res.statusCode, 200, res.body)
  return res.json().value
}

test('each Graph request is journaled with what was sent and the status returned; Authorization is redacted', async (t) => {
  const mock = await build(t)
  const bot = await startBot(t)
  const id = await answeredCall(mock, bot.url)
  await advance(mock, 2500)
  const body = { stopTones: ['#'], clientContext: 'journal-test' }
  const res = await mock.app.inject({
    method: 'POST',
    url: `/v1.0/communications/calls/${id}/recordResponse?trace=1`,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}`, 'client-request-id': 'bot-req-7' },
    payload: body
  })
  assert.equal(res.statusCode, 200, res.body)

  const entries = await requests(mock)
  assert.equal(entries.length, 2, 'the answer and the recordResponse')
  const e = entries[1]
  assert.equal(e.id, 2)
  assert.equal(e.method, 'POST')
  assert.equal(e.path, `/v1.0/communications/calls/${id}/recordResponse`)
  assert.equal(e.route, '/communications/calls/:callId/recordResponse')
  assert.deepEqual(e.query, { trace: '1' })
  assert.equal(e.callId, id)
  assert.equal(e.headers.authorization, 'Bearer [redacted]')
  assert.equal(e.headers['client-request-id'], 'bot-req-7')
  assert.deepEqual(e.body, body)
  assert.equal(e.status, 200)
  assert.equal(e.faultId, null)
  assert.equal(e.virtualMs, 2500)
  const clock = (await mock.app.inject({ method: 'GET', url: '/_mock/clock' })).json()
  assert.equal(e.at, clock.now, 'virtual time of arrival')
  assert.equal(typeof e.durationMs, 'number')
  assert.ok(!JSON.stringify(entries).includes('secret-part'), 'no token in the journal')
})

test('refused requests are journaled with the status the bot got', async (t) => {
  const mock = await build(t)
  const callId = '0b5c2f4e-1111-4222-8333-944445555666'
  expectGraphError(await mock.app.inject({ method: 'POST', url: `/beta/communications/calls/${callId}/answer`, payload: { callbackUri: 'x' }, headers: { 'content-type': 'application/json' } }), 401, 'InvalidAuthenticationToken')
  expectGraphError(await mock.app.inject({ method: 'POST', url: `/app/calls/${callId}/playPrompt`, headers: JSON_HEADERS, payload: { prompts: 'none' } }), 400, 'BadRequest')
  expectGraphError(await mock.app.inject({ method: 'GET', url: `/v1.0/communications/calls/${callId}`, headers: { authorization: 'Basic dXNlcjpwYXNz' } }), 401, 'InvalidAuthenticationToken')

  const entries = await requests(mock)
  assert.deepEqual(entries.map((e) => [e.status, e.callId]), [[401, callId], [400, callId], [401, callId]])
  assert.equal(entries[0].body, null, 'auth failed before the body was read')
  assert.equal(entries[0].headers.authorization, undefined)
  assert.deepEqual(entries[1].body, { prompts: 'none' })
  assert.equal(entries[2].headers.authorization, 'Basic [redacted]')
})

test('control, token and OIDC requests are not journaled; reset and DELETE clear the journal', async (t) => {
  const mock = await build(t)
  await mock.app.inject({ method: 'GET', url: '/_mock/health' })
  await mock.app.inject({ method: 'POST', url: '/_mock/calls', payload: { callbackUri: 'http://127.0.0.1:9/cb' } })
  await mock.app.inject({ method: 'GET', url: '/.well-known/openid-configuration' })
  await mock.app.inject({ method: 'POST', url: '/common/oauth2/v2.0/token', payload: 'grant_type=client_credentials', headers: { 'content-type': 'application/x-www-form-urlencoded' } })
  assert.deepEqual(await requests(mock), [])

  await mock.app.inject({ method: 'GET', url: '/v1.0/communications/calls/a', headers: JSON_HEADERS })
  assert.equal((await requests(mock)).length, 1)
  await mock.app.inject({ method: 'POST', url: '/_mock/reset' })
  assert.deepEqual(await requests(mock), [])

  await mock.app.inject({ method: 'GET', url: '/v1.0/communications/calls/a', headers: JSON_HEADERS })
  assert.equal((await mock.app.inject({ method: 'DELETE', url: '/_mock/requests' })).statusCode, 204)
  assert.deepEqual(await requests(mock), [])
})

test('GET /_mock/requests filters by callId, method and path glob', async (t) => {
  const mock = await build(t)
  const bot = await startBot(t)
  const a = await answeredCall(mock, bot.url)
  const b = await answeredCall(mock, bot.url)
  await mock.app.inject({ method: 'GET', url: `/v1.0/communications/calls/${a}`, headers: JSON_HEADERS })
  await mock.app.inject({ method: 'DELETE', url: `/beta/app/calls/${b}`, headers: JSON_HEADERS })

  assert.deepEqual((await requests(mock, `?callId=${a.toUpperCase()}`)).map((e) => e.method), ['POST', 'GET'])
  assert.deepEqual((await requests(mock, `?callId=${b}`)).map((e) => e.method), ['POST', 'DELETE'])
  assert.deepEqual((await requests(mock, '?method=get')).map((e) => e.callId), [a])
  assert.deepEqual((await requests(mock, '?path=**/answer')).map((e) => e.callId), [a, b])
  assert.deepEqual((await requests(mock, '?path=/beta/**')).map((e) => e.status), [204])
  assert.deepEqual(await requests(mock, '?callId=unknown'), [])
  expectGraphError(await mock.app.inject({ method: 'GET', url: '/_mock/requests?colour=red' }), 400, 'BadRequest')
})

test('the journal keeps only the newest entries; ids are never reused', () => {
  assert.equal(REQUEST_JOURNAL_LIMIT, 10_000)
  const journal = createRequestJournal((ms) => new Date(ms).toISOString(), { maxEntries: 3 })
  const entry = { virtualMs: 0, method: 'GET', path: '/x', route: null, query: {}, headers: {}, body: null, bodyBytes: null, headBytes: 0, status: 200, faultId: null, durationMs: 0 }
  for (let i = 0; i < 5; i++) journal.add({ ...entry, path: `/x/${i}` })
  assert.deepEqual(journal.list().map((e) => [e.id, e.path]), [[3, '/x/2'], [4, '/x/3'], [5, '/x/4']])
  assert.equal(journal.state().droppedForCount, 2, 'the listing says how many were dropped')
  assert.equal(journal.state().droppedForBytes, 0)
})

test('callIdOfPath and redactHeaders', () => {
  assert.equal(callIdOfPath('/v1.0/communications/calls/abc/recordResponse'), 'abc')
  assert.equal(callIdOfPath('/beta/app/calls/a%20b'), 'a b')
  assert.equal(callIdOfPath('/COMMUNICATIONS/CALLS/Id1'), 'Id1')
  assert.equal(callIdOfPath('/v1.0/communications/calls'), null)
  assert.deepEqual(redactHeaders({ Authorization: 'Bearer abc', 'x-a': 'b', 'x-u': undefined }), { Authorization: 'Bearer [redacted]', 'x-a': 'b' })
  assert.deepEqual(redactHeaders({ authorization: 'abc' }), { authorization: '[redacted]' })
  assert.deepEqual(redactHeaders({ authorization: '' }), { authorization: '' })
})
