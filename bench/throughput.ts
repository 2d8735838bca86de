/**
 * Throughput of POST /beta/communications/calls/{id}/recordResponse against bare Fastify 5 returning the
 * same JSON: `node --import tsx bench/throughput.ts [rounds] [seconds]`.
 *
 * Both run compiled, as child processes on 127.0.0.1, with autocannon in this process. The mock runs with
 * its defaults (LOG_LEVEL=info: one JSON line per request, to a file; AUTH=bearer) on the manual clock, so
 * every request creates a real operation that queues behind the first of its call; it is reset and CALLS
 * calls set up again before each of its rounds, and the requests go to them in turn, so no call's queue
 * reaches its limit of 100 waiting operations (MAX_QUEUED_OPERATIONS). Two more servers show how much of the difference is logging: bare
 * Fastify with request logging on, and the mock with LOG_LEVEL=warn (no line per request). Rounds
 * alternate between the servers, so a noisy neighbour hits all four, and each round's ratio compares
 * servers measured seconds apart.
 */
import autocannon, { type Result } from 'autocannon'
import { answerBody, AUTH, ensureBuilt, f0, f1, f2, httpClient, isMain, median, startServer, startSink, table, watchdog, type ChildServer } from './lib.js'

const REQUEST = { stopTones: ['#'], maxRecordDurationInSeconds: 10, playBeep: false }
/** Calls the requests are spread over: a round of ~100,000 requests queues ~50 on each. */
const CALLS = 2000

export interface ThroughputResult {
  rounds: number
  seconds: number
  connections: number
  servers: Record<string, { rps: number[], p50: number[], p99: number[], meanMs: number[], cpuUsPerRequest: number[], errors: number, non2xx: number }>
  /** Median over rounds of mock rps / bare rps in the same round. */
  ratio: number
  ratioVsLogged: number
  /** The same, for the mock with LOG_LEVEL=warn: what the per-request log line costs. */
  ratioWithoutLines: number
  /** Median over rounds of bare CPU per request / mock CPU per request: the ratio on a quiet, dedicated core. */
  cpuRatio: number
}

