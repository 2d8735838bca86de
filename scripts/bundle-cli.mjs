// Bundles the CLI after tsc has built dist/: loading TypeBox's ~700 modules one by one costs ~150 ms of
// cold start, one bundled file ~15 ms (docs/benchmarks.md). The program is one CommonJS file, cli.cjs,
// which the launcher (scripts/cli-launcher.mjs, written as cli.js) compiles from V8's code cache; running
// the launcher once here writes that cache. The library entry (dist/index.js) stays unbundled for
// consumers' own bundlers.
// Usage: node scripts/bundle-cli.mjs [outfile]   (default dist/cli.js; the benchmarks build elsewhere)
import { spawnSync } from 'node:child_process'
import { chmodSync, copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { build } from 'esbuild'

const launcher = process.argv[2] ?? 'dist/cli.js'
const program = join(dirname(launcher), 'cli.cjs')

const result = await build({
  entryPoints: ['src/cli.ts'],
  outfile: program,
  write: false,
  bundle: true,
  platform: 'node',
  // CommonJS, because V8's code cache is open to scripts only (vm.Script) on Node 20, not to ES modules.
  format: 'cjs',
  target: 'node20',
  // pino starts its transport (pino-pretty, on a TTY) in a worker thread by file name: thread-stream and
  // the transport stay real packages. pino itself is bundled, so its require('thread-stream') resolves
  // from dist/: thread-stream is a direct dependency (the range pino 10 uses) for that reason. @fastify/swagger is imported on the first /_mock/docs request, so
  // it (and the YAML library it brings) is neither parsed nor loaded at start-up.
  // node-forge (HTTPS certificates) is loaded only under --https: as a package it stays out of the bundle
  // every start reads.
  external: ['pino-pretty', 'thread-stream', '@fastify/swagger', 'node-forge'],
  // The sources are ES modules: import.meta.url becomes the bundle's own URL.
  define: { 'import.meta.url': '__bundleUrl' },
  banner: { js: "const __bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  // Dynamic imports become require(), which the launcher provides, rather than the ESM loader a script lacks.
  supported: { 'dynamic-import': false },
  sourcemap: 'linked',
  // Smaller source parses faster; identifiers keep their names so stack traces stay readable.
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning'
})

mkdirSync(dirname(launcher), { recursive: true })
for (const file of result.outputFiles) {
  // The launcher wraps the program in a function: the hashbang src/cli.ts starts with cannot stay.
  writeFileSync(file.path, file.path.endsWith('.cjs') ? file.text.replace(/^#!.*\n/, '') : file.contents)
}
copyFileSync(new URL('./cli-launcher.mjs', import.meta.url), launcher)
chmodSync(launcher, 0o755)
// tsc's map of src/cli.ts would describe the launcher wrongly (the program's own map is cli.cjs.map).
rmSync(`${launcher}.map`, { force: true })
// A fresh code cache for this bundle: the launcher writes it when there is none.
rmSync(`${program}.cache`, { force: true })
const warm = spawnSync(process.execPath, [launcher, '--help'], { encoding: 'utf8' })
if (warm.status !== 0) throw new Error(`the bundled CLI does not run: ${warm.stderr}`)
