import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { settingsFromEnv } from '../../src/config/load-settings.js'
import { SETTINGS } from '../../src/config/settings.js'
import { parseDockerfile, parseSimpleYaml, type Yaml } from './parse.js'

type Map = Record<string, Yaml>
const compose = parseSimpleYaml(readFileSync('docker-compose.yml', 'utf8')) as Map
const services = compose.services as Record<string, Map>
const { mock, bot } = services
const envOf = (service: Map): Record<string, string> => service.environment as Record<string, string>
/** The bot's settings: every `env.NAME` that examples/bot/server.ts reads. */
const BOT_ENV = [...new Set([...readFileSync('examples/bot/server.ts', 'utf8').matchAll(/env\.([A-Z_]+)/g)].map((m) => m[1]))]

test('the parser reads the subset compose uses and refuses the rest', () => {
  assert.deepEqual(parseSimpleYaml('a:\n  b: "x"\n  c:\n    - 1\n    - \'y\'\nd: [1, "2"]\n'), { a: { b: 'x', c: ['1', 'y'] }, d: [1, '2'] })
  assert.throws(() => parseSimpleYaml('a: 1\na: 2\n'), /duplicate key a/)
  assert.throws(() => parseSimpleYaml('a:\n'), /a has no value/)
  assert.throws(() => parseSimpleYaml('a: &x 1\n'), /unsupported YAML/)
  assert.throws(() => parseSimpleYaml('a: 1 # note\n'), /unsupported YAML/)
  assert.throws(() => parseSimpleYaml('a:\n  - b: c\n'), /only scalar list items/)
})

test('compose has the mock and the bot, built from this Dockerfile\'s runtime and bot targets', () => {
  assert.deepEqual(Object.keys(services).sort(), ['bot', 'mock'])
  const targets = parseDockerfile(readFileSync('Dockerfile', 'utf8')).map((s) => s.name)
  assert.deepEqual(mock.build, { context: '.', target: 'runtime' })
  // The published name beside build: compose pulls it, or builds and tags it under that name.
  const repository = (JSON.parse(readFileSync('package.json', 'utf8')) as { repository: { url: string } }).repository.url
  const org = /github\.com\/([\w-]+)\//.exec(repository)?.[1]
  assert.equal(mock.image, `ghcr.io/${org}/graph-calling-mock:latest`)
  assert.equal(bot.image, undefined, 'the example bot is never published')
  assert.deepEqual(bot.build, { context: '.', target: 'bot' })
  for (const s of [mock, bot]) assert.ok(targets.includes((s.build as Map).target as string))
})

test('every environment name of the mock is a setting, and the values are valid settings', () => {
  const names = new Set(SETTINGS.map((s) => s.env))
  for (const name of Object.keys(envOf(mock))) assert.ok(names.has(name), `${name} is a setting of src/config/settings.ts`)
  const settings = settingsFromEnv(envOf(mock))
  assert.equal(settings.host, '0.0.0.0')
  assert.equal(settings.port, 4000)
  assert.equal(settings.publicBaseUrl, 'https://mock:4000', 'recording links and Location headers resolve from the bot')
  assert.equal(settings.https, true)
})

test('the bot is wired to the mock by service name, with the same app and tenant', () => {
  const m = envOf(mock)
  const b = envOf(bot)
  // NODE_EXTRA_CA_CERTS is read by Node itself.
  for (const name of Object.keys(b)) assert.ok(BOT_ENV.includes(name) || name === 'NODE_EXTRA_CA_CERTS', `${name} is read by examples/bot/server.ts`)
  for (const name of ['MOCK_URL', 'CALLBACK_PORT', 'BOT_APP_ID', 'TENANT_ID', 'PUBLIC_CALLBACK_URL', 'RING_ON_START']) assert.ok(name in b, `compose sets ${name}`)
  assert.equal(b.RING_ON_START, 'true', 'docker compose up runs the whole flow by itself')
  assert.equal(b.MOCK_URL, m.PUBLIC_BASE_URL)
  assert.equal(new URL(b.MOCK_URL).host, `mock:${m.PORT}`)
  assert.equal(b.BOT_APP_ID, m.BOT_APP_ID)
  assert.equal(b.TENANT_ID, m.TENANT_ID)
  const callback = new URL(b.PUBLIC_CALLBACK_URL)
  assert.equal(callback.hostname, 'bot')
  assert.equal(callback.port, b.CALLBACK_PORT)
  assert.equal(m.CALLBACK_URL, b.PUBLIC_CALLBACK_URL, 'simulated incoming calls ring this bot')
  assert.deepEqual(bot.depends_on, { mock: { condition: 'service_healthy' } })
})

test('the bot trusts the CA the HTTPS mock writes, through a volume both mount', () => {
  const mountOf = (service: Map, file: string): string => {
    const mounts = (service.volumes as string[]).map((v) => v.split(':'))
    const mount = mounts.find(([, dir]) => file.startsWith(dir + '/'))
    assert.ok(mount, `${file} is on a volume`)
    return mount[0]
  }
  const caFile = envOf(mock).CA_FILE
  const trusted = envOf(bot).NODE_EXTRA_CA_CERTS
  assert.equal(mountOf(mock, caFile), 'mock-ca')
  assert.equal(mountOf(bot, trusted), 'mock-ca')
  assert.equal(caFile.split('/').at(-1), trusted.split('/').at(-1), 'the same file')
  assert.ok('mock-ca' in (compose.volumes as Map))
})

test('ports are published on 127.0.0.1 only and match the services\' ports', () => {
  assert.deepEqual(mock.ports, [`127.0.0.1:${envOf(mock).PORT}:${envOf(mock).PORT}`])
  assert.deepEqual(bot.ports, [`127.0.0.1:${envOf(bot).CALLBACK_PORT}:${envOf(bot).CALLBACK_PORT}`])
  for (const s of Object.values(services)) for (const p of (s.ports as string[] | undefined) ?? []) assert.match(p, /^127\.0\.0\.1:\d+:\d+$/)
})

test('the mock\'s healthcheck uses node against /_mock/health on its port', () => {
  const hc = mock.healthcheck as Map
  const cmd = hc.test as string[]
  assert.deepEqual(cmd.slice(0, 3), ['CMD', 'node', '-e'])
  // Over HTTPS, trusting the CA the mock wrote.
  assert.match(cmd[3], new RegExp(`get\\('https://127\\.0\\.0\\.1:${envOf(mock).PORT}/_mock/health', \\{ ca: require\\('fs'\\)\\.readFileSync\\('${envOf(mock).CA_FILE}'\\) \\}`))
  for (const key of ['interval', 'timeout', 'retries', 'start_period']) assert.ok(hc[key], `healthcheck.${key}`)
})

test('.env.example documents every setting, at its default, with the code\'s description and flag', () => {
  const text = readFileSync('.env.example', 'utf8')
  const variables = [...text.matchAll(/^# ?([A-Z][A-Z0-9_]*)=(.*)$/gm)].map((m) => ({ name: m[1], value: m[2] }))
  assert.deepEqual(variables.map((v) => v.name), SETTINGS.map((s) => s.env), 'the same variables, in the table\'s order')
  for (const s of SETTINGS) {
    const v = variables.find((x) => x.name === s.env)!
    assert.equal(v.value, s.default === undefined ? '' : String(s.default), `${s.env} shows its default`)
    const doc = `# ${s.description}.${s.values ? ` One of: ${s.values.join(', ')}.` : ''} Flag: ${s.flag}\n# ${s.env}=`
    assert.ok(text.includes(doc), `${s.env} is documented as the code describes it:\n${doc}`)
  }
})
