/**
 * Installed from git, the package has its code: npm clones the repository, installs its dev dependencies,
 * runs `prepare` (the build) and packs it. Slow (a full install and build, a minute or more under load),
 * hence its own file; it reaches nothing beyond the npm registry, and prefers the local npm cache.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { test } from 'node:test'
import { promisify } from 'node:util'

const run = promisify(execFile)
const repo = process.cwd()

/** This machine's PATH and npm cache; nothing of the test runner (its --import tsx) or of an outer npm run. */
function cleanEnv (): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('npm_') && k !== 'NODE_OPTIONS' && k !== 'INIT_CWD') env[k] = v
  return { ...env, npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' }
}

test('npm install git+file:// of this repository gives a package with a working CLI and importable entry points', { timeout: 600_000 }, async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'gcm-git-'))
  t.after(async () => { await rm(root, { recursive: true, force: true }) })
  const env = cleanEnv()
  const git = async (...args: string[]): Promise<string> => (await run('git', args, { cwd: origin, env, maxBuffer: 16 * 1024 * 1024 })).stdout

  // The working tree as it is (committed or not, ignored files left out), as a repository of one commit.
  const origin = join(root, 'origin')
  await mkdir(origin)
  const files = (await run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: repo, env, maxBuffer: 16 * 1024 * 1024 })).stdout.split('\0').filter(Boolean)
  for (const file of files) {
    await mkdir(dirname(join(origin, file)), { recursive: true })
    await cp(join(repo, file), join(origin, file)).catch((err: NodeJS.ErrnoException) => { if (err.code !== 'ENOENT') throw err }) // deleted, not yet committed
  }
  await git('init', '-q')
  await git('add', '-A')
  await git('-c', 'user.name=test', '-c', 'user.email=test@localhost', 'commit', '-qm', 'working tree')
  const clone = join(root, 'clone')
  await run('git', ['clone', '-q', origin, clone], { env })

  const app = join(root, 'consumer')
  await mkdir(app)
  await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }))
  await run('npm', ['install', `git+file://${clone}`], { cwd: app, env, maxBuffer: 32 * 1024 * 1024 })

  const help = await run(join(app, 'node_modules/.bin/graph-calling-mock'), ['--help'], { cwd: app, env })
  assert.match(help.stdout, /^Usage: graph-calling-mock \[options\]$/m)

  await writeFile(join(app, 'use.mjs'), [
    "import { startMock } from 'graph-calling-mock'",
    "import setup from 'graph-calling-mock/global-setup'",
    "import teardown from 'graph-calling-mock/global-teardown'",
    "import { DEFAULT_IMAGE } from 'graph-calling-mock/testcontainers'",
    "const mock = await startMock({ clock: 'manual' })",
    'const health = await mock.control.health()',
    'await mock.close()',
    'await setup()',
    'const shared = await (await fetch(process.env.GRAPH_CALLING_MOCK_URL + "/_mock/health")).json()',
    'await teardown()',
    'console.log(JSON.stringify({ health, shared, image: DEFAULT_IMAGE }))'
  ].join('\n'))
  const used = JSON.parse((await run(process.execPath, ['use.mjs'], { cwd: app, env })).stdout) as Record<string, unknown>
  assert.deepEqual(used.health, { status: 'ok' })
  assert.deepEqual(used.shared, { status: 'ok' })
  assert.match(String(used.image), /^ghcr\.io\/[\w-]+\/graph-calling-mock:\d+\.\d+\.\d+/)
})
