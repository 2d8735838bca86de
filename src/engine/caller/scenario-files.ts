import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { FixtureFolders } from '../../config/fixtures-dir.js'
import { graphErrors } from '../../errors/graph-error.js'

/** Largest scenario file read: far above any script the limits allow, and quick to parse. */
export const MAX_SCENARIO_FILE_BYTES = 1024 * 1024
/** Longest scenario name: file names are short, and the name is echoed in messages. */
export const MAX_SCENARIO_NAME_LENGTH = 100

/** Where JSON.parse stopped, without the text around it (newer Node versions quote the content). */
function jsonProblem (err: unknown, text: string): string {
  const at = /position (\d+)/.exec((err as Error).message)
  if (!at) return text.trim() === '' ? 'it is empty' : 'it does not parse'
  const before = text.slice(0, Number(at[1])).split('\n')
  return `it does not parse at line ${before.length}, column ${before[before.length - 1].length + 1}`
}

/**
 * The named scenarios of the scenarios folders: FIXTURES_DIR/scenarios first, then the shipped ones
 * (docs/caller-scripts.md). Messages name the file and what is wrong with it, never its content.
 */
export function createScenarioFiles (folders: Pick<FixtureFolders, 'scenarios' | 'scenarioPlaces'>) {
  function names (): string[] {
    const files = folders.scenarios.flatMap((dir) => { try { return readdirSync(dir) } catch { return [] } })
    return [...new Set(files.filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)))].sort()
  }

  return {
    names,
    /** The parsed JSON of the named scenario's file (not yet checked as a script); throws a 400 naming the problem. */
    read (name: string): unknown {
      if (name.length > MAX_SCENARIO_NAME_LENGTH) throw graphErrors.badRequest(`Scenario name is ${name.length} characters long; the limit is ${MAX_SCENARIO_NAME_LENGTH}.`)
      if (!/^[A-Za-z0-9._-]+$/.test(name) || name.includes('..')) throw graphErrors.badRequest(`Scenario name '${name}' is not valid.`)
      const file = `${name.replace(/\.json$/, '')}.json`
      // The first folder holding the file wins: a custom scenario replaces a shipped one of the same name.
      const path = folders.scenarios.map((dir) => join(dir, file)).find((p) => statSync(p, { throwIfNoEntry: false })?.isFile())
      // With FIXTURES_DIR set there are two places to look, and the message says which.
      const where = folders.scenarios.length > 1 ? ` (looked in ${folders.scenarioPlaces})` : ''
      if (!path) throw graphErrors.badRequest(`Unknown scenario '${name}'${where}; known scenarios: ${names().join(', ') || 'none'}.`)
      if (statSync(path).size > MAX_SCENARIO_FILE_BYTES) throw graphErrors.badRequest(`Scenario '${name}' (${path}) is larger than the limit of ${MAX_SCENARIO_FILE_BYTES} bytes.`)
      let text: string
      try { text = readFileSync(path, 'utf8') } catch (err) {
        throw graphErrors.badRequest(`Scenario '${name}' (${path}) cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}).`)
      }
      try { return JSON.parse(text) } catch (err) { throw graphErrors.badRequest(`Scenario '${name}' (${path}) is not valid JSON: ${jsonProblem(err, text)}.`) }
    }
  }
}
