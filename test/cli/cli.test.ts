import assert from 'node:assert/strict'
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { test, type TestContext } from 'node:test'
import { createControlClient } from '../../src/index.js'
import { SETTINGS } from '../../src/config/settings.js'
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
  const child = spawn(process.execPath, [...CLI, '--port', '0', '--host', '127.0.0.1', '--log-level', 'info'], { env: cleanEnv() })
  t.after(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  let stdout = ''
  const lines = (): Array<Record<string, unknown>> => stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>)
  /** Resolves when a line matching `wanted` has arrived; rejects if the process exits first. */
  const lineArrives = async (wanted: (l: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> => await new Promise((resolve, reject) => {
    const check = (): void => {
      const found = lines().find(wanted)
      if (!found) return
      child.stdout.off('data', check)
      child.off('exit', gone)
      resolve(found)
    }
    const gone = (): void => { reject(new Error(`exited before the line arrived: ${stdout}`)) }
    child.stdout.on('data', check)
    child.once('exit', gone)
    check()
  })
  child.stdout.on('data', (c: Buffer) => { stdout += c.toString() })
  const exited = once(child, 'exit') as Promise<[number | null, string | null]>

  // The ready line arrives although it is far short of a batch (the CLI flushes it; scripts wait for it).
  const ready = await lineArrives((l) => l.msg === 'graph-calling-mock is ready')
  // One request, then nothing: its line still arrives, from the periodic flush.
  assert.equal((await fetch(`${ready.url as string}/_mock/health`)).status, 200)
  const line = await lineArrives((l) => l.msg === 'request completed')
  assert.deepEqual({ method: line.method, url: line.url, statusCode: line.statusCode }, { method: 'GET', url: '/_mock/health', statusCode: 200 })

  // Lines logged while shutting down are written before the process exits.
  child.kill('SIGTERM')
  const [code] = await exited
  assert.equal(code, 0)
  const messages = lines().map((l) => l.msg)
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
