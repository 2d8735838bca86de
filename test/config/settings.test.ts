import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import { promisify } from 'node:util'
import wav from 'node-wav'
import { resolveSettings, SettingsError, settingsFromEnv } from '../../src/config/load-settings.js'
import { SETTINGS } from '../../src/config/settings.js'
import { startMock } from '../../src/index.js'
import { MAX_SCENARIO_NAME_LENGTH } from '../../src/engine/caller/scenario-files.js'
import { FixtureAudio, MAX_FIXTURE_FILE_BYTES } from '../../src/recordings/audio/fixture-audio.js'
import { listenMock } from '../../src/server.js'
import { build, CLI, expectGraphError } from '../helper.js'

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

function tempDir (t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'fixtures-'))
  t.after(() => { rmSync(dir, { recursive: true, force: true }) })
  return dir
}

/** A folder laid out as FIXTURES_DIR expects, with the given files under audio/ and scenarios/. */
function fixturesDir (t: TestContext, files: { audio?: Record<string, Buffer | string>, scenarios?: Record<string, string> }): string {
  const dir = tempDir(t)
  for (const sub of ['audio', 'scenarios'] as const) {
    if (!files[sub]) continue
    mkdirSync(join(dir, sub))
    for (const [name, content] of Object.entries(files[sub])) writeFileSync(join(dir, sub, name), content)
  }
  return dir
}

const tone = (ms: number): Buffer => wav.encode([Float32Array.from({ length: ms * 16 }, (_, i) => 0.3 * Math.sin(i / 5))], { sampleRate: 16000, bitDepth: 16 })
const speaks = (audio: string): string => JSON.stringify({ responses: [{ actions: [{ audio }] }] })

