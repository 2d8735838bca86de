/**
 * Soak: steady traffic for a bounded time, sampling the mock's memory: `npm run soak` (opt-in; not part of
 * npm test or npm run bench).
 *
 * Settings (environment): SOAK_SECONDS (default 180: the mock's heap takes about a minute to reach its
 * working size, which the verdict leaves out) how long traffic runs; SOAK_RATE (default 40) complete
 * flows started per second; SOAK_RESET_EVERY (default 10) seconds between POST /_mock/reset, as a test
 * suite resets between tests (0: never: the mock then keeps up to MAX_ENDED_CALLS ended calls, 10,000 by
 * default, so memory grows until that many flows have run, and the run reports by how much per flow);
 * SOAK_MAX_ENDED_CALLS the mock's --max-ended-calls (a smaller one reaches the plateau within the run).
 *
 * The mock runs compiled as a child process with its defaults (LOG_LEVEL=info to a file, real clock) and
 * TIME_SCALE 0.01. Each flow: ring, answer, recordResponse (200 ms silence, 1 s speech, #: 12 ms real),
 * wait for the completion notification at a sink bot, download the WAV, hang up. RSS is sampled every
 * second; after the first third (V8 growing its heap to its working size) the trend must be flat: at most
 * 1 MB (or 1 %) a minute. Exit code 1 otherwise, or on any failed flow.
 */
import { answerBody, AUTH, ensureBuilt, f0, f1, httpClient, sleep, startServer, startSink, watchdog } from './lib.js'

const SECONDS = Number(process.env.SOAK_SECONDS ?? 180)
const RATE = Number(process.env.SOAK_RATE ?? 40)
const RESET_EVERY = Number(process.env.SOAK_RESET_EVERY ?? 10)
const MAX_ENDED_CALLS = process.env.SOAK_MAX_ENDED_CALLS
const TIME_SCALE = 0.01
const MAX_IN_FLIGHT = 200
const SCRIPT = { responses: [{ actions: [{ silence: 200 }, { speech: 1000 }, { tone: '#' }] }] }
const RECORD = { stopTones: ['#'], playBeep: false, maxRecordDurationInSeconds: 10 }

interface Sample { second: number, rssMb: number, flows: number, errors: number, resets: number }

