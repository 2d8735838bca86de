import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { test } from 'node:test'
import Fastify from 'fastify'
import { fastifyOptions } from '../../src/app-options.js'
import { createControlClient } from '../../src/client/control-client.js'
import { MAX_ACTIVE_FAULTS } from '../../src/inspection/faults.js'
import { MAX_GLOB_LENGTH } from '../../src/inspection/glob.js'
import { REQUEST_BODY_KEEP_BYTES, REQUEST_JOURNAL_MAX_BYTES } from '../../src/inspection/request-journal.js'
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../../src/schemas/control.js'
import type { BuiltMock } from '../../src/server.js'
import { advance, answer, build, expectGraphError, graph, JSON_HEADERS, plainNotification, startBot, startedMock } from '../helper.js'

const UNKNOWN_CALL = '0b5c2f4e-1111-4222-8333-944445555666'

async function get (mock: BuiltMock, url: string): Promise<any> {
  const res = await mock.app.inject({ method: 'GET', url })
  assert.equal(res.statusCode, 200, res.body)
  return res.json()
}

/** A Graph request with a body of about `bytes` bytes (the call is unknown: a 404, journaled with its body). */
async function postBody (mock: BuiltMock, bytes: number, query = ''): Promise<number> {
  const payload = JSON.stringify({ clientContext: 'big', padding: 'a'.repeat(Math.max(0, bytes - 40)) })
  const res = await mock.app.inject({ method: 'POST', url: `/v1.0/communications/calls/${UNKNOWN_CALL}/recordResponse${query}`, headers: JSON_HEADERS, payload })
  assert.equal(res.statusCode, 404, res.body)
  return Buffer.byteLength(payload)
}

/** fetch over app.inject, for the typed client without a socket. */
async function injectFetch (mock: BuiltMock, url: string, init?: RequestInit): Promise<Response> {
  const u = new URL(url)
  const res = await mock.app.inject({ method: (init?.method ?? 'GET') as 'GET', url: u.pathname + u.search, headers: init?.headers as Record<string, string>, payload: init?.body as string | undefined })
  return new Response(res.body === '' ? null : res.body, { status: res.statusCode, headers: { 'content-type': String(res.headers['content-type'] ?? '') } })
}

/** Walks a listing's pages through their nextLinks (relative to the mock); every page's entries, in order. */
async function walk (mock: BuiltMock, first: string): Promise<{ pages: any[][], links: string[] }> {
  const pages: any[][] = []
  const links: string[] = []
  let url: string | undefined = first
  while (url !== undefined) {
    const page = await get(mock, url)
    pages.push(page.value)
    const next: string | undefined = page['@odata.nextLink']
    if (next !== undefined) {
      links.push(next)
      const u = new URL(next)
      url = u.pathname + u.search
    } else url = undefined
  }
  return { pages, links }
}

test('70 bodies of 3 MB: the journal keeps their sizes, not their bodies, and stays within its byte bound', async (t) => {
  const mock = await build(t)
  for (let i = 0; i < 70; i++) await postBody(mock, 3 * 1024 * 1024)
  const page = await get(mock, '/_mock/requests?$top=1000')
  assert.equal(page.value.length, 70)
  for (const e of page.value) {
    assert.equal(e.body, null)
    assert.equal(e.bodyOmitted, true)
    assert.ok(e.bodyBytes >= 3 * 1024 * 1024 - 40, `the size as sent: ${String(e.bodyBytes)}`)
  }
  assert.equal(page.journal.omittedBodies, 70)
  assert.ok(page.journal.bytes < 70 * 4096, `held ${String(page.journal.bytes)} bytes for 70 entries`)
  assert.equal(page.journal.bodyKeepBytes, REQUEST_BODY_KEEP_BYTES)
  assert.equal(page.journal.droppedForBytes, 0)
})

