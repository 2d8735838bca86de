/**
 * What the benchmarks share: a private build of the mock (compiled JS, so child processes pay neither tsx
 * nor esbuild), child processes with their RSS read from /proc, a loopback HTTP client, a sink bot and
 * statistics. Everything listens on and talks to 127.0.0.1 only.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { Agent, createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { SETTINGS } from '../src/config/settings.js'

export const HOST = '127.0.0.1'
export const ROOT = fileURLToPath(new URL('..', import.meta.url))
/** Inside node_modules, so compiled files resolve fastify & co. and find fixtures/ by walking up. */
const BUILD_DIR = join(ROOT, 'node_modules', '.cache', 'graph-calling-mock-bench')

export interface Built {
  /** The CLI bundled into one file, as `npm run build` makes dist/cli.js (what `npm start` runs). */
  cli: string
  /** The CLI as tsc compiles it, one file per module (as programs importing dist/index.js load it). */
  cliUnbundled: string
  bare: string
}

let built: Built | undefined

/**
 * Builds the mock and the bare baseline server into a private folder as `npm run build` builds dist/ (tsc,
 * incremental so reruns are quick, then scripts/bundle-cli.mjs). Not dist/:
 * other people build there, and a stale dist would measure old code.
 */
export function ensureBuilt (): Built {
  if (built) return built
  mkdirSync(BUILD_DIR, { recursive: true })
  const config = join(BUILD_DIR, 'tsconfig.json')
  writeFileSync(config, JSON.stringify({
    extends: join(ROOT, 'tsconfig.json'),
    compilerOptions: { rootDir: ROOT, outDir: join(BUILD_DIR, 'out'), noEmit: false, declaration: false, sourceMap: false, incremental: true, tsBuildInfoFile: join(BUILD_DIR, 'tsbuildinfo') },
    include: [],
    files: [join(ROOT, 'src', 'cli.ts'), join(ROOT, 'bench', 'bare-server.ts')]
  }))
  const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', config], { encoding: 'utf8', cwd: ROOT })
  if (tsc.status !== 0) throw new Error(`bench build failed:\n${tsc.stdout}${tsc.stderr}`)
  const cli = join(BUILD_DIR, 'bundle', 'cli.js')
  // The very bundle `npm run build` makes, written elsewhere.
  const bundle = spawnSync(process.execPath, [join(ROOT, 'scripts', 'bundle-cli.mjs'), cli], { encoding: 'utf8', cwd: ROOT })
  if (bundle.status !== 0) throw new Error(`bench bundle failed:\n${bundle.stdout}${bundle.stderr}`)
  // BENCH_CLI runs the benchmarks against another build of the CLI (an older commit's bundle, say).
  built = { cli: process.env.BENCH_CLI ?? cli, cliUnbundled: join(BUILD_DIR, 'out', 'src', 'cli.js'), bare: join(BUILD_DIR, 'out', 'bench', 'bare-server.js') }
  return built
}

// ---------------------------------------------------------------------------------------------------------
// Child processes

export interface ChildServer {
  proc: ChildProcess
  pid: number
  url: string
  /** Milliseconds from spawn() to the ready line. */
  readyMs: number
  /** Resident set size now, and its peak so far (VmHWM), in MB. */
  rssMb: () => number
  peakRssMb: () => number
  /** CPU time (user + system) the process has used, in ms (10 ms resolution). */
  cpuMs: () => number
  stop: () => Promise<void>
}

function procStatusKb (pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) : NaN
  } catch { return NaN }
}

/** utime + stime from /proc/PID/stat (fields 14 and 15, in clock ticks of 10 ms). */
function procCpuMs (pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) * 10
  } catch { return NaN }
}

export const mb = (kb: number): number => kb / 1024

// Children still running when this process exits (a watchdog, an exception) are killed with it.
const children = new Set<ChildProcess>()
process.on('exit', () => { for (const c of children) c.kill('SIGKILL') })

/** Kills `proc` when this process exits, if it is still running then. */
export function track (proc: ChildProcess): ChildProcess {
  children.add(proc)
  proc.once('exit', () => children.delete(proc))
  return proc
}

