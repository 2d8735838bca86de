import assert from 'node:assert/strict'
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { test, type TestContext } from 'node:test'
import { SETTINGS } from '../../src/config/settings.js'
import { createControlClient } from '../../src/index.js'
import { CLI, startBot } from '../helper.js'

/** A clean environment: none of the mock's own variables leak in from the shell that runs the tests. */
function cleanEnv (extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env }
  for (const s of SETTINGS) delete env[s.env]
  return { ...env, ...extra }
}

interface Result { code: number | null, stdout: string, stderr: string }

async function run (args: string[], env: Record<string, string> = {}): Promise<Result> {
  const child = spawn(process.execPath, [...CLI, ...args], { env: cleanEnv(env) })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (c: Buffer) => { stdout += c.toString() })
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString() })
  const [code] = await once(child, 'exit') as [number | null]
  return { code, stdout, stderr }
}

test('--help exits 0 and lists every setting\'s flag and variable', async () => {
  const { code, stdout, stderr } = await run(['--help'])
  assert.equal(code, 0, stderr)
  assert.match(stdout, /^Usage: graph-calling-mock \[options\]$/m)
  for (const s of SETTINGS) {
    // A boolean setting is a flag alone (--https); the others take a value.
    const usage = s.kind === 'boolean' ? s.flag : `${s.flag} <value>`
    assert.match(stdout, new RegExp(`^  ${usage} +${s.env}: `, 'm'), `${s.flag} is listed`)
  }
  assert.match(stdout, /--clock <value> +CLOCK: .*\(real\|manual\) \[default: real\]/)
  assert.match(stdout, /-h, --help/)
})

test('--version prints the package version', async () => {
  const { code, stdout } = await run(['--version'])
  assert.equal(code, 0)
  assert.equal(stdout.trim(), (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version)
})

test('a bad flag or variable exits 2 with a message naming it', async () => {
  const cases: Array<[string[], Record<string, string>, RegExp]> = [
    [['--clock', 'fast'], {}, /Invalid setting CLOCK \(--clock\): "fast" is not one of real, manual/],
    [['--nope'], {}, /Unknown option '--nope'/],
    [['--port', '70000'], {}, /Invalid setting PORT \(--port\): "70000" is not an integer at least 0 and at most 65535/],
    [['--auth'], {}, /--auth/],
    [['extra'], {}, /extra/],
    [[], { TIME_SCALE: 'fast' }, /Invalid setting TIME_SCALE \(--time-scale\)/],
    // --https takes no value: the next word is the next flag.
    [['--https', '--port', 'x'], {}, /Invalid setting PORT \(--port\): "x"/],
    [['--https=1'], {}, /--https/],
    [[], { HTTPS: 'yes' }, /Invalid setting HTTPS \(--https\): "yes" is not one of true, false, 1, 0/]
  ]
  for (const [args, env, message] of cases) {
    const { code, stdout, stderr } = await run(args, env)
    assert.equal(code, 2, `${args.join(' ')}: ${stderr}`)
    assert.match(stderr, message)
    assert.match(stderr, /Run graph-calling-mock --help for the options\./)
    assert.equal(stdout, '')
  }
})

async function readyUrl (child: ChildProcessWithoutNullStreams, t: TestContext): Promise<{ url: string, lines: Array<Record<string, unknown>> }> {
  const lines: Array<Record<string, unknown>> = []
  const reader = createInterface({ input: child.stdout })
  t.after(() => { reader.close() })
  for await (const line of reader) {
    const entry = JSON.parse(line) as Record<string, unknown>
    lines.push(entry)
    if (entry.msg === 'graph-calling-mock is ready') return { url: entry.url as string, lines }
  }
  throw new Error(`the CLI exited before it was ready: ${JSON.stringify(lines)}`)
}

test('the CLI starts on a random port, answers, and exits 0 on SIGTERM', async (t) => {
  const bot = await startBot(t)
  // CLOCK=real in the environment loses to the --clock flag.
  const child = spawn(process.execPath, [...CLI, '--port', '0', '--host', '127.0.0.1', '--clock', 'manual', '--callback-url', bot.url, '--log-level', 'info'], { env: cleanEnv({ CLOCK: 'real' }) })
  t.after(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  let stderr = ''
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString() })
  const exited = once(child, 'exit') as Promise<[number | null, string | null]>

  const { url } = await readyUrl(child, t)
  child.stdout.resume() // keep draining the request logs so the child never blocks on a full pipe
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/)
  assert.notEqual(url, 'http://127.0.0.1:0')
  const control = createControlClient(url)
  assert.deepEqual(await control.health(), { status: 'ok' })
  assert.equal((await control.getClock()).mode, 'manual')
  const { id } = await control.simulateIncomingCall()
  const created = await control.waitForNotification({ callId: id, changeType: 'created' })
  assert.equal(created.url, bot.url, 'CALLBACK_URL from --callback-url')
  assert.equal(created.outcome, 'delivered')
  assert.equal(bot.received.length, 1)

  child.kill('SIGTERM')
  const [code] = await exited
  assert.equal(code, 0, stderr)
  assert.equal(stderr, '')
})

