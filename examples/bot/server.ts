import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createBot, mockEndpoints } from './bot.js'

// Run: MOCK_URL=http://127.0.0.1:4000 npx tsx examples/bot/server.ts
const env = process.env
const mockUrl = env.MOCK_URL ?? 'http://127.0.0.1:4000'
const port = Number(env.CALLBACK_PORT ?? 3978)
const host = env.HOST ?? '0.0.0.0'
// The mock's default BOT_APP_ID and TENANT_ID: the two must agree for notification tokens to validate.
const botAppId = env.BOT_APP_ID ?? '6f3c6f0e-8a4b-4d2e-9c1a-0b7d5e2f4a10'
const tenantId = env.TENANT_ID ?? 'b2a7c9d1-3e4f-4a5b-8c6d-7e8f9a0b1c2d'

const bot = createBot({
  ...mockEndpoints(mockUrl, tenantId),
  botAppId,
  clientSecret: env.CLIENT_SECRET ?? 'mock-secret',
  callbackUrl: env.PUBLIC_CALLBACK_URL ?? `http://127.0.0.1:${port}/api/calls`,
  recordingsDir: env.RECORDINGS_DIR ?? mkdtempSync(join(tmpdir(), 'bot-recordings-')),
  promptBaseUrl: env.PROMPT_BASE_URL,
  logger: { level: env.LOG_LEVEL ?? 'info' }
})

const callbackUrl = await bot.listen({ port, host })
bot.app.log.info({ mockUrl, callbackUrl }, 'bot ready: the mock posts notifications to callbackUrl')

// RING_ON_START=true (docker compose sets it): ask the mock for one incoming call, so `up` shows the whole flow.
if (env.RING_ON_START === 'true') {
  const res = await fetch(`${mockUrl}/_mock/calls`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ callbackUri: env.PUBLIC_CALLBACK_URL ?? callbackUrl }) })
  const body = await res.json() as { id?: string }
  if (res.ok && body.id) {
    bot.app.log.info({ callId: body.id }, 'asked the mock to ring this bot')
    const result = await bot.done(body.id)
    bot.app.log.info({ callId: body.id, recording: result.recordingPath, bytes: result.bytes }, 'call flow finished: recording saved, call hung up')
  } else bot.app.log.error({ status: res.status, body }, 'the mock refused to simulate a call')
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    await bot.app.close()
    process.exit(0)
  })
}