/**
 * Starts `node script args` and resolves once it logs a JSON line with `url` and a msg containing "ready".
 * stdout goes to a log file (the mock logs every request at the default level; a pipe back to this
 * process would cost the benchmark CPU), stderr is kept for error messages.
 */
export async function startServer (script: string, options: { args?: string[], env?: Record<string, string>, name: string, nodeArgs?: string[], readyTimeoutMs?: number, quiet?: boolean }): Promise<ChildServer> {
  // A server that logs nothing is ready when it answers /_mock/health on a port chosen beforehand.
  const port = options.quiet ? await freePort() : undefined
  const logDir = join(tmpdir(), 'graph-calling-mock-bench')
  mkdirSync(logDir, { recursive: true })
  const logFile = join(logDir, `${options.name}-${process.pid}-${Date.now()}.log`)
  const fd = openSync(logFile, 'w')
  const started = performance.now()
  // BENCH_NODE_ARGS (e.g. --trace-gc) and BENCH_KEEP_LOGS=1 are for looking into a result.
  const nodeArgs = [...(options.nodeArgs ?? []), ...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [])]
  const proc = spawn(process.execPath, [...nodeArgs, script, ...(options.args ?? []), ...(port !== undefined ? ['--port', String(port)] : [])], {
    cwd: ROOT,
    env: { ...cleanEnv(), ...options.env },
    stdio: ['ignore', fd, 'pipe']
  })
  closeSync(fd)
  track(proc)
  let stderr = ''
  proc.stderr!.on('data', (c: Buffer) => { stderr += c.toString() })
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()))
  let url: string | undefined
  const deadline = started + (options.readyTimeoutMs ?? 20_000)
  while (url === undefined) {
    if (proc.exitCode !== null) throw new Error(`${options.name} exited with ${proc.exitCode}: ${stderr}`)
    if (performance.now() > deadline) { proc.kill('SIGKILL'); throw new Error(`${options.name} did not become ready: ${stderr}`) }
    url = port !== undefined ? await healthUrl(port) : readyUrl(readFileSync(logFile, 'utf8'))
    if (url === undefined) await sleep(10)
  }
  const readyMs = performance.now() - started
  const pid = proc.pid!
  return {
    proc,
    pid,
    url,
    readyMs,
    rssMb: () => mb(procStatusKb(pid, 'VmRSS')),
    peakRssMb: () => mb(procStatusKb(pid, 'VmHWM')),
    cpuMs: () => procCpuMs(pid),
    async stop () {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM')
        const killer = setTimeout(() => proc.kill('SIGKILL'), 6000)
        await exited
        clearTimeout(killer)
      }
      if (process.env.BENCH_KEEP_LOGS) console.error(`${options.name}: log kept in ${logFile}`)
      else rmSync(logFile, { force: true })
    }
  }
}

export async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

async function healthUrl (port: number): Promise<string | undefined> {
  const url = `http://${HOST}:${port}`
  try { return (await fetch(`${url}/_mock/health`)).status === 200 ? url : undefined } catch { return undefined }
}

/** The ready line's url, if the log has it yet. */
export function readyUrl (log: string): string | undefined {
  for (const line of log.split('\n')) {
    if (!line.includes('ready') || !line.includes('"url"')) continue
    try {
      const j = JSON.parse(line) as { msg?: string, url?: string }
      if (j.url && j.msg?.includes('ready')) return j.url
    } catch { /* not JSON, or half a line */ }
  }
  return undefined
}

/** The environment without the mock's own settings, so the machine's shell cannot change a benchmark. */
export function cleanEnv (): Record<string, string> {
  const names = new Set([...SETTINGS.map((s) => s.env), 'NODE_OPTIONS'])
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !names.has(k)) env[k] = v
  return env
}

// ---------------------------------------------------------------------------------------------------------
// A loopback HTTP client (node:http with keep-alive: far cheaper per request than fetch)

export interface Reply { status: number, headers: IncomingHttpHeaders, raw: Buffer, text: string, json: <T = any>() => T, at: number }

