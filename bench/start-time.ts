/**
 * Start time of `npm start` on a fresh clone: `git clone` of this repository's HEAD, `npm ci` (which builds,
 * through `prepare`), then, alternating, from spawn to the first 200 on /_mock/health:
 *   - `npm start -- --port P` (prestart checks dist/ is up to date, then node dist/cli.js),
 *   - `node dist/cli.js --port P`,
 * and `npm run env`, which is npm's own start-up (reading its config and the package) with nothing to run.
 * Goal (issue 18): npm start, less npm's own start-up, within 1.5x of node dist/cli.js.
 * `node --import tsx bench/start-time.ts [runs]` (default 5). Commits only: the clone has HEAD, not the
 * working tree.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { healthy } from './cold-start.js'
import { cleanEnv, f0, f2, freePort, isMain, median, ROOT, sleep, table, watchdog } from './lib.js'

export interface StartTimeResult {
  runs: number
  commit: string
  /** npm ci on the fresh clone, build included (one run; the npm cache is warm). */
  installMs: number
  npmStartMs: number[]
  nodeMs: number[]
  npmOwnMs: number[]
  ratio: number
}

/** Without the mock's settings, and without an outer `npm run bench`'s npm_* variables. */
function env (): Record<string, string> {
  return Object.fromEntries(Object.entries(cleanEnv()).filter(([k]) => !k.startsWith('npm_')))
}

const groups = new Set<ChildProcess>()
process.on('exit', () => { for (const p of groups) killGroup(p) })
function killGroup (proc: ChildProcess): void {
  try { process.kill(-proc.pid!, 'SIGKILL') } catch { /* gone already */ }
}

/** Milliseconds from spawn to the first 200; the command runs in its own process group, killed afterwards. */
async function toHealthy (command: string, args: string[], cwd: string, port: number): Promise<number> {
  const started = performance.now()
  // Detached: npm runs sh, which runs node; killing the group stops all three.
  const proc = spawn(command, args, { cwd, env: env(), stdio: 'ignore', detached: true })
  groups.add(proc)
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()))
  try {
    for (;;) {
      if (await healthy(port)) return performance.now() - started
      if (proc.exitCode !== null) throw new Error(`${command} ${args.join(' ')} exited with ${proc.exitCode}`)
      if (performance.now() - started > 60_000) throw new Error(`${command} ${args.join(' ')}: no 200 within 60 s`)
      await sleep(2)
    }
  } finally {
    killGroup(proc)
    groups.delete(proc)
    await exited
  }
}

function timed (command: string, args: string[], cwd: string): number {
  const started = performance.now()
  const r = spawnSync(command, args, { cwd, env: env(), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${r.stderr}`)
  return performance.now() - started
}

export async function runStartTime (runs = 5): Promise<StartTimeResult> {
  const dir = mkdtempSync(join(tmpdir(), 'gcm-start-time-'))
  try {
    const clone = join(dir, 'clone')
    timed('git', ['clone', '-q', ROOT, clone], ROOT)
    const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: clone, encoding: 'utf8' }).stdout.trim()
    const installMs = timed('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund'], clone)
    const npmStartMs: number[] = []
    const nodeMs: number[] = []
    const npmOwnMs: number[] = []
    // One of each, unmeasured: the first start after the build also pays for the disk cache.
    const warm = await freePort()
    await toHealthy('npm', ['start', '--', '--port', String(warm)], clone, warm)
    for (let i = 0; i < runs; i++) {
      const p1 = await freePort()
      npmStartMs.push(await toHealthy('npm', ['start', '--', '--port', String(p1)], clone, p1))
      const p2 = await freePort()
      nodeMs.push(await toHealthy(process.execPath, ['dist/cli.js', '--port', String(p2)], clone, p2))
      npmOwnMs.push(timed('npm', ['run', 'env'], clone))
    }
    const ratio = (median(npmStartMs) - median(npmOwnMs)) / median(nodeMs)
    return { runs, commit, installMs, npmStartMs, nodeMs, npmOwnMs, ratio }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

export function printStartTime (r: StartTimeResult): void {
  console.log(`start time on a fresh clone of ${r.commit}: npm ci (with the build) took ${f0(r.installMs)} ms; spawn to first 200 on /_mock/health, ${r.runs} runs each, alternating\n`)
  console.log(table([
    ['command', 'median ms', 'runs ms'],
    ['npm start', f0(median(r.npmStartMs)), r.npmStartMs.map(f0).join(' / ')],
    ['node dist/cli.js', f0(median(r.nodeMs)), r.nodeMs.map(f0).join(' / ')],
    ['npm run env (npm\'s own start-up)', f0(median(r.npmOwnMs)), r.npmOwnMs.map(f0).join(' / ')]
  ]))
  console.log(`\n(npm start - npm's own start-up) / node dist/cli.js: ${f2(r.ratio)}x (goal <= 1.5x: ${r.ratio <= 1.5 ? 'met' : 'NOT met'})`)
}

if (isMain(import.meta.url)) {
  watchdog('bench/start-time', 10 * 60_000)
  runStartTime(Number(process.argv[2] ?? 5)).then((r) => {
    printStartTime(r)
    console.log(JSON.stringify(r))
  }).catch((err: unknown) => { console.error(err); process.exitCode = 1 })
}
