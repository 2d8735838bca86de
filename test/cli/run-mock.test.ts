import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import { createControlClient } from '../../src/index.js'
import { SETTINGS } from '../../src/config/settings.js'
import { CLI, startBot } from '../helper.js'

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
