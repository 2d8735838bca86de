import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import pino from 'pino'
import { createClock } from '../../src/clock/clock.js'
import { createDeliveryJournal, type NewDeliveryAttempt } from '../../src/notifications/delivery-journal.js'
import { createDispatcher } from '../../src/notifications/dispatcher.js'

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
    body: { value: [{ changeType, resourceUrl }] },
    ...extra
  }
}

test('the journal lists one call\'s attempts in order, case-insensitively, with changeTypes and resourceUrls from the body', () => {
  const journal = createDeliveryJournal()
  journal.add(attempt('AAA', 'created'))
  journal.add(attempt('bbb', 'created'))
  journal.add(attempt('aaa', 'updated', { changeTypes: ['something else'] }))
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
  const entries = await waiting
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
  const dispatcher = createDispatcher({ clock: createClock({ mode: 'manual' }), journal, log: pino({ level: 'silent' }), tokens: { tokenFor: async () => 'a.b.c', clear () {} }, maxSockets: 2 })
  t.after(() => { dispatcher.close() })
  for (let call = 0; call < 10; call++) {
    for (const changeType of ['created', 'updated', 'deleted']) {
      dispatcher.enqueue({ callId: `c${call}`, callbackUri: url, tenantId: 't', callChainId: 'x', body: { value: [{ changeType, resourceUrl: `/communications/calls/c${call}` }] } })
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
