/**
 * Many simultaneous calls on the real clock: `node --import tsx bench/scale.ts [calls ...]` (default 1000 3000
 * 10000 10000 10000, each in a fresh mock process).
 *
 * For N calls: the mock runs compiled as a child process (defaults, LOG_LEVEL=info to a file, TIME_SCALE
 * 0.1) with a sink bot in this process. Phase 1 rings and answers all N calls (three notifications each).
 * Phase 2 starts one recordResponse per call at a steady 2,000 a second; each caller is silent 200 ms,
 * speaks 59.8 s and presses #, so every operation ends 60 virtual s (6 real s) after it started: all N
 * record at once, then complete at the rate they started. Measured:
 * - completions: `deleted` operation notifications the bot received (all N must arrive);
 * - RSS: idle, after phase 1, and the peak (VmHWM) of the mock process;
 * - lateness of each completion against its scheduled virtual time, two ways, both from outside: the
 *   operation's endedAtMs - (startedAtMs + 60,000) from GET /_mock/calls (how late the timer fired), and
 *   the bot's receive time - the scheduled time on the wall clock (what a bot sees, delivery included).
 * The baseline, started in the same run, is the idle mock: RSS growth is measured from it.
 * BENCH_DEBUG=1 also prints the timer lateness by quarter second (one stall or a steady load?).
 */
import { answerBody, AUTH, ensureBuilt, f0, f1, f2, httpClient, isMain, median, pool, sleep, startServer, startSink, stats, table, wallNow, waitUntil, watchdog, type Stats } from './lib.js'

export const TIME_SCALE = 0.1
const SILENCE_MS = 200
const SPEECH_MS = 59_800
/** Virtual ms from the operation's start to its completion (no prompt, no beep, then '#'). */
export const EXPECTED_VIRTUAL_MS = SILENCE_MS + SPEECH_MS
const START_RATE = 2000
const SCRIPT = { responses: [{ actions: [{ silence: SILENCE_MS }, { speech: SPEECH_MS }, { tone: '#' }] }] }
const RECORD = { stopTones: ['#'], playBeep: false, maxRecordDurationInSeconds: 120, initialSilenceTimeoutInSeconds: 5, maxSilenceTimeoutInSeconds: 5 }

/** 10,000 three times: a single stall (another process, a GC) can move one run's p99 a lot. */
export const DEFAULT_SIZES = [1000, 3000, 10_000, 10_000, 10_000]

export interface ScaleResult {
  calls: number
  timeScale: number
  setupSeconds: number
  startSeconds: number
  completions: number
  otherNotifications: number
  rssIdleMb: number
  rssAnsweredMb: number
  rssPeakMb: number
  /** (peak - idle) / calls, in KB. */
  kbPerCall: number
  timerLatenessMs: Stats
  deliveryLatenessMs: Stats
  recordResponseMs: Stats
  /** The mock's notification journal and clock afterwards. */
  journalEntries: number
  pendingEvents: number
}

