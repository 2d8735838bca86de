import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { SCRIPT_LIMITS } from '../../src/engine/caller/script-schema.js'
import { MAX_GLOB_LENGTH } from '../../src/inspection/glob.js'
import { advance, answeredCall, build, expectGraphError, JSON_HEADERS, startBot } from '../helper.js'

const tones = (n: number): Array<{ tone: string }> => Array.from({ length: n }, () => ({ tone: '1' }))
const responses = (n: number, actionsEach = 0): Array<{ actions: unknown[] }> => Array.from({ length: n }, () => ({ actions: tones(actionsEach) }))

/** Every limit of a caller script, just over it (refused, with the message naming the limit) and at it (accepted). */
const LIMITS: Array<{ limit: string, over: unknown, message: RegExp, at: unknown }> = [
  {
    // The reported 300 000 tones: refused as the body is parsed, before the script is even looked at.
    limit: 'actions per response (the reported 300 000 tones)',
    over: { responses: [{ actions: tones(300_000) }] },
    message: /more than 10000 members; the limit is 10000/,
    at: { responses: [{ actions: tones(SCRIPT_LIMITS.actionsPerResponse) }] }
  },
  {
    limit: 'actions per response, one over',
    over: { responses: [{}, { actions: tones(SCRIPT_LIMITS.actionsPerResponse + 1) }] },
    message: /script\.responses\[1\]\.actions has 1001 actions; the limit is 1000 per response/,
    at: { responses: [{}, { actions: tones(SCRIPT_LIMITS.actionsPerResponse) }] }
  },
  {
    limit: 'responses per script',
    over: { responses: responses(SCRIPT_LIMITS.responses + 1) },
    message: /script\.responses has 1001 responses; the limit is 1000/,
    at: { responses: responses(SCRIPT_LIMITS.responses) }
  },
  {
    limit: 'actions in all responses',
    over: { responses: [...responses(10, 1000), { actions: tones(1) }] },
    message: /script has 10001 actions in all its responses; the limit is 10000 per script/,
    at: { responses: responses(10, 1000) }
  },
  {
    limit: 'scripted time of one response',
    over: { responses: [{ actions: [{ silence: 3_000_000 }, { speech: 600_000 }, { silence: 1 }] }] },
    message: /script\.responses\[0\]\.actions last 3600001 ms of silence and speech together; the limit is 3600000 ms per response/,
    at: { responses: [{ actions: [{ silence: 3_000_000 }, { speech: 600_000 }, { tone: '#' }] }] }
  },
  {
    limit: 'length of one silence',
    over: { responses: [{ actions: [{ silence: 3_600_001 }] }] },
    message: /'silence' must be <= 3600000/,
    at: { responses: [{ actions: [{ silence: 3_600_000 }] }] }
  },
  {
    limit: 'answerAfterMs',
    over: { answerAfterMs: 3_600_001 },
    message: /answerAfterMs must be a whole number of ms \(0\.\.3600000\)/,
    at: { answerAfterMs: 3_600_000 }
  },
  {
    limit: 'description length',
    over: { description: 'd'.repeat(SCRIPT_LIMITS.descriptionLength + 1) },
    message: /script\.description is 1001 characters long; the limit is 1000/,
    at: { description: 'd'.repeat(SCRIPT_LIMITS.descriptionLength) }
  }
]

