import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import pino from 'pino'
import { createClock } from '../../src/clock/clock.js'
import { createDeliveryJournal, MAX_DELIVERY_ATTEMPTS, type NewDeliveryAttempt } from '../../src/notifications/delivery-journal.js'
import { createDispatcher } from '../../src/notifications/dispatcher.js'
import { advance, build, JSON_HEADERS, journal as journalOf, plainNotification, startBot } from '../helper.js'

function attempt (callId: string, changeType: string, extra: Partial<NewDeliveryAttempt> = {}): NewDeliveryAttempt {
  const resourceUrl = `/communications/calls/${callId}`
  return {
    notificationId: 'n',
    callId,
    sequence: 1,
    attempt: 1,
    url: 'http://127.0.0.1:9/api/calls',
    at: '2026-01-01T00:00:00.000Z',
    virtualMs: 0,
    outcome: 'delivered',
    httpStatus: 202,
    error: null,
    durationMs: 1,
    notification: plainNotification(callId, 'http://127.0.0.1:9/api/calls', { changeType, resourceUrl }),
    ...extra
  }
}

test('the journal lists one call\'s attempts in order, case-insensitively, with changeTypes and resourceUrls from the body', () => {
  const journal = createDeliveryJournal()
  journal.add(attempt('AAA', 'created'))
  journal.add(attempt('bbb', 'created'))
  journal.add(attempt('aaa', 'something else'))
  const a = journal.list({ callId: 'aaa' })
  assert.deepEqual(a.map((e) => [e.id, e.changeTypes, e.resourceUrls]), [
    [1, ['created'], ['/communications/calls/AAA']],
    [3, ['something else'], ['/communications/calls/aaa']]
  ])
  assert.deepEqual(journal.list({ changeType: 'created' }).map((e) => e.id), [1, 2])
  assert.deepEqual(journal.list({ resourceUrl: '/CALLS/bbb' }).map((e) => e.id), [2])
  assert.equal(journal.list().length, 3)
})

test('a long-poll counts only new matching entries, and starts counting again after clear()', async () => {
  const journal = createDeliveryJournal()
  journal.add(attempt('a', 'created'))
  const waiting = journal.waitFor({ callId: 'a' }, 2, 5000)
  journal.add(attempt('b', 'created'))
  journal.clear()
  journal.add(attempt('a', 'updated'))
  setTimeout(() => journal.add(attempt('a', 'deleted')), 10)
  const started = Date.now()
  await waiting
  const entries = journal.list({ callId: 'a' })
  assert.ok(Date.now() - started < 1000, 'resolved by the second entry after clear, not by the timeout')
  assert.deepEqual(entries.map((e) => e.changeTypes[0]), ['updated', 'deleted'])
})

test('the dispatcher opens at most maxSockets connections to one bot and still delivers every notification in order', async (t) => {
  let open = 0
  let most = 0
  const received: string[] = []
  const bot = createServer((req, res) => {
    open++
    most = Math.max(most, open)
    let text = ''
    req.on('data', (c: Buffer) => { text += c.toString() })
    req.on('end', () => {
      received.push(JSON.parse(text).value[0].changeType)
      setTimeout(() => { open--; res.statusCode = 202; res.end() }, 5)
    })
  })
  await new Promise<void>((resolve) => bot.listen(0, '127.0.0.1', resolve))
  t.after(async () => { bot.closeAllConnections(); await new Promise<void>((resolve) => bot.close(() => resolve())) })
  const url = `http://127.0.0.1:${(bot.address() as AddressInfo).port}/api/calls`
  const journal = createDeliveryJournal()
  const dispatcher = createDispatcher({ clock: createClock({ mode: 'manual' }), journal, log: pino({ level: 'silent' }), tokens: { tokenFor: async () => 'a.b.c' }, maxSockets: 2 })
  t.after(() => { dispatcher.close() })
  for (let call = 0; call < 10; call++) {
    for (const changeType of ['created', 'updated', 'deleted']) {
      dispatcher.enqueue(plainNotification(`c${call}`, url, { changeType, resourceUrl: `/communications/calls/c${call}` }))
    }
  }
  for (let i = 0; i < 100 && journal.list().length < 30; i++) await dispatcher.idle()
  assert.equal(journal.list({ outcome: 'delivered' }).length, 30)
  assert.ok(most <= 2, `${most} connections at once`)
  for (let call = 0; call < 10; call++) {
    assert.deepEqual(journal.list({ callId: `c${call}` }).map((e) => e.changeTypes[0]), ['created', 'updated', 'deleted'])
  }
  assert.equal(received.length, 30)
})

