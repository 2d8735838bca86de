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

test('the README\'s in-process example runs, with the bot\'s part filled in', async () => {
  const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8')
  const block = /```ts\n(import \{ startMock \} from 'graph-calling-mock'[\s\S]*?)```/.exec(readme)?.[1]
  assert.ok(block, 'the in-process example')
  const placeholder = '// ... your bot answers and calls recordResponse ...'
  assert.ok(block.includes(placeholder))
  assert.match(block, /try \{[\s\S]*\} finally \{\n\s*await mock\.close\(\)/, 'the mock is closed even when a wait fails')
  // The bot's part, as a bot would do it over HTTP; the callback is the mock's own sink.
  const bot = `
    const headers = { authorization: 'Bearer t', 'content-type': 'application/json' }
    const graph = mock.url + '/v1.0/communications/calls/' + id
    const answered = await fetch(graph + '/answer', { method: 'POST', headers, body: JSON.stringify({ callbackUri: mock.url + '/_mock/callback-sink', acceptedModalities: ['audio'], mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' } }) })
    if (answered.status !== 202) throw new Error('answer: ' + answered.status)
    const recorded = await fetch(graph + '/recordResponse', { method: 'POST', headers, body: JSON.stringify({ stopTones: ['#'] }) })
    if (recorded.status !== 200) throw new Error('recordResponse: ' + recorded.status)`
  const code = block
    .replace("from 'graph-calling-mock'", `from ${JSON.stringify(new URL('../../src/index.ts', import.meta.url).pathname)}`)
    .replace("{ callbackUri: 'http://127.0.0.1:3978/api/calls' }", '{ callbackUri: mock.url + \'/_mock/callback-sink\' }')
    .replace(placeholder, bot)
    .replace('} finally {', '  console.log(JSON.stringify({ status: done.body.value[0].resourceData.status, reason: done.body.value[0].resourceData.resultInfo.subcode, requests: requests.map((r) => r.path) }))\n} finally {')
  const dir = await mkdtemp(join(tmpdir(), 'readme-ts-'))
  try {
    const file = join(dir, 'example.mts')
    const { writeFile } = await import('node:fs/promises')
    await writeFile(file, code)
    const { stdout } = await run(process.execPath, ['--import', 'tsx', file], { cwd: process.cwd() })
    const result = JSON.parse(stdout.trim().split('\n').at(-1)!)
    assert.equal(result.status, 'completed')
    assert.equal(result.reason, 8514, 'the scripted # ended the recording')
    assert.deepEqual(result.requests.map((p: string) => p.split('/').at(-1)), ['answer', 'recordResponse'])
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