export async function runScale (calls: number): Promise<ScaleResult> {
  const { cli } = ensureBuilt()
  // opId -> bot receive time of its `deleted` notification.
  const completedAt = new Map<string, number>()
  let otherNotifications = 0
  const sink = await startSink((body: { value: Array<{ changeType: string, resourceUrl: string }> }) => {
    for (const n of body.value) {
      const m = /\/operations\/([^/]+)$/.exec(n.resourceUrl)
      if (m && n.changeType === 'deleted') completedAt.set(m[1], wallNow())
      else otherNotifications++
    }
  })
  const mock = await startServer(cli, { name: `scale-${calls}`, args: ['--port', '0', '--time-scale', String(TIME_SCALE)] })
  let peakSampler: NodeJS.Timeout | undefined
  try {
    const client = httpClient(mock.url, { headers: AUTH, maxSockets: 64 })
    await client.ok('PUT', '/_mock/script', SCRIPT)
    await sleep(500)
    const rssIdleMb = mock.rssMb()
    let rssPeakSampled = rssIdleMb
    peakSampler = setInterval(() => { rssPeakSampled = Math.max(rssPeakSampled, mock.rssMb()) }, 100)

    // Phase 1: ring and answer every call (an unanswered call gives up after 15 virtual s = 1.5 s real).
    const setupStart = performance.now()
    const ids: string[] = new Array(calls)
    await pool(ids, 64, async (_, i) => {
      const id = (await client.ok('POST', '/_mock/calls', { callbackUri: sink.url })).json().id as string
      await client.ok('POST', `/v1.0/communications/calls/${id}/answer`, answerBody(sink.url))
      ids[i] = id
    })
    if (!await waitUntil(() => otherNotifications >= 3 * calls, 120_000)) throw new Error(`only ${otherNotifications} of ${3 * calls} call notifications arrived`)
    const setupSeconds = (performance.now() - setupStart) / 1000
    const rssAnsweredMb = mock.rssMb()

    // Phase 2: one recordResponse per call, START_RATE a second, in 10 ms ticks.
    const opOf = new Map<string, string>()
    const responseMs: number[] = []
    const startStart = performance.now()
    const inFlight: Array<Promise<void>> = []
    const perTick = START_RATE / 100
    for (let i = 0; i < calls; i += perTick) {
      const due = startStart + (i / START_RATE) * 1000
      const wait = due - performance.now()
      if (wait > 0) await sleep(wait)
      for (const id of ids.slice(i, i + perTick)) {
        inFlight.push((async () => {
          const sent = performance.now()
          const r = await client.ok('POST', `/beta/communications/calls/${id}/recordResponse`, RECORD)
          responseMs.push(performance.now() - sent)
          opOf.set(r.json().id as string, id)
        })())
      }
    }
    await Promise.all(inFlight)
    const startSeconds = (performance.now() - startStart) / 1000
    const expectedRealMs = EXPECTED_VIRTUAL_MS * TIME_SCALE
    await waitUntil(() => completedAt.size >= calls, expectedRealMs + 60_000)
    clearInterval(peakSampler)
    const rssPeakMb = Math.max(rssPeakSampled, mock.peakRssMb())

    // Lateness, from what the mock reports about each operation.
    const clock = (await client.ok('GET', '/_mock/clock')).json() as { nowMs: number, now: string, pendingEvents: number }
    // The clock's wall origin: isoAt(at) = origin + at * scale (ISO has whole ms, so this is +-1 ms).
    const origin = Date.parse(clock.now) - clock.nowMs * TIME_SCALE
    const view = (await client.ok('GET', '/_mock/calls')).json() as { value: Array<{ operations: Array<{ id: string, kind: string, startedAtMs: number, endedAtMs: number | null }> }> }
    const timer: number[] = []
    const delivery: number[] = []
    for (const call of view.value) {
      for (const op of call.operations) {
        if (op.kind !== 'recordResponse' || op.endedAtMs === null) continue
        const scheduled = op.startedAtMs + EXPECTED_VIRTUAL_MS
        timer.push((op.endedAtMs - scheduled) * TIME_SCALE)
        const received = completedAt.get(op.id)
        if (received !== undefined) delivery.push(received - (origin + scheduled * TIME_SCALE))
      }
    }
    if (process.env.BENCH_DEBUG) {
      // Lateness by second of the run, to tell one stall from a steady load.
      const bySecond = new Map<number, number[]>()
      for (const call of view.value) {
        for (const op of call.operations) {
          if (op.endedAtMs === null) continue
          const scheduled = op.startedAtMs + EXPECTED_VIRTUAL_MS
          const k = Math.floor(scheduled * TIME_SCALE / 250)
          bySecond.set(k, [...(bySecond.get(k) ?? []), (op.endedAtMs - scheduled) * TIME_SCALE])
        }
      }
      for (const [k, v] of [...bySecond].sort((a, b) => a[0] - b[0])) console.error(`t=${(k / 4).toFixed(2)}s n=${v.length} max=${f1(Math.max(...v))}`)
    }
    const journal = (await client.ok('GET', '/_mock/notifications?outcome=failed')).json() as { value: unknown[] }
    if (journal.value.length > 0) console.error(`scale ${calls}: ${journal.value.length} deliveries failed`)
    const journalEntries = ((await client.ok('GET', `/_mock/notifications?callId=${ids[0]}`)).json() as { value: unknown[] }).value.length
    client.close()
    return {
      calls,
      timeScale: TIME_SCALE,
      setupSeconds,
      startSeconds,
      completions: completedAt.size,
      otherNotifications,
      rssIdleMb,
      rssAnsweredMb,
      rssPeakMb,
      kbPerCall: (rssPeakMb - rssIdleMb) * 1024 / calls,
      timerLatenessMs: stats(timer),
      deliveryLatenessMs: stats(delivery),
      recordResponseMs: stats(responseMs),
      journalEntries,
      pendingEvents: clock.pendingEvents
    }
  } finally {
    if (peakSampler) clearInterval(peakSampler)
    await mock.stop()
    await sink.close()
  }
}