test('each journaled body is the call as it was at its event, byte for byte what the bot received', async (t) => {
  const mock = await build(t)
  const ringBot = await startBot(t)
  const bot = await startBot(t)
  const created = await mock.app.inject({ method: 'POST', url: '/_mock/calls', payload: { callbackUri: ringBot.url } })
  const id = created.json().id as string
  await advance(mock, 0)
  // The answer changes the callback, media, modalities and callOptions: the `created` body must not. A
  // property `call` does not define is ignored.
  const callOptions = { '@odata.type': '#microsoft.graph.incomingCallOptions', isContentSharingNotificationEnabled: true }
  const answer = { callbackUri: bot.url, acceptedModalities: ['audio'], mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' }, callOptions, myOwnProperty: 'x' }
  assert.equal((await mock.app.inject({ method: 'POST', url: `/beta/communications/calls/${id}/answer`, headers: JSON_HEADERS, payload: answer })).statusCode, 202)
  assert.equal((await mock.app.inject({ method: 'POST', url: `/beta/communications/calls/${id}/playPrompt`, headers: JSON_HEADERS, payload: { prompts: [{ '@odata.type': '#microsoft.graph.mediaPrompt', mediaInfo: { uri: 'https://cdn.contoso.com/a.wav' } }] } })).statusCode, 200)
  await advance(mock, 5000)
  assert.equal((await mock.app.inject({ method: 'DELETE', url: `/v1.0/communications/calls/${id}`, headers: JSON_HEADERS })).statusCode, 204)
  await advance(mock, 0)

  const entries = await journalOf(mock, { callId: id })
  const received = [...ringBot.received, ...bot.received].map((n) => n.body)
  assert.equal(entries.length, 6)
  assert.deepEqual(entries.map((e) => e.body), received, 'the journal lists what was sent')
  const data = entries.map((e) => e.body.value[0].resourceData)
  assert.deepEqual(data.map((d) => [d.state ?? d.status, d.callbackUri, d['@odata.etag']]), [
    ['incoming', ringBot.url, 'W/"1"'],
    ['establishing', bot.url, 'W/"2"'],
    ['established', bot.url, 'W/"3"'],
    ['completed', undefined, 'W/"2"'],
    ['terminating', bot.url, 'W/"4"'],
    ['terminated', bot.url, 'W/"5"']
  ])
  assert.equal(data[0].mediaConfig, null)
  assert.equal(data[0].callOptions, null)
  assert.deepEqual(data[1].callOptions, callOptions)
  assert.equal(data[1].myOwnProperty, undefined)
  assert.deepEqual(data[3].prompts, [{ '@odata.type': '#microsoft.graph.mediaPrompt', mediaInfo: { uri: 'https://cdn.contoso.com/a.wav' } }])
  assert.equal(data[4].resultInfo, null)
  assert.equal(data[5].resultInfo.subcode, 7000)
  assert.deepEqual(entries.map((e) => e.changeTypes[0]), ['created', 'updated', 'updated', 'deleted', 'updated', 'deleted'])
  assert.deepEqual(entries.map((e) => e.resourceUrls[0]), entries.map((e) => e.body.value[0].resourceUrl))
  assert.equal((await journalOf(mock, { callId: id, resourceUrl: '/operations/' })).length, 1)
})

test('the journal holds at most its limit of attempts: the oldest go, counted, and a live call\'s chain lets them go', async (t) => {
  const journal = createDeliveryJournal(10)
  for (let i = 0; i < 25; i++) journal.add(attempt(i % 5 === 0 ? 'other' : 'busy', 'updated', { notificationId: `n${i}` }))
  assert.deepEqual(journal.counts(), { attempts: 10, maxAttempts: 10, dropped: 15 })
  const listed = journal.list()
  assert.deepEqual(listed.map((a) => a.id), [16, 17, 18, 19, 20, 21, 22, 23, 24, 25], 'the newest ten, oldest first')
  assert.deepEqual(journal.list({ callId: 'busy' }).map((a) => a.id), [17, 18, 19, 20, 22, 23, 24, 25])
  assert.ok(journal.heldCount() <= 20, `held ${journal.heldCount()}: compacted`)
  // A call whose every attempt was dropped is gone from the per-call index too.
  const quiet = createDeliveryJournal(2)
  quiet.add(attempt('first', 'updated'))
  quiet.add(attempt('second', 'updated'))
  quiet.add(attempt('second', 'updated'))
  assert.deepEqual(quiet.list({ callId: 'first' }), [])
  assert.equal(quiet.list({ callId: 'second' }).length, 2)

  // Through HTTP: the listing says what the journal holds and dropped.
  const mock = await build(t)
  const listing = await mock.app.inject({ method: 'GET', url: '/_mock/notifications' })
  assert.deepEqual(listing.json().journal, { attempts: 0, maxAttempts: MAX_DELIVERY_ATTEMPTS, dropped: 0 })
})