test('a body up to the keep limit is kept whole; the byte bound drops the oldest entries and the listing counts them', async (t) => {
  const mock = await build(t)
  const size = REQUEST_BODY_KEEP_BYTES - 100
  const sent = await postBody(mock, size)
  const first = await get(mock, '/_mock/requests')
  assert.equal(first.value[0].bodyOmitted, false)
  assert.equal(first.value[0].body.clientContext, 'big')
  assert.equal(first.value[0].bodyBytes, sent)

  const needed = Math.ceil(REQUEST_JOURNAL_MAX_BYTES / size) + 5
  for (let i = 1; i < needed; i++) await postBody(mock, size)
  const { journal, value } = await get(mock, '/_mock/requests?$top=1')
  assert.ok(journal.bytes <= REQUEST_JOURNAL_MAX_BYTES, `${String(journal.bytes)} bytes held`)
  assert.ok(journal.droppedForBytes >= 5, `dropped ${String(journal.droppedForBytes)}`)
  assert.equal(journal.entries + journal.droppedForBytes, needed)
  assert.equal(value[0].id, journal.droppedForBytes + 1, 'the oldest were dropped, ids not reused')
  assert.equal(journal.droppedForCount, 0)

  await mock.app.inject({ method: 'DELETE', url: '/_mock/requests' })
  assert.deepEqual((await get(mock, '/_mock/requests')).journal, { ...journal, entries: 0, bytes: 0, droppedForBytes: 0, omittedBodies: 0 })
})

test('notifications page through @odata.nextLink: every attempt exactly once, in order, filters carried', async (t) => {
  const mock = await build(t)
  const bot = await startBot(t)
  for (let i = 0; i < 7; i++) {
    const res = await mock.app.inject({ method: 'POST', url: '/_mock/calls', payload: { callbackUri: bot.url } })
    assert.equal(res.statusCode, 201)
  }
  await advance(mock, 0)
  const all = (await get(mock, `/_mock/notifications?$top=${MAX_PAGE_SIZE}`)).value
  assert.equal(all.length, 7)

  const { pages, links } = await walk(mock, '/_mock/notifications?$top=3&changeType=created')
  assert.deepEqual(pages.map((p) => p.length), [3, 3, 1])
  assert.deepEqual(pages.flat().map((e) => e.id), all.map((e: any) => e.id))
  assert.match(links[0], /^http:\/\/localhost(:\d+)?\/_mock\/notifications\?\$top=3&changeType=created&\$skiptoken=\d+$/)

  const skipped = (await get(mock, '/_mock/notifications?$skip=5')).value
  assert.deepEqual(skipped.map((e: any) => e.id), all.slice(5).map((e: any) => e.id))
})

test('requests, calls and faults page too; $top has a default and a maximum', async (t) => {
  const mock = await build(t)
  for (let i = 0; i < DEFAULT_PAGE_SIZE + 5; i++) await mock.app.inject({ method: 'GET', url: `/v1.0/communications/calls/${UNKNOWN_CALL}`, headers: JSON_HEADERS })
  const first = await get(mock, '/_mock/requests')
  assert.equal(first.value.length, DEFAULT_PAGE_SIZE)
  const requests = await walk(mock, '/_mock/requests?$top=40&method=GET')
  assert.deepEqual(requests.pages.flat().map((e) => e.id), Array.from({ length: DEFAULT_PAGE_SIZE + 5 }, (_, i) => i + 1))

  for (let i = 0; i < 5; i++) await mock.app.inject({ method: 'POST', url: '/_mock/calls', payload: { callbackUri: 'http://127.0.0.1:9/cb' } })
  const calls = await walk(mock, '/_mock/calls?$top=2')
  assert.deepEqual(calls.pages.map((p) => p.length), [2, 2, 1])
  assert.match(calls.links[1], /\$top=2&\$skip=4$/)
  assert.equal(new Set(calls.pages.flat().map((c) => c.id)).size, 5)

  for (let i = 0; i < 3; i++) await mock.app.inject({ method: 'POST', url: '/_mock/faults', payload: { path: `/x/${i}`, status: 500 } })
  expectGraphError(await mock.app.inject({ method: 'GET', url: '/_mock/calls?$skiptoken=2' }), 400, 'BadRequest')
  const faults = await walk(mock, '/_mock/faults?$top=2')
  assert.deepEqual(faults.pages.flat().map((f) => f.path), ['/x/0', '/x/1', '/x/2'])

  for (const bad of ['$top=0', `$top=${MAX_PAGE_SIZE + 1}`, '$top=abc']) {
    for (const path of ['/_mock/requests', '/_mock/notifications', '/_mock/calls', '/_mock/faults']) {
      const message = expectGraphError(await mock.app.inject({ method: 'GET', url: `${path}?${bad}` }), 400, 'BadRequest')
      if (bad !== '$top=abc') assert.match(message, new RegExp(`1\\.\\.${MAX_PAGE_SIZE} \\(MAX_PAGE_SIZE\\)`))
    }
  }
})

