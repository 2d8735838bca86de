#!/usr/bin/env node
// dist/cli.js, the graph-calling-mock command: runs the bundled program (cli.cjs beside it) compiled from
// V8's code cache when one matching this Node is there. Parsing the 1.4 MB bundle was the largest part of
// the cold start (docs/benchmarks.md); from the cache it is deserialised instead. `npm run build` writes
// the cache by running this once; if it is missing or was made by another Node or V8 flags, V8 rejects
// it, the bundle compiles as usual and a fresh cache is written beside it when the folder is writable.
import { readFileSync, renameSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Script } from 'node:vm'

const dir = dirname(fileURLToPath(import.meta.url))
const filename = join(dir, 'cli.cjs')
const cacheFile = `${filename}.cache`

let cachedData
try { cachedData = readFileSync(cacheFile) } catch { /* no cache yet: compile from source */ }
const source = `(function (exports, require, module, __filename, __dirname) {${readFileSync(filename, 'utf8')}\n})`
const script = new Script(source, { filename, cachedData })

if (cachedData === undefined || script.cachedDataRejected) {
  try {
    // Written aside and renamed, so a process starting meanwhile never reads half a cache.
    const partial = `${cacheFile}.${process.pid}`
    writeFileSync(partial, script.createCachedData())
    renameSync(partial, cacheFile)
  } catch { /* a read-only install runs without the cache */ }
}

const module = { exports: {} }
script.runInThisContext()(module.exports, createRequire(filename), module, filename, dir)
