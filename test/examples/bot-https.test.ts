import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { test } from 'node:test'
import { startMock } from '../../src/index.js'
import { SETTINGS } from '../../src/config/settings.js'

test('the example bot runs its whole flow against an HTTPS mock, trusting the CA through NODE_EXTRA_CA_CERTS', { timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bot-https-'))
  t.after(() => { rmSync(dir, { recursive: true, force: true }) })
  // The real clock, 20 times faster: the bot runs in its own process, so nobody could move a manual clock.
  const mock = await startMock({ https: true, caFile: join(dir, 'ca.pem'), auth: 'strict', timeScale: 0.05 })
  t.after(async () => { await mock.close() })
  await mock.services.key()

  // The example takes its callback URL from CALLBACK_PORT before it listens: a free port, found first.
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const port = (probe.address() as AddressInfo).port
  await new Promise((resolve) => probe.close(resolve))
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_EXTRA_CA_CERTS: mock.ca!.file, MOCK_URL: mock.url, CALLBACK_PORT: String(port), HOST: '127.0.0.1', RING_ON_START: 'true', RECORDINGS_DIR: dir, LOG_LEVEL: 'info' }
  for (const s of SETTINGS) if (s.env !== 'HOST') delete env[s.env]
  const bot = spawn(process.execPath, ['--import', 'tsx', 'examples/bot/server.ts'], { env })
  t.after(() => { if (bot.exitCode === null) bot.kill('SIGKILL') })
  let stderr = ''
  bot.stderr.on('data', (c: Buffer) => { stderr += c.toString() })
  const seen: string[] = []
  for await (const line of createInterface({ input: bot.stdout })) {
    const entry = JSON.parse(line) as { msg: string, bytes?: number, level: number }
    seen.push(entry.msg)
    assert.ok(entry.level < 50, `no errors: ${line}`)
    if (entry.msg === 'call flow finished: recording saved, call hung up') {
      assert.ok(entry.bytes! > 44, 'a WAV with audio was downloaded over HTTPS')
      break
    }
  }
  assert.ok(seen.includes('call flow finished: recording saved, call hung up'), `${seen.join(' | ')}\n${stderr}`)
  const [call] = await mock.control.listCalls()
  assert.equal(call.state, 'terminated')
  assert.equal(call.endedBy, 'bot')
})