// A line that never arrives fails the test by its timeout rather than hanging the run.
test('JSON log lines leave in batches, yet none waits long and none is lost at exit', { timeout: 30_000 }, async (t) => {
  const cli = startCli(t, [])
  // The ready line arrives although it is far short of a batch (the CLI flushes it; scripts wait for it).
  const ready = await cli.line((l) => l.msg === 'graph-calling-mock is ready')
  // One request, then nothing: its line still arrives, from the periodic flush.
  assert.equal((await fetch(`${ready.url as string}/_mock/health`)).status, 200)
  const line = await cli.line((l) => l.msg === 'request completed')
  assert.deepEqual({ method: line.method, url: line.url, statusCode: line.statusCode }, { method: 'GET', url: '/_mock/health', statusCode: 200 })

  // Lines logged while shutting down are written before the process exits.
  assert.equal(await cli.stop(), 0)
  const messages = cli.lines().map((l) => l.msg)
  assert.ok(messages.includes('shutting down'), messages.join(' | '))
  assert.equal(messages.at(-1), 'shut down: dropped undelivered notifications and live calls')
})

test('the first ended call forgotten beyond MAX_ENDED_CALLS is logged once, naming the limit', { timeout: 30_000 }, async (t) => {
  const bot = await startBot(t)
  const child = spawn(process.execPath, [...CLI, '--port', '0', '--host', '127.0.0.1', '--clock', 'manual', '--auth', 'none', '--log-level', 'info'], { env: cleanEnv({ MAX_ENDED_CALLS: '1' }) })
  t.after(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  const { url } = await readyUrl(child, t)
  let stdout = ''
  child.stdout.on('data', (c: Buffer) => { stdout += c.toString() })
  const exited = once(child, 'exit') as Promise<[number | null, string | null]>
  const control = createControlClient(url)
  const ids: string[] = []
  for (let i = 0; i < 3; i++) {
    const { id } = await control.simulateIncomingCall({ callbackUri: bot.url })
    const res = await fetch(`${url}/v1.0/communications/calls/${id}/reject`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reason: 'busy' }) })
    assert.equal(res.status, 202, await res.text())
    ids.push(id)
  }
  assert.deepEqual((await control.listCalls()).map((c) => c.id), [ids[2]], 'MAX_ENDED_CALLS from the environment')
  child.kill('SIGTERM')
  assert.equal((await exited)[0], 0)
  const said = stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => String(l.msg).includes('MAX_ENDED_CALLS'))
  assert.equal(said.length, 1, 'once, though two calls were forgotten')
  assert.equal(said[0].level, 30)
  assert.equal(said[0].maxEndedCalls, 1)
  assert.equal(said[0].callId, ids[0])
})

type Line = Record<string, unknown>

