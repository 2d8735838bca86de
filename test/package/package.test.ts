import assert from 'node:assert/strict'
import { execFile, spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, posix } from 'node:path'
import { test } from 'node:test'
import { promisify } from 'node:util'
import setup, { createGlobalSetup, URL_ENV } from '../../src/global-setup.js'
import jestTeardown from '../../src/global-teardown.js'
import { startMock } from '../../src/index.js'
import { CONTAINER_PORT, DEFAULT_IMAGE, type GenericContainerLike, settingsEnv, startMockContainer, type TestcontainersModule } from '../../src/testcontainers.js'
// @ts-expect-error a plain ES module script, without types
import { BUILD_INPUTS, BUILD_OUTPUT, staleReason } from '../../scripts/start.mjs'

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

interface Pkg { scripts: Record<string, string>, license: string, repository: { url: string }, homepage: string, bugs: { url: string }, exports: Record<string, string | Record<string, string>>, bin: Record<string, string>, main: string, types: string, peerDependencies: Record<string, string>, peerDependenciesMeta: Record<string, { optional: boolean }> }
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as Pkg

/** The files `npm publish` would upload, from dist/ as `npm ci` (prepare) built it. */
async function packedFiles (): Promise<Array<{ path: string, size: number }>> {
  assert.ok(existsSync('dist/cli.js'), 'dist/ is built by npm ci (prepare) or npm run build before this test')
  const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { maxBuffer: 16 * 1024 * 1024 })
  return (JSON.parse(stdout) as Array<{ files: Array<{ path: string, size: number }> }>)[0].files
}

test('the tarball has the code, the fixtures, LICENSE and the docs, and no source maps', async () => {
  const files = await packedFiles()
  const paths = new Set(files.map((f) => f.path))
  for (const p of ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'dist/cli.js', 'dist/cli.cjs', 'dist/index.js', 'dist/index.d.ts', 'fixtures/audio/hello.wav', 'fixtures/scenarios/press-pound.json']) {
    assert.ok(paths.has(p), `the package has ${p}`)
  }
  assert.deepEqual([...paths].filter((p) => p.endsWith('.map')), [], 'no source maps (dist/cli.cjs.map alone was 3.7 MB)')
  assert.deepEqual([...paths].filter((p) => /^(src|test|bench|scripts)\//.test(p)), [], 'no sources, tests or build scripts')
  // Every entry point package.json names is in the package.
  const targets = [pkg.main, pkg.types, ...Object.values(pkg.bin), ...Object.values(pkg.exports).flatMap((e) => typeof e === 'string' ? [e] : Object.values(e))]
  for (const target of targets) assert.ok(paths.has(posix.normalize(target)), `${target} is packed`)
})

test('every relative link in the README is to a file in the package (npm\'s page resolves them against the repository)', async () => {
  const paths = new Set((await packedFiles()).map((f) => f.path))
  const readme = readFileSync('README.md', 'utf8')
  const links = [...readme.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)].map((m) => m[1]).filter((l) => !/^[a-z]+:/.test(l))
  assert.ok(links.length > 3, 'the README links to docs/')
  for (const link of links) {
    const path = posix.normalize(link).replace(/\/$/, '')
    assert.ok(paths.has(path) || [...paths].some((p) => p.startsWith(`${path}/`)), `README links to ${link}, which the package has`)
  }
})

test('publish metadata: MIT in both places, the repository, homepage and issues, testcontainers an optional peer', () => {
  assert.equal(pkg.license, 'MIT')
  assert.match(readFileSync('LICENSE', 'utf8'), /^MIT License\n/)
  assert.match(pkg.repository.url, /^git\+https:\/\/github\.com\/([\w-]+)\/graph-calling-mock\.git$/)
  assert.ok(pkg.homepage.startsWith(pkg.repository.url.slice(4, -4)))
  assert.equal(pkg.bugs.url, `${pkg.repository.url.slice(4, -4)}/issues`)
  assert.ok(pkg.peerDependencies.testcontainers)
  assert.deepEqual(pkg.peerDependenciesMeta.testcontainers, { optional: true })
  const changelog = readFileSync('CHANGELOG.md', 'utf8')
  assert.match(changelog, /Semantic Versioning/)
  for (const surface of ['CLI flags', 'settings', 'control API', 'types']) assert.ok(changelog.includes(surface), `the versioning policy covers ${surface}`)
})

