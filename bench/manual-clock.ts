/**
 * Complete flows on the manual clock, in-process, as a test suite runs them:
 * `node --import tsx bench/manual-clock.ts [flows] [inject|http]` (default 1000 inject; BENCH_STEPS=1 also
 * prints the time per kind of request).
 *
 * Each flow, one after another, through app.inject: the caller rings (POST /_mock/calls), the bot answers,
 * records a response (caller: 200 ms silence, 1 s speech, then #), the clock advances 1.2 virtual s, the
 * completion notification is read from the journal and the WAV downloaded with its token. Notifications
 * go over loopback HTTP to a sink bot in this process. The baseline, in the same run, is the same number
 * of inject requests against bare Fastify routes answering fixed bodies (the WAV included).
 */
import Fastify from 'fastify'
import { resolveSettings } from '../src/config/load-settings.js'
import { listenMock } from '../src/server.js'
import { answerBody, f0, f2, httpClient, isMain, startSink, table, watchdog } from './lib.js'

const SCRIPT = { responses: [{ actions: [{ silence: 200 }, { speech: 1000 }, { tone: '#' }] }] }
const RECORD = { stopTones: ['#'], playBeep: false, maxRecordDurationInSeconds: 10 }
const AUTH = { authorization: 'Bearer bench' }

export interface ManualClockResult { flows: number, via: 'inject' | 'http', mockMs: number, mockCpuMs: number, baselineMs: number, ratio: number, perFlowMs: number, notificationsAtBot: number }

interface Res { statusCode: number, rawPayload: Buffer, json: () => any }

/**
 * via 'inject': app.inject, as this repository's tests do; via 'http': the mock listens on 127.0.0.1 and a
 * keep-alive client in this process talks to it, as a bot test using startMock() does.
 */
