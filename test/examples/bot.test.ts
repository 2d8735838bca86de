import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import { generateKeyPair, SignJWT } from 'jose'
import wav from 'node-wav'
import { createBot, mockEndpoints, type Bot, type CallOutcome } from '../../examples/bot/bot.js'
import { resolveSettings } from '../../src/config/load-settings.js'
import type { Settings } from '../../src/config/settings.js'
import { listenMock, type RunningMock } from '../../src/server.js'

// Not the mock's defaults, so the test shows the bot takes its ids from its options.
const BOT_APP_ID = 'e2e0b07a-0000-4000-8000-00000000b07a'
const TENANT_ID = 'e2e7e4a1-0000-4000-8000-0000000e4a17'
const SCRIPT = { responses: [{ actions: [{ silence: 500 }, { speech: 2000, audio: 'hello.wav' }, { tone: '#' }] }] }
const WELCOME_MS = 2957 // fixtures/audio/welcome.wav, rounded as the mock's timeline rounds it
const PRESS_POUND_MS = 2320
const BEEP_MS = 500
const WINDOW_MS = 500 + 2000

interface Setup { mock: RunningMock, bot: Bot, botUrl: string }

async function setup (t: TestContext, clock: Partial<Settings>): Promise<Setup> {
  const mock = await listenMock(resolveSettings({ port: 0, host: '127.0.0.1', auth: 'strict', logLevel: 'silent', botAppId: BOT_APP_ID, tenantId: TENANT_ID, ...clock }))
  t.after(async () => { await mock.app.close() })
  // The signing key is generated in the background at start-up; wait for it here, so that it does not
  // eat into the call's ring time on the scaled real clock.
  await mock.services.key()
  const recordingsDir = await mkdtemp(join(tmpdir(), 'bot-e2e-'))
  t.after(async () => { await rm(recordingsDir, { recursive: true, force: true }) })
  const bot = createBot({ ...mockEndpoints(mock.url, TENANT_ID), botAppId: BOT_APP_ID, clientSecret: 'e2e-secret', recordingsDir, logger: false })
  const botUrl = await bot.listen({ port: 0, host: '127.0.0.1' })
  t.after(async () => { await bot.app.close() })
  return { mock, bot, botUrl }
}

async function call (mock: RunningMock, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${mock.url}${path}`, {
    method,
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  })
  const text = await res.text()
  assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`)
  return text ? JSON.parse(text) : undefined
}

/** Bounded polling of the mock's state (real time passes; the manual clock does not move). */
async function until<T> (what: string, probe: () => Promise<T | undefined>, tries = 500): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const value = await probe()
    if (value !== undefined) return value
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  assert.fail(`timed out waiting for ${what}`)
}

async function within<T> (ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_resolve, reject) => { timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms) })
  try { return await Promise.race([promise, timeout]) } finally { clearTimeout(timer) }
}