test('a page of big notification bodies is cut by bytes, not only by $top', async (t) => {
  const mock = await build(t)
  // Entries whose bodies are ~300 KB each: a page holds about 1 MB of them, then links to the next.
  for (let i = 0; i < 8; i++) {
    mock.services.deliveries.add({ notificationId: `n${i}`, callId: 'big', sequence: i + 1, attempt: 1, url: 'http://127.0.0.1:9/cb', at: new Date(0).toISOString(), virtualMs: 0, outcome: 'delivered', httpStatus: 202, error: null, durationMs: 1, notification: plainNotification('big', 'http://127.0.0.1:9/cb', { changeType: 'updated', resourceUrl: '/communications/calls/big', pad: 'p'.repeat(300_000) }) })
  }
  const { pages } = await walk(mock, '/_mock/notifications?callId=big')
  assert.ok(pages.length >= 2, `${pages.length} pages`)
  assert.ok(pages.every((p) => p.length <= 4), JSON.stringify(pages.map((p) => p.length)))
  assert.deepEqual(pages.flat().map((e) => e.notificationId), Array.from({ length: 8 }, (_, i) => `n${i}`))
})

test('credentials in the query, in path parameters and in headers are redacted in the journal', async (t) => {
  const mock = await build(t)
  const secrets = ['access_token', 'id_token', 'refresh_token', 'token', 'code', 'client_secret', 'client_assertion', 'assertion', 'password', 'sig', 'signature', 'api_key', 'apikey', 'subscription-key']
  const query = secrets.map((name, i) => `${name.toUpperCase()}=s3cret${i}`).join('&') + '&trace=keep-me'
  const res = await mock.app.inject({
    method: 'GET',
    url: `/v1.0/communications/calls/${UNKNOWN_CALL};access_token=pathsecret?${query}`,
    headers: {
      authorization: 'Bearer s3cretA',
      'proxy-authorization': 'Basic s3cretB',
      cookie: 'session=s3cretC; theme=s3cretD',
      'x-ms-client-token': 's3cretE',
      'x-api-key': 's3cretF',
      'ocp-apim-subscription-key': 's3cretG',
      'client-request-id': 'keep-me-too'
    }
  })
  assert.equal(res.statusCode, 404)
  const [entry] = (await get(mock, '/_mock/requests')).value
  const text = JSON.stringify(entry)
  assert.ok(!text.includes('s3cret') && !text.includes('pathsecret'), text)
  assert.equal(entry.query.trace, 'keep-me')
  assert.equal(entry.query.ACCESS_TOKEN, '[redacted]')
  assert.match(entry.path, /;access_token=\[redacted\]$/)
  assert.equal(entry.headers.authorization, 'Bearer [redacted]')
  assert.equal(entry.headers['proxy-authorization'], 'Basic [redacted]')
  assert.equal(entry.headers.cookie, 'session=[redacted]; theme=[redacted]')
  assert.equal(entry.headers['x-ms-client-token'], '[redacted]')
  assert.equal(entry.headers['client-request-id'], 'keep-me-too')
})

test('the request log line hides credentials in the URL', async (t) => {
  const lines: string[] = []
  const stream = new Writable({ write (chunk: Buffer, _encoding, done) { lines.push(chunk.toString()); done() } })
  const app = Fastify({ ...fastifyOptions({ logLevel: 'info' }), logger: { level: 'info', stream } })
  t.after(async () => { await app.close() })
  app.get('/x', async () => ({}))
  await app.inject({ method: 'GET', url: '/x?client_secret=s3cret1&Access_Token=s3cret2&sig=s3cret3&page=2' })
  const line = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'request completed')
  assert.equal(line.url, '/x?client_secret=[redacted]&Access_Token=[redacted]&sig=[redacted]&page=2')
})

