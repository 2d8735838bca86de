import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { graphErrors } from '../../errors/graph-error.js'
import { scriptProblem, type CallerAction, type CallerResponse, type CallerScript } from './script-schema.js'

/**
 * The scripted caller's scripts: per call, the default for calls without their own, and named scenarios
 * from fixtures/scenarios/*.json (contract section 5).
 */
export function createCallerScripts (deps: { scenariosDir: string, fixtureExists: (name: string) => boolean }) {
  let defaultScript: CallerScript | null = null

  function checkAudio (script: CallerScript, where: string): void {
    for (const [i, r] of (script.responses ?? []).entries()) {
      for (const [j, a] of (r.actions ?? []).entries()) {
        const audio = (a as { audio?: string }).audio
        if (audio !== undefined && !deps.fixtureExists(audio)) {
          throw graphErrors.badRequest(`${where}.responses[${i}].actions[${j}] names audio '${audio}', which is not a file in fixtures/audio/.`)
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
      let text: string
      try { text = readFileSync(join(deps.scenariosDir, `${name.replace(/\.json$/, '')}.json`), 'utf8') } catch {
        throw graphErrors.badRequest(`Unknown scenario '${name}'; known scenarios: ${this.scenarioNames().join(', ') || 'none'}.`)
      }
      let parsed: unknown
      try { parsed = JSON.parse(text) } catch (err) { throw graphErrors.badRequest(`Scenario '${name}' is not valid JSON: ${(err as Error).message}`) }
      return this.resolve(parsed, `scenario '${name}'`)
    },
    scenarioNames (): string[] {
      try { return readdirSync(deps.scenariosDir).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort() } catch { return [] }
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
