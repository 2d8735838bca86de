import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import wav from 'node-wav'
import { resolveSettings, SettingsError } from '../../src/config/load-settings.js'
import { FixtureAudio, MAX_FIXTURE_FILE_BYTES } from '../../src/recordings/audio/fixture-audio.js'
import { MAX_SCENARIO_NAME_LENGTH } from '../../src/engine/caller/scenario-files.js'
import { build, expectGraphError } from '../helper.js'

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
