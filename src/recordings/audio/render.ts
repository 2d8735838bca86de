import type { CallerAudioEvent } from '../../engine/caller-audio.js'
import { fillBackgroundNoise } from './background-noise.js'
import { DTMF_DURATION_MS, mixDtmfTone } from './dtmf.js'
import type { FixtureAudio } from './fixture-audio.js'
import { synthesizeVoice } from './synthetic-voice.js'
import { encodeWav16Mono } from '../wav-encode.js'

export { DTMF_FREQUENCIES } from './dtmf.js'

/** Recordings are 16 kHz, 16-bit, mono PCM (wideband telephony quality). */
export const SAMPLE_RATE = 16000
const SAMPLES_PER_MS = SAMPLE_RATE / 1000

// The engine defines what the caller did; this module renders it.
export type { CallerAudioEvent }

export interface RecordingSpec {
  durationMs: number; // length of the recording window; the output has round(durationMs*16) samples
  events: CallerAudioEvent[]; // times are ms from the start of the recording window; parts beyond durationMs are cut
  seed: string; // e.g. the operation id: same spec => identical bytes
}

/**
 * Renders 16 kHz, 16-bit, mono PCM WAV bytes. The same spec always gives the same bytes; the recording
 * store's WAV cache (src/recordings/wav-cache.ts) keeps recent renders.
 */
export function renderRecording (spec: RecordingSpec, fixtures: FixtureAudio): Buffer {
  return encodeWav16Mono(renderSamples(spec, fixtures), SAMPLE_RATE)
}

/**
 * Renders the samples: background noise everywhere, then every event mixed on top in list
 * order, then the mix clamped to [-1, 1]. Malformed events (non-finite times, unknown DTMF keys)
 * are skipped rather than failing the whole recording.
 * A plain loop calling top-level functions, not a callback per event: a closure created per
 * recording lost its optimised code on every call, and its sample loops then ran interpreted.
 */
export function renderSamples (spec: RecordingSpec, fixtures: FixtureAudio): Float32Array {
  if (!Number.isFinite(spec.durationMs) || spec.durationMs < 0) {
    throw new RangeError(`durationMs must be a finite, non-negative number (got ${spec.durationMs})`)
  }
  const out = new Float32Array(Math.round(spec.durationMs * SAMPLES_PER_MS))
  fillBackgroundNoise(out, spec.seed)
  const fixtureCache = new Map<string, Float32Array | undefined>()

  // Ranges events were mixed into: only these can exceed full scale, so only these get clamped.
  const touched: Array<[from: number, to: number]> = []
  for (let index = 0; index < spec.events.length; index++) {
    const range = mixEvent(out, spec.events[index], index, spec.seed, fixtures, fixtureCache)
    if (range) touched.push(range)
  }

  for (const [from, to] of touched) clamp(out, Math.max(0, from), Math.min(out.length, to))
  return out
}

/** Mixes one event into `out`; returns the range it touched, or undefined when it added nothing. */
function mixEvent (out: Float32Array, event: CallerAudioEvent, index: number, seed: string, fixtures: FixtureAudio, fixtureCache: Map<string, Float32Array | undefined>): [number, number] | undefined {
  if (event.kind === 'tone') {
    if (!Number.isFinite(event.atMs)) return undefined
    const start = Math.round(event.atMs * SAMPLES_PER_MS)
    return mixDtmfTone(out, start, event.key, SAMPLE_RATE) ? [start, start + DTMF_DURATION_MS * SAMPLES_PER_MS] : undefined
  }
  if (event.kind !== 'speech' || !Number.isFinite(event.startMs) || !Number.isFinite(event.durationMs)) return undefined
  // Only the part inside the window is rendered; nothing is generated for what would be cut.
  const start = Math.round(event.startMs * SAMPLES_PER_MS)
  const end = Math.min(out.length, start + Math.round(event.durationMs * SAMPLES_PER_MS))
  const from = Math.max(0, start)
  if (end <= from) return undefined
  const name = event.audio
  if (name !== undefined && !fixtureCache.has(name)) fixtureCache.set(name, fixtures.samples(name))
  const clip = name === undefined ? undefined : fixtureCache.get(name)
  if (clip && clip.length > 0) {
    mixLooped(out, from, end, clip, from - start)
  } else {
    // No fixture (or an unknown/undecodable one): synthetic voice, seeded per event position.
    mixAt(out, from, synthesizeVoice(end - from, SAMPLE_RATE, seed, String(index)))
  }
  return [from, end]
}

function mixAt (out: Float32Array, from: number, samples: Float32Array): void {
  for (let i = 0; i < samples.length; i++) out[from + i] += samples[i]
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