// GitHub Actions cannot run here: the workflow's text is checked for what a release must do.
const workflow = readFileSync('.github/workflows/release.yml', 'utf8')
const job = (name: string): string => {
  const start = workflow.indexOf(`\n  ${name}:\n`)
  assert.ok(start > 0, `the workflow has a ${name} job`)
  const next = workflow.slice(start + 1).search(/\n {2}[\w-]+:\n/)
  return next < 0 ? workflow.slice(start) : workflow.slice(start, start + 1 + next)
}

test('a v* tag runs the tests on Node 20 and newer, then publishes to npm with provenance', () => {
  assert.match(workflow, /\non:\n {2}push:\n {4}tags: \['v\*'\]\n/)
  const tests = job('test')
  assert.match(tests, /node: \[20, /, 'the oldest Node line package.json\'s engines allow')
  assert.match(tests, /run: npm ci\n[\s\S]*run: npm test\n[\s\S]*run: npm run test:install\n/)
  const npm = job('npm')
  assert.match(npm, /needs: test\n/)
  assert.match(npm, /id-token: write/)
  assert.match(npm, /npm publish --provenance --access public/)
  assert.match(npm, /require\("\.\/package\.json"\)\.version'\)" = "\$GITHUB_REF_NAME"/, 'the tag must match the version')
})

test('the image is built from the runtime target for amd64 and arm64 and pushed to GHCR under the name the package uses', () => {
  const image = job('image')
  assert.match(image, /needs: test\n/)
  assert.match(image, /packages: write/)
  assert.match(image, /registry: ghcr\.io/)
  assert.match(image, /target: runtime/)
  assert.match(image, /platforms: linux\/amd64,linux\/arm64/)
  assert.match(image, /push: true/)
  assert.match(image, /images: ghcr\.io\/\$\{\{ github\.repository \}\}/)
  const repository = (JSON.parse(readFileSync('package.json', 'utf8')) as { repository: { url: string } }).repository.url
  const owner = /github\.com\/([\w-]+\/[\w-]+)\.git$/.exec(repository)?.[1]
  assert.match(readFileSync('src/testcontainers.ts', 'utf8'), new RegExp(`ghcr\\.io/${owner}:\\$\\{VERSION\\}`), 'startMockContainer pulls the image this workflow pushes')
})

test('npm ci builds (prepare, which npm also runs for git dependencies); npm start only starts the built CLI', () => {
  assert.equal(pkg.scripts.prepare, 'npm run build')
  assert.equal(pkg.scripts.start, 'node scripts/start.mjs', 'rebuilds only when dist/ is stale, then runs the bin in the same process')
  assert.equal(pkg.scripts.prestart, undefined, 'no build, and no second process, before a start')
  assert.equal(pkg.scripts.prepack, undefined, 'npm pack runs prepare already: a prepack build would build twice')
})

test('dist/ is stale when missing or older than any build input, and fresh otherwise', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'gcm-stale-'))
  t.after(() => { rmSync(root, { recursive: true, force: true }) })
  const at = (path: string, seconds: number, text = 'x'): void => {
    mkdirSync(join(root, path, '..'), { recursive: true })
    writeFileSync(join(root, path), text)
    utimesSync(join(root, path), seconds, seconds)
  }
  at('src/engine/deep/a.ts', 1000)
  at('package-lock.json', 1000)
  // A folder's time counts too (a source file deleted or added): these were made now.
  for (const dir of ['src/engine/deep', 'src/engine', 'src']) utimesSync(join(root, dir), 1000, 1000)
  assert.equal(staleReason(root), `${BUILD_OUTPUT as string} is missing`)

  at(BUILD_OUTPUT as string, 2000)
  assert.equal(staleReason(root), undefined, 'built after every input; inputs an install lacks (scripts/, tsconfig) are skipped')

  at('src/engine/deep/a.ts', 3000)
  assert.equal(staleReason(root), 'src changed since the last build', 'a file deep in src/ counts')
  at(BUILD_OUTPUT as string, 4000)
  at('tsconfig.build.json', 5000)
  assert.equal(staleReason(root), 'tsconfig.build.json changed since the last build')
  assert.ok((BUILD_INPUTS as string[]).every((input) => input === 'src' || readFileSync(input).length > 0), 'every input named exists in this repository')
})

