import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'

// Inside node_modules, so the bundle resolves the packages it leaves out (as dist/ does in the repository).
const CACHE_ROOT = join('node_modules', '.cache')

function helpOf (launcher: string): { status: number | null, stdout: string, stderr: string } {
  const r = spawnSync(process.execPath, [launcher, '--help'], { encoding: 'utf8' })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

test('the bundled CLI runs from its code cache, and a missing or foreign cache is replaced, never fatal', (t) => {
  mkdirSync(CACHE_ROOT, { recursive: true })
  const dir = mkdtempSync(join(CACHE_ROOT, 'launcher-test-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const launcher = join(dir, 'cli.js')
  const build = spawnSync(process.execPath, ['scripts/bundle-cli.mjs', launcher], { encoding: 'utf8' })
  assert.equal(build.status, 0, build.stderr)
  const cache = join(dir, 'cli.cjs.cache')
  assert.ok(existsSync(join(dir, 'cli.cjs')) && existsSync(cache), 'the build writes the bundle and its code cache')
  const built = readFileSync(cache)

  const ok = helpOf(launcher)
  assert.equal(ok.status, 0, ok.stderr)
  assert.match(ok.stdout, /graph-calling-mock/)
  assert.ok(readFileSync(cache).equals(built), 'an accepted cache is left as it is')

  // What another Node version's cache looks like to V8: data it rejects.
  writeFileSync(cache, Buffer.from('not a V8 code cache'))
  const foreign = helpOf(launcher)
  assert.equal(foreign.status, 0, foreign.stderr)
  assert.equal(foreign.stdout, ok.stdout)
  assert.ok(readFileSync(cache).length > 1000, 'a rejected cache is rewritten')

  rmSync(cache)
  const none = helpOf(launcher)
  assert.equal(none.status, 0, none.stderr)
  assert.ok(existsSync(cache), 'a missing cache is written')
})
