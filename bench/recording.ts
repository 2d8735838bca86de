/**
 * How long a 120 s recording takes to produce and serve: `node --import tsx bench/recording.ts [runs]`.
 *
 * Starts the mock on 127.0.0.1 (manual clock) and a do-nothing bot beside it, records 120 s per run, then
 * downloads each recording over a real socket: the first GET renders the WAV (cold), the second comes
 * from the cache (warm). Everything listens on 127.0.0.1 only and is closed at the end.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { resolveSettings } from '../src/config/load-settings.js'
import { FixtureAudio } from '../src/recordings/audio/fixture-audio.js'
import { renderRecording, type CallerAudioEvent } from '../src/recordings/audio/render.js'
import { listenMock } from '../src/server.js'

const RUNS = Math.max(1, Number(process.argv[2] ?? process.env.BENCH_RUNS ?? 10))
const WINDOW_MS = 120_000
const HOST = '127.0.0.1'

// A long script cut at 120 s by maxRecordDurationInSeconds: speech, silences and keys, as a caller would.
// Each run's first silence is 1 ms longer: identical recordings are rendered once and then shared, and
// the first GET must measure a render.
const SCRIPTS: Record<string, (run: number) => unknown> = {
  'synthetic voice': (run) => ({ responses: [{ actions: [{ silence: 1500 + run }, { tone: '1' }, { speech: 60_000 }, { silence: 2000 }, { tone: '5' }, { speech: 70_000 }] }] }),
  'fixture audio': (run) => ({ responses: [{ actions: [{ silence: 1500 + run }, { tone: '1' }, { speech: 60_000, audio: 'hello.wav' }, { silence: 2000 }, { tone: '5' }, { speech: 70_000, audio: 'welcome.wav' }] }] })
}

// Stops by itself even if something hangs.
setTimeout(() => { console.error('bench/recording: timed out'); process.exit(1) }, 120_000).unref()

interface Timing { ttfbMs: number, totalMs: number, bytes: number }

async function timedGet (url: string, headers: Record<string, string>, method = 'GET'): Promise<Timing> {
  const start = performance.now()
  const res = await fetch(url, { method, headers })
  const ttfbMs = performance.now() - start
  if (res.status !== 200) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`)
  const body = Buffer.from(await res.arrayBuffer())
  return { ttfbMs, totalMs: performance.now() - start, bytes: method === 'HEAD' ? Number(res.headers.get('content-length')) : body.length }
}

function stats (values: number[]): { min: number, median: number, p95: number, max: number } {
  const s = [...values].sort((a, b) => a - b)
  const at = (q: number): number => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]
  return { min: s[0], median: at(0.5), p95: at(0.95), max: s[s.length - 1] }
}

const f1 = (n: number): string => n.toFixed(1).padStart(8)

async function main (): Promise<void> {
  const bot = createServer((req, res) => { req.resume(); req.on('end', () => { res.statusCode = 202; res.end() }) })
  await new Promise<void>((resolve) => bot.listen(0, HOST, resolve))
  const callbackUri = `http://${HOST}:${(bot.address() as AddressInfo).port}/api/calls`
  const mock = await listenMock(resolveSettings({ clock: 'manual', logLevel: 'silent', port: 0, host: HOST }))
  const base = mock.url
  const json = { 'content-type': 'application/json', authorization: 'Bearer bench' }
  const call = async (method: string, path: string, body?: unknown): Promise<any> => {
    const res = await fetch(base + path, { method, headers: json, body: body === undefined ? undefined : JSON.stringify(body) })
    const text = await res.text()
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`)
    return text ? JSON.parse(text) : undefined
  }

  /** One call that records 120 s; returns where the recording is and its token. */
  async function recordOnce (script: unknown): Promise<{ location: string, token: string }> {
    const { id } = await call('POST', '/_mock/calls', { callbackUri, script })
    await call('POST', `/v1.0/communications/calls/${id}/answer`, { callbackUri, acceptedModalities: ['audio'], mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' } })
    const op = await call('POST', `/v1.0/communications/calls/${id}/recordResponse`, { playBeep: false, maxRecordDurationInSeconds: 120, maxSilenceTimeoutInSeconds: 10 })
    await call('POST', '/_mock/clock/advance', { ms: WINDOW_MS + 1000 })
    const { value } = await call('GET', `/_mock/notifications?callId=${id}`)
    for (const entry of value) {
      for (const n of entry.body.value) {
        if (n.resourceData?.id === op.id && n.changeType === 'deleted') {
          if (!n.resourceData.recordingLocation) throw new Error(`no recording: ${JSON.stringify(n.resourceData)}`)
          return { location: n.resourceData.recordingLocation, token: n.resourceData.recordingAccessToken }
        }
      }
    }
    throw new Error('no completion notification')
  }

  const fixtures = new FixtureAudio()
  const results: Record<string, unknown> = { runs: RUNS, windowMs: WINDOW_MS, wavBytes: 0 }
  try {
    console.log(`bench/recording: ${RUNS} runs of a ${WINDOW_MS / 1000} s recording, mock on ${base}\n`)
    console.log('ms                                min   median      p95      max')
    for (const [name, script] of Object.entries(SCRIPTS)) {
      const cold: Timing[] = []
      const warm: Timing[] = []
      const head: Timing[] = []
      for (let i = 0; i < RUNS; i++) {
        const { location, token } = await recordOnce(script(i))
        const auth = { authorization: `Bearer ${token}` }
        head.push(await timedGet(location, auth, 'HEAD'))
        cold.push(await timedGet(location, auth))
        warm.push(await timedGet(location, auth))
      }
      results.wavBytes = cold[0].bytes
      const row = (label: string, values: number[]): void => {
        const s = stats(values)
        console.log(`${label.padEnd(30)}${f1(s.min)} ${f1(s.median)} ${f1(s.p95)} ${f1(s.max)}`)
        results[`${name} / ${label.trim()}`] = s
      }
      console.log(`${name}:`)
      row('  first GET (render + serve)', cold.map((t) => t.totalMs))
      row('    time to first byte', cold.map((t) => t.ttfbMs))
      row('  second GET (cached)', warm.map((t) => t.totalMs))
      row('  HEAD (no render)', head.map((t) => t.totalMs))
    }

    // The render alone, in-process, for comparison with the HTTP numbers.
    const events: CallerAudioEvent[] = [{ kind: 'tone', atMs: 1500, key: '1' }, { kind: 'speech', startMs: 1500, durationMs: 60_000 }, { kind: 'tone', atMs: 63_500, key: '5' }, { kind: 'speech', startMs: 63_500, durationMs: 56_500 }]
    const render: number[] = []
    for (let i = 0; i < RUNS; i++) {
      const start = performance.now()
      renderRecording({ durationMs: WINDOW_MS, events, seed: `bench-${i}` }, fixtures)
      render.push(performance.now() - start)
    }
    const s = stats(render)
    console.log(`${'render only, in-process'.padEnd(30)}${f1(s.min)} ${f1(s.median)} ${f1(s.p95)} ${f1(s.max)}`)
    results['render only (synthetic voice)'] = s
    const cache = mock.services.recordings.cacheStats()
    results.cache = cache
    console.log(`\nWAV size ${String(results.wavBytes)} bytes; cache after ${2 * RUNS} recordings: ${cache.entries} entries, ${(cache.bytes / 1048576).toFixed(1)} of ${(cache.maxBytes / 1048576).toFixed(0)} MiB`)
    console.log(JSON.stringify(results))
  } finally {
    await mock.app.close()
    bot.closeAllConnections()
    await new Promise<void>((resolve) => bot.close(() => resolve()))
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})
