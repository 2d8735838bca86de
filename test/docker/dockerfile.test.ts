import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, readFileSync } from 'node:fs'
import { test } from 'node:test'
import { SETTINGS } from '../../src/config/settings.js'
import { startMock } from '../../src/index.js'
import { envPairs, execForm, parseDockerfile, type Stage } from './parse.js'

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string>, bin: Record<string, string> }
const stages = parseDockerfile(readFileSync('Dockerfile', 'utf8'))
const stage = (name: string): Stage => {
  const found = stages.find((s) => s.name === name)
  assert.ok(found, `the Dockerfile has a stage named ${name}`)
  return found
}
const all = (s: Stage, keyword: string): string[] => s.instructions.filter((i) => i.keyword === keyword).map((i) => i.args)
const last = (s: Stage, keyword: string): string => {
  const found = all(s, keyword)
  assert.ok(found.length > 0, `stage ${s.name} has ${keyword}`)
  return found[found.length - 1]
}
/** COPY sources from the build context (not --from another stage). */
const contextSources = (s: Stage): string[] => all(s, 'COPY').filter((a) => !a.startsWith('--from=')).flatMap((a) => a.split(' ').slice(0, -1))
const runtimeEnv = (): Record<string, string> => Object.assign({}, ...all(stage('runtime'), 'ENV').map(envPairs)) as Record<string, string>
const healthcheck = (): string[] => {
  const args = last(stage('runtime'), 'HEALTHCHECK')
  const cmd = /(?:^| )CMD (\[.*\])$/.exec(args)
  assert.ok(cmd, `HEALTHCHECK uses the exec form: ${args}`)
  return JSON.parse(cmd[1]) as string[]
}

test('stages: build, bot and the runtime last (the default target), on a Node 22 LTS slim image', () => {
  assert.deepEqual(stages.map((s) => s.name), ['build', 'bot', 'runtime'])
  for (const s of stages.filter((x) => !stages.some((y) => y.name === x.from))) {
    assert.match(s.from, /^node:22(\.\d+){0,2}-(bookworm-|trixie-)?slim$/, `stage ${s.name} is on Node 22, a supported LTS line`)
  }
  assert.equal(stage('bot').from, 'build')
})

test('every path the build and runtime stages copy exists and is not dockerignored', () => {
  const ignored = readFileSync('.dockerignore', 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'))
  for (const s of [stage('build'), stage('runtime')]) {
    for (const source of contextSources(s)) {
      assert.ok(existsSync(source), `${s.name} copies ${source}, which exists`)
      assert.ok(!ignored.includes(source.replace(/\/$/, '')), `${source} is not in .dockerignore`)
    }
  }
  // What the runtime takes from the build stage is what `npm run build` writes.
  const fromBuild = all(stage('runtime'), 'COPY').filter((a) => a.startsWith('--from='))
  const tsconfig = JSON.parse(readFileSync('tsconfig.build.json', 'utf8')) as { compilerOptions: { outDir: string } }
  assert.deepEqual(fromBuild, [`--from=build ${last(stage('build'), 'WORKDIR')}/${tsconfig.compilerOptions.outDir} ./dist`])
  assert.ok(ignored.includes('node_modules') && ignored.includes('dist'), 'local node_modules and dist stay out of the context')
})

test('the bot target copies the example bot, which exists', { todo: !existsSync('examples') && 'examples/bot/ comes with the example-bot work' }, () => {
  for (const source of contextSources(stage('bot'))) assert.ok(existsSync(source), `bot copies ${source}`)
  assert.deepEqual(execForm(last(stage('bot'), 'CMD')), ['npx', 'tsx', 'examples/bot/server.ts'])
  assert.ok(existsSync('examples/bot/server.ts'))
})

test('RUN steps are the package\'s own install and build commands; CMD runs the bin', () => {
  const commands = (s: Stage): string[] => all(s, 'RUN').flatMap((r) => r.split('&&').map((c) => c.trim()))
  // Without --ignore-scripts, npm ci would run `prepare` (the build) before the sources are copied.
  assert.deepEqual(commands(stage('build')), ['npm ci --ignore-scripts', 'npm run build'])
  assert.deepEqual(commands(stage('runtime')), ['npm ci --omit=dev --ignore-scripts', 'npm cache clean --force'])
  for (const c of [...commands(stage('build')), ...commands(stage('runtime'))]) {
    const script = /^npm run (\S+)$/.exec(c)?.[1]
    if (script) assert.ok(pkg.scripts[script], `npm run ${script} is a package script`)
  }
  // npm start runs the bin too (scripts/start.mjs, after checking dist/ is up to date); the image has no sources to check.
  assert.deepEqual(execForm(last(stage('runtime'), 'CMD')), ['node', pkg.bin['graph-calling-mock']], 'the image runs the same entry as the bin')
  // Every file the build script names is in the build stage.
  const copied = contextSources(stage('build'))
  for (const file of pkg.scripts.build.match(/\S+\.(?:json|mjs|js)\b/g) ?? []) {
    assert.ok(copied.some((c) => c === file || file.startsWith(c.replace(/\/?$/, '/'))), `the build stage copies ${file}, which \`npm run build\` reads`)
  }
})

test('the runtime listens on 0.0.0.0:4000 as a non-root user, and its settings are real ones', () => {
  const env = runtimeEnv()
  assert.equal(env.HOST, '0.0.0.0')
  assert.equal(env.PORT, '4000')
  assert.deepEqual(all(stage('runtime'), 'EXPOSE'), [env.PORT])
  const settingVars = new Set(SETTINGS.map((s) => s.env))
  for (const name of Object.keys(env).filter((n) => n !== 'NODE_ENV')) assert.ok(settingVars.has(name), `${name} is a setting`)
  for (const s of [stage('bot'), stage('runtime')]) assert.equal(last(s, 'USER'), 'node', `stage ${s.name} runs as the image's non-root user`)
  const runtime = stage('runtime').instructions
  assert.ok(runtime.findIndex((i) => i.keyword === 'USER') > runtime.findLastIndex((i) => i.keyword === 'RUN'), 'USER comes after the last RUN')
})

test('the HEALTHCHECK runs node\'s fetch against /_mock/health on the image\'s port, and works', async (t) => {
  const [program, flag, script] = healthcheck()
  assert.deepEqual([program, flag], ['node', '-e'])
  assert.match(script, /fetch\(/)
  assert.match(script, /\/_mock\/health/)
  assert.match(script, new RegExp(`process\\.env\\.PORT \\|\\| ${runtimeEnv().PORT}\\b`), 'it follows PORT, defaulting to the exposed port')

  const mock = await startMock()
  t.after(async () => { await mock.close() })
  // Run it as Docker would, in its own process (the mock in this one must stay free to answer).
  const check = async (port: number): Promise<number | null> => {
    const child = spawn(process.execPath, ['-e', script], { env: { ...process.env, PORT: String(port) }, stdio: 'ignore', timeout: 10_000 })
    const [code] = await once(child, 'exit') as [number | null]
    return code
  }
  assert.equal(await check(mock.port), 0)
  await mock.close()
  assert.equal(await check(mock.port), 1, 'unhealthy when nothing answers')
})
