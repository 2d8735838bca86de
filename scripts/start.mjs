// `npm start`: runs the built CLI, dist/cli.js, in this process. `npm ci` (through `prepare`) built dist/
// already, so a start only rebuilds when a build input is newer than the bundle, as after editing src/ in
// a clone. Statting the inputs takes a few milliseconds; a build takes ten seconds or more; a separate
// prestart script would cost a shell and a second Node start-up (docs/benchmarks.md, "Start time").
// Usage: node scripts/start.mjs [graph-calling-mock flags]
import { spawnSync } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

/** What `npm run build` reads: a change to any of them makes dist/ stale. */
export const BUILD_INPUTS = ['src', 'scripts/bundle-cli.mjs', 'scripts/cli-launcher.mjs', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json']
/** The bundle: esbuild writes it only after tsc has compiled, so a failed build leaves it old. */
export const BUILD_OUTPUT = 'dist/cli.cjs'

function newestMtime (path) {
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  return readdirSync(path).reduce((newest, entry) => Math.max(newest, newestMtime(join(path, entry))), stat.mtimeMs)
}

/** Why dist/ in `root` must be rebuilt, or undefined when it is up to date. */
export function staleReason (root) {
  let built
  try { built = statSync(join(root, BUILD_OUTPUT)).mtimeMs } catch { return `${BUILD_OUTPUT} is missing` }
  for (const input of BUILD_INPUTS) {
    let mtime
    try { mtime = newestMtime(join(root, input)) } catch { continue } // an input an install does not have
    if (mtime > built) return `${input} changed since the last build`
  }
  return undefined
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = fileURLToPath(new URL('..', import.meta.url))
  const reason = staleReason(root)
  if (reason !== undefined) {
    console.error(`graph-calling-mock: ${reason}; running npm run build`)
    const build = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' })
    if (build.status !== 0) process.exit(build.status ?? 1)
  }
  // The CLI reads its flags from process.argv, which are this script's.
  await import(pathToFileURL(join(root, 'dist', 'cli.js')).href)
}
