// Runs test/**/*.test.ts with Node's test runner (Node 20's --test takes no globs).
//   node scripts/run-tests.mjs            every test but the install tests (npm test)
//   node scripts/run-tests.mjs --install  only the install tests (npm run test:install)
//   node scripts/run-tests.mjs media      files whose path contains one of the words, install tests included
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'
import { staleReason } from './start.mjs'

/**
 * Tests that install the package from scratch in temp folders, as Docker's build and a git dependency do:
 * each is an npm install and a full build, about a minute of CPU, more than a third of the rest of the
 * suite together. They have their own command, which CI runs after `npm test`.
 */
const INSTALL_TESTS = ['test/docker/build-steps.test.ts', 'test/package/git-install.test.ts']

const args = process.argv.slice(2)
const installOnly = args.includes('--install')
const filters = args.filter((a) => a !== '--install')

// The tests run the CLI as it ships (dist/); a clone whose src/ changed since the last build rebuilds first.
const stale = staleReason(process.cwd())
if (stale !== undefined) {
  console.error(`${stale}; running npm run build before the tests`)
  const build = spawnSync('npm', ['run', 'build'], { stdio: 'inherit' })
  if (build.status !== 0) process.exit(build.status ?? 1)
}

const files = readdirSync('test', { recursive: true })
  .map((f) => join('test', String(f)))
  .filter((f) => f.endsWith('.test.ts'))
  .filter((f) => filters.length > 0 ? filters.some((x) => f.includes(x)) : installOnly === INSTALL_TESTS.includes(f))
  .sort()
if (files.length === 0) {
  console.error(`No test files match ${filters.join(', ')}`)
  process.exit(1)
}
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files], { stdio: 'inherit' })
process.exit(result.status ?? 1)