/** What every run of the flow must show, whatever the clock. */
async function assertFlow (s: Setup, callId: string, outcome: CallOutcome): Promise<void> {
  const { mock, bot } = s
  assert.ok(bot.state.answered.includes(callId), 'the bot answered')

  // The operation the bot acted on: completed by the stop tone.
  assert.equal(outcome.operation?.status, 'completed')
  assert.equal(outcome.operation?.resultInfo?.code, 200)
  assert.equal(outcome.operation?.resultInfo?.subcode, 8514)

  // The saved file is the recording: a 16 kHz mono 16-bit WAV of the recording window.
  assert.ok(outcome.recordingPath)
  const bytes = await readFile(outcome.recordingPath)
  assert.equal(bytes.length, outcome.bytes)
  assert.equal(bytes.toString('ascii', 0, 4), 'RIFF')
  assert.equal(bytes.toString('ascii', 8, 12), 'WAVE')
  assert.equal(bytes.toString('ascii', 12, 16), 'fmt ')
  assert.equal(bytes.readUInt16LE(20), 1, 'PCM')
  assert.equal(bytes.readUInt16LE(22), 1, 'mono')
  assert.equal(bytes.readUInt32LE(24), 16000, '16 kHz')
  assert.equal(bytes.readUInt16LE(34), 16, '16-bit')
  const decoded = wav.decode(Buffer.from(new Uint8Array(bytes)))
  assert.equal(decoded.sampleRate, 16000)
  assert.equal(decoded.channelData.length, 1)
  const ms = decoded.channelData[0].length / 16
  assert.ok(Math.abs(ms - WINDOW_MS) <= 20, `recording lasts ${ms} ms, expected ${WINDOW_MS} ± 20`)

  // The bot hung up.
  const view = await call(mock, 'GET', `/_mock/calls/${callId}`)
  assert.equal(view.state, 'terminated')
  assert.equal(view.endedBy, 'bot')
  assert.deepEqual(view.operations.map((o: any) => [o.kind, o.status]), [['playPrompt', 'completed'], ['recordResponse', 'completed']])

  // Every notification reached the bot, and it accepted each with a valid token (it answers 403 otherwise).
  const expected = [
    ['created', 'call'], ['updated', 'call'], ['updated', 'call'],
    ['deleted', 'operation'], ['deleted', 'operation'],
    ['updated', 'call'], ['deleted', 'call']
  ]
  const journal = (await call(mock, 'GET', `/_mock/notifications?callId=${callId}&minCount=${expected.length}&waitMs=5000`)).value as any[]
  assert.deepEqual(journal.map((e) => [e.changeTypes[0], e.resourceUrls[0].includes('/operations/') ? 'operation' : 'call']), expected)
  for (const e of journal) {
    assert.equal(e.outcome, 'delivered')
    assert.equal(e.httpStatus, 202)
    assert.equal(e.attempt, 1)
  }
  const operations = journal.filter((e) => e.resourceUrls[0].includes('/operations/')).map((e) => e.body.value[0].resourceData['@odata.type'])
  assert.deepEqual(operations, ['#microsoft.graph.playPromptOperation', '#microsoft.graph.recordOperation'])
  const accepted = bot.state.accepted.filter((a) => a.callId === callId)
  assert.equal(accepted.length, expected.length)
  for (const a of accepted) assert.deepEqual([a.issuer, a.audience, a.tenantId], ['https://api.botframework.com', BOT_APP_ID, TENANT_ID])
  assert.equal(bot.state.rejected, 0)

  // The bot spoke v1.0 through the Graph client, with tokens the strict mock accepted.
  const requests = (await call(mock, 'GET', `/_mock/requests?callId=${callId}`)).value as any[]
  assert.deepEqual(requests.map((r) => [r.method, r.path.replace(callId, '{id}'), r.status]), [
    ['POST', '/v1.0/communications/calls/{id}/answer', 202],
    ['POST', '/v1.0/communications/calls/{id}/playPrompt', 200],
    ['POST', '/v1.0/communications/calls/{id}/recordResponse', 200],
    ['DELETE', '/v1.0/communications/calls/{id}', 204]
  ])
  for (const r of requests) assert.equal(r.headers.authorization, 'Bearer [redacted]')
  const record = requests[2].body
  assert.deepEqual(record.stopTones, ['#'])
  assert.equal(record.maxRecordDurationInSeconds, 10)
  assert.match(record.prompts[0].mediaInfo.uri, /\/press-pound\.wav$/)
}