async function main (): Promise<void> {
  if (!(SECONDS > 0 && SECONDS <= 3600) || !(RATE > 0 && RATE <= 1000) || !(RESET_EVERY >= 0)) throw new Error('SOAK_SECONDS must be 1..3600, SOAK_RATE 1..1000, SOAK_RESET_EVERY >= 0')
  watchdog('bench/soak', (SECONDS + 120) * 1000)
  const { cli } = ensureBuilt()
  // Completion notifications by operation id, and who waits for them.
  const waiting = new Map<string, (data: { recordingLocation: string, recordingAccessToken: string }) => void>()
  const early = new Map<string, { recordingLocation: string, recordingAccessToken: string }>()
  const sink = await startSink((body: { value: Array<{ changeType: string, resourceUrl: string, resourceData: any }> }) => {
    for (const n of body.value) {
      const m = /\/operations\/([^/]+)$/.exec(n.resourceUrl)
      if (!m || n.changeType !== 'deleted') continue
      const wake = waiting.get(m[1])
      if (wake) { waiting.delete(m[1]); wake(n.resourceData) } else early.set(m[1], n.resourceData)
    }
  })
  const mock = await startServer(cli, { name: 'soak', args: ['--port', '0', '--time-scale', String(TIME_SCALE), ...(MAX_ENDED_CALLS ? ['--max-ended-calls', MAX_ENDED_CALLS] : [])] })
  const client = httpClient(mock.url, { headers: AUTH, maxSockets: 64 })
  let flows = 0
  let errors = 0
  let resets = 0
  let inFlight = 0
  let firstError: string | undefined

  async function flow (): Promise<void> {
    const id = (await client.ok('POST', '/_mock/calls', { callbackUri: sink.url })).json().id as string
    await client.ok('POST', `/v1.0/communications/calls/${id}/answer`, answerBody(sink.url))
    const op = (await client.ok('POST', `/beta/communications/calls/${id}/recordResponse`, RECORD)).json().id as string
    const data = early.get(op) ?? await new Promise<{ recordingLocation: string, recordingAccessToken: string }>((resolve, reject) => {
      const timer = setTimeout(() => { waiting.delete(op); reject(new Error('no completion notification within 10 s')) }, 10_000)
      waiting.set(op, (d) => { clearTimeout(timer); resolve(d) })
    })
    early.delete(op)
    const wav = await client.ok('GET', new URL(data.recordingLocation).pathname, undefined, { authorization: `Bearer ${data.recordingAccessToken}` })
    if (wav.raw.length < 1000) throw new Error(`recording of ${wav.raw.length} bytes`)
    await client.send('DELETE', `/v1.0/communications/calls/${id}`)
  }

  /** Resolves once no flow is running (polls: flows end in their own promise chains). */
  async function drained (): Promise<void> {
    for (;;) {
      if (inFlight === 0) return
      await sleep(5)
    }
  }

  const samples: Sample[] = []
  try {
    await client.ok('PUT', '/_mock/script', SCRIPT)
    const started = performance.now()
    let nextSample = 1
    let nextReset = RESET_EVERY > 0 ? RESET_EVERY : Infinity
    let launched = 0
    console.log(`soak: ${SECONDS} s, ${RATE} flows/s, ${RESET_EVERY > 0 ? `reset every ${RESET_EVERY} s` : 'no reset'}, TIME_SCALE ${TIME_SCALE}, mock pid ${mock.pid}\n`)
    console.log('second  RSS MB  flows  errors')
    for (;;) {
      const elapsed = (performance.now() - started) / 1000
      if (elapsed >= SECONDS) break
      if (elapsed >= nextReset) {
        // Let running flows finish, then forget everything, as a test suite's beforeEach would.
        await drained()
        await client.ok('POST', '/_mock/reset')
        await client.ok('PUT', '/_mock/script', SCRIPT) // reset forgets the default script too
        resets++
        nextReset += RESET_EVERY
      }
      if (elapsed >= nextSample) {
        const s = { second: nextSample, rssMb: mock.rssMb(), flows, errors, resets }
        samples.push(s)
        console.log(`${String(s.second).padStart(6)}  ${f1(s.rssMb).padStart(6)}  ${String(flows).padStart(5)}  ${String(errors).padStart(6)}`)
        nextSample++
      }
      // Start the flows due by now (steady rate), unless the mock has fallen far behind.
      const due = Math.floor(elapsed * RATE)
      while (launched < due) {
        launched++
        if (inFlight >= MAX_IN_FLIGHT) { errors++; firstError ??= 'more than 200 flows in flight'; continue }
        inFlight++
        flow().then(() => { flows++ }, (err: unknown) => { errors++; firstError ??= (err as Error).message }).finally(() => { inFlight-- })
      }
      await sleep(5)
    }
    await drained()
  } finally {
    client.close()
    await mock.stop()
    await sink.close()
  }

  // Verdict: once warm (the first third: V8 grows its heap to its working size), RSS must not keep rising.
  const warm = samples.slice(Math.floor(samples.length / 3))
  const slope = slopeMbPerMinute(warm)
  const limit = Math.max(1, 0.01 * Math.max(...warm.map((s) => s.rssMb)))
  const flat = slope <= limit
  console.log(`\n${flows} flows, ${errors} errors${firstError ? ` (first: ${firstError})` : ''}, ${resets} resets`)
  console.log(`RSS once warm: ${f1(Math.min(...warm.map((s) => s.rssMb)))} to ${f1(Math.max(...warm.map((s) => s.rssMb)))} MB, trend ${slope >= 0 ? '+' : ''}${f1(slope)} MB/min (flat: <= ${f1(limit)} MB/min)` +
    (slope > 0 ? `, about ${f0(slope * 1048576 / (60 * RATE))} bytes per flow` : ''))
  console.log(`verdict: ${errors > 0 ? 'ERRORS' : flat ? 'FLAT' : 'GROWING'}`)
  if (!flat || errors > 0) process.exitCode = 1
}

/** Least-squares slope of RSS over time. */
function slopeMbPerMinute (samples: Sample[]): number {
  const n = samples.length
  if (n < 2) return 0
  const mx = samples.reduce((a, s) => a + s.second, 0) / n
  const my = samples.reduce((a, s) => a + s.rssMb, 0) / n
  let num = 0
  let den = 0
  for (const s of samples) { num += (s.second - mx) * (s.rssMb - my); den += (s.second - mx) ** 2 }
  return den === 0 ? 0 : num / den * 60
}

main().catch((err: unknown) => { console.error(err); process.exitCode = 1 })
