/**
 * Small measurement helpers for rendered audio (levels, single-frequency power), for the tests that
 * "listen" to a recording, e.g. to detect a DTMF tone.
 */

/** Mean square of samples[from, to). */
export function meanSquare (samples: ArrayLike<number>, from = 0, to = samples.length): number {
  let sum = 0
  for (let i = from; i < to; i++) sum += samples[i] * samples[i]
  return to > from ? sum / (to - from) : 0
}

/** RMS level in dBFS (20·log10(rms), full scale = 1.0); -Infinity for digital silence. */
export function rmsDbfs (samples: ArrayLike<number>, from = 0, to = samples.length): number {
  return 10 * Math.log10(meanSquare(samples, from, to))
}

/**
 * Goertzel: the power of the `freq` component of samples[from, to), scaled so that a sine of
 * amplitude A centred on `freq` gives A²/2, i.e. directly comparable with meanSquare().
 */
export function goertzelPower (samples: ArrayLike<number>, freq: number, sampleRate: number, from = 0, to = samples.length): number {
  const n = to - from
  if (n <= 0) return 0
  const coeff = 2 * Math.cos((2 * Math.PI * freq) / sampleRate)
  let s1 = 0
  let s2 = 0
  for (let i = from; i < to; i++) {
    const s0 = samples[i] + coeff * s1 - s2
    s2 = s1
    s1 = s0
  }
  const magnitudeSquared = s1 * s1 + s2 * s2 - coeff * s1 * s2
  return (2 * magnitudeSquared) / (n * n)
}

/** Normalised (Pearson-style, zero-lag, no mean removal) correlation of two equal-length signals. */
export function normalizedCorrelation (a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = Math.min(a.length, b.length)
  let ab = 0; let aa = 0; let bb = 0
  for (let i = 0; i < n; i++) {
    ab += a[i] * b[i]
    aa += a[i] * a[i]
    bb += b[i] * b[i]
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0
}
