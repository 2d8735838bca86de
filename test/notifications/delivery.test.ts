import assert from 'node:assert/strict'
import { test } from 'node:test'
import { advance, answeredCall, build, journal, startBot } from '../helper.js'

async function simulate (mock: Awaited<ReturnType<typeof build>>, callbackUri: string): Promise<string> {
  const res = await mock.app.inject({ method: 'POST', url: '/_mock/calls', payload: { callbackUri } })
  assert.equal(res.statusCode, 201, res.body)
  return res.json().id
}

test('a bot answering 503 twice then 202: three attempts, one delivery, and the next notification waits its turn', async (t) => {
  const mock = await build(t)
  const bot = await startBot(t, (_n, i) => i < 2 ? 503 : 202)
  const id = await simulate(mock, bot.url)
  // The answer's notifications queue behind the created one that is being retried.
  await mock.app.inject({ method: 'POST', url: `/v1.0/communications/calls/${id}/answer`, headers: { authorization: 'Bearer x' }, payload: { callbackUri: bot.url, acceptedModalities: ['audio'], mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' } } })
  await advance(mock, 0)
  let entries = await journal(mock, { callId: id })
  assert.deepEqual(entries.map((e) => [e.sequence, e.attempt, e.outcome, e.httpStatus, e.virtualMs]), [[1, 1, 'retrying', 503, 0]])
  await advance(mock, 1000)
  entries = await journal(mock, { callId: id })
  assert.deepEqual(entries.map((e) => [e.sequence, e.attempt, e.outcome, e.httpStatus, e.virtualMs]), [[1, 1, 'retrying', 503, 0], [1, 2, 'retrying', 503, 1000]])
  await advance(mock, 1999)
  assert.equal((await journal(mock, { callId: id })).length, 2, 'the second retry waits 2 s (exponential backoff)')
  await advance(mock, 1)
  entries = await journal(mock, { callId: id })
  assert.deepEqual(entries.map((e) => [e.sequence, e.attempt, e.outcome, e.httpStatus, e.virtualMs]), [
    [1, 1, 'retrying', 503, 0],
    [1, 2, 'retrying', 503, 1000],
    [1, 3, 'delivered', 202, 3000],
    [2, 1, 'delivered', 202, 3000],
    [3, 1, 'delivered', 202, 3000]
  ])
  assert.equal(new Set(entries.slice(0, 3).map((e) => e.notificationId)).size, 1, 'retries carry the same notification')
  assert.deepEqual(bot.received.map((n) => n.body.value[0].resourceData.state), ['incoming', 'incoming', 'incoming', 'establishing', 'established'])
  assert.equal((await journal(mock, { callId: id, outcome: 'delivered' })).length, 3)
})

test('429 honours Retry-After; 4xx other than 429 is final; connection errors are retried 5 times then fail', async (t) => {
  const mock = await build(t)
  let first = true
  const bot = await startBot(t, () => { if (first) { first = false; return 429 } return 202 })
  bot.server.prependListener('request', (_req, res) => { if (first) res.setHeader('retry-after', '7') })
  const a = await simulate(mock, bot.url)
  await advance(mock, 6999)
  assert.deepEqual((await journal(mock, { callId: a })).map((e) => e.outcome), ['retrying'])
  await advance(mock, 1)
  assert.deepEqual((await journal(mock, { callId: a })).map((e) => [e.outcome, e.virtualMs]), [['retrying', 0], ['delivered', 7000]])

  const rejecting = await startBot(t, () => 403)
  const b = await simulate(mock, rejecting.url)
  await advance(mock, 60_000)
  // Two notifications (created, then the unanswered call's deleted): each tried once.
  assert.deepEqual((await journal(mock, { callId: b })).map((e) => [e.sequence, e.attempt, e.outcome, e.httpStatus]), [[1, 1, 'failed', 403], [2, 1, 'failed', 403]])

  const dead = await simulate(mock, 'http://127.0.0.1:9/api/calls')
  await advance(mock, 120_000)
  const attempts = (await journal(mock, { callId: dead })).filter((e) => e.sequence === 1)
  assert.deepEqual(attempts.map((e) => e.outcome), ['retrying', 'retrying', 'retrying', 'retrying', 'retrying', 'failed'])
  // The call was simulated at 67 s; retries wait 1, 2, 4, 8 and 16 s.
  assert.deepEqual(attempts.map((e) => e.virtualMs), [67_000, 68_000, 70_000, 74_000, 82_000, 98_000])
  assert.ok(attempts.every((e) => e.httpStatus === null && typeof e.error === 'string' && e.error.length > 0))
})

test('a bot that hangs delays only its own call: another call\'s notifications arrive promptly', async (t) => {
  const mock = await build(t)
  const hanging = await startBot(t, () => 'hang')
  const healthy = await startBot(t)
  const slow = await simulate(mock, hanging.url)
  const fast = await simulate(mock, healthy.url)
  const started = Date.now()
  const res = await mock.app.inject({ method: 'GET', url: `/_mock/notifications?callId=${fast}&minCount=1&waitMs=4000` })
  const waited = Date.now() - started
  assert.equal(res.json().value.length, 1)
  assert.equal(res.json().value[0].outcome, 'delivered')
  assert.ok(waited < 1000, `the healthy bot's notification took ${waited} ms`)
  assert.equal(healthy.received.length, 1)
  // The hung request is sent concurrently; give it a moment to land (bounded).
  for (let i = 0; i < 100 && hanging.received.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10))
  assert.equal(hanging.received.length, 1, 'the hanging bot got its request')
  assert.equal((await journal(mock, { callId: slow })).length, 0, 'the hung attempt has not finished')
})

test('the notifications journal long-polls until minCount entries match, or returns what it has at waitMs', async (t) => {
  const mock = await build(t)
  const bot = await startBot(t)
  const id = await answeredCall(mock, bot.url)
  const all = await mock.app.inject({ method: 'GET', url: `/_mock/notifications?callId=${id}&minCount=3&waitMs=5000` })
  assert.equal(all.json().value.length, 3)
  const started = Date.now()
  const partial = await mock.app.inject({ method: 'GET', url: `/_mock/notifications?callId=${id}&minCount=10&waitMs=50` })
  assert.equal(partial.json().value.length, 3)
  assert.ok(Date.now() - started >= 45)
  const created = await mock.app.inject({ method: 'GET', url: '/_mock/notifications?changeType=created' })
  assert.equal(created.json().value.length, 1)
  const bad = await mock.app.inject({ method: 'GET', url: '/_mock/notifications?minCount=lots' })
  assert.equal(bad.statusCode, 400)
})

test('notification requests carry the headers of real Graph traffic', async (t) => {
  const mock = await build(t)
  const bot = await startBot(t)
  const id = await simulate(mock, bot.url)
  await advance(mock, 0)
  const h = bot.received[0].headers
  assert.equal(h['content-type'], 'application/json')
  assert.equal(h.accept, 'application/json')
  assert.equal(h['user-agent'], 'Microsoft-Skype/3.0,(Calling/1.0)')
  assert.match(String(h.authorization), /^Bearer [\w-]+\.[\w-]+\.[\w-]+$/)
  const call = mock.services.engine.findCall(id)!
  assert.equal(h['x-microsoft-skype-chain-id'], call.callChainId)
  assert.match(String(h['scenario-id']), /^[0-9a-f-]{36}$/)
  assert.match(String(h['x-microsoft-skype-message-id']), /^[0-9a-f-]{36}$/)
})

test('reset forgets queued notifications and the journal', async (t) => {
  const mock = await build(t)
  const bot = await startBot(t, () => 503)
  await simulate(mock, bot.url)
  await advance(mock, 0)
  assert.equal((await journal(mock)).length, 1)
  const reset = await mock.app.inject({ method: 'POST', url: '/_mock/reset' })
  assert.equal(reset.statusCode, 200)
  assert.equal((await mock.app.inject({ method: 'GET', url: '/_mock/clock' })).json().nowMs, 0)
  await advance(mock, 60_000)
  assert.equal((await journal(mock)).length, 0)
  assert.equal(bot.received.length, 1, 'no retry after reset')
  assert.equal((await mock.app.inject({ method: 'GET', url: '/_mock/calls' })).json().value.length, 0)
})

test('each notification goes to its own call\'s callbackUri, path and query included, however calls alternate between bots', async (t) => {
  const mock = await build(t)
  const paths: string[][] = [[], []]
  const bots = [await startBot(t), await startBot(t)]
  bots.forEach((bot, i) => bot.server.prependListener('request', (req) => paths[i].push(req.url ?? '')))
  const ids = [
    await simulate(mock, `${bots[0].url}/a?tenant=one`),
    await simulate(mock, `${bots[1].url}/b`),
    await simulate(mock, `${bots[0].url}/a?tenant=one`)
  ]
  await advance(mock, 0)
  assert.deepEqual(paths, [['/api/calls/a?tenant=one', '/api/calls/a?tenant=one'], ['/api/calls/b']])
  // Two calls to one bot are delivered concurrently: either may arrive first.
  assert.deepEqual(bots[0].received.map((n) => n.body.value[0].resourceData.id).sort(), [ids[0], ids[2]].sort())
  assert.deepEqual(bots[1].received.map((n) => n.body.value[0].resourceData.id), [ids[1]])
})
