import { FormantVoice } from './formant-voice.js'
import { seededRandom, type Prng } from './prng.js'
import { planSyllables, syllableEnvelope, voicedProgress, VOWELS, type Syllable } from './voice-plan.js'

/**
 * A cheap "caller voice": syllables of glottal pulses through vowel formants, with wandering
 * pitch, word gaps and fricative-like noise onsets. Not intelligible, but speech detectors,
 * VAD and level meters see speech, and it is clearly not a pure tone.
 */

/** Peak level of the voiced part: -8 dBFS (within the -6..-12 dBFS a real caller line shows). */
export const VOICE_PEAK = 10 ** (-8 / 20)

/** Control rate: pitch, formants and envelope slope are updated every 64 samples (4 ms at 16 kHz). */
const BLOCK = 64
const FRICATIVE_AMPLITUDE = 0.05 // absolute level of onset noise bursts after normalisation
const EDGE_FADE_MS = 5 // fade at the event edges: a cut syllable must not click

/**
 * Renders `length` samples of synthetic speech, deterministic in `seed`/`stream`.
 * The voiced part is peak-normalised to VOICE_PEAK; fricative noise is added at a fixed level.
 */
export function synthesizeVoice (length: number, sampleRate: number, seed: string, stream: string): Float32Array {
  const out = new Float32Array(length)
  if (length <= 0) return out
  const rand = seededRandom(seed, `voice:${stream}`)
  const syllables = planSyllables(length, sampleRate, rand)

  // Speaker and prosody: base pitch 115-165 Hz, slow intonation drift, 4.5-6 Hz vibrato.
  const basePitch = 115 + rand.next() * 50
  const intonationStep = (2 * Math.PI * (0.3 + rand.next() * 0.4) * BLOCK) / sampleRate
  const vibratoStep = (2 * Math.PI * (4.5 + rand.next() * 1.5) * BLOCK) / sampleRate
  let intonationPhase = rand.next() * 2 * Math.PI
  let vibratoPhase = rand.next() * 2 * Math.PI

  const voice = new FormantVoice(sampleRate, rand)
  let current = 0 // index of the syllable being (or about to be) spoken
  for (let blockStart = 0; blockStart < length; blockStart += BLOCK) {
    while (current < syllables.length && blockStart >= syllables[current].end) current++
    const syl = current < syllables.length ? syllables[current] : undefined // (no out-of-bounds read: V8 deopts on those)
    const blockEnd = Math.min(length, blockStart + BLOCK)
    const progress = syl ? voicedProgress(syl, blockStart) : 0

    // Pitch: drift + per-syllable accent + vibrato, clamped to a plausible adult range.
    const accent = syl ? syl.accent * Math.sin(Math.PI * progress) : 0
    const swing = 0.1 * Math.sin(intonationPhase) + accent + 0.015 * Math.sin(vibratoPhase)
    const f0 = Math.min(230, Math.max(95, basePitch * (1 + swing)))
    intonationPhase += intonationStep
    vibratoPhase += vibratoStep

    // Formants glide from the previous vowel over the first 35 % of the syllable (coarticulation).
    const glide = Math.min(1, progress / 0.35)
    const mix = glide * glide * (3 - 2 * glide)
    const fromF = VOWELS[syl ? syl.from : 0]
    const toF = VOWELS[syl ? syl.vowel : 0]
    voice.setFormants(
      fromF[0] + (toF[0] - fromF[0]) * mix,
      fromF[1] + (toF[1] - fromF[1]) * mix,
      fromF[2] + (toF[2] - fromF[2]) * mix
    )

    // The envelope moves slowly: ramp it linearly across the block.
    const envStart = syl ? syllableEnvelope(syl, blockStart) : 0
    const envEnd = syl ? syllableEnvelope(syl, blockEnd) : 0
    voice.render(out, blockStart, blockEnd, f0, envStart, (envEnd - envStart) / BLOCK)
  }

  scale(out, voice.peak > 0 ? VOICE_PEAK / voice.peak : 0)
  addFricatives(out, syllables, rand)
  fadeEdges(out, Math.round((EDGE_FADE_MS * sampleRate) / 1000))
  return out
}

function scale (out: Float32Array, gain: number): void {
  for (let i = 0; i < out.length; i++) out[i] *= gain
}

/** High-passed (first-difference) noise bursts before voiced onsets, like /s/, /f/, /t/. */
function addFricatives (out: Float32Array, syllables: readonly Syllable[], rand: Prng): void {
  for (const syl of syllables) {
    const len = syl.voicedStart - syl.start
    if (len <= 0) continue
    let previous = 0
    const end = Math.min(out.length, syl.voicedStart)
    for (let i = syl.start; i < end; i++) {
      const white = rand.next() * 2 - 1
      out[i] += FRICATIVE_AMPLITUDE * Math.sin((Math.PI * (i - syl.start)) / len) * (white - previous)
      previous = white
    }
  }
}

function fadeEdges (out: Float32Array, fade: number): void {
  const n = Math.min(fade, Math.floor(out.length / 2))
  for (let i = 0; i < n; i++) {
    const g = i / n
    out[i] *= g
    out[out.length - 1 - i] *= g
  }
}
