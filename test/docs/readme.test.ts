import assert from 'node:assert/strict'
import { execFile, execFileSync, spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import { promisify } from 'node:util'
import wav from 'node-wav'
import { resolveSettings } from '../../src/config/load-settings.js'
import { listenMock } from '../../src/server.js'

const run = promisify(execFile)
async function freePort (): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}
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

/** The README's CI job, with the bin of this repository's dist/ (built by npm ci), a port of its own and the mock's logs at warn. */
async function ciJob (t: TestContext, edit: (script: string) => string = (s) => s): Promise<{ code: number, stdout: string, stderr: string, port: number }> {
  assert.ok(existsSync('dist/cli.js'), 'dist/ is built by npm ci (prepare) or npm run build before this test')
  const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8')
  const script = /### In a CI job\n\n```bash\n([\s\S]*?)```/.exec(readme)?.[1]
  assert.ok(script, 'the CI job\'s bash block')
  assert.match(script, /^node_modules\/\.bin\/graph-calling-mock /m, 'the installed command itself, not npx')
  assert.match(script, /^trap .*kill "\$MOCK_PID".* EXIT$/m)
  const dir = await mkdtemp(join(tmpdir(), 'readme-ci-'))
  t.after(async () => { await rm(dir, { recursive: true, force: true }) })
  await mkdir(join(dir, 'node_modules/.bin'), { recursive: true })
  await symlink(join(process.cwd(), 'dist/cli.js'), join(dir, 'node_modules/.bin/graph-calling-mock'))
  const port = await freePort()
  const job = edit(script)
    .replaceAll('--port 4000', `--port ${port}`).replaceAll('localhost:4000', `127.0.0.1:${port}`).replaceAll('127.0.0.1:4000', `127.0.0.1:${port}`)
    // eslint-disable-next-line no-template-curly-in-string -- a shell parameter expansion, run by sh
    .replace('npm run your-bot-tests', 'sh -c \'curl -sf "${GRAPH_BASE_URL%/v1.0}/_mock/health"\'')
  // Its own process group, so whatever the job leaves behind (a mock its trap failed to stop) is killed
  // after the test; the job's end is bash's exit, not the end of its output, which a leftover would hold open.
  const job$ = spawn('bash', ['-e', '-c', job], { cwd: dir, env: { ...process.env, NODE_OPTIONS: '', LOG_LEVEL: 'warn' }, detached: true })
  t.after(() => { try { process.kill(-job$.pid!, 'SIGKILL') } catch { /* all gone */ } })
  let stdout = ''
  let stderr = ''
  job$.stdout.on('data', (c: Buffer) => { stdout += c.toString() })
  job$.stderr.on('data', (c: Buffer) => { stderr += c.toString() })
  const [code] = await once(job$, 'exit') as [number]
  return { code, stdout, stderr, port }
}

/** True once nothing listens on the port; polls for up to 5 s (the mock closes on SIGTERM). */
async function closed (port: number): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    if (await fetch(`http://127.0.0.1:${port}/_mock/health`).then(() => false, () => true)) return true
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return false
}

test('the README\'s CI job waits for the mock, runs the tests against it, and stops it on exit', { skip: !has('curl') && 'needs curl' }, async (t) => {
  const { code, stdout, stderr, port } = await ciJob(t)
  assert.equal(code, 0, stderr)
  assert.equal(stdout, '{"status":"ok"}', 'the "bot tests" reached the mock at GRAPH_BASE_URL')
  assert.ok(await closed(port), 'the trap stopped the mock when the job ended')
})

test('the README\'s CI job fails at once when the mock exits on a bad flag, and at its deadline when it never answers', { skip: !has('curl') && 'needs curl' }, async (t) => {
  const bad = await ciJob(t, (s) => s.replace('--time-scale 0.1', '--time-scale 0'))
  assert.equal(bad.code, 1)
  assert.match(bad.stderr, /TIME_SCALE|time-scale/, 'the mock\'s own message names the setting')
  assert.match(bad.stderr, /graph-calling-mock exited/)

  // A "mock" that never answers, and a one-second deadline instead of ten.
  const hung = await ciJob(t, (s) => s.replace(/^node_modules\/\.bin\/graph-calling-mock .*&$/m, 'sleep 30 &').replace('SECONDS + 10', 'SECONDS + 1'))
  assert.equal(hung.code, 1)
  assert.match(hung.stderr, /not healthy within/)
})

test('the README\'s install lines name this package and its repository; its globalSetup file works as written', async (t) => {
  const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8')
  const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { name: string, repository: { url: string } }
  assert.ok(readme.includes(`npm install --save-dev ${pkg.name} `))
  assert.ok(readme.includes(`npm install --save-dev ${pkg.repository.url} `), 'the git URL is the repository\'s')

  const setupFile = /```js\n(\/\/ mock-setup\.js\n[\s\S]*?)```/.exec(readme)?.[1]
  assert.ok(setupFile, 'the custom setup file')
  const { default: setup } = await import(`data:text/javascript,${encodeURIComponent(setupFile.replace("'graph-calling-mock/global-setup'", JSON.stringify(new URL('../../src/global-setup.ts', import.meta.url).href)))}`) as { default: () => Promise<() => Promise<void>> }
  const teardown = await setup()
  t.after(teardown)
  const clock = await (await fetch(`${process.env.GRAPH_CALLING_MOCK_URL}/_mock/clock`)).json() as { mode: string, scale?: number }
  assert.equal(clock.mode, 'real')
})