export async function runThroughput (options: { rounds?: number, seconds?: number, connections?: number } = {}): Promise<ThroughputResult> {
  const rounds = options.rounds ?? 3
  const seconds = options.seconds ?? 5
  const connections = options.connections ?? 10
  const { cli, bare } = ensureBuilt()
  const sink = await startSink()
  const children: ChildServer[] = []
  try {
    const mock = await startServer(cli, { name: 'mock', args: ['--port', '0', '--clock', 'manual'] })
    children.push(mock)
    // The same mock without its request lines, to show what they cost (docs/benchmarks.md, issue 6).
    const quiet = await startServer(cli, { name: 'mock-quiet', args: ['--clock', 'manual', '--log-level', 'warn'], quiet: true })
    children.push(quiet)
    const clients = [mock, quiet].map((m) => httpClient(m.url, { headers: AUTH }))

    /** A fresh mock with CALLS answered calls; returns their recordResponse paths. */
    const prepareWith = (client: ReturnType<typeof httpClient>) => async (): Promise<string[]> => {
      await client.ok('POST', '/_mock/reset')
      const paths: string[] = []
      for (let i = 0; i < CALLS; i++) {
        const id = (await client.ok('POST', '/_mock/calls', { callbackUri: sink.url })).json().id as string
        await client.ok('POST', `/v1.0/communications/calls/${id}/answer`, answerBody(sink.url))
        paths.push(`/beta/communications/calls/${id}/recordResponse`)
      }
      return paths
    }
    const prepare = prepareWith(clients[0])
    const sample = await clients[0].ok('POST', (await prepare())[0], REQUEST)
    const env = { BARE_BODY: sample.text, BARE_LOCATION: String(sample.headers.location) }
    const bareServer = await startServer(bare, { name: 'bare', env })
    children.push(bareServer)
    const loggedServer = await startServer(bare, { name: 'bare-logged', env: { ...env, BARE_LOG: 'info' } })
    children.push(loggedServer)

    const barePath = async (): Promise<string[]> => ['/beta/communications/calls/x/recordResponse']
    const targets: Array<{ name: string, server: ChildServer, prepare: () => Promise<string[]> }> = [
      { name: 'bare Fastify', server: bareServer, prepare: barePath },
      { name: 'bare Fastify + request logs', server: loggedServer, prepare: barePath },
      { name: 'mock recordResponse', server: mock, prepare },
      { name: 'mock, LOG_LEVEL=warn (no request lines)', server: quiet, prepare: prepareWith(clients[1]) }
    ]
    /** autocannon against `paths` of the server at `base`, each request to the next path in turn. */
    const run = async (base: string, paths: string[], duration: number): Promise<Result> => {
      let next = 0
      return await autocannon({
        url: base,
        connections,
        duration,
        requests: [{
          method: 'POST',
          headers: { 'content-type': 'application/json', ...AUTH },
          body: JSON.stringify(REQUEST),
          setupRequest: (req) => ({ ...req, path: paths[next++ % paths.length] })
        }]
      })
    }

    // Warm-up: JIT and connection set-up for all four, not measured.
    for (const t of targets) await run(t.server.url, await t.prepare(), 1)

    const servers: ThroughputResult['servers'] = Object.fromEntries(targets.map((t) => [t.name, { rps: [], p50: [], p99: [], meanMs: [], cpuUsPerRequest: [], errors: 0, non2xx: 0 }]))
    for (let r = 0; r < rounds; r++) {
      // Rotate the order so no server always runs first after a pause.
      for (let i = 0; i < targets.length; i++) {
        const t = targets[(i + r) % targets.length]
        const paths = await t.prepare()
        const cpuBefore = t.server.cpuMs()
        const res = await run(t.server.url, paths, seconds)
        const s = servers[t.name]
        s.rps.push(res.requests.average)
        s.p50.push(res.latency.p50)
        s.p99.push(res.latency.p99)
        s.meanMs.push(res.latency.average)
        s.cpuUsPerRequest.push((t.server.cpuMs() - cpuBefore) * 1000 / res.requests.total)
        s.errors += res.errors + res.timeouts
        s.non2xx += res.non2xx
      }
    }
    const ratios = (a: string, b: string): number[] => servers[a].rps.map((v, i) => v / servers[b].rps[i])
    const bareCpu = servers['bare Fastify'].cpuUsPerRequest
    for (const c of clients) c.close()
    return {
      rounds,
      seconds,
      connections,
      servers,
      ratio: median(ratios('mock recordResponse', 'bare Fastify')),
      ratioVsLogged: median(ratios('mock recordResponse', 'bare Fastify + request logs')),
      ratioWithoutLines: median(ratios('mock, LOG_LEVEL=warn (no request lines)', 'bare Fastify')),
      cpuRatio: median(servers['mock recordResponse'].cpuUsPerRequest.map((v, i) => bareCpu[i] / v))
    }
  } finally {
    for (const c of children) await c.stop()
    await sink.close()
  }
}

export function printThroughput (r: ThroughputResult): void {
  console.log(`throughput: ${r.rounds} rounds of ${r.seconds} s, ${r.connections} connections, POST recordResponse\n`)
  const rows = [['server', 'req/s (median)', 'req/s per round', 'p50 ms', 'p99 ms', 'mean ms', 'CPU µs/req', 'errors', 'non-2xx']]
  for (const [name, s] of Object.entries(r.servers)) {
    rows.push([name, f0(median(s.rps)), s.rps.map(f0).join(' / '), f1(median(s.p50)), f1(median(s.p99)), f2(median(s.meanMs)), f0(median(s.cpuUsPerRequest)), String(s.errors), String(s.non2xx)])
  }
  console.log(table(rows))
  console.log(`\nmock / bare Fastify: ${f2(r.ratio)}x (goal >= 0.5x: ${r.ratio >= 0.5 ? 'met' : 'NOT met'}); mock / bare Fastify with request logs: ${f2(r.ratioVsLogged)}x`)
  console.log(`CPU per request, bare / mock: ${f2(r.cpuRatio)}x (what the req/s ratio would be on a quiet dedicated core)`)
  console.log(`mock without its request lines (LOG_LEVEL=warn) / bare Fastify: ${f2(r.ratioWithoutLines)}x`)
}

if (isMain(import.meta.url)) {
  watchdog('bench/throughput', 10 * 60_000)
  const rounds = Number(process.argv[2] ?? 3)
  const seconds = Number(process.argv[3] ?? 5)
  runThroughput({ rounds, seconds }).then((r) => {
    printThroughput(r)
    console.log(JSON.stringify(r))
  }).catch((err: unknown) => { console.error(err); process.exitCode = 1 })
}
