import type { Clock } from '../clock/clock.js'
import type { CallerScripts } from './caller/caller-scripts.js'
import type { EventSink, NoteSink, RecordingSink } from './events.js'
import type { Call } from './model.js'

/** What the engine's parts share. */
export interface EngineContext {
  clock: Clock
  emit: EventSink
  note: NoteSink
  scripts: CallerScripts
  recordings: RecordingSink
  /** Length in ms of a fixture WAV, undefined when absent. */
  fixtureMs: (name: string) => number | undefined
  /** Length in ms of the prompt a mediaInfo.uri names, undefined when unknown (the default length applies). */
  promptMs: (uri: string) => number | undefined
  calls: Map<string, Call>
  defaults: { tenantId: string, botAppId: string, callbackUrl?: string }
}
