import assert from 'node:assert/strict'
import { execFile, execFileSync } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { promisify } from 'node:util'
import wav from 'node-wav'
import { resolveSettings } from '../../src/config/load-settings.js'
import { listenMock } from '../../src/server.js'

const run = promisify(execFile)
const has = (tool: string): boolean => { try { execFileSync('sh', ['-c', `command -v ${tool}`]); return true } catch { return false } }

test('the README\'s first curl session runs as written and ends with a WAV', { skip: !(has('curl') && has('jq')) && 'needs curl and jq' }, async (t) => {
  const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8')
  assert.match(readme, /npm ci && npm start/)
  assert.match(readme, /npm test/)
  const session = readme.split('## A first session with curl')[1]
  const script = /```sh\n(BOT=[\s\S]*?)```/.exec(session)?.[1]
  assert.ok(script, 'the session\'s shell block')

  const mock = await listenMock(resolveSettings({ port: 0, clock: 'manual', logLevel: 'silent' }))
  t.after(async () => { await mock.app.close() })
  const dir = await mkdtemp(join(tmpdir(), 'readme-'))
  t.after(async () => { await rm(dir, { recursive: true, force: true }) })
  // Same commands, pointed at this test's port instead of 4000.
  const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', script.replaceAll('localhost:4000', `127.0.0.1:${mock.port}`).replaceAll('127.0.0.1:4000', `127.0.0.1:${mock.port}`)], { cwd: dir })
  assert.match(stdout, /HTTP\/1.1 200 OK/)
  assert.match(stdout, /"completionReason": "stopToneDetected"/)
  const decoded = wav.decode(await readFile(join(dir, 'response.wav')))
  assert.equal(decoded.sampleRate, 16000)
  assert.equal(decoded.channelData.length, 1)
  assert.ok(Math.abs(decoded.channelData[0].length / 16 - 3300) <= 20, `recorded ${decoded.channelData[0].length / 16} ms`)
})
