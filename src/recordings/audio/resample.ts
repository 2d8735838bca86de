/**
 * Linear-interpolation resampler. Good enough for speech fixtures (no anti-alias filter: fixtures
 * are expected to be 16-22 kHz speech, with little energy above 8 kHz).
 */
export function resampleLinear (input: Float32Array, fromRate: number, toRate: number): Float32Array {
  const length = Math.round((input.length * toRate) / fromRate)
  const out = new Float32Array(length)
  if (input.length === 0) return out
  const step = fromRate / toRate
  const last = input.length - 1
  for (let i = 0; i < length; i++) {
    const pos = i * step
    const idx = Math.floor(pos)
    if (idx >= last) {
      out[i] = input[last]
    } else {
      const frac = pos - idx
      out[i] = input[idx] + (input[idx + 1] - input[idx]) * frac
    }
  }
  return out
}