test('globs are bounded in length (400 naming the limit) and faults in number', async (t) => {
  const mock = await build(t)
  const long = '/' + 'a'.repeat(MAX_GLOB_LENGTH)
  assert.match(expectGraphError(await mock.app.inject({ method: 'POST', url: '/_mock/faults', payload: { path: long, status: 500 } }), 400, 'BadRequest'), new RegExp(String(MAX_GLOB_LENGTH)))
  assert.match(expectGraphError(await mock.app.inject({ method: 'GET', url: `/_mock/requests?path=${long}` }), 400, 'BadRequest'), new RegExp(String(MAX_GLOB_LENGTH)))
  for (let i = 0; i < MAX_ACTIVE_FAULTS; i++) assert.equal((await mock.app.inject({ method: 'POST', url: '/_mock/faults', payload: { path: `/f/${i}`, status: 500 } })).statusCode, 201)
  assert.match(expectGraphError(await mock.app.inject({ method: 'POST', url: '/_mock/faults', payload: { path: '/one/more', status: 500 } }), 400, 'BadRequest'), new RegExp(`MAX_ACTIVE_FAULTS = ${MAX_ACTIVE_FAULTS}`))
})

test('an adversarial glob against a long path answers at once, in faults and in the listing', async (t) => {
  const mock = await build(t)
  const glob = '**c**c**c**c**c**c**c**c**Z'
  assert.equal((await mock.app.inject({ method: 'POST', url: '/_mock/faults', payload: { path: glob, status: 500 } })).statusCode, 201)
  const path = `/v1.0/communications/calls/${'c'.repeat(400)}`
  const started = performance.now()
  for (let i = 0; i < 5; i++) await mock.app.inject({ method: 'GET', url: path, headers: JSON_HEADERS })
  assert.equal((await get(mock, `/_mock/requests?path=${encodeURIComponent(glob)}`)).value.length, 0)
  assert.ok(performance.now() - started < 2000, `${Math.round(performance.now() - started)} ms`)
})

