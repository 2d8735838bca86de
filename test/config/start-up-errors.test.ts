import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { createServer } from 'node:net'
import { test } from 'node:test'
import { promisify } from 'node:util'
import { resolveSettings, SettingsError } from '../../src/config/load-settings.js'
import { startMock } from '../../src/index.js'
import { listenMock } from '../../src/server.js'
import { CLI } from '../helper.js'

test('startMock names the option the caller used, not the variable or flag', async () => {
  await assert.rejects(startMock({ timeScale: -1 }), (err: Error) => {
    assert.ok(err instanceof SettingsError)
    assert.match(err.message, /^Invalid option timeScale: -1 is not a number more than 0 and at most 1000$/)
    return true
  })
  await assert.rejects(startMock({ clock: 'fast' as never }), /^SettingsError: Invalid option clock: "fast" is not one of real, manual$/)
})

test('an address that does not resolve stops start-up naming HOST (or the host option), not a bare getaddrinfo error', async () => {
  await assert.rejects(listenMock(resolveSettings({ host: '999.1.1.1', port: 0, logLevel: 'silent' })), (err: Error) => {
    assert.ok(err instanceof SettingsError)
    assert.match(err.message, /^Invalid setting HOST \(--host\): "999\.1\.1\.1" is not a name or address this machine can resolve \((ENOTFOUND|EAI_AGAIN)\)$/)
    return true
  })
  await assert.rejects(startMock({ host: '999.1.1.1' }), /^SettingsError: Invalid option host: "999\.1\.1\.1" is not a name or address/)
})

test('a port in use stops start-up naming PORT', async (t) => {
  const taken = createServer()
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
  t.after(() => { taken.close() })
  const { port } = taken.address() as { port: number }
  await assert.rejects(startMock({ port }), new RegExp(`^SettingsError: Invalid option port: ${port} is already in use on 127\\.0\\.0\\.1 \\(EADDRINUSE\\)$`))
})

test('the CLI exits 2 on an unusable HOST with the setting named', async () => {
  const env = { ...process.env, HOST: '999.1.1.1', PORT: '0' }
  await assert.rejects(promisify(execFile)(process.execPath, CLI, { env }), (err: { code: number, stderr: string }) => {
    assert.equal(err.code, 2)
    assert.match(err.stderr, /^graph-calling-mock: Invalid setting HOST \(--host\): "999\.1\.1\.1" is not a name or address this machine can resolve/)
    assert.doesNotMatch(err.stderr, /cannot start|\n {4}at /)
    return true
  })
})
