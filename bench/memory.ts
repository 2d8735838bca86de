/**
 * What each store keeps per call: `node --expose-gc --import tsx bench/memory.ts [calls]` (default 10000; a
 * diagnostic, not part of npm run bench).
 *
 * In-process, real clock at TIME_SCALE 0.1, a sink bot on loopback: rings and answers the calls, records
 * a response on each (200 ms silence, 1 s speech, #), waits for every notification and for the last ring
 * timers to run out. Then it empties the stores one at a time and reads the live heap after a full GC each
 * time: the drop is what that store held. The heap is the JavaScript heap only (RSS is larger: see docs/benchmarks.md).
 */
import { resolveSettings } from '../src/config/load-settings.js'
import { INCOMING_RING_MS } from '../src/engine/calls.js'
import { listenMock } from '../src/server.js'
import { answerBody, AUTH, f1, f2, httpClient, isMain, pool, sleep, startSink, table, waitUntil, watchdog } from './lib.js'

// An unanswered call gives up after 15 virtual s: at 0.01 that was 150 ms, which a busy machine missed.
const TIME_SCALE = 0.1
const SCRIPT = { responses: [{ actions: [{ silence: 200 }, { speech: 1000 }, { tone: '#' }] }] }

function liveHeapMb (): number {
  const gc = (globalThis as { gc?: () => void }).gc
  if (!gc) throw new Error('run with node --expose-gc')
  gc()
  gc()
  return process.memoryUsage().heapUsed / 1048576
}

export async function runMemory (calls = 10_000): Promise<Array<{ step: string, heapMb: number, kbPerCall: number }>> {
  let received = 0
  const sink = await startSink(() => { received++ })
  const mock = await listenMock(resolveSettings({ port: 0, host: '127.0.0.1', timeScale: TIME_SCALE, logLevel: 'silent' }))
  const client = httpClient(mock.url, { headers: AUTH, maxSockets: 64 })
  try {
    await client.ok('PUT', '/_mock/script', SCRIPT)
    await mock.services.key()
    await sleep(200)
    const idle = liveHeapMb()
    const rows: Array<{ step: string, heapMb: number, kbPerCall: number }> = []
    const row = (step: string): void => {
      const heapMb = liveHeapMb()
      rows.push({ step, heapMb, kbPerCall: (heapMb - idle) * 1024 / calls })
    }
    row('idle')
    const ids: string[] = []
    await pool(Array.from({ length: calls }), 64, async () => {
      const id = (await client.ok('POST', '/_mock/calls', { callbackUri: sink.url })).json().id as string
      await client.ok('POST', `/v1.0/communications/calls/${id}/answer`, answerBody(sink.url))
      ids.push(id)
    })
    await pool(ids, 64, async (id) => { await client.ok('POST', `/beta/communications/calls/${id}/recordResponse`, { stopTones: ['#'], playBeep: false }) })
    if (!await waitUntil(() => received >= 4 * calls, 120_000)) throw new Error(`only ${received} of ${4 * calls} notifications arrived`)
    await sleep(INCOMING_RING_MS * TIME_SCALE + 200)
    row(`${calls} calls answered and recorded`)
    const s = mock.services
    s.graphRequests.clear()
    row('- request journal')
    s.deliveries.clear()
    row('- notification journal')
    s.recordings.reset()
    row('- recordings')
    s.dispatcher.reset()
    row('- dispatcher')
    s.engine.reset()
    row('- engine')
    s.clock.reset()
    row('- clock')
    return rows
  } finally {
    client.close()
    await mock.app.close()
    await sink.close()
  }
}

if (isMain(import.meta.url)) {
  watchdog('bench/memory', 10 * 60_000)
  runMemory(Number(process.argv[2] ?? 10_000)).then((rows) => {
    console.log(table([['', 'live heap MB', 'KB per call above idle'], ...rows.map((r) => [r.step, f1(r.heapMb), f2(r.kbPerCall)])]))
    // Each store's share is the drop its clearing caused.
    console.log('\nper call: ' + rows.slice(2).map((r, i) => `${r.step.slice(2)} ${f2(rows[i + 1].kbPerCall - r.kbPerCall)} KB`).join(', '))
  }).catch((err: unknown) => { console.error(err); process.exitCode = 1 })
}
