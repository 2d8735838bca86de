import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { test } from 'node:test'
import { CLI, startBot } from '../helper.js'

test('SIGTERM while calls are recording and notifications are in flight: exit 0 within 5 s, logs what was dropped', async (t) => {
  const hanging = await startBot(t, () => 'hang')
  const child = spawn(process.execPath, [...CLI, '--port', '0', '--log-level', 'info'], { stdio: ['ignore', 'pipe', 'pipe'] })
  t.after(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  let stdout = ''
  let stderr = ''
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString() })
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ready line: ${stdout}${stderr}`)), 20_000)
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString()
      const ready = stdout.split('\n').map((l) => { try { return JSON.parse(l) } catch { return undefined } }).find((l) => l?.msg === 'graph-calling-mock is ready')
      if (ready) { clearTimeout(timer); resolve(ready.url) }
    })
  })
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/)

  // A call with a recording running and a bot that never answers its notifications.
  const auth = { authorization: 'Bearer x', 'content-type': 'application/json' }
  const { id } = await (await fetch(`${url}/_mock/calls`, { method: 'POST', headers: auth, body: JSON.stringify({ callbackUri: hanging.url }) })).json() as { id: string }
  const answer = await fetch(`${url}/v1.0/communications/calls/${id}/answer`, { method: 'POST', headers: auth, body: JSON.stringify({ callbackUri: hanging.url, acceptedModalities: ['audio'], mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' } }) })
  assert.equal(answer.status, 202)
  const record = await fetch(`${url}/v1.0/communications/calls/${id}/recordResponse`, { method: 'POST', headers: auth, body: JSON.stringify({ maxRecordDurationInSeconds: 120, initialSilenceTimeoutInSeconds: 120 }) })
  assert.equal(record.status, 200)
  assert.equal((await record.json() as { status: string }).status, 'running')
  for (let i = 0; i < 100 && hanging.received.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20))
  assert.equal(hanging.received.length, 1, 'a notification is in flight')

  const started = Date.now()
  child.kill('SIGTERM')
  const [code] = await once(child, 'exit') as [number | null]
  const took = Date.now() - started
  assert.equal(code, 0, stderr)
  assert.ok(took < 5000, `exited after ${took} ms`)
  const closing = stdout.split('\n').map((l) => { try { return JSON.parse(l) } catch { return undefined } }).find((l) => l?.droppedNotifications !== undefined)
  assert.ok(closing, `a shutdown line: ${stdout}`)
  assert.equal(closing.droppedNotifications, 3, 'created, establishing and established were still queued behind the hung one')
  assert.equal(closing.activeCalls, 1)
  assert.equal(closing.runningOperations, 1)
  assert.doesNotMatch(stderr + stdout, /unhandled|UnhandledPromiseRejection/i)
})
