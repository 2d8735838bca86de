/**
 * Every benchmark, then a summary: `npm run bench` (a few minutes; not part of npm test).
 * BENCH_ONLY=throughput,cold-start,start-time,manual-clock,scale,recording runs some of them. Each is also runnable
 * alone (see its header). Goals are those of issue 6; docs/benchmarks.md has the numbers and what they mean.
 */
import { spawnSync } from 'node:child_process'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import { printColdStart, runColdStart, type ColdStartResult } from './cold-start.js'
import { f0, f1, f2, median, ROOT, table, watchdog } from './lib.js'
import { printManualClock, runManualClock, type ManualClockResult } from './manual-clock.js'
import { DEFAULT_SIZES, printScale, runScale, tenThousand, type ScaleResult } from './scale.js'
import { printStartTime, runStartTime, type StartTimeResult } from './start-time.js'
import { printThroughput, runThroughput, type ThroughputResult } from './throughput.js'

const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim()).filter(Boolean)
const wanted = (name: string): boolean => only === undefined || only.includes(name)

async function main (): Promise<void> {
  watchdog('bench/run', 30 * 60_000)
  const started = Date.now()
  console.log(`node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), load average ${loadavg().map(f1).join(' ')}\n`)
  const rows: string[][] = [['benchmark', 'result', 'baseline (same run)', 'goal', 'met']]
  const verdict = (ok: boolean): string => ok ? 'yes' : 'NO'

  let throughput: ThroughputResult | undefined
  if (wanted('throughput')) {
    throughput = await runThroughput()
    printThroughput(throughput)
    const mock = throughput.servers['mock recordResponse']
    const bare = throughput.servers['bare Fastify']
    rows.push(['throughput, recordResponse', `${f0(median(mock.rps))} req/s, p50 ${f1(median(mock.p50))} / p99 ${f1(median(mock.p99))} ms`, `${f0(median(bare.rps))} req/s bare Fastify: ${f2(throughput.ratio)}x (CPU/req: ${f2(throughput.cpuRatio)}x; with LOG_LEVEL=warn: ${f2(throughput.ratioWithoutLines)}x)`, '>= 0.5x', verdict(throughput.ratio >= 0.5)])
    console.log('\n')
  }
  let cold: ColdStartResult | undefined
  if (wanted('cold-start')) {
    cold = await runColdStart()
    printColdStart(cold)
    rows.push(['cold start to first 200', `${f0(cold.mockMedian)} ms (median of ${cold.runs})`, `${f0(cold.bareMedian)} ms bare Fastify: ${f2(cold.ratio)}x`, '<= 250 ms', verdict(cold.mockMedian <= 250)])
    console.log('\n')
  }
  let start: StartTimeResult | undefined
  if (wanted('start-time')) {
    start = await runStartTime()
    printStartTime(start)
    rows.push(['npm start on a fresh clone, to first 200', `${f0(median(start.npmStartMs))} ms (npm's own start-up ${f0(median(start.npmOwnMs))} ms)`, `${f0(median(start.nodeMs))} ms node dist/cli.js: ${f2(start.ratio)}x without npm's own`, '<= 1.5x', verdict(start.ratio <= 1.5)])
    console.log('\n')
  }
  const manual: ManualClockResult[] = []
  if (wanted('manual-clock')) {
    for (const via of ['inject', 'http'] as const) {
      const r = await runManualClock(1000, via)
      manual.push(r)
      printManualClock(r)
      rows.push([`manual clock, 1000 flows (${via})`, `${f0(r.mockMs)} ms`, `${f0(r.baselineMs)} ms bare Fastify: ${f2(r.ratio)}x`, '<= 3000 ms', verdict(r.mockMs <= 3000)])
      console.log('\n')
    }
  }
  const scale: ScaleResult[] = []
  if (wanted('scale')) {
    for (const n of DEFAULT_SIZES) scale.push(await runScale(n))
    printScale(scale)
    const big = tenThousand(scale)!
    const idle = f0(median(scale.map((r) => r.rssIdleMb)))
    rows.push([`10,000 calls (${big.runs} runs): completions`, big.allDelivered ? 'all delivered' : 'some missing', '', 'all', verdict(big.allDelivered)])
    rows.push(['10,000 calls: peak RSS', `${f0(big.peakRssMb)} MB (highest run)`, `idle mock ${idle} MB`, '<= 300 MB', verdict(big.peakRssMb <= 300)])
    rows.push(['10,000 calls: completion lateness p99', `${f1(big.deliveryP99)} ms at the bot, median run (${big.deliveryP99s.map(f1).join(' / ')}); timer ${f1(big.timerP99)} ms`, '', '<= 50 ms', verdict(big.deliveryP99 <= 50)])
    const small = scale[0]
    const last = scale.at(-1)!
    rows.push(['1,000 -> 10,000 calls', `peak RSS ${f0(small.rssPeakMb)} -> ${f0(last.rssPeakMb)} MB, lateness p99 ${f1(small.deliveryLatenessMs.p99)} -> ${f1(last.deliveryLatenessMs.p99)} ms`, '', '', ''])
    console.log('\n')
  }
  if (wanted('recording')) {
    // The recordings benchmark (its own file, its own output); only its summary line is read here.
    const res = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'recording.ts'), '3'], { cwd: ROOT, encoding: 'utf8', timeout: 180_000 })
    process.stdout.write(res.stdout)
    const last = res.stdout.trim().split('\n').at(-1) ?? '{}'
    try {
      const j = JSON.parse(last) as Record<string, { median?: number }>
      const cold = Object.entries(j).find(([k]) => k.includes('first GET'))?.[1]?.median
      if (cold !== undefined) rows.push(['120 s recording, first GET', `${f0(cold)} ms (median)`, '', '', ''])
    } catch { /* not JSON: its output above says why */ }
    console.log('\n')
  }

  console.log(`summary (${f0((Date.now() - started) / 1000)} s)\n`)
  console.log(table(rows))
  console.log('\n' + JSON.stringify({ throughput, cold, start, manual, scale }))
}

main().catch((err: unknown) => { console.error(err); process.exitCode = 1 })
