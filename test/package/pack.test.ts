import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { posix } from 'node:path'
import { test } from 'node:test'
import { promisify } from 'node:util'

const run = promisify(execFile)
interface Pkg { license: string, repository: { url: string }, homepage: string, bugs: { url: string }, exports: Record<string, string | Record<string, string>>, bin: Record<string, string>, main: string, types: string, peerDependencies: Record<string, string>, peerDependenciesMeta: Record<string, { optional: boolean }> }
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
