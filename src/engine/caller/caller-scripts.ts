import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { FixtureFolders } from '../../config/fixtures-dir.js'
import { graphErrors } from '../../errors/graph-error.js'
import { scriptProblem, type CallerAction, type CallerResponse, type CallerScript } from './script-schema.js'

/** Largest scenario file read: far above any script the limits allow, and quick to parse. */
export const MAX_SCENARIO_FILE_BYTES = 1024 * 1024

/** Where JSON.parse stopped, without the text around it (newer Node versions quote the content). */
function jsonProblem (err: unknown, text: string): string {
  const at = /position (\d+)/.exec((err as Error).message)
  if (!at) return text.trim() === '' ? 'it is empty' : 'it does not parse'
  const before = text.slice(0, Number(at[1])).split('\n')
  return `it does not parse at line ${before.length}, column ${before[before.length - 1].length + 1}`
}

/**
 * The scripted caller's scripts: per call, the default for calls without their own, and named scenarios
 * from the scenarios folders (FIXTURES_DIR/scenarios first, then the shipped ones; docs/caller-scripts.md).
 */
export function createCallerScripts (deps: { folders: Pick<FixtureFolders, 'scenarios' | 'scenarioPlaces' | 'audioPlaces'>, fixtureExists: (name: string) => boolean }) {
  let defaultScript: CallerScript | null = null

  function checkAudio (script: CallerScript, where: string): void {
    for (const [i, r] of (script.responses ?? []).entries()) {
      for (const [j, a] of (r.actions ?? []).entries()) {
        const audio = (a as { audio?: string }).audio
        if (audio !== undefined && !deps.fixtureExists(audio)) {
          throw graphErrors.badRequest(`${where}.responses[${i}].actions[${j}] names audio '${audio}', which is not a file in ${deps.folders.audioPlaces}.`)
        }
      }
    }
  }

  return {
    /** Validates an inline script or resolves a scenario name; throws a 400 naming the bad part. */
    resolve (input: unknown, where = 'script'): CallerScript {
      if (typeof input === 'string') return this.scenario(input)
      // {"scenario": "name"} is accepted wherever a script is, as PUT .../script accepts it.
      if (typeof input === 'object' && input !== null && 'scenario' in input) {
        const name = (input as { scenario: unknown }).scenario
        if (typeof name !== 'string' || Object.keys(input).length !== 1) throw graphErrors.badRequest('A scenario reference is {"scenario": "name"} with nothing else.')
        return this.scenario(name)
      }
      const problem = scriptProblem(input, where)
      if (problem) throw graphErrors.badRequest(problem + '.')
      const script = input as CallerScript
      checkAudio(script, where)
      return script
    },
    scenario (name: string): CallerScript {
      if (!/^[A-Za-z0-9._-]+$/.test(name) || name.includes('..')) throw graphErrors.badRequest(`Scenario name '${name}' is not valid.`)
      const file = `${name.replace(/\.json$/, '')}.json`
      // The first folder holding the file wins: a custom scenario replaces a shipped one of the same name.
      const path = deps.folders.scenarios.map((dir) => join(dir, file)).find((p) => statSync(p, { throwIfNoEntry: false })?.isFile())
      // With FIXTURES_DIR set there are two places to look, and the message says which.
      const where = deps.folders.scenarios.length > 1 ? ` (looked in ${deps.folders.scenarioPlaces})` : ''
      if (!path) throw graphErrors.badRequest(`Unknown scenario '${name}'${where}; known scenarios: ${this.scenarioNames().join(', ') || 'none'}.`)
      // The messages name the file and what is wrong with it, never its content.
      if (statSync(path).size > MAX_SCENARIO_FILE_BYTES) throw graphErrors.badRequest(`Scenario '${name}' (${path}) is larger than the limit of ${MAX_SCENARIO_FILE_BYTES} bytes.`)
      let text: string
      try { text = readFileSync(path, 'utf8') } catch (err) {
        throw graphErrors.badRequest(`Scenario '${name}' (${path}) cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}).`)
      }
      let parsed: unknown
      try { parsed = JSON.parse(text) } catch (err) { throw graphErrors.badRequest(`Scenario '${name}' (${path}) is not valid JSON: ${jsonProblem(err, text)}.`) }
      return this.resolve(parsed, `scenario '${name}'`)
    },
    scenarioNames (): string[] {
      const names = deps.folders.scenarios.flatMap((dir) => { try { return readdirSync(dir) } catch { return [] } })
      return [...new Set(names.filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)))].sort()
    },
    setDefault (script: CallerScript | null): void { defaultScript = script },
    getDefault (): CallerScript | null { return defaultScript },
    /** The n-th (from 0) scripted response of a call with the given script; undefined when it has run out. */
    responseFor (own: CallerScript | null, n: number): CallerResponse | undefined {
      return (own ?? defaultScript)?.responses?.[n]
    },
    answerAfter (own: CallerScript | null): CallerScript['answerAfterMs'] {
      return (own ?? defaultScript)?.answerAfterMs
    },
    reset (): void { defaultScript = null }
  }
}

export type CallerScripts = ReturnType<typeof createCallerScripts>
export type { CallerAction }
