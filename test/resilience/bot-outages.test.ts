import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import { advance, build, journal, JSON_HEADERS, startBot } from '../helper.js'

const SERVICE_HOSTED = { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' }

/** A loopback port with nothing listening on it (yet). */
async function freePort (): Promise<number> {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address() as AddressInfo
  await new Promise<void>((resolve) => probe.close(() => resolve()))
  return port
}

test('a bot that refuses connections for 30 s then recovers gets every notification, in order, once', async (t) => {
  const mock = await build(t)
  const port = await freePort()
  const url = `http://127.0.0.1:${port}/api/calls`
  const { id } = (await mock.app.inject({ method: 'POST', url: '/_mock/calls', payload: { callbackUri: url } })).json()
  const answered = await mock.app.inject({ method: 'POST', url: `/v1.0/communications/calls/${id}/answer`, headers: JSON_HEADERS, payload: { callbackUri: url, acceptedModalities: ['audio'], mediaConfig: SERVICE_HOSTED } })
  assert.equal(answered.statusCode, 202)

  await advance(mock, 30_000)
  const received: any[] = []
  const bot: Server = createServer((req, res) => {
    let text = ''
    req.on('data', (c: Buffer) => { text += c.toString() })
    req.on('end', () => { received.push(JSON.parse(text)); res.statusCode = 202; res.end() })
  })
  await new Promise<void>((resolve) => bot.listen(port, '127.0.0.1', resolve))
  t.after(async () => { bot.closeAllConnections(); await new Promise<void>((resolve) => bot.close(() => resolve())) })
  await advance(mock, 1_000)

  assert.deepEqual(received.map((b) => `${b.value[0].changeType}:${b.value[0].resourceData.state}`), ['created:incoming', 'updated:establishing', 'updated:established'])
  const entries = await journal(mock, { callId: id })
  assert.deepEqual(entries.map((e) => [e.sequence, e.attempt, e.outcome, e.virtualMs]), [
    [1, 1, 'retrying', 0],
    [1, 2, 'retrying', 1000],
    [1, 3, 'retrying', 3000],
    [1, 4, 'retrying', 7000],
    [1, 5, 'retrying', 15000],
    [1, 6, 'delivered', 31000],
    [2, 1, 'delivered', 31000],
    [3, 1, 'delivered', 31000]
  ])
})

test('a bot that never recovers ends as failed in the journal without affecting other calls', async (t) => {
  const mock = await build(t)
  const deadUrl = `http://127.0.0.1:${await freePort()}/api/calls`
  const healthy = await startBot(t)
  const dead = (await mock.app.inject({ method: 'POST', url: '/_mock/calls', payload: { callbackUri: deadUrl } })).json().id
  const alive = (await mock.app.inject({ method: 'POST', url: '/_mock/calls', payload: { callbackUri: healthy.url } })).json().id
  await advance(mock, 0)
  assert.equal(healthy.received.length, 1, 'the healthy bot hears its call at once')
  await advance(mock, 60_000)
  const deadEntries = await journal(mock, { callId: dead })
  const first = deadEntries.filter((e) => e.sequence === 1)
  assert.equal(first.length, 6)
  assert.equal(first.at(-1).outcome, 'failed')
  assert.ok(deadEntries.every((e) => e.outcome !== 'delivered'))
  const aliveEntries = await journal(mock, { callId: alive })
  assert.ok(aliveEntries.length >= 1)
  assert.ok(aliveEntries.every((e) => e.outcome === 'delivered' && e.attempt === 1))
  const health = await mock.app.inject({ method: 'GET', url: '/_mock/health' })
  assert.equal(health.statusCode, 200)
})

test('a bot that takes 4.9 s per reply does not delay another call\'s notifications', async (t) => {
  const mock = await build(t)
  const slow: Server = createServer((req, res) => {
    req.resume()
    req.on('end', () => { setTimeout(() => { res.statusCode = 202; res.end() }, 4900) })
  })
  await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve))
  t.after(async () => { slow.closeAllConnections(); await new Promise<void>((resolve) => slow.close(() => resolve())) })
  const fast = await startBot(t)
  const slowUrl = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/api/calls`
  const slowCall = (await mock.app.inject({ method: 'POST', url: '/_mock/calls', payload: { callbackUri: slowUrl } })).json().id
  const started = Date.now()
  const fastCall = (await mock.app.inject({ method: 'POST', url: '/_mock/calls', payload: { callbackUri: fast.url } })).json().id
  const res = await mock.app.inject({ method: 'GET', url: `/_mock/notifications?callId=${fastCall}&minCount=1&waitMs=4000` })
  assert.equal(res.json().value[0].outcome, 'delivered')
  assert.ok(Date.now() - started < 1500, `the other call waited ${Date.now() - started} ms`)
  // The slow bot is within the 5 s timeout: its notification is delivered after ~4.9 s. On a machine so
  // loaded that the reply slips past 5 s, the attempt must have waited the full timeout before retrying.
  const slowEntries = (await mock.app.inject({ method: 'GET', url: `/_mock/notifications?callId=${slowCall}&minCount=1&waitMs=8000` })).json().value
  assert.equal(slowEntries.length, 1)
  const first = slowEntries[0]
  if (first.outcome === 'delivered') assert.ok(first.durationMs >= 4800, `took ${first.durationMs} ms`)
  else assert.ok(first.outcome === 'retrying' && /timed out/.test(first.error) && first.durationMs >= 4990, JSON.stringify(first))
})