export async function runManualClock (flows = 1000, via: 'inject' | 'http' = 'inject'): Promise<ManualClockResult> {
  const sink = await startSink()
  const mock = await listenMock(resolveSettings({ clock: 'manual', logLevel: 'silent', port: 0, host: '127.0.0.1' }))
  const client = httpClient(mock.url)
  // BENCH_STEPS=1: also the time spent in each kind of request (ids and query strings left out).
  const steps = new Map<string, number>()
  const inject = async (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown, headers: Record<string, string> = {}): Promise<Res> => {
    if (!process.env.BENCH_STEPS) return await request(method, url, payload, headers)
    const started = performance.now()
    try { return await request(method, url, payload, headers) } finally {
      const key = `${method} ${url.replace(/[0-9a-f-]{36}/g, '{id}').replace(/\?.*/, '')}`
      steps.set(key, (steps.get(key) ?? 0) + performance.now() - started)
    }
  }
  const request = async (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown, headers: Record<string, string> = {}): Promise<Res> => {
    if (via === 'http') {
      const res = await client.send(method, url, payload, headers)
      if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${res.text.slice(0, 300)}`)
      return { statusCode: res.status, rawPayload: res.raw, json: res.json }
    }
    const res = await mock.app.inject({ method, url, payload: payload as object | undefined, headers })
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body.slice(0, 300)}`)
    return res
  }
  let wav: Buffer = Buffer.alloc(0)
  try {
    await inject('PUT', '/_mock/script', SCRIPT)
    // The signing key is generated off-thread at start-up: let the first notification wait for it outside the timing.
    await mock.services.key()
    const started = performance.now()
    // CPU time too: on a shared machine it moves less than wall time when other work takes the cores.
    const cpuStarted = process.cpuUsage()
    for (let i = 0; i < flows; i++) {
      const id = (await inject('POST', '/_mock/calls', { callbackUri: sink.url })).json().id as string
      await inject('POST', `/v1.0/communications/calls/${id}/answer`, answerBody(sink.url), AUTH)
      await inject('POST', `/beta/communications/calls/${id}/recordResponse`, RECORD, AUTH)
      await inject('POST', '/_mock/clock/advance', { ms: 1200 })
      const entries = (await inject('GET', `/_mock/notifications?callId=${id}&changeType=deleted`)).json().value as Array<{ body: { value: Array<{ resourceData: { recordingLocation: string, recordingAccessToken: string } }> } }>
      const data = entries[0]?.body.value[0].resourceData
      if (!data?.recordingLocation) throw new Error(`flow ${i}: no completion notification with a recording`)
      const download = await inject('GET', new URL(data.recordingLocation).pathname, undefined, { authorization: `Bearer ${data.recordingAccessToken}` })
      wav = download.rawPayload
    }
    const mockMs = performance.now() - started
    const cpu = process.cpuUsage(cpuStarted)
    const mockCpuMs = (cpu.user + cpu.system) / 1000
    const notificationsAtBot = sink.received()
    for (const [key, ms] of steps) console.log(`${key.padEnd(58)} ${f2(ms / flows)} ms per flow`)

    // Baseline: bare Fastify, the same six requests per flow, fixed answers.
    const bare = Fastify()
    const id = '11111111-2222-3333-4444-555555555555'
    const completion = { value: [{ body: { value: [{ resourceData: { recordingLocation: `http://localhost/recordings/${id}`, recordingAccessToken: 'x' } }] } }] }
    bare.post('/_mock/calls', async () => ({ id }))
    bare.post('/v1.0/communications/calls/:id/answer', async (_req, reply) => await reply.code(202).send())
    bare.post('/beta/communications/calls/:id/recordResponse', async () => ({ id, status: 'running' }))
    bare.post('/_mock/clock/advance', async () => ({ nowMs: 0 }))
    bare.get('/_mock/notifications', async () => completion)
    bare.get('/recordings/:id', async (_req, reply) => await reply.type('application/octet-stream').send(wav))
    await bare.ready()
    let bareInject = async (method: 'GET' | 'POST', url: string, payload?: unknown): Promise<Res> => await bare.inject({ method, url, payload: payload as object | undefined })
    const bareClient = via === 'http' ? httpClient(await bare.listen({ port: 0, host: '127.0.0.1' })) : undefined
    if (bareClient) {
      bareInject = async (method, url, payload) => {
        const res = await bareClient.send(method, url, payload)
        return { statusCode: res.status, rawPayload: res.raw, json: res.json }
      }
    }
    const baseStarted = performance.now()
    for (let i = 0; i < flows; i++) {
      await bareInject('POST', '/_mock/calls', { callbackUri: sink.url })
      await bareInject('POST', `/v1.0/communications/calls/${id}/answer`, answerBody(sink.url))
      await bareInject('POST', `/beta/communications/calls/${id}/recordResponse`, RECORD)
      await bareInject('POST', '/_mock/clock/advance', { ms: 1200 })
      ;(await bareInject('GET', `/_mock/notifications?callId=${id}&changeType=deleted`)).json()
      await bareInject('GET', `/recordings/${id}`)
    }
    const baselineMs = performance.now() - baseStarted
    bareClient?.close()
    await bare.close()
    return { flows, via, mockMs, mockCpuMs, baselineMs, ratio: mockMs / baselineMs, perFlowMs: mockMs / flows, notificationsAtBot }
  } finally {
    client.close()
    await mock.app.close()
    await sink.close()
  }
}

export function printManualClock (r: ManualClockResult): void {
  console.log(`manual clock: ${r.flows} complete flows in-process via ${r.via} (ring, answer, recordResponse, advance, journal, download)\n`)
  console.log(table([
    ['', 'total ms', 'per flow ms'],
    ['mock', f0(r.mockMs), f2(r.perFlowMs)],
    ['mock, CPU time of this process', f0(r.mockCpuMs), f2(r.mockCpuMs / r.flows)],
    [`bare Fastify, same requests via ${r.via}`, f0(r.baselineMs), f2(r.baselineMs / r.flows)]
  ]))
  console.log(`\nmock / bare: ${f2(r.ratio)}x; ${r.notificationsAtBot} notifications reached the bot; ${f0(r.mockMs)} ms for ${r.flows} flows (goal <= 3000 ms for 1000: ${r.flows >= 1000 && r.mockMs <= 3000 ? 'met' : r.flows < 1000 ? 'n/a' : 'NOT met'})`)
}

if (isMain(import.meta.url)) {
  watchdog('bench/manual-clock', 5 * 60_000)
  const via = process.argv[3] === 'http' ? 'http' : 'inject'
  runManualClock(Number(process.argv[2] ?? 1000), via).then((r) => {
    printManualClock(r)
    console.log(JSON.stringify(r))
  }).catch((err: unknown) => { console.error(err); process.exitCode = 1 })
}