test('example bot, manual clock: answer, prompt, record until #, download, hang up', async (t) => {
  const s = await setup(t, { clock: 'manual' })
  await call(s.mock, 'PUT', '/_mock/script', SCRIPT)
  const { id } = await call(s.mock, 'POST', '/_mock/calls', { callbackUri: s.botUrl })
  // Set when the bot reports; an object, so the loop below sees the promise's write.
  const finished: { outcome?: CallOutcome } = {}
  const done = s.bot.done(id).then((o) => { finished.outcome = o; return o })
  done.catch(() => undefined)

  // The bot answers and queues both operations on real time; only then does virtual time need to move.
  await until('playPrompt and recordResponse', async () => {
    const view = await call(s.mock, 'GET', `/_mock/calls/${id}`)
    return view.operations.length === 2 ? true : undefined
  })
  for (let step = 0; step < 40 && finished.outcome === undefined; step++) {
    const view = await call(s.mock, 'GET', `/_mock/calls/${id}`)
    if (view.operations[1].status === 'completed') break
    await call(s.mock, 'POST', '/_mock/clock/advance', { ms: 500 })
  }
  await assertFlow(s, id, await within(10_000, 'the bot to finish', done))

  // The manual clock makes the timeline exact: welcome, then press-pound + beep + the 2.5 s window.
  const [play, record] = (await call(s.mock, 'GET', `/_mock/calls/${id}`)).operations
  assert.equal(play.endedAtMs - play.startedAtMs, WELCOME_MS)
  assert.equal(record.startedAtMs, play.endedAtMs)
  assert.equal(record.endedAtMs - record.startedAtMs, PRESS_POUND_MS + BEEP_MS + WINDOW_MS)
})

test('example bot, real clock at 10x: the same flow with no one moving time', async (t) => {
  // 0.1, not 0.01: the call rings for 15 virtual seconds, and the bot's first answer includes fetching
  // the OIDC document, the keys and a token.
  const s = await setup(t, { clock: 'real', timeScale: 0.1 })
  await call(s.mock, 'PUT', '/_mock/script', SCRIPT)
  const { id } = await call(s.mock, 'POST', '/_mock/calls', { callbackUri: s.botUrl })
  await assertFlow(s, id, await within(20_000, 'the bot to finish', s.bot.done(id)))
})

test('example bot: notifications without a valid token get 403 and change nothing', async (t) => {
  const s = await setup(t, { clock: 'manual' })
  const callId = '0c0ffee0-0000-4000-8000-000000000001'
  const body = {
    '@odata.type': '#microsoft.graph.commsNotifications',
    value: [{
      '@odata.type': '#microsoft.graph.commsNotification',
      changeType: 'created',
      resourceUrl: `/communications/calls/${callId}`,
      resourceData: { '@odata.type': '#microsoft.graph.call', id: callId, state: 'incoming', direction: 'incoming' }
    }]
  }
  const post = async (authorization?: string): Promise<number> => (await fetch(s.botUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify(body)
  })).status
  const claims = { tid: TENANT_ID, 'http://schemas.microsoft.com/identity/claims/tenantid': TENANT_ID }
  const sign = async (key: Parameters<SignJWT['sign']>[0], kid: string, payload: Record<string, unknown>, audience = BOT_APP_ID): Promise<string> =>
    await new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid }).setIssuer('https://api.botframework.com').setAudience(audience)
      .setIssuedAt().setNotBefore('0s').setExpirationTime('1h').sign(key)

  // Forged: the right claims and even the mock's kid, but signed with another key.
  const { kid } = (await call(s.mock, 'GET', '/v1/.well-known/keys')).keys[0]
  const forger = await generateKeyPair('RS256')
  assert.equal(await post(`Bearer ${await sign(forger.privateKey, kid, claims)}`), 403)
  assert.equal(await post(), 403, 'no token')
  // Signed with the mock's own key, but for another bot, or without the tenant claim.
  const real = await s.mock.services.key()
  assert.equal(await post(`Bearer ${await sign(real.privateKey, real.kid, claims, 'another-bot')}`), 403)
  assert.equal(await post(`Bearer ${await sign(real.privateKey, real.kid, {})}`), 403)
  assert.equal(s.bot.state.rejected, 4)
  assert.deepEqual(s.bot.state.accepted, [])
  assert.deepEqual(s.bot.state.answered, [])
  assert.deepEqual((await call(s.mock, 'GET', '/_mock/requests')).value, [], 'the bot called Graph for none of them')
})