test('FIXTURES_DIR that is missing, a file, or holds neither audio/ nor scenarios/ stops start-up naming the setting', (t) => {
  const dir = tempDir(t)
  writeFileSync(join(dir, 'file'), 'x')
  mkdirSync(join(dir, 'empty'))
  for (const [path, problem] of [[join(dir, 'missing'), /not a folder that exists/], [join(dir, 'file'), /is not a folder/], [join(dir, 'empty'), /neither an audio\/ nor a scenarios\//]] as const) {
    assert.throws(() => resolveSettings({ fixturesDir: path }), (err: Error) => {
      assert.ok(err instanceof SettingsError)
      assert.match(err.message, /^Invalid setting FIXTURES_DIR \(--fixtures-dir\)/)
      assert.match(err.message, problem)
      return true
    })
  }
  assert.equal(resolveSettings({ fixturesDir: fixturesDir(t, { scenarios: {} }) }).fixturesDir?.startsWith('/'), true)
})

test('FIXTURES_DIR is layered over the shipped fixtures: its files win, the shipped ones stay', async (t) => {
  const dir = fixturesDir(t, {
    audio: { 'mine.wav': tone(500) },
    // A new scenario using a custom WAV and a shipped one, and one replacing a shipped scenario.
    scenarios: { 'custom.json': JSON.stringify({ responses: [{ actions: [{ audio: 'mine.wav' }, { audio: 'hello.wav' }] }] }), 'silent-caller.json': speaks('mine.wav') }
  })
  const mock = await build(t, { fixturesDir: dir })
  const listing = (await mock.app.inject({ method: 'GET', url: '/_mock/script' })).json() as { scenarios: string[] }
  assert.ok(listing.scenarios.includes('custom'), 'the custom scenario is listed')
  assert.ok(listing.scenarios.includes('leave-a-message'), 'the shipped scenarios are still listed')
  assert.equal(listing.scenarios.filter((s) => s === 'silent-caller').length, 1)

  for (const scenario of ['custom', 'leave-a-message', 'silent-caller']) {
    const res = await mock.app.inject({ method: 'POST', url: '/_mock/calls', payload: { callbackUri: 'http://127.0.0.1:9/cb', script: { scenario } } })
    assert.equal(res.statusCode, 201, `${scenario}: ${res.body}`)
  }
  const put = await mock.app.inject({ method: 'PUT', url: '/_mock/script', payload: { scenario: 'silent-caller' } })
  assert.equal(put.statusCode, 200, put.body)
  const script = (await mock.app.inject({ method: 'GET', url: '/_mock/script' })).json() as { script: { responses: Array<{ actions: unknown[] }> } }
  assert.deepEqual(script.script.responses[0].actions, [{ audio: 'mine.wav' }], 'the custom silent-caller replaced the shipped one')
})

test('errors name the custom folder, and a scenario that is not JSON is named without its content', async (t) => {
  const dir = fixturesDir(t, { audio: {}, scenarios: { 'broken.json': 'TOP-SECRET-CONTENT {"responses": [' } })
  const mock = await build(t, { fixturesDir: dir })
  const simulate = async (script: unknown): Promise<string> =>
    expectGraphError(await mock.app.inject({ method: 'POST', url: '/_mock/calls', payload: { callbackUri: 'http://127.0.0.1:9/cb', script } }), 400, 'BadRequest')

  const broken = await simulate({ scenario: 'broken' })
  assert.ok(broken.includes(join(dir, 'scenarios', 'broken.json')), broken)
  assert.match(broken, /is not valid JSON/)
  assert.doesNotMatch(broken, /TOP|SECRET|CONTENT/)

  const unknown = await simulate({ scenario: 'nope' })
  assert.ok(unknown.includes(`FIXTURES_DIR/scenarios/ (${join(dir, 'scenarios')})`), unknown)
  const noAudio = await simulate(JSON.parse(speaks('absent.wav')))
  assert.ok(noAudio.includes(`FIXTURES_DIR/audio/ (${join(dir, 'audio')})`), noAudio)
})

test('a file that is not a WAV is decoded once, failure included, until it changes; a huge one is never read', (t) => {
  const dir = tempDir(t)
  const junk = join(dir, 'junk.wav')
  writeFileSync(junk, Buffer.alloc(64_000, 7))
  const when = new Date('2026-01-01T00:00:00Z')
  utimesSync(junk, when, when)
  const fixtures = new FixtureAudio(dir)
  assert.equal(fixtures.durationMs('junk.wav'), undefined)
  // Same size and modification time, now a valid WAV: the cached failure stands (the file was not re-read)...
  const good = tone(100)
  writeFileSync(junk, Buffer.concat([good, Buffer.alloc(statSync(junk).size - good.length)]))
  utimesSync(junk, when, when)
  assert.equal(fixtures.durationMs('junk.wav'), undefined)
  // ...until the file changes.
  utimesSync(junk, when, new Date(when.getTime() + 5000))
  assert.ok(fixtures.durationMs('junk.wav')! >= 100)

  writeFileSync(join(dir, 'huge.wav'), Buffer.concat([tone(100), Buffer.alloc(MAX_FIXTURE_FILE_BYTES)]))
  assert.equal(fixtures.has('huge.wav'), true)
  assert.equal(fixtures.durationMs('huge.wav'), undefined, 'over the size limit, the file is not decoded')
})

test('decoded audio is bounded by bytes, least recently used out, and cleared by POST /_mock/reset', async (t) => {
  const dir = tempDir(t)
  for (const name of ['a.wav', 'b.wav', 'c.wav']) writeFileSync(join(dir, name), tone(1000))
  const oneSecond = 16000 * 4
  const fixtures = new FixtureAudio(dir, 2 * oneSecond)
  fixtures.durationMs('a.wav')
  fixtures.durationMs('b.wav')
  fixtures.durationMs('a.wav')
  fixtures.durationMs('c.wav')
  assert.equal(fixtures.cacheBytes(), 2 * oneSecond)

  const mock = await build(t, { fixturesDir: fixturesDir(t, { audio: { 'mine.wav': tone(500) } }) })
  const res = await mock.app.inject({ method: 'POST', url: '/_mock/calls', payload: { callbackUri: 'http://127.0.0.1:9/cb', script: JSON.parse(speaks('mine.wav')) } })
  assert.equal(res.statusCode, 201, res.body)
  assert.ok(mock.services.fixtures.cacheBytes() > 0)
  assert.equal((await mock.app.inject({ method: 'POST', url: '/_mock/reset' })).statusCode, 200)
  assert.equal(mock.services.fixtures.cacheBytes(), 0)
})

test('a scenario file holds a script: one that refers to a scenario, itself included, is a 400 naming it', async (t) => {
  const dir = fixturesDir(t, { scenarios: { 'loop.json': JSON.stringify({ scenario: 'loop' }), 'alias.json': JSON.stringify('press-pound') } })
  const mock = await build(t, { fixturesDir: dir })
  const loop = expectGraphError(await mock.app.inject({ method: 'PUT', url: '/_mock/script', payload: { scenario: 'loop' } }), 400, 'BadRequest')
  assert.equal(loop, 'scenario \'loop\' has an unknown property \'scenario\'; expected answerAfterMs, responses.')
  const alias = expectGraphError(await mock.app.inject({ method: 'POST', url: '/_mock/calls', payload: { callbackUri: 'http://127.0.0.1:9/cb', script: 'alias' } }), 400, 'BadRequest')
  assert.equal(alias, 'scenario \'alias\' must be an object.')
})

test('a scenario name has a length limit, and a longer one is not echoed', async (t) => {
  const mock = await build(t)
  const id = ((await mock.app.inject({ method: 'POST', url: '/_mock/calls', payload: { callbackUri: 'http://127.0.0.1:9/cb' } })).json() as { id: string }).id
  const long = 'a'.repeat(MAX_SCENARIO_NAME_LENGTH + 1)
  for (const [method, url, payload] of [
    ['PUT', '/_mock/script', { scenario: long }],
    ['PUT', '/_mock/script', JSON.stringify(long)],
    ['PUT', `/_mock/calls/${id}/script`, { scenario: long }],
    ['POST', '/_mock/calls', { callbackUri: 'http://127.0.0.1:9/cb', script: { scenario: long } }]
  ] as const) {
    const res = await mock.app.inject({ method, url, payload, headers: { 'content-type': 'application/json' } })
    assert.equal(expectGraphError(res, 400, 'BadRequest'), `Scenario name is ${long.length} characters long; the limit is ${MAX_SCENARIO_NAME_LENGTH}.`)
  }
  // At the limit the name is looked up as usual.
  const atLimit = 'a'.repeat(MAX_SCENARIO_NAME_LENGTH)
  assert.match(expectGraphError(await mock.app.inject({ method: 'PUT', url: '/_mock/script', payload: { scenario: atLimit } }), 400, 'BadRequest'), new RegExp(`^Unknown scenario '${atLimit}'`))
})
