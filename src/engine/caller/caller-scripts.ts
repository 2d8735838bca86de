import type { FixtureFolders } from '../../config/fixtures-dir.js'
import { graphErrors } from '../../errors/graph-error.js'
import { createScenarioFiles } from './scenario-files.js'
import { scriptProblem, type CallerAction, type CallerResponse, type CallerScript } from './script-schema.js'

/** The scenario a script input names: a string, or {"scenario": "name"}; undefined for an inline script. */
function scenarioReference (input: unknown): string | undefined {
  if (typeof input === 'string') return input
  if (typeof input !== 'object' || input === null || !('scenario' in input)) return undefined
  const name = (input as { scenario: unknown }).scenario
  if (typeof name !== 'string' || Object.keys(input).length !== 1) throw graphErrors.badRequest('A scenario reference is {"scenario": "name"} with nothing else.')
  return name
}

/**
 * The scripted caller's scripts: per call, the default for calls without their own, and named scenarios
 * from the scenarios folders (FIXTURES_DIR/scenarios first, then the shipped ones; docs/caller-scripts.md).
 */
export function createCallerScripts (deps: { folders: Pick<FixtureFolders, 'scenarios' | 'scenarioPlaces' | 'audioPlaces'>, fixtureExists: (name: string) => boolean }) {
  const scenarios = createScenarioFiles(deps.folders)
  let defaultScript: CallerScript | null = null

  /** The script itself, checked: its shape and limits, then that the audio files it names exist. */
  function checked (input: unknown, where: string): CallerScript {
    const problem = scriptProblem(input, where)
    if (problem) throw graphErrors.badRequest(problem + '.')
    const script = input as CallerScript
    for (const [i, r] of (script.responses ?? []).entries()) {
      for (const [j, a] of (r.actions ?? []).entries()) {
        const audio = (a as { audio?: string }).audio
        if (audio !== undefined && !deps.fixtureExists(audio)) {
          throw graphErrors.badRequest(`${where}.responses[${i}].actions[${j}] names audio '${audio}', which is not a file in ${deps.folders.audioPlaces}.`)
        }
      }
    }
    return script
  }

  return {
    /**
     * An inline script, or the scenario a name or {"scenario": "name"} refers to, checked; throws a 400
     * naming the bad part. A scenario file holds a script, not another reference.
     */
    resolve (input: unknown, where = 'script'): CallerScript {
      const name = scenarioReference(input)
      return name === undefined ? checked(input, where) : checked(scenarios.read(name), `scenario '${name}'`)
    },
    scenarioNames: scenarios.names,
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
