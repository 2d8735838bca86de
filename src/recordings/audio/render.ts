import wav from 'node-wav'
import { fillBackgroundNoise } from './background-noise.js'
import { DTMF_DURATION_MS, mixDtmfTone } from './dtmf.js'
import type { FixtureAudio } from './fixture-audio.js'
import { synthesizeVoice } from './synthetic-voice.js'

export { DTMF_FREQUENCIES } from './dtmf.js'

/** Recordings are 16 kHz, 16-bit, mono PCM (wideband telephony quality). */
export const SAMPLE_RATE = 16000
const SAMPLES_PER_MS = SAMPLE_RATE / 1000

export type CallerAudioEvent =
  | { kind: 'speech'; startMs: number; durationMs: number; audio?: string } // audio = fixture file name; absent = synthetic voice
  | { kind: 'tone'; atMs: number; key: string } // DTMF key: 0-9 * # A B C D

export interface RecordingSpec {
  durationMs: number; // length of the recording window; the output has round(durationMs*16) samples
  events: CallerAudioEvent[]; // times are ms from the start of the recording window; parts beyond durationMs are cut
  seed: string; // e.g. the operation id: same spec => identical bytes
}

/** Renders 16 kHz, 16-bit, mono PCM WAV bytes (node-wav encode). */
export function renderRecording (spec: RecordingSpec, fixtures: FixtureAudio): Buffer {
  return wav.encode([renderSamples(spec, fixtures)], { sampleRate: SAMPLE_RATE, bitDepth: 16 })
}

/**
 * Renders the samples: background noise everywhere, then every event mixed on top in list
 * order, then the mix clamped to [-1, 1]. Malformed events (non-finite times, unknown DTMF keys)
 * are skipped rather than failing the whole recording.
 */
export function renderSamples (spec: RecordingSpec, fixtures: FixtureAudio): Float32Array {
  if (!Number.isFinite(spec.durationMs) || spec.durationMs < 0) {
    throw new RangeError(`durationMs must be a finite, non-negative number (got ${spec.durationMs})`)
  }
  const out = new Float32Array(Math.round(spec.durationMs * SAMPLES_PER_MS))
  fillBackgroundNoise(out, spec.seed)
  const fixtureCache = new Map<string, Float32Array | undefined>()
  const fixtureSamples = (name: string) => {
    if (!fixtureCache.has(name)) fixtureCache.set(name, fixtures.samples(name))
    return fixtureCache.get(name)
  }

  // Ranges events were mixed into: only these can exceed full scale, so only these get clamped.
  const touched: Array<[from: number, to: number]> = []

  spec.events.forEach((event, index) => {
    if (event.kind === 'tone') {
      if (!Number.isFinite(event.atMs)) return
      const start = Math.round(event.atMs * SAMPLES_PER_MS)
      if (mixDtmfTone(out, start, event.key, SAMPLE_RATE)) touched.push([start, start + DTMF_DURATION_MS * SAMPLES_PER_MS])
      return
    }
    if (event.kind !== 'speech' || !Number.isFinite(event.startMs) || !Number.isFinite(event.durationMs)) return
    // Only the part inside the window is rendered; nothing is generated for what would be cut.
    const start = Math.round(event.startMs * SAMPLES_PER_MS)
    const end = Math.min(out.length, start + Math.round(event.durationMs * SAMPLES_PER_MS))
    const from = Math.max(0, start)
    if (end <= from) return
    const clip = event.audio === undefined ? undefined : fixtureSamples(event.audio)
    if (clip && clip.length > 0) {
      mixLooped(out, from, end, clip, from - start)
    } else {
      // No fixture (or an unknown/undecodable one): synthetic voice, seeded per event position.
      const voice = synthesizeVoice(end - from, SAMPLE_RATE, spec.seed, String(index))
      for (let i = 0; i < voice.length; i++) out[from + i] += voice[i]
    }
    touched.push([from, end])
  })

  for (const [from, to] of touched) clamp(out, Math.max(0, from), Math.min(out.length, to))
  return out
}

function clamp (out: Float32Array, from: number, to: number): void {
  for (let i = from; i < to; i++) {
    const v = out[i]
    out[i] = v > 1 ? 1 : v < -1 ? -1 : v
  }
}

/**
 * Mixes `clip` into out[from, end), starting `offset` samples into it. A speech span longer than
 * the fixture repeats it back to back, so the whole span stays speech (the emulator's speech and
 * silence timing treats the span as talking); a shorter span truncates it.
 */
function mixLooped (out: Float32Array, from: number, end: number, clip: Float32Array, offset: number): void {
  let pos = offset % clip.length
  for (let i = from; i < end; i++) {
    out[i] += clip[pos]
    if (++pos === clip.length) pos = 0
  }
}