test('scripts/start.mjs runs dist/cli.js in its own process with the flags given, building first only when stale', async (t) => {
  // A package of the same shape whose "build" and "CLI" only say that they ran.
  const root = mkdtempSync(join(tmpdir(), 'gcm-start-'))
  t.after(() => { rmSync(root, { recursive: true, force: true }) })
  mkdirSync(join(root, 'scripts'))
  copyFileSync('scripts/start.mjs', join(root, 'scripts/start.mjs'))
  writeFileSync(join(root, 'package.json'), JSON.stringify({ type: 'module', scripts: { build: 'node -e "require(\'fs\').writeFileSync(\'dist/cli.cjs\', \'\'); console.error(\'BUILT\')"' } }))
  mkdirSync(join(root, 'src'))
  writeFileSync(join(root, 'src/a.ts'), '')
  mkdirSync(join(root, 'dist'))
  writeFileSync(join(root, 'dist/cli.js'), 'console.log(JSON.stringify({ args: process.argv.slice(2), pid: process.pid }))\n')
  const start = (): { out: { args: string[], pid: number }, pid: number, stderr: string } => {
    const r = spawnSync(process.execPath, [join(root, 'scripts/start.mjs'), '--port', '0'], { cwd: root, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } })
    assert.equal(r.status, 0, r.stderr)
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { args: string[], pid: number }
    return { out, pid: r.pid!, stderr: r.stderr }
  }

  const stale = start()
  assert.match(stale.stderr, /dist\/cli\.cjs is missing; running npm run build/)
  assert.match(stale.stderr, /BUILT/)
  assert.deepEqual(stale.out.args, ['--port', '0'])
  assert.equal(stale.out.pid, stale.pid, 'the CLI runs in the start script\'s process')

  const fresh = start()
  assert.doesNotMatch(fresh.stderr, /BUILT/, 'built already: no build')
  assert.deepEqual(fresh.out.args, ['--port', '0'])
})

/**
 * Docker cannot run here: a stand-in for testcontainers records what the module asks of it, and its
 * "container" is an in-process mock on the host port the module chose, as Docker would publish it.
 */
function fakeTestcontainers () {
  const seen = { image: '', ports: [] as unknown[], env: {} as Record<string, string>, wait: [] as unknown[], timeout: 0, stopped: 0 }
  class GenericContainer implements GenericContainerLike {
    constructor (image: string) { seen.image = image }
    withExposedPorts (...ports: unknown[]) { seen.ports = ports; return this }
    withEnvironment (env: Record<string, string>) { seen.env = env; return this }
    withWaitStrategy (strategy: unknown) { seen.wait.push(strategy); return this }
    withStartupTimeout (ms: number) { seen.timeout = ms; return this }
    async start () {
      // A bare container port is published on a port Docker picks: here, any free one.
      const binding = seen.ports[0] as number | { container: number, host: number }
      const mock = await startMock({ port: typeof binding === 'number' ? 0 : binding.host, publicBaseUrl: seen.env.PUBLIC_BASE_URL, clock: seen.env.CLOCK as 'manual' })
      return {
        getHost: () => 'localhost',
        getMappedPort: (port: number) => { assert.equal(port, CONTAINER_PORT); return mock.port },
        stop: async () => { seen.stopped++; await mock.close() }
      }
    }
  }
  const Wait = { forHttp: (path: string, port: number) => ({ forStatusCode: (status: number) => ({ path, port, status }) }) }
  return { module: { GenericContainer, Wait } satisfies TestcontainersModule, seen }
}

