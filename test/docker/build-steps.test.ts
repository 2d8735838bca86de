import assert from 'node:assert/strict'
import { execFile, spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync } from 'node:fs'
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { basename, join, posix } from 'node:path'
import { createInterface } from 'node:readline'
import { test } from 'node:test'
import { promisify } from 'node:util'
import { SETTINGS } from '../../src/config/settings.js'
import { envPairs, execForm, parseDockerfile, type Stage } from './parse.js'

const run = promisify(execFile)
const repo = process.cwd()
const stages = parseDockerfile(await readFile('Dockerfile', 'utf8'))
/** Shrinks the image only; run here it would empty this machine's npm cache. */
const NOT_RUN_HERE = new Set(['npm cache clean --force'])

interface BuiltStage { dir: string, workdir: string, env: Record<string, string> }

/** The environment a RUN or CMD sees: this machine's PATH and npm cache, none of the mock's settings, the stage's ENV. */
function stageEnv (env: Record<string, string>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { ...process.env, npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' }
  for (const s of SETTINGS) delete base[s.env]
  delete base.NODE_ENV
  delete base.NODE_OPTIONS // the test runner's --import tsx must not leak into the image's processes
  return { ...base, ...env }
}

/** Replays a stage's WORKDIR, ENV, COPY and RUN in `dir`, standing in for the image's WORKDIR. */
async function replay (stage: Stage, dir: string, built: Map<string, BuiltStage>): Promise<BuiltStage> {
  const out: BuiltStage = { dir, workdir: '/', env: {} }
  for (const { keyword, args } of stage.instructions) {
    if (keyword === 'WORKDIR') out.workdir = args
    else if (keyword === 'ENV') Object.assign(out.env, envPairs(args))
    else if (keyword === 'COPY') {
      const parts = args.split(' ')
      const from = parts[0].startsWith('--from=') ? built.get(parts.shift()!.slice('--from='.length)) : undefined
      if (args.startsWith('--from=')) assert.ok(from, `COPY ${args}: the stage was replayed first`)
      const dest = parts.pop()!
      for (const source of parts) {
        const src = from ? join(from.dir, posix.relative(from.workdir, source)) : join(repo, source)
        await cp(src, dest.endsWith('/') ? join(dir, dest, basename(source)) : join(dir, dest), { recursive: true })
      }
    } else if (keyword === 'RUN') {
      for (const command of args.split('&&').map((c) => c.trim()).filter((c) => !NOT_RUN_HERE.has(c))) {
        await run('sh', ['-c', command], { cwd: dir, env: stageEnv(out.env), maxBuffer: 32 * 1024 * 1024 })
      }
    }
  }
  return out
}

async function freePort (): Promise<number> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  server.close()
  await once(server, 'close')
  return port
}

