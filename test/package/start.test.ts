import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
// @ts-expect-error a plain ES module script, without types
import { BUILD_INPUTS, BUILD_OUTPUT, staleReason } from '../../scripts/start.mjs'

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string>, bin: Record<string, string> }

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
