/**
 * Where the CPU of one recordResponse request goes: `node --import tsx bench/breakdown.ts [rounds] [seconds]`
 * (default 9 rounds of 2 s; a diagnostic, not part of npm run bench).
 *
 * Copies the tsc build of the mock, switches one piece off in each copy by editing its compiled JavaScript
 * (request logs, the request journal hook, the fault hook, all of them), starts every copy and bare Fastify
 * side by side, and measures CPU per request (from /proc) in interleaved autocannon rounds. An edit that no
 * longer matches the compiled code stops the run with the file it expected to change.
 */
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import autocannon from 'autocannon'
import { answerBody, AUTH, ensureBuilt, f0, httpClient, isMain, median, startServer, startSink, table, watchdog, type ChildServer } from './lib.js'

type Edit = [file: string, from: string, to: string]

const NO_REQUEST_LOGS: Edit = ['app-options.js', 'genReqId:', 'disableRequestLogging: true, genReqId:']
const SYNC_LOG_WRITES: Edit = ['app-options.js', 'sync: false', 'sync: true']
const NO_REQUEST_JOURNAL: Edit = ['inspection/graph-hooks.js', "app.addHook('onResponse'", "void ('onResponse'"]
const NO_FAULT_HOOK: Edit = ['inspection/graph-hooks.js', "app.addHook('onRequest'", "void ('onRequest'"]
const NO_INSPECTION: Edit = ['app.js', 'addInspectionHooks(graph,', 'void (graph,']

export const VARIANTS: Record<string, Edit[]> = {
  'nothing switched off': [],
  'log lines written synchronously': [SYNC_LOG_WRITES],
  'request logs off': [NO_REQUEST_LOGS],
  'request journal hook off': [NO_REQUEST_JOURNAL],
  'fault hook off': [NO_FAULT_HOOK],
  'request logs and both inspection hooks off': [NO_REQUEST_LOGS, NO_INSPECTION]
}

const BODY = JSON.stringify({ stopTones: ['#'], maxRecordDurationInSeconds: 10, playBeep: false })

export async function runBreakdown (rounds = 9, seconds = 2): Promise<Record<string, { cpuUsPerRequest: number, rps: number }>> {
  const { cliUnbundled, bare } = ensureBuilt()
  const out = join(cliUnbundled, '..', '..')
  const sink = await startSink()
  const servers: Array<{ name: string, server: ChildServer, path: string }> = []
  const dirs: string[] = []
  try {
    for (const [name, edits] of Object.entries(VARIANTS)) {
      const dir = join(out, '..', `breakdown-${Object.keys(VARIANTS).indexOf(name)}`)
      rmSync(dir, { recursive: true, force: true })
      cpSync(out, dir, { recursive: true })
      dirs.push(dir)
      for (const [file, from, to] of edits) {
        const path = join(dir, 'src', file)
        const text = readFileSync(path, 'utf8')
        if (!text.includes(from)) throw new Error(`bench/breakdown: '${from}' is no longer in ${file}; update the edit`)
        writeFileSync(path, text.replace(from, to))
      }
      const server = await startServer(join(dir, 'src', 'cli.js'), { name: `breakdown-${servers.length}`, args: ['--port', '0', '--clock', 'manual'] })
      servers.push({ name, server, path: '' })
      const client = httpClient(server.url, { headers: AUTH })
      const id = (await client.ok('POST', '/_mock/calls', { callbackUri: sink.url })).json().id as string
      await client.ok('POST', `/v1.0/communications/calls/${id}/answer`, answerBody(sink.url))
      client.close()
      servers[servers.length - 1].path = `/beta/communications/calls/${id}/recordResponse`
    }
    const bareServer = await startServer(bare, { name: 'breakdown-bare', env: { BARE_BODY: '{"status":"running"}' } })
    servers.push({ name: 'bare Fastify', server: bareServer, path: '/beta/communications/calls/x/recordResponse' })

    const cpu: Record<string, number[]> = {}
    const rps: Record<string, number[]> = {}
    for (let r = 0; r < rounds; r++) {
      for (const { name, server, path } of servers) {
        const before = server.cpuMs()
        const res = await autocannon({ url: server.url + path, method: 'POST', headers: { 'content-type': 'application/json', ...AUTH }, body: BODY, connections: 10, duration: seconds })
        ;(cpu[name] ??= []).push((server.cpuMs() - before) * 1000 / res.requests.total)
        ;(rps[name] ??= []).push(res.requests.average)
      }
    }
    return Object.fromEntries(servers.map(({ name }) => [name, { cpuUsPerRequest: median(cpu[name]), rps: median(rps[name]) }]))
  } finally {
    for (const { server } of servers) await server.stop()
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
    await sink.close()
  }
}

if (isMain(import.meta.url)) {
  watchdog('bench/breakdown', 15 * 60_000)
  runBreakdown(Number(process.argv[2] ?? 9), Number(process.argv[3] ?? 2)).then((r) => {
    console.log('CPU per recordResponse request, median of the rounds (the mock keeps every operation: no resets)\n')
    console.log(table([['', 'CPU µs/request', 'req/s'], ...Object.entries(r).map(([name, v]) => [name, f0(v.cpuUsPerRequest), f0(v.rps)])]))
    console.log(JSON.stringify(r))
  }).catch((err: unknown) => { console.error(err); process.exitCode = 1 })
}