test('the notifications listing and waitForNotification filter by resourceKind: the call or its operations', async (t) => {
  const mock = await build(t)
  const bot = await startBot(t)
  const created = await mock.app.inject({ method: 'POST', url: '/_mock/calls', payload: { callbackUri: bot.url } })
  const id = created.json().id
  const answered = await mock.app.inject({ method: 'POST', url: `/v1.0/communications/calls/${id}/answer`, headers: JSON_HEADERS, payload: { callbackUri: bot.url, acceptedModalities: ['audio'], mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' } } })
  assert.equal(answered.statusCode, 202)
  await advance(mock, 2500)
  const rec = await mock.app.inject({ method: 'POST', url: `/v1.0/communications/calls/${id}/recordResponse`, headers: JSON_HEADERS, payload: { maxRecordDurationInSeconds: 2 } })
  assert.equal(rec.statusCode, 200, rec.body)
  await advance(mock, 5000)
  await mock.app.inject({ method: 'POST', url: `/_mock/calls/${id}/hangup` })
  await advance(mock, 5000)

  const deleted = (kind: string): Promise<any> => get(mock, `/_mock/notifications?callId=${id}&changeType=deleted&resourceKind=${kind}`)
  const ofCall = (await deleted('call')).value
  const ofOperation = (await deleted('operation')).value
  assert.ok(ofCall.length >= 1 && ofOperation.length >= 1, JSON.stringify((await get(mock, `/_mock/notifications?callId=${id}`)).value.map((e: any) => [e.changeTypes, e.resourceUrls])))
  assert.ok(ofCall.every((e: any) => e.resourceUrls.every((u: string) => !u.includes('/operations/'))))
  assert.ok(ofOperation.every((e: any) => e.resourceUrls.every((u: string) => u.includes('/operations/'))))
  expectGraphError(await mock.app.inject({ method: 'GET', url: '/_mock/notifications?resourceKind=participant' }), 400, 'BadRequest')

  const client = createControlClient('http://localhost', { fetch: async (url, init) => await injectFetch(mock, String(url), init) })
  assert.equal((await client.waitForNotification({ callId: id, changeType: 'deleted', resourceKind: 'call' }, { timeoutMs: 0 })).id, ofCall[0].id)
  assert.equal((await client.waitForNotification({ callId: id, changeType: 'deleted', resourceKind: 'operation' }, { timeoutMs: 0 })).id, ofOperation[0].id)
})

test('GET /_mock/requests long-polls; waitForRequest waits for the bot\'s request before a test advances time', async (t) => {
  const mock = await startedMock(t)
  const { control } = mock
  const bot = await startBot(t)
  const { id } = await control.simulateIncomingCall({ callbackUri: bot.url })

  const waiting = control.waitForRequest({ callId: id, method: 'POST', path: '**/answer' }, { timeoutMs: 10_000 })
  const poll = fetch(`${mock.url}/_mock/requests?callId=${id}&minCount=1&waitMs=10000`).then(async (r) => await r.json())
  let settled = false
  waiting.then(() => { settled = true }, () => {})
  await control.getClock()
  assert.equal(settled, false, 'no request yet')
  await answer(mock, id, bot.url)
  const entry = await waiting
  assert.equal(entry.callId, id)
  assert.equal(entry.status, 202)
  assert.equal(((await poll) as any).value.length, 1)

  // afterId waits for the next one; a predicate narrows what the server filter lets through.
  const next = control.waitForRequest((e) => e.method === 'GET', { filter: { callId: id }, afterId: entry.id, timeoutMs: 10_000 })
  await graph(mock, 'GET', `/v1.0/communications/calls/${id}`)
  assert.equal((await next).id, entry.id + 1)
  await assert.rejects(control.waitForRequest({ method: 'DELETE' }, { timeoutMs: 100 }), /waitForRequest: no request matched filter \{"method":"DELETE"\} within 100 ms/)
})

test('the client reads whole listings across pages; requestsPage and notificationsPage give one page', async (t) => {
  const mock = await startedMock(t)
  const { control } = mock
  for (let i = 0; i < DEFAULT_PAGE_SIZE + 3; i++) await graph(mock, 'GET', `/v1.0/communications/calls/${UNKNOWN_CALL}`)
  assert.equal((await control.requests()).length, DEFAULT_PAGE_SIZE + 3)
  const page = await control.requestsPage({ $top: 10 })
  assert.equal(page.value.length, 10)
  assert.match(page['@odata.nextLink'] ?? '', /\$skiptoken=10$/)
  assert.equal(page.journal.entries, DEFAULT_PAGE_SIZE + 3)
  assert.equal((await control.waitForRequest((e) => e.id === DEFAULT_PAGE_SIZE + 2, { timeoutMs: 0 })).id, DEFAULT_PAGE_SIZE + 2, 'found beyond the first page')
})

test('a listing filtered by a costly glob stops scanning on its budget and links to the rest: every match once', async (t) => {
  const mock = await build(t)
  // Ids of random a/c letters: the glob's sets of live states rarely repeat, so each entry costs a full pass.
  let seed = 7
  const letter = (): string => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return (seed >> 16) % 2 === 0 ? 'a' : 'c' }
  const total = 3000
  const paths: string[] = []
  for (let i = 0; i < total; i++) {
    const path = `/v1.0/communications/calls/${Array.from({ length: 480 }, letter).join('')}${i % 2 === 0 ? 'y' : 'z'}`
    paths.push(path)
    await mock.app.inject({ method: 'GET', url: path, headers: JSON_HEADERS })
  }
  const questionMarks = MAX_GLOB_LENGTH - 6
  const glob = `**c${'?'.repeat(questionMarks)}**z`
  // The same question as a regular expression, which backtracks only polynomially on it.
  const reference = new RegExp(`^.*c[^/]{${questionMarks}}.*z$`)
  const expected = paths.flatMap((p, i) => reference.test(p) ? [i + 1] : [])
  assert.ok(expected.length > total / 4, `${expected.length} matches`)
  const { pages } = await walk(mock, `/_mock/requests?$top=${MAX_PAGE_SIZE}&path=${encodeURIComponent(glob)}`)
  assert.deepEqual(pages.flat().map((e) => e.id), expected, 'each match once, in order')
  assert.ok(pages.length > Math.ceil(expected.length / MAX_PAGE_SIZE), `${pages.length} pages: the scan was cut at least once`)
})
