import type { Prng } from './prng.js'

/**
 * The prosody plan of the synthetic voice: where syllables are, which vowel each carries, how
 * loud and how accented it is. Pure data; the DSP lives in formant-voice.ts.
 */

/** Vowel formants F1-F3 in Hz (Peterson & Barney, male averages). */
export const VOWELS: readonly (readonly [number, number, number])[] = [
  [730, 1090, 2440], // /a/ father
  [270, 2290, 3010], // /i/ beet
  [300, 870, 2240], // /u/ boot
  [530, 1840, 2480], // /ɛ/ bet
  [570, 840, 2410], // /ɔ/ bought
  [660, 1720, 2410], // /æ/ bat
  [440, 1020, 2240], // /ʊ/ book
  [640, 1190, 2390], // /ʌ/ but
]

export interface Syllable {
  start: number; // first sample (fricative onset, if any)
  voicedStart: number; // first voiced sample
  end: number; // one past the last sample
  from: number; // index of the previous vowel (formants glide from it)
  vowel: number; // index into VOWELS
  accent: number; // relative pitch rise at the syllable's centre
  gain: number; // stress: relative loudness
}

/** Lays out syllables (160-280 ms, i.e. 3.6-6.3 Hz) in words of 1-3, with 60-260 ms word gaps. */
export function planSyllables (length: number, sampleRate: number, rand: Prng): Syllable[] {
  const syllables: Syllable[] = []
  const ms = (x: number) => Math.round((x * sampleRate) / 1000)
  let t = ms(rand.next() * 10)
  let previous = Math.floor(rand.next() * VOWELS.length)
  while (t < length) {
    const inWord = 1 + Math.floor(rand.next() * 3)
    for (let s = 0; s < inWord && t < length; s++) {
      const len = ms(160 + rand.next() * 120)
      const fricative = rand.next() < 0.35 ? ms(30 + rand.next() * 40) : 0
      const vowel = Math.floor(rand.next() * VOWELS.length)
      syllables.push({
        start: t,
        voicedStart: t + fricative,
        end: t + len,
        from: previous,
        vowel,
        accent: -0.06 + rand.next() * 0.24,
        gain: 0.6 + 0.4 * rand.next(),
      })
      previous = vowel
      t += len + ms(rand.next() * 25)
    }
    t += ms(60 + rand.next() * 200)
  }
  return syllables
}

/** Syllable amplitude shape over its voiced part: quick attack (15 %), slow raised-cosine decay. */
const ENV_SIZE = 256
const ENVELOPE = new Float64Array(ENV_SIZE + 1)
for (let i = 0; i <= ENV_SIZE; i++) {
  const p = i / ENV_SIZE
  ENVELOPE[i] = p < 0.15 ? 0.5 - 0.5 * Math.cos((Math.PI * p) / 0.15) : 0.5 + 0.5 * Math.cos((Math.PI * (p - 0.15)) / 0.85)
}

/** Position within the syllable's voiced part, 0..1 (clamped). */
export function voicedProgress (syl: Syllable, i: number): number {
  const p = (i - syl.voicedStart) / (syl.end - syl.voicedStart)
  return p < 0 ? 0 : p > 1 ? 1 : p
}

/** Voicing amplitude at sample i: zero outside the voiced part. */
export function syllableEnvelope (syl: Syllable, i: number): number {
  if (i < syl.voicedStart || i >= syl.end) return 0
  return syl.gain * ENVELOPE[Math.floor(voicedProgress(syl, i) * ENV_SIZE)]
}
