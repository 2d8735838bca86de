import { dtmfKey, type DtmfKey } from '../../engine/dtmf.js'

/** DTMF keypad frequencies (ITU-T Q.23): [row (low) Hz, column (high) Hz]. */
export const DTMF_FREQUENCIES: Record<DtmfKey, readonly [low: number, high: number]> = {
  1: [697, 1209],
  2: [697, 1336],
  3: [697, 1477],
  A: [697, 1633],
  4: [770, 1209],
  5: [770, 1336],
  6: [770, 1477],
  B: [770, 1633],
  7: [852, 1209],
  8: [852, 1336],
  9: [852, 1477],
  C: [852, 1633],
  '*': [941, 1209],
  0: [941, 1336],
  '#': [941, 1477],
  D: [941, 1633],
}

/** Tone length: 100 ms, comfortably above the 40 ms minimum detectors require. */
export const DTMF_DURATION_MS = 100
/** Amplitude of each of the two sines: -10 dBFS peak, so the pair peaks at about -4 dBFS. */
export const DTMF_COMPONENT_AMPLITUDE = 10 ** (-10 / 20)
/** Short raised-cosine ramps avoid clicks (broadband splatter) at the tone edges. */
const RAMP_MS = 3

/** The frequency pair for a key (case-insensitive for A-D), or undefined for a non-DTMF key. */
export function dtmfPair (key: string): readonly [number, number] | undefined {
  const known = dtmfKey(key)
  return known && DTMF_FREQUENCIES[known]
}

/**
 * Adds (mixes) a DTMF tone into `out` starting at sample `start`; the parts outside `out`
 * are cut. Returns false (and adds nothing) for an unknown key.
 */
export function mixDtmfTone (out: Float32Array, start: number, key: string, sampleRate: number): boolean {
  const tone = toneSamples(key, sampleRate)
  if (!tone) return false
  const from = Math.max(0, start)
  const to = Math.min(out.length, start + tone.length)
  for (let i = from; i < to; i++) out[i] += tone[i - start]
  return true
}

// Every tone of a key is the same: computed once per key and rate (in doubles, as mixed before).
const tones = new Map<string, Float64Array>()

function toneSamples (key: string, sampleRate: number): Float64Array | undefined {
  const pair = dtmfPair(key)
  if (!pair) return undefined
  const id = `${pair[0]}+${pair[1]}@${sampleRate}`
  let tone = tones.get(id)
  if (!tone) {
    tone = renderTone(pair, sampleRate)
    tones.set(id, tone)
  }
  return tone
}

function renderTone (pair: readonly [number, number], sampleRate: number): Float64Array {
  const length = Math.round((DTMF_DURATION_MS * sampleRate) / 1000)
  const ramp = Math.round((RAMP_MS * sampleRate) / 1000)
  const wLow = (2 * Math.PI * pair[0]) / sampleRate
  const wHigh = (2 * Math.PI * pair[1]) / sampleRate
  const tone = new Float64Array(length)
  for (let n = 0; n < length; n++) {
    const edge = Math.min(n, length - 1 - n)
    const gain = edge < ramp ? 0.5 - 0.5 * Math.cos((Math.PI * edge) / ramp) : 1
    tone[n] = DTMF_COMPONENT_AMPLITUDE * gain * (Math.sin(wLow * n) + Math.sin(wHigh * n))
  }
  return tone
}
