import { hashSeed } from './prng.js'

/** Target RMS of the line noise: -60 dBFS (20·log10(rms) with full scale = 1.0). */
export const NOISE_RMS = 0.001

// Triangular noise (sum of two uniforms in [0, 1) minus 1) has RMS 1/sqrt(6); scale to NOISE_RMS.
const TRIANGULAR_SCALE = NOISE_RMS * Math.sqrt(6)
const INV_2_16 = 1 / 65536

/**
 * Fills `out` with low-level deterministic noise, so "silence" looks like a real phone line
 * (never digital zero, which voice-activity detectors and codecs treat specially).
 * xorshift32 is inlined and each 32-bit draw gives both uniforms (its two 16-bit halves):
 * this loop runs for every sample of every recording, so it must be cheap.
 */
export function fillBackgroundNoise (out: Float32Array, seed: string): void {
  let state = hashSeed(`${seed}\u0000background-noise`) | 1 // xorshift state must be non-zero
  for (let i = 0; i < out.length; i++) {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    const low = state & 0xffff
    const high = (state >>> 16) & 0xffff
    out[i] = ((low + high) * INV_2_16 - 1) * TRIANGULAR_SCALE
  }
}