test('every script limit is enforced wherever a script arrives, with a 400 naming the limit', async (t) => {
  const mock = await build(t)
  const bot = await startBot(t)
  const { id } = (await mock.app.inject({ method: 'POST', url: '/_mock/calls', payload: { callbackUri: bot.url } })).json()
  const routes = [
    { method: 'PUT' as const, url: '/_mock/script', body: (s: unknown) => s },
    { method: 'PUT' as const, url: `/_mock/calls/${id}/script`, body: (s: unknown) => s },
    { method: 'POST' as const, url: '/_mock/calls', body: (s: unknown) => ({ callbackUri: bot.url, script: s }) }
  ]
  for (const { limit, over, message, at } of LIMITS) {
    for (const route of routes) {
      const refused = await mock.app.inject({ method: route.method, url: route.url, payload: route.body(over) as object })
      assert.match(expectGraphError(refused, 400, 'BadRequest'), message, `${limit}: ${route.method} ${route.url}`)
      const accepted = await mock.app.inject({ method: route.method, url: route.url, payload: route.body(at) as object })
      assert.ok(accepted.statusCode < 300, `${limit} at the limit: ${route.method} ${route.url} answered ${accepted.statusCode} ${accepted.body.slice(0, 300)}`)
    }
  }
})

test('a scenario file over a limit is refused the same way', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'script-limits-'))
  mkdirSync(join(dir, 'audio'))
  mkdirSync(join(dir, 'scenarios'))
  writeFileSync(join(dir, 'scenarios', 'chatty.json'), JSON.stringify({ responses: [{ actions: tones(5000) }] }))
  const mock = await build(t, { fixturesDir: dir })
  const res = await mock.app.inject({ method: 'PUT', url: '/_mock/script', payload: { scenario: 'chatty' } })
  assert.match(expectGraphError(res, 400, 'BadRequest'), /scenario 'chatty'\.responses\[0\]\.actions has 5000 actions; the limit is 1000 per response/)
})

test('a response at the action limit, every action a tone, records within one quick advance', async (t) => {
  const mock = await build(t)
  await mock.services.key()
  const bot = await startBot(t)
  const callId = await answeredCall(mock, bot.url, { responses: [{ actions: tones(SCRIPT_LIMITS.actionsPerResponse) }] })
  const subscribed = await mock.app.inject({ method: 'POST', url: `/v1.0/communications/calls/${callId}/subscribeToTone`, headers: JSON_HEADERS, payload: {} })
  assert.equal(subscribed.statusCode, 200, subscribed.body)
  const recorded = await mock.app.inject({ method: 'POST', url: `/v1.0/communications/calls/${callId}/recordResponse`, headers: JSON_HEADERS, payload: { stopTones: ['#'] } })
  assert.equal(recorded.statusCode, 200, recorded.body)
  const started = performance.now()
  // The keys are pressed as the window opens, after the 500 ms beep; the stop tone never comes.
  await advance(mock, 1000)
  assert.ok(performance.now() - started < 10_000, `the advance took ${Math.round(performance.now() - started)} ms`)
  const tonesHeard = bot.received.filter((n) => n.body.value[0].resourceData?.toneInfo)
  assert.equal(tonesHeard.length, SCRIPT_LIMITS.actionsPerResponse)
})

test('an ended call lets its own script go, and still says it had one', async (t) => {
  const mock = await build(t)
  const bot = await startBot(t)
  const callId = await answeredCall(mock, bot.url, { responses: [{ actions: tones(SCRIPT_LIMITS.actionsPerResponse) }] })
  const hungUp = await mock.app.inject({ method: 'POST', url: `/_mock/calls/${callId}/hangup` })
  assert.equal(hungUp.statusCode, 200, hungUp.body)
  assert.equal(hungUp.json().hasOwnScript, true)
  // Ended calls are kept for inspection (MAX_ENDED_CALLS): each must not keep up to 10,000 actions too.
  assert.deepEqual(mock.services.engine.findCall(callId)?.script, {})
})

