/**
 * Cold start: from spawn() to the first 200 on GET /_mock/health, for the mock's CLI as `npm start` runs it
 * (dist/cli.js, one bundled file; its defaults) and for bare Fastify 5 with the same route, alternating,
 * median of 5 each: `node --import tsx bench/cold-start.ts [runs]`. A third row starts the CLI as tsc
 * compiles it, one file per module: what bundling saves.
 *
 * The port is chosen beforehand and /_mock/health polled every 2 ms, so nothing depends on log lines.
 */
import { spawn } from 'node:child_process'
import { request } from 'node:http'
import { cleanEnv, ensureBuilt, f0, f2, freePort, HOST, isMain, median, ROOT, sleep, table, track, watchdog } from './lib.js'

export interface ColdStartResult { runs: number, mockMs: number[], bareMs: number[], unbundledMs: number[], mockMedian: number, bareMedian: number, unbundledMedian: number, ratio: number }

export async function healthy (port: number): Promise<boolean> {
  return await new Promise<boolean>((resolve) => {
    const req = request({ host: HOST, port, path: '/_mock/health', agent: false }, (res) => { res.resume(); resolve(res.statusCode === 200) })
    req.on('error', () => resolve(false))
    req.end()
  })
}

/** Milliseconds from spawn to the first 200; the process is killed afterwards. */
async function startToHealthy (script: string, args: string[], env: Record<string, string>, port: number): Promise<number> {
  const started = performance.now()
  const proc = track(spawn(process.execPath, [script, ...args], { cwd: ROOT, env: { ...cleanEnv(), ...env }, stdio: 'ignore' }))
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()))
  try {
    for (;;) {
      if (await healthy(port)) return performance.now() - started
      if (proc.exitCode !== null) throw new Error(`${script} exited with ${proc.exitCode}`)
      if (performance.now() - started > 20_000) throw new Error(`${script}: no 200 within 20 s`)
      await sleep(2)
    }
  } finally {
    proc.kill('SIGKILL')
    await exited
  }
}

export async function runColdStart (runs = 5): Promise<ColdStartResult> {
  const { cli, cliUnbundled, bare } = ensureBuilt()
  const mockMs: number[] = []
  const bareMs: number[] = []
  const unbundledMs: number[] = []
  // One of each, unmeasured: the first start after a build also pays for the disk cache.
  const warm = await freePort()
  await startToHealthy(cli, ['--port', String(warm)], {}, warm)
  for (let i = 0; i < runs; i++) {
    const p1 = await freePort()
    bareMs.push(await startToHealthy(bare, [], { BARE_PORT: String(p1) }, p1))
    const p2 = await freePort()
    mockMs.push(await startToHealthy(cli, ['--port', String(p2)], {}, p2))
    const p3 = await freePort()
    unbundledMs.push(await startToHealthy(cliUnbundled, ['--port', String(p3)], {}, p3))
  }
  const mockMedian = median(mockMs)
  const bareMedian = median(bareMs)
  return { runs, mockMs, bareMs, unbundledMs, mockMedian, bareMedian, unbundledMedian: median(unbundledMs), ratio: mockMedian / bareMedian }
}

export function printColdStart (r: ColdStartResult): void {
  console.log(`cold start: spawn to first 200 on /_mock/health, ${r.runs} runs each, alternating\n`)
  const rows = [
    ['server', 'median ms', 'runs ms'],
    ['bare Fastify', f0(r.bareMedian), r.bareMs.map(f0).join(' / ')],
    ['mock (dist/cli.js bundle, npm start)', f0(r.mockMedian), r.mockMs.map(f0).join(' / ')],
    ['mock unbundled (tsc output)', f0(r.unbundledMedian), r.unbundledMs.map(f0).join(' / ')]
  ]
  console.log(table(rows))
  console.log(`\nmock / bare: ${f2(r.ratio)}x; mock median ${f0(r.mockMedian)} ms (goal <= 250 ms: ${r.mockMedian <= 250 ? 'met' : 'NOT met'})`)
}

if (isMain(import.meta.url)) {
  watchdog('bench/cold-start', 5 * 60_000)
  runColdStart(Number(process.argv[2] ?? 5)).then((r) => {
    printColdStart(r)
    console.log(JSON.stringify(r))
  }).catch((err: unknown) => { console.error(err); process.exitCode = 1 })
}
