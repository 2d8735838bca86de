import assert from 'node:assert/strict'
import { test } from 'node:test'
import { resolveSettings, settingsFromEnv, SettingsError } from '../../src/config/load-settings.js'
import { SETTINGS } from '../../src/config/settings.js'

test('defaults follow the contract', () => {
  const s = settingsFromEnv({})
  assert.equal(s.port, 4000)
  assert.equal(s.host, '127.0.0.1')
  assert.equal(s.clock, 'real')
  assert.equal(s.timeScale, 1)
  assert.equal(s.auth, 'bearer')
  assert.equal(s.recordingRetentionSeconds, 300)
  assert.equal(s.maxEndedCalls, 10_000)
  assert.equal(s.logLevel, 'info')
  assert.equal(s.publicBaseUrl, undefined)
  assert.match(s.botAppId, /^[0-9a-f-]{36}$/)
  assert.match(s.tenantId, /^[0-9a-f-]{36}$/)
})

test('environment variables are read and converted', () => {
  const s = settingsFromEnv({ PORT: '5000', HOST: '0.0.0.0', CLOCK: 'manual', TIME_SCALE: '0.01', AUTH: 'strict', PUBLIC_BASE_URL: 'http://mock:4000/', RECORDING_RETENTION_SECONDS: '10', MAX_ENDED_CALLS: '50', LOG_LEVEL: 'warn', CALLBACK_URL: 'http://bot:3978/api/calls' })
  assert.equal(s.port, 5000)
  assert.equal(s.host, '0.0.0.0')
  assert.equal(s.clock, 'manual')
  assert.equal(s.timeScale, 0.01)
  assert.equal(s.auth, 'strict')
  assert.equal(s.publicBaseUrl, 'http://mock:4000', 'a trailing slash is dropped')
  assert.equal(s.recordingRetentionSeconds, 10)
  assert.equal(s.maxEndedCalls, 50)
  assert.equal(s.callbackUrl, 'http://bot:3978/api/calls')
})

for (const [env, value, pattern] of [
  ['PORT', 'abc', /PORT.*"abc".*integer/],
  ['PORT', '70000', /PORT.*at most 65535/],
  ['CLOCK', 'fast', /CLOCK.*"fast".*one of real, manual/],
  ['TIME_SCALE', '0', /TIME_SCALE.*more than 0/],
  ['TIME_SCALE', '-1', /TIME_SCALE/],
  ['AUTH', 'maybe', /AUTH.*none, bearer, strict/],
  ['PUBLIC_BASE_URL', 'ftp://x', /PUBLIC_BASE_URL.*http/],
  ['CALLBACK_URL', 'not a url', /CALLBACK_URL/],
  ['MAX_ENDED_CALLS', '0', /MAX_ENDED_CALLS.*at least 1/],
  ['RECORDING_RETENTION_SECONDS', '1.5', /RECORDING_RETENTION_SECONDS.*integer/],
  ['LOG_LEVEL', 'loud', /LOG_LEVEL/]
] as const) {
  test(`a bad ${env} stops start-up with a message naming it (${value})`, () => {
    assert.throws(() => settingsFromEnv({ [env]: value }), (err: unknown) => {
      assert.ok(err instanceof SettingsError)
      assert.match(err.message, pattern)
      return true
    })
  })
}

test('every setting has an environment variable, a flag and a description', () => {
  for (const s of SETTINGS) {
    assert.match(s.env, /^[A-Z_]+$/)
    assert.match(s.flag, /^--[a-z-]+$/)
    assert.ok(s.description.length > 10)
  }
})

test('in-process options are checked the same way', () => {
  assert.equal(resolveSettings({ port: 0, clock: 'manual' }).port, 0)
  assert.throws(() => resolveSettings({ port: -1 }), /PORT/)
  assert.throws(() => resolveSettings({ nope: 1 } as never), /Unknown setting nope/)
})

test('the README settings table lists every setting with its flag', async () => {
  const { readFile } = await import('node:fs/promises')
  const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8')
  const table = readme.split('<!-- settings-table:start -->')[1].split('<!-- settings-table:end -->')[0]
  const rows = table.split('\n').filter((l) => l.startsWith('| `'))
  assert.deepEqual(rows.map((r) => /^\| `([A-Z_]+)`/.exec(r)?.[1]), SETTINGS.map((s) => s.env))
  for (const s of SETTINGS) assert.ok(table.includes(`\`${s.flag}\``), `${s.flag} is in the README`)
})

test('HTTPS takes 1/0 or true/false from the environment', () => {
  assert.equal(settingsFromEnv({}).https, false)
  for (const on of ['1', 'true', 'TRUE']) assert.equal(settingsFromEnv({ HTTPS: on }).https, true)
  for (const off of ['0', 'false']) assert.equal(settingsFromEnv({ HTTPS: off }).https, false)
  assert.throws(() => settingsFromEnv({ HTTPS: 'yes' }), /^SettingsError: Invalid setting HTTPS \(--https\): "yes" is not one of true, false, 1, 0$/)
})