test('the Dockerfile\'s steps build in a clean folder, and the runtime stage runs on production dependencies only', { timeout: 600_000 }, async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'gcm-docker-'))
  t.after(async () => { await rm(root, { recursive: true, force: true }) })
  const built = new Map<string, BuiltStage>()
  for (const name of ['build', 'runtime']) {
    const stage = stages.find((s) => s.name === name)!
    built.set(name, await replay(stage, await mkdtemp(join(root, `${name}-`)), built))
  }
  const build = built.get('build')!
  const runtime = built.get('runtime')!
  assert.ok(existsSync(join(build.dir, 'dist/cli.js')) && existsSync(join(build.dir, 'dist/index.d.ts')), 'npm run build wrote dist/')
  assert.ok(existsSync(join(runtime.dir, 'node_modules/fastify')), 'production dependencies are installed')
  for (const dev of ['typescript', 'tsx', '@types/node', 'fast-check']) assert.ok(!existsSync(join(runtime.dir, 'node_modules', dev)), `${dev} (dev) is not in the runtime`)
  assert.ok(!existsSync(join(runtime.dir, 'src')), 'no TypeScript sources in the runtime')
  assert.ok(existsSync(join(runtime.dir, 'fixtures/audio/hello.wav')))

  // Start the image's CMD as the container would, on a free loopback port instead of 0.0.0.0:4000.
  const runtimeStage = stages.find((s) => s.name === 'runtime')!
  const [program, ...args] = execForm(runtimeStage.instructions.findLast((i) => i.keyword === 'CMD')!.args) as string[]
  assert.equal(program, 'node')
  const port = await freePort()
  const env = stageEnv({ ...runtime.env, HOST: '127.0.0.1', PORT: String(port) })
  const child = spawn(process.execPath, args, { cwd: runtime.dir, env })
  t.after(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  let stderr = ''
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString() })
  const exited = once(child, 'exit') as Promise<[number | null]>
  const lines = createInterface({ input: child.stdout })
  let ready: Record<string, unknown> | undefined
  for await (const line of lines) {
    const entry = JSON.parse(line) as Record<string, unknown>
    if (entry.msg === 'graph-calling-mock is ready') { ready = entry; break }
  }
  child.stdout.resume()
  assert.ok(ready, `the runtime started: ${stderr}`)
  assert.equal(ready.url, `http://127.0.0.1:${port}`)

  const health = await fetch(`http://127.0.0.1:${port}/_mock/health`)
  assert.equal(health.status, 200)
  // The bundle leaves @fastify/swagger out and loads it on the first /_mock/docs: the image's packages must have it.
  const docs = await fetch(`http://127.0.0.1:${port}/_mock/docs`)
  assert.equal(docs.status, 200)
  assert.match(((await docs.json()) as { openapi: string }).openapi, /^3\./)
  // The image's own HEALTHCHECK command, run against it.
  const hc = /CMD (\[.*\])$/.exec(runtimeStage.instructions.find((i) => i.keyword === 'HEALTHCHECK')!.args)!
  const [, flag, script] = JSON.parse(hc[1]) as string[]
  const check = spawn(process.execPath, [flag, script], { env, stdio: 'ignore' })
  assert.deepEqual((await once(check, 'exit'))[0], 0)

  child.kill('SIGTERM')
  assert.equal((await exited)[0], 0, stderr)

  // Not a Docker step: the built package, packed and installed elsewhere, runs through npx and imports.
  await t.test('the packed package installs; npx graph-calling-mock and import from the package root work', async () => {
    await cp(join(repo, 'fixtures'), join(build.dir, 'fixtures'), { recursive: true })
    const packDir = await mkdtemp(join(root, 'pack-'))
    const packed = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', packDir], { cwd: build.dir, env: stageEnv({}) })
    const [{ filename, files }] = JSON.parse(packed.stdout) as Array<{ filename: string, files: Array<{ path: string }> }>
    const paths = files.map((f) => f.path)
    for (const p of ['package.json', 'dist/cli.js', 'dist/index.js', 'dist/index.d.ts', 'fixtures/audio/hello.wav']) assert.ok(paths.includes(p), `the package has ${p}`)
    assert.ok(!paths.some((p) => p.startsWith('src/') || p.startsWith('test/')), 'no sources or tests in the package')

    const app = await mkdtemp(join(root, 'consumer-'))
    await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }))
    await run('npm', ['install', join(packDir, filename)], { cwd: app, env: stageEnv({}), maxBuffer: 32 * 1024 * 1024 })

    const help = await run('npx', ['--yes=false', 'graph-calling-mock', '--help'], { cwd: app, env: stageEnv({}) })
    assert.match(help.stdout, /^Usage: graph-calling-mock \[options\]$/m)
    const bad = await run('npx', ['--yes=false', 'graph-calling-mock', '--nope'], { cwd: app, env: stageEnv({}) }).catch((err: { code: number, stderr: string }) => err)
    assert.equal((bad as { code: number }).code, 2)

    const script = "import { startMock } from 'graph-calling-mock'\nconst m = await startMock({ clock: 'manual' })\nconsole.log(JSON.stringify(await m.control.health()))\nawait m.close()\n"
    await writeFile(join(app, 'use.mjs'), script)
    assert.equal((await run(process.execPath, ['use.mjs'], { cwd: app, env: stageEnv({}) })).stdout.trim(), '{"status":"ok"}')

    // The package's types resolve from its root (skipLibCheck: the consumer has no @types of its own).
    await writeFile(join(app, 'use.ts'), [
      "import { startMock, type StartedMock, type CallView } from 'graph-calling-mock'",
      "const mock: StartedMock = await startMock({ clock: 'manual', port: 0 })",
      'const calls: CallView[] = await mock.control.listCalls()',
      "const state: 'incoming' | 'establishing' | 'established' | 'terminating' | 'terminated' | undefined = calls[0]?.state",
      '// @ts-expect-error clock takes real or manual only',
      "await startMock({ clock: 'fast' })",
      'console.log(state)',
      'export {}'
    ].join('\n'))
    const tsc = join(repo, 'node_modules/typescript/bin/tsc')
    await run(process.execPath, [tsc, '--noEmit', '--strict', '--skipLibCheck', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--typeRoots', join(repo, 'node_modules/@types'), '--types', 'node', 'use.ts'], { cwd: app, env: stageEnv({}) })
  })
})