export function printScale (results: ScaleResult[]): void {
  console.log(`scale: TIME_SCALE ${TIME_SCALE}, every operation ends ${EXPECTED_VIRTUAL_MS / 1000} virtual s after it starts; ${START_RATE} recordResponse/s\n`)
  const rows = [['calls', 'completions', 'RSS idle', 'answered', 'peak MB', 'KB/call', 'timer late p50/p99/max ms', 'bot late p50/p99/max ms', 'recordResponse p50/p99 ms', 'setup s']]
  for (const r of results) {
    rows.push([
      String(r.calls), `${r.completions}/${r.calls}`, f0(r.rssIdleMb), f0(r.rssAnsweredMb), f0(r.rssPeakMb), f1(r.kbPerCall),
      `${f1(r.timerLatenessMs.p50)} / ${f1(r.timerLatenessMs.p99)} / ${f1(r.timerLatenessMs.max)}`,
      `${f1(r.deliveryLatenessMs.p50)} / ${f1(r.deliveryLatenessMs.p99)} / ${f1(r.deliveryLatenessMs.max)}`,
      `${f1(r.recordResponseMs.p50)} / ${f1(r.recordResponseMs.p99)}`,
      f1(r.setupSeconds)
    ])
  }
  console.log(table(rows))
  const big = tenThousand(results)
  if (big) {
    console.log(`\n10,000 calls (${big.runs} runs): all completions delivered: ${big.allDelivered ? 'met' : 'NOT met'}; peak RSS ${f0(big.peakRssMb)} MB, the highest (goal <= 300: ${big.peakRssMb <= 300 ? 'met' : 'NOT met'}); ` +
      `bot-side lateness p99 ${f1(big.deliveryP99)} ms, the median run (goal <= 50: ${big.deliveryP99 <= 50 ? 'met' : 'NOT met'}); timer lateness p99 ${f2(big.timerP99)} ms`)
  }
}

/** The 10,000-call runs together: every one must deliver everything; RSS is the highest, lateness the median run's. */
export function tenThousand (results: ScaleResult[]): { runs: number, allDelivered: boolean, peakRssMb: number, deliveryP99: number, timerP99: number, deliveryP99s: number[] } | undefined {
  const runs = results.filter((r) => r.calls === 10_000)
  if (runs.length === 0) return undefined
  return {
    runs: runs.length,
    allDelivered: runs.every((r) => r.completions === r.calls),
    peakRssMb: Math.max(...runs.map((r) => r.rssPeakMb)),
    deliveryP99: median(runs.map((r) => r.deliveryLatenessMs.p99)),
    timerP99: median(runs.map((r) => r.timerLatenessMs.p99)),
    deliveryP99s: runs.map((r) => r.deliveryLatenessMs.p99)
  }
}

if (isMain(import.meta.url)) {
  watchdog('bench/scale', 15 * 60_000)
  const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0)
  const results: ScaleResult[] = []
  ;(async () => {
    for (const n of sizes.length > 0 ? sizes : DEFAULT_SIZES) results.push(await runScale(n))
    printScale(results)
    console.log(JSON.stringify(results))
  })().catch((err: unknown) => { console.error(err); process.exitCode = 1 })
}
