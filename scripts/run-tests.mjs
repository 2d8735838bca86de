// Runs every test/**/*.test.ts with Node's test runner (Node 20's --test takes no globs).
// Extra arguments narrow the run to files whose path contains one of them: npm test -- media
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'

const filters = process.argv.slice(2)
const files = readdirSync('test', { recursive: true })
  .map((f) => join('test', String(f)))
  .filter((f) => f.endsWith('.test.ts') && (filters.length === 0 || filters.some((x) => f.includes(x))))
  .sort()
if (files.length === 0) {
  console.error(`No test files match ${filters.join(', ')}`)
  process.exit(1)
}
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files], { stdio: 'inherit' })
process.exit(result.status ?? 1)
