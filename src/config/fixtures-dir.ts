import { existsSync, statSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The package's own fixtures folder: the first ancestor of this module holding fixtures/audio. Searching
 * upwards works from src/ (tsx), from dist/ (built) and from an installed package alike.
 */
export function shippedFixturesRoot (): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    if (existsSync(join(dir, 'fixtures', 'audio'))) return join(dir, 'fixtures')
    const parent = dirname(dir)
    if (parent === dir) return join(process.cwd(), 'fixtures')
    dir = parent
  }
}

/** Where fixtures are looked up, first match wins, and how messages name those places. */
export interface FixtureFolders {
  audio: string[]
  scenarios: string[]
  /** e.g. "FIXTURES_DIR/audio/ (/srv/fx/audio) or the shipped fixtures/audio/" */
  audioPlaces: string
  scenarioPlaces: string
}

/**
 * FIXTURES_DIR is layered over the shipped fixtures: a file in the custom folder wins, and every shipped
 * file the custom folder lacks stays available, so adding one scenario does not mean copying every WAV.
 */
export function fixtureFolders (fixturesDir: string | undefined): FixtureFolders {
  const shipped = shippedFixturesRoot()
  const custom = fixturesDir !== undefined && resolve(fixturesDir) !== resolve(shipped) ? resolve(fixturesDir) : undefined
  const places = (sub: string): string => custom ? `FIXTURES_DIR/${sub}/ (${join(custom, sub)}) or the shipped fixtures/${sub}/` : `fixtures/${sub}/`
  const folders = (sub: string): string[] => [...(custom ? [join(custom, sub)] : []), join(shipped, sub)]
  return { audio: folders('audio'), scenarios: folders('scenarios'), audioPlaces: places('audio'), scenarioPlaces: places('scenarios') }
}

/** Why FIXTURES_DIR cannot be used, as the end of "FIXTURES_DIR ... <problem>"; undefined when it can. */
export function fixturesDirProblem (dir: string): string | undefined {
  let stat
  try { stat = statSync(dir) } catch { return `is not a folder that exists (resolved to ${resolve(dir)})` }
  if (!stat.isDirectory()) return `is not a folder (resolved to ${resolve(dir)})`
  if (!['audio', 'scenarios'].some((sub) => statSync(join(dir, sub), { throwIfNoEntry: false })?.isDirectory())) {
    return `holds neither an audio/ nor a scenarios/ folder (resolved to ${resolve(dir)}); point it at the folder that contains them`
  }
  return undefined
}
