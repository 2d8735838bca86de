import assert from 'node:assert/strict'
import { test } from 'node:test'
import { MAX_GLOB_LENGTH } from '../../src/inspection/glob.js'
import { answeredCall, build, expectGraphError, JSON_HEADERS, startBot } from '../helper.js'

const prompt = { '@odata.type': '#microsoft.graph.mediaPrompt', mediaInfo: { uri: 'https://example.com/welcome.wav' } }
const SERVICE_HOSTED = { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' }

/**
 * The limits the route schemas declare, one just over each: Ajv refuses them with a 400 whose message
 * names the limit. (Caller scripts are checked by the engine: test/control/script-limits.test.ts.)
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
