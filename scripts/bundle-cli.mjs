// Bundles the CLI into one file after tsc has built dist/: loading TypeBox's ~700 modules one by one
// costs ~150 ms of cold start, one bundled file ~15 ms (docs/benchmarks.md). The library entry
// (dist/index.js) stays unbundled for consumers' own bundlers.
// Usage: node scripts/bundle-cli.mjs [outfile]   (default dist/cli.js; the benchmarks build elsewhere)
import { build } from 'esbuild'

await build({
  entryPoints: ['src/cli.ts'],
  outfile: process.argv[2] ?? 'dist/cli.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // pino starts its transport (pino-pretty, on a TTY) in a worker thread by file name: thread-stream and
  // the transport stay real packages. @fastify/swagger is imported on the first /_mock/docs request, so
  // it (and the YAML library it brings) is neither parsed nor loaded at start-up.
  external: ['pino-pretty', 'thread-stream', '@fastify/swagger'],
  // CommonJS dependencies inside an ES module bundle still need require and __dirname.
  banner: {
    js: [
      "import { createRequire as __createRequire } from 'node:module'",
      "import { fileURLToPath as __fileURLToPath } from 'node:url'",
      "import { dirname as __pathDirname } from 'node:path'",
      'const require = __createRequire(import.meta.url)',
      'const __filename = __fileURLToPath(import.meta.url)',
      'const __dirname = __pathDirname(__filename)'
    ].join('\n')
  },
  sourcemap: true,
  // Smaller source parses faster; identifiers keep their names so stack traces stay readable.
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning'
})
