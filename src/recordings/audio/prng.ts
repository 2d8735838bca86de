/**
 * Seeded, deterministic randomness for audio rendering. Math.random is never used so that the
 * same RecordingSpec always renders the same bytes.
 */

/** 32-bit FNV-1a hash of a string (UTF-16 code units), with a final avalanche mix. */
export function hashSeed (text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  // Extra mixing so that seeds differing only in the last character diverge fully.
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  return h >>> 0
}

/**
 * mulberry32: tiny, fast PRNG with good enough statistics for audio noise.
 * A class rather than a closure: hot loops then always call the same function (one closure per
 * recording would make V8 deoptimise code that inlined the previous recording's closure).
 */
export class Prng {
  private state: number

  constructor (seed: number) {
    this.state = seed | 0
  }

  /** Uniform float in [0, 1). */
  next (): number {
    const s = (this.state = (this.state + 0x6d2b79f5) | 0)
    let t = Math.imul(s ^ (s >>> 15), 1 | s)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A PRNG for one named stream of a seed (e.g. "noise", "voice:3"), so streams stay independent. */
export function seededRandom (seed: string, stream: string): Prng {
  return new Prng(hashSeed(`${seed}\u0000${stream}`))
}
