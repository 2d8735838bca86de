import type { Prng } from './prng.js'

/**
 * Source-filter voice DSP: a Rosenberg glottal pulse train (with jitter, shimmer and breath
 * noise) through a cascade of three formant resonators, as in Klatt's cascade synthesiser.
 * State lives in fields so that a caller can change pitch and formants every block; the
 * per-sample loop sits in a small method, which V8 optimises early (a long loop inside one
 * big function runs for a while unoptimised, boxing every intermediate float).
 */

/** One period of Rosenberg glottal flow (open phase 40 %, closing 16 %), for linear lookup. */
const GLOTTAL_SIZE = 2048
const GLOTTAL = new Float64Array(GLOTTAL_SIZE + 1)
for (let i = 0; i <= GLOTTAL_SIZE; i++) {
  const p = (i % GLOTTAL_SIZE) / GLOTTAL_SIZE
  GLOTTAL[i] = p < 0.4 ? 0.5 - 0.5 * Math.cos((Math.PI * p) / 0.4) : p < 0.56 ? Math.cos((Math.PI / 2) * ((p - 0.4) / 0.16)) : 0
}

const BANDWIDTHS = [90, 110, 170] as const // formant bandwidths, Hz
const ASPIRATION = 0.01 // breath noise relative to the glottal excitation
const INT32_TO_HALF = 1 / 4294967296 // int32 -> [-0.5, 0.5)

export class FormantVoice {
  peak = 0 // largest |output| so far, for normalisation
  private phase = 0 // glottal cycle position in [0, 1)
  private jitter = 1 // per-period pitch perturbation
  private shimmer = 1 // per-period amplitude perturbation
  private previousFlow = 0
  private noise: number // xorshift32 state for breath noise
  private y1a = 0; private y2a = 0; private y1b = 0; private y2b = 0; private y1c = 0; private y2c = 0
  private a0 = 0; private a1 = 0; private a2 = 0; private b0 = 0; private b1 = 0; private b2 = 0
  private readonly radius: readonly [number, number, number]
  private readonly c0: number; private readonly c1: number; private readonly c2: number

  constructor (private readonly sampleRate: number, private readonly rand: Prng) {
    this.noise = Math.floor(rand.next() * 0x7fffffff) | 1 // must be non-zero
    // Pole radius depends only on the (fixed) bandwidth; only the pole angle follows the formant.
    const r = BANDWIDTHS.map((bw) => Math.exp((-Math.PI * bw) / sampleRate))
    this.radius = [r[0], r[1], r[2]]
    this.c0 = -r[0] * r[0]
    this.c1 = -r[1] * r[1]
    this.c2 = -r[2] * r[2]
  }

  /** Retunes the three resonators; each keeps unity gain at DC (A = 1 - B - C). */
  setFormants (f1: number, f2: number, f3: number): void {
    const w = (2 * Math.PI) / this.sampleRate
    this.b0 = 2 * this.radius[0] * Math.cos(w * f1)
    this.b1 = 2 * this.radius[1] * Math.cos(w * f2)
    this.b2 = 2 * this.radius[2] * Math.cos(w * f3)
    this.a0 = 1 - this.b0 - this.c0
    this.a1 = 1 - this.b1 - this.c1
    this.a2 = 1 - this.b2 - this.c2
  }

  /** Writes out[from, to) at pitch f0 Hz, voicing amplitude ramping linearly from env by envStep. */
  render (out: Float32Array, from: number, to: number, f0: number, env: number, envStep: number): void {
    const { a0, a1, a2, b0, b1, b2, c0, c1, c2, rand } = this
    const phaseStep = f0 / this.sampleRate
    let { phase, jitter, shimmer, previousFlow, noise, y1a, y2a, y1b, y2b, y1c, y2c, peak } = this
    for (let i = from; i < to; i++) {
      phase += phaseStep * jitter
      if (phase >= 1) {
        phase -= 1
        jitter = 1 + (rand.next() - 0.5) * 0.02
        shimmer = 1 + (rand.next() - 0.5) * 0.12
      }
      const pos = phase * GLOTTAL_SIZE
      const idx = pos | 0
      const flow = GLOTTAL[idx] + (GLOTTAL[idx + 1] - GLOTTAL[idx]) * (pos - idx)
      noise ^= noise << 13
      noise ^= noise >>> 17
      noise ^= noise << 5
      // Flow derivative = glottal excitation including lip radiation (a +6 dB/oct tilt).
      const source = env * ((flow - previousFlow) * shimmer + ASPIRATION * noise * INT32_TO_HALF)
      previousFlow = flow
      env += envStep
      // Feedback term last: keeps the recursive dependency chain (the loop's bottleneck) short.
      const ya = a0 * source + c0 * y2a + b0 * y1a
      y2a = y1a; y1a = ya
      const yb = a1 * ya + c1 * y2b + b1 * y1b
      y2b = y1b; y1b = yb
      const yc = a2 * yb + c2 * y2c + b2 * y1c
      y2c = y1c; y1c = yc
      out[i] = yc
      const mag = yc < 0 ? -yc : yc
      if (mag > peak) peak = mag
    }
    // Flush fully decayed state in pauses: denormal floats are very slow on x86.
    if (Math.abs(y1a) + Math.abs(y1b) + Math.abs(y1c) + Math.abs(y2c) < 1e-20) {
      y1a = y2a = y1b = y2b = y1c = y2c = 0
    }
    this.phase = phase; this.jitter = jitter; this.shimmer = shimmer; this.previousFlow = previousFlow
    this.noise = noise; this.peak = peak
    this.y1a = y1a; this.y2a = y2a; this.y1b = y1b; this.y2b = y2b; this.y1c = y1c; this.y2c = y2c
  }
}
