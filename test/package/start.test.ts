import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
// @ts-expect-error a plain ES module script, without types
import { BUILD_INPUTS, BUILD_OUTPUT, staleReason } from '../../scripts/build-if-stale.mjs'

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string>, bin: Record<string, string> }

test('npm ci builds (prepare, which npm also runs for git dependencies); npm start only starts the built CLI', () => {
  assert.equal(pkg.scripts.prepare, 'npm run build')
  assert.equal(pkg.scripts.start, `node ${pkg.bin['graph-calling-mock']}`)
  assert.equal(pkg.scripts.prestart, 'node scripts/build-if-stale.mjs', 'a start rebuilds only when dist/ is stale')
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
