import type { CallerAction } from '../caller/script-schema.js'
import type { RecordOutcome } from './outcomes.js'
import type { CallerAudioEvent } from '../caller-audio.js'

export const BEEP_MS = 500

export interface RecordPlanInput {
  /** Length of the prompt; 0 without one. */
  promptMs: number
  promptFails: boolean
  playBeep: boolean
  initialSilenceMs: number
  maxSilenceMs: number
  maxRecordMs: number
  stopTones: string[]
  actions: CallerAction[]
  /** Length of a fixture WAV, for speech given only as `audio`. */
  fixtureMs: (name: string) => number | undefined
}

export interface RecordPlan {
  outcome: Exclude<RecordOutcome, 'operationCanceled'>
  /** When the recording window opens (R), ms after the operation started. */
  windowStartMs: number
  /** When the operation ends, ms after it started. */
  endMs: number
  /** What the caller does in the window, ms after R, cut at the end. */
  audio: CallerAudioEvent[]
  /** Keys the caller presses before the end, ms after the operation started. */
  tones: Array<{ atMs: number, key: string }>
}

const DEFAULT_SPEECH_MS = 1000

/**
 * Lays the caller's actions on the timeline of one recordResponse (see docs/caller-scripts.md) and finds what
 * ends it first. Pure: the same input always gives the same plan, so it is computed once when the
 * operation starts and only live events (keys pressed through the control API, hang-ups) can change it.
 */
export function planRecordResponse (input: RecordPlanInput): RecordPlan {
  if (input.promptFails) return { outcome: 'playPromptFailed', windowStartMs: 0, endMs: 0, audio: [], tones: [] }
  const R = input.promptMs + (input.playBeep ? BEEP_MS : 0)
  const M = input.maxRecordMs
  const audio: CallerAudioEvent[] = []
  const tones: RecordPlan['tones'] = []
  const end = (outcome: RecordPlan['outcome'], at: number): RecordPlan => ({
    outcome,
    windowStartMs: R,
    endMs: R + at,
    audio: clipAudio(audio, at),
    // A copy: slice() allocates exactly, where the pushes left room for 16 more (the plan lives as long as the recording).
    tones: tones.slice()
  })

  let t = 0
  let spoke = false
  let lastSpeechEnd = 0
  // A silence from t to `until` (Infinity: the script has ended): does a timeout or the max duration fall in it?
  // On a tie a caller who never spoke fails (with the defaults, 5 s of silence is an initial-silence
  // timeout, not a recording of nothing); one who spoke completes at the max duration.
  const silenceUntil = (until: number): RecordPlan | undefined => {
    const limit = spoke ? lastSpeechEnd + input.maxSilenceMs : input.initialSilenceMs
    const timeoutFirst = spoke ? limit < M : limit <= M
    if (timeoutFirst && limit <= until) return end(spoke ? 'maxSilenceTimeout' : 'initialSilenceTimeout', limit)
    if (M <= until) return end('maxRecordDurationReached', M)
    return undefined
  }

  for (const action of input.actions) {
    if ('silence' in action) {
      const done = silenceUntil(t + action.silence)
      if (done) return done
      t += action.silence
    } else if ('tone' in action) {
      const key = action.tone.toUpperCase()
      tones.push({ atMs: R + t, key })
      audio.push({ kind: 'tone', atMs: t, key })
      if (input.stopTones.includes(key)) return end('stopToneDetected', t)
    } else if ('hangup' in action) {
      return end('callerHungUp', t)
    } else {
      const length = action.speech ?? (action.audio ? input.fixtureMs(action.audio) : undefined) ?? DEFAULT_SPEECH_MS
      audio.push({ kind: 'speech', startMs: t, durationMs: length, ...(action.audio ? { audio: action.audio } : {}) })
      spoke = true
      if (M <= t + length) return end('maxRecordDurationReached', M)
      t += length
      lastSpeechEnd = t
    }
  }
  // After the script the caller stays silent.
  return silenceUntil(Infinity)!
}

/** The scripted response used when a call's script has run out (see docs/caller-scripts.md). */
export function defaultActions (stopTones: string[]): CallerAction[] {
  const actions: CallerAction[] = [{ silence: 1000 }, { speech: 3000 }]
  if (stopTones.length > 0) actions.push({ tone: stopTones[0] })
  return actions
}

/** The caller's audio up to `at` ms after R. */
export function clipAudio (events: CallerAudioEvent[], at: number): CallerAudioEvent[] {
  // filter, then map: map allocates exactly (flatMap's result has room for 16 more), and recordings keep it.
  return events
    .filter((e) => e.kind === 'tone' ? e.atMs <= at : e.startMs < at)
    .map((e) => e.kind === 'tone' ? e : { ...e, durationMs: Math.min(e.durationMs, at - e.startMs) })
}