test('startMockContainer starts the image, waits on /_mock/health, and returns a working url, control client and stop', async (t) => {
  const { module, seen } = fakeTestcontainers()
  const mock = await startMockContainer({ testcontainers: module, settings: { clock: 'manual', timeScale: 0.5 } })
  t.after(mock.stop)
  assert.equal(seen.image, DEFAULT_IMAGE)
  const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version
  assert.equal(DEFAULT_IMAGE, `ghcr.io/graph-calling-mock/graph-calling-mock:${version}`, 'the image the release workflow tags for this version')
  assert.deepEqual(seen.wait, [{ path: '/_mock/health', port: CONTAINER_PORT, status: 200 }])
  assert.equal(seen.timeout, 60_000)
  const [binding] = seen.ports as Array<{ container: number, host: number }>
  assert.equal(binding.container, CONTAINER_PORT)
  assert.deepEqual(seen.env, { CLOCK: 'manual', TIME_SCALE: '0.5', PUBLIC_BASE_URL: `http://localhost:${binding.host}` })

  assert.equal(mock.url, `http://localhost:${binding.host}`)
  assert.deepEqual(await mock.control.health(), { status: 'ok' })
  assert.equal((await mock.control.getClock()).mode, 'manual')
  // Links the mock hands out point where the test process reaches it.
  const created = await fetch(`${mock.url}/v1.0/communications/calls`, {
    method: 'POST',
    headers: { authorization: 'Bearer t', 'content-type': 'application/json' },
    body: JSON.stringify({ callbackUri: `${mock.url}/_mock/callback-sink`, targets: [{ identity: { user: { id: 'u' } } }], requestedModalities: ['audio'], mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' } })
  })
  assert.equal(created.status, 201, await created.clone().text())
  assert.ok(created.headers.get('location')?.startsWith(`${mock.url}/`), String(created.headers.get('location')))

  await mock.stop()
  await mock.stop()
  assert.equal(seen.stopped, 1, 'stop is safe to call twice')
})

test('an explicit publicBaseUrl (a bot in another container) leaves the port to Docker', async (t) => {
  const { module, seen } = fakeTestcontainers()
  const mock = await startMockContainer({ testcontainers: module, image: 'graph-calling-mock:dev', settings: { publicBaseUrl: 'http://mock:4000' } })
  t.after(mock.stop)
  assert.equal(seen.image, 'graph-calling-mock:dev')
  assert.deepEqual(seen.ports, [CONTAINER_PORT])
  assert.deepEqual(seen.env, { PUBLIC_BASE_URL: 'http://mock:4000' })
  assert.deepEqual(await mock.control.health(), { status: 'ok' })
})

test('settings become the image\'s variables; port, host and unknown names are refused', () => {
  assert.deepEqual(settingsEnv({ auth: 'strict', maxEndedCalls: 10, callbackUrl: undefined }), { AUTH: 'strict', MAX_ENDED_CALLS: '10' })
  assert.throws(() => settingsEnv({ port: 1 } as never), /port is not a setting the container takes/)
  assert.throws(() => settingsEnv({ colour: 'red' } as never), /colour is not a setting/)
})

test('without the testcontainers package installed, the error says what to install', { skip: canResolve('testcontainers') && 'testcontainers is installed here' }, async () => {
  await assert.rejects(startMockContainer(), /npm install --save-dev testcontainers/)
})

function canResolve (name: string): boolean {
  try { import.meta.resolve(name); return true } catch { return false }
}