export function httpClient (base: string, options: { maxSockets?: number, headers?: Record<string, string> } = {}) {
  const agent = new Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 32 })
  const u = new URL(base)
  return {
    async send (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
      const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body)
      return await new Promise<Reply>((resolve, reject) => {
        const req = httpRequest({
          agent,
          host: u.hostname,
          port: u.port,
          method,
          path,
          headers: { ...options.headers, ...(payload !== undefined ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}), ...headers }
        }, (res) => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('end', () => {
            const raw = Buffer.concat(chunks)
            const at = wallNow()
            // Decoded on demand: a WAV is not text.
            resolve({ status: res.statusCode ?? 0, headers: res.headers, raw, get text () { return raw.toString() }, json: () => JSON.parse(raw.toString()), at })
          })
          res.on('error', reject)
        })
        req.on('error', reject)
        req.end(payload)
      })
    },
    /** Like send, but a status of 300 or more is an error naming the request. */
    async ok (method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Reply> {
      const r = await this.send(method, path, body, headers)
      if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.text.slice(0, 300)}`)
      return r
    },
    close (): void { agent.destroy() }
  }
}

export type HttpClient = ReturnType<typeof httpClient>

/** Wall-clock milliseconds with sub-millisecond precision (comparable across processes on one machine). */
export function wallNow (): number {
  return performance.timeOrigin + performance.now()
}

// ---------------------------------------------------------------------------------------------------------
// A sink bot: answers every notification 202 and hands each parsed body to `onBody` with its arrival time.

export interface Sink { url: string, server: Server, received: () => number, close: () => Promise<void> }

export async function startSink (onBody: (body: any, at: number) => void = () => {}): Promise<Sink> {
  let count = 0
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const at = wallNow()
      count++
      res.statusCode = 202
      res.end()
      try { onBody(JSON.parse(Buffer.concat(chunks).toString()), at) } catch { /* a body the bench does not read */ }
    })
  })
  server.keepAliveTimeout = 60_000
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve))
  return {
    url: `http://${HOST}:${(server.address() as AddressInfo).port}/api/calls`,
    server,
    received: () => count,
    async close () {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// The Graph flow pieces the benchmarks repeat

export const AUTH = { authorization: 'Bearer bench' }
export const SERVICE_HOSTED = { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' }

export function answerBody (callbackUri: string): Record<string, unknown> {
  return { callbackUri, acceptedModalities: ['audio'], mediaConfig: SERVICE_HOSTED }
}

// ---------------------------------------------------------------------------------------------------------
// Statistics and printing

export interface Stats { n: number, min: number, p50: number, p90: number, p99: number, max: number, mean: number }

export function stats (values: number[]): Stats {
  const s = Float64Array.from(values).sort()
  const at = (q: number): number => s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]
  let sum = 0
  for (const v of s) sum += v
  return { n: s.length, min: s[0] ?? NaN, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: s[s.length - 1] ?? NaN, mean: sum / s.length }
}

export function median (values: number[]): number {
  const s = [...values].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length === 0 ? NaN : s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2
}

export const f0 = (n: number): string => Number.isFinite(n) ? n.toFixed(0) : String(n)
export const f1 = (n: number): string => Number.isFinite(n) ? n.toFixed(1) : String(n)
export const f2 = (n: number): string => Number.isFinite(n) ? n.toFixed(2) : String(n)

export function table (rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)))
  return rows.map((r) => r.map((c, i) => i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i])).join('  ')).join('\n')
}

export async function sleep (ms: number): Promise<void> {
  await new Promise<void>((resolve) => setTimeout(resolve, ms))
}

/** Polls `done` every 20 ms until it is true or `timeoutMs` passes; says which. */
export async function waitUntil (done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs
  while (!done()) {
    if (performance.now() > deadline) return false
    await sleep(20)
  }
  return true
}

/** Runs `fn` over items with at most `limit` at a time. */
export async function pool<T> (items: T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++
      await fn(items[i], i)
    }
  })
  await Promise.all(workers)
}

/** Stops the process if a benchmark hangs: they must always end by themselves. */
export function watchdog (name: string, ms: number): void {
  setTimeout(() => { console.error(`${name}: timed out after ${ms / 1000} s`); process.exit(1) }, ms).unref()
}

/** True when this module is the entry point (each benchmark also runs alone). */
export function isMain (url: string): boolean {
  return process.argv[1] !== undefined && fileURLToPath(url) === process.argv[1]
}