/** The CLI as a user runs it, without the mock's variables from the shell; lines read as they arrive. */
function startCli (t: TestContext, args: string[]) {
  const env = { ...process.env }
  for (const s of SETTINGS) delete env[s.env]
  const child = spawn(process.execPath, [...CLI, '--port', '0', '--host', '127.0.0.1', '--log-level', 'info', ...args], { env })
  t.after(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (c: Buffer) => { stdout += c.toString() })
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString() })
  const exited = once(child, 'exit') as Promise<[number | null, string | null]>
  const lines = (): Line[] => stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line)
  /** The first line matching, once it has arrived (JSON lines leave in batches, at most 200 ms late). */
  const line = async (wanted: (l: Line) => boolean): Promise<Line> => await new Promise((resolve, reject) => {
    const check = (): void => {
      const found = lines().find(wanted)
      if (!found) return
      child.stdout.off('data', check)
      child.off('exit', gone)
      resolve(found)
    }
    const gone = (): void => { reject(new Error(`exited before the line arrived: ${stdout}${stderr}`)) }
    child.stdout.on('data', check)
    child.once('exit', gone)
    check()
  })
  const stop = async (): Promise<number | null> => { child.kill('SIGTERM'); return (await exited)[0] }
  return { lines, line, stop, stderr: () => stderr }
}

test('the ready line gives what a bot is configured with, and READY_FILE holds the URL until exit', { timeout: 30_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ready-'))
  t.after(() => { rmSync(dir, { recursive: true, force: true }) })
  const readyFile = join(dir, 'mock.url')
  const cli = startCli(t, ['--ready-file', readyFile, '--tenant-id', 'contoso', '--public-base-url', 'http://mock.test:4000'])
  const ready = await cli.line((l) => l.msg === 'graph-calling-mock is ready')
  assert.match(ready.url as string, /^http:\/\/127\.0\.0\.1:\d+$/)
  assert.equal(ready.graphBaseUrl, 'http://mock.test:4000/v1.0')
  assert.equal(ready.tokenEndpoint, 'http://mock.test:4000/contoso/oauth2/v2.0/token')
  assert.equal(ready.openIdConfiguration, 'http://mock.test:4000/v1/.well-known/OpenIdConfiguration')
  // Written before the ready line, and the mock answers at the URL it holds.
  assert.equal(readFileSync(readyFile, 'utf8'), ready.url)
  assert.equal((await fetch(`${ready.url as string}/_mock/health`)).status, 200)
  assert.equal(await cli.stop(), 0, cli.stderr())
  assert.equal(existsSync(readyFile), false, 'removed at exit')
})