const prompt = { '@odata.type': '#microsoft.graph.mediaPrompt', mediaInfo: { uri: 'https://example.com/welcome.wav' } }
const SERVICE_HOSTED = { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' }

/**
 * The limits the route schemas declare, one just over each: Ajv refuses them with a 400 whose message
 * names the limit. (Caller scripts are checked by the engine: the tests above.)
 */
const OVER: Array<[string, string, string, (id: string, bot: string) => unknown, RegExp]> = [
  ['advance ms', 'POST', '/_mock/clock/advance', () => ({ ms: 86_400_001 }), /'ms' must be <= 86400000/],
  ['keys pressed at once', 'POST', '/_mock/calls/{id}/tones', () => ({ tones: '1'.repeat(65) }), /'tones' must match pattern "\^\[0-9\*#A-Da-d\]\{1,64\}\$"/],
  ['simulated callbackUri', 'POST', '/_mock/calls', () => ({ callbackUri: 'http://x/' + 'a'.repeat(2040) }), /'callbackUri' must NOT have more than 2048 characters/],
  ['simulated tenantId', 'POST', '/_mock/calls', () => ({ tenantId: 't'.repeat(101) }), /'tenantId' must NOT have more than 100 characters/],
  ['fault times', 'POST', '/_mock/faults', () => ({ path: '/x', times: 1_000_001 }), /'times' must be <= 1000000/],
  ['fault delay', 'POST', '/_mock/faults', () => ({ path: '/x', delayMs: 60_001 }), /'delayMs' must be <= 60000/],
  ['fault path', 'POST', '/_mock/faults', () => ({ path: 'p'.repeat(MAX_GLOB_LENGTH + 1) }), new RegExp(`'path' must NOT have more than ${MAX_GLOB_LENGTH} characters`)],
  ['create call targets', 'POST', '/v1.0/communications/calls', (_id, bot) => ({ callbackUri: bot, targets: Array.from({ length: 6 }, () => ({})), requestedModalities: ['audio'], mediaConfig: SERVICE_HOSTED }), /'targets' must NOT have more than 5 items/],
  ['create call subject', 'POST', '/v1.0/communications/calls', (_id, bot) => ({ callbackUri: bot, targets: [{}], requestedModalities: ['audio'], mediaConfig: SERVICE_HOSTED, subject: 's'.repeat(1001) }), /'subject' must NOT have more than 1000 characters/],
  ['playPrompt prompts', 'POST', '/v1.0/communications/calls/{id}/playPrompt', () => ({ prompts: Array.from({ length: 21 }, () => prompt) }), /'prompts' must NOT have more than 20 items/],
  ['recordResponse stopTones', 'POST', '/v1.0/communications/calls/{id}/recordResponse', () => ({ stopTones: Array.from({ length: 17 }, () => '#') }), /'stopTones' must NOT have more than 16 items/],
  ['recordResponse duration', 'POST', '/v1.0/communications/calls/{id}/recordResponse', () => ({ maxRecordDurationInSeconds: 121 }), /'maxRecordDurationInSeconds' must be <= 120/],
  ['clientContext', 'POST', '/v1.0/communications/calls/{id}/subscribeToTone', () => ({ clientContext: 'c'.repeat(257) }), /'clientContext' must NOT have more than 256 characters/],
  ['prompt uri', 'POST', '/v1.0/communications/calls/{id}/playPrompt', () => ({ prompts: [{ ...prompt, mediaInfo: { uri: 'u'.repeat(2049) } }] }), /'prompts\[0\]\.mediaInfo\.uri' must NOT have more than 2048 characters/]
]

test('every limit a route schema declares is refused just over it, with a 400 naming the limit', async (t) => {
  const mock = await build(t)
  const bot = await startBot(t)
  const id = await answeredCall(mock, bot.url)
  for (const [limit, method, url, body, message] of OVER) {
    const res = await mock.app.inject({ method: method as 'POST', url: url.replace('{id}', id), headers: JSON_HEADERS, payload: body(id, bot.url) as object })
    assert.match(expectGraphError(res, 400, 'BadRequest'), message, limit)
  }
  const waited = await mock.app.inject({ method: 'GET', url: '/_mock/notifications?minCount=1234567' })
  assert.match(expectGraphError(waited, 400, 'BadRequest'), /'minCount' must match pattern/)
})
