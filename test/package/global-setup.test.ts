import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { test } from 'node:test'
import { promisify } from 'node:util'
import setup, { createGlobalSetup, URL_ENV } from '../../src/global-setup.js'
import jestTeardown from '../../src/global-teardown.js'

const run = promisify(execFile)
/** What a test worker does with the variable: it runs in its own process, started after globalSetup. */
const WORKER = `fetch(process.env.${URL_ENV} + '/_mock/health').then(async (r) => console.log(r.status, await r.text()))`

async function refused (url: string): Promise<boolean> {
  return await fetch(`${url}/_mock/health`).then(() => false, () => true)
}

test('Vitest style: the default setup starts a mock, workers reach it through the variable, the returned teardown stops it', async (t) => {
  t.after(jestTeardown) // stops a mock a failed assertion left running
  assert.equal(process.env[URL_ENV], undefined)
  const teardown = await setup()
  const url = process.env[URL_ENV]
  assert.match(url ?? '', /^http:\/\/127\.0\.0\.1:\d+$/)
  const worker = await run(process.execPath, ['-e', WORKER], { env: { ...process.env, NODE_OPTIONS: '' } })
  assert.equal(worker.stdout.trim(), '200 {"status":"ok"}')

  await assert.rejects(setup(), /already started a mock/, 'a second setup without teardown is refused, not a second mock')
  await teardown()
  assert.equal(process.env[URL_ENV], undefined)
  assert.ok(await refused(url!), 'the mock stopped')
  await teardown() // twice is harmless
})

test('Jest style: a setup with settings of its own, then the separate global-teardown module', async (t) => {
  t.after(jestTeardown)
  await createGlobalSetup({ clock: 'manual' })()
  const url = process.env[URL_ENV]!
  const clock = await (await fetch(`${url}/_mock/clock`)).json() as { mode: string }
  assert.equal(clock.mode, 'manual')
  await jestTeardown()
  assert.equal(process.env[URL_ENV], undefined)
  assert.ok(await refused(url))
})