test('at info the log tells each call\'s and operation\'s story in the mock\'s words, one line each', { timeout: 30_000 }, async (t) => {
  const bot = await startBot(t)
  const cli = startCli(t, ['--clock', 'manual', '--auth', 'none', '--callback-url', bot.url])
  const { url } = await cli.line((l) => l.msg === 'graph-calling-mock is ready') as { url: string }
  const control = createControlClient(url)
  const post = async (path: string, body: unknown): Promise<any> => {
    const res = await fetch(`${url}/v1.0/communications/calls${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    assert.ok(res.ok, await res.clone().text())
    return await res.json().catch(() => undefined)
  }
  const { id } = await control.simulateIncomingCall({ script: { responses: [{ actions: [{ speech: 500 }, { tone: '#' }] }] } })
  await post(`/${id}/answer`, { callbackUri: bot.url, acceptedModalities: ['audio'], mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' } })
  const op = await post(`/${id}/recordResponse`, { stopTones: ['#'], clientContext: 'ask-name' })
  await control.advanceClock(5000)
  const done = await control.waitForNotification({ callId: id, resourceUrl: `/communications/calls/${id}/operations/${op.id as string}` })
  const { recordingLocation, recordingAccessToken } = (done.body as any).value[0].resourceData
  assert.equal((await fetch(recordingLocation, { headers: { authorization: `Bearer ${recordingAccessToken as string}` } })).status, 200)
  assert.equal((await fetch(`${url}/v1.0/communications/calls/${id}`, { method: 'DELETE' })).status, 204)
  // An outgoing call is logged as created too.
  const outgoing = await post('', { callbackUri: bot.url, targets: [{ identity: { user: { id: 'u' } } }], requestedModalities: ['audio'], mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' }, source: { identity: { application: { id: 'a' } } }, tenantId: 't' })
  await cli.line((l) => l.msg === 'call created' && l.callId === outgoing.id)
  await cli.line((l) => l.msg === 'call ended' && l.callId === id)

  const story = cli.lines().filter((l) => (l.callId === id && l.component === 'engine') || l.msg === 'recording downloaded')
  assert.deepEqual(story.map((l) => l.msg), ['call created', 'call answered', 'call established', 'operation started', 'operation completed', 'recording downloaded', 'call ended'])
  for (const l of story) assert.equal(l.level, 30, `${String(l.msg)} is info`)
  const [created, , , started, completed, downloaded, ended] = story
  assert.deepEqual({ direction: created.direction, callbackUri: created.callbackUri }, { direction: 'incoming', callbackUri: bot.url })
  assert.deepEqual({ operation: started.operation, operationId: started.operationId, clientContext: started.clientContext }, { operation: 'recordResponse', operationId: op.id, clientContext: 'ask-name' })
  assert.equal(completed.completionReason, 'stopToneDetected')
  assert.deepEqual(completed.resultInfo, { code: 200, subcode: 8514, message: 'Action completed, stop tone detected.' })
  assert.equal(downloaded.recordingId, new URL(recordingLocation).pathname.split('/').pop())
  assert.equal(ended.endedBy, 'bot')
  assert.deepEqual(ended.resultInfo, { code: 200, subcode: 7000, message: 'Call ended by the application.' })
  const outgoingCreated = cli.lines().find((l) => l.msg === 'call created' && l.callId === outgoing.id)!
  assert.equal(outgoingCreated.direction, 'outgoing')
  // The request lines stay.
  assert.ok(cli.lines().some((l) => l.msg === 'request completed' && l.url === `/v1.0/communications/calls/${id}/answer`))
  assert.equal(await cli.stop(), 0, cli.stderr())
})

// Inside node_modules, so the bundle resolves the packages it leaves out (as dist/ does in the repository).
const CACHE_ROOT = join('node_modules', '.cache')

function helpOf (launcher: string): { status: number | null, stdout: string, stderr: string } {
  const r = spawnSync(process.execPath, [launcher, '--help'], { encoding: 'utf8' })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

test('the bundled CLI runs from its code cache, and a missing or foreign cache is replaced, never fatal', (t) => {
  mkdirSync(CACHE_ROOT, { recursive: true })
  const dir = mkdtempSync(join(CACHE_ROOT, 'launcher-test-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const launcher = join(dir, 'cli.js')
  const build = spawnSync(process.execPath, ['scripts/bundle-cli.mjs', launcher], { encoding: 'utf8' })
  assert.equal(build.status, 0, build.stderr)
  const cache = join(dir, 'cli.cjs.cache')
  assert.ok(existsSync(join(dir, 'cli.cjs')) && existsSync(cache), 'the build writes the bundle and its code cache')
  const built = readFileSync(cache)

  const ok = helpOf(launcher)
  assert.equal(ok.status, 0, ok.stderr)
  assert.match(ok.stdout, /graph-calling-mock/)
  assert.ok(readFileSync(cache).equals(built), 'an accepted cache is left as it is')

  // What another Node version's cache looks like to V8: data it rejects.
  writeFileSync(cache, Buffer.from('not a V8 code cache'))
  const foreign = helpOf(launcher)
  assert.equal(foreign.status, 0, foreign.stderr)
  assert.equal(foreign.stdout, ok.stdout)
  assert.ok(readFileSync(cache).length > 1000, 'a rejected cache is rewritten')

  rmSync(cache)
  const none = helpOf(launcher)
  assert.equal(none.status, 0, none.stderr)
  assert.ok(existsSync(cache), 'a missing cache is written')
})
