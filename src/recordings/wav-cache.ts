import type { FixtureAudio } from './audio/fixture-audio.js'
import { renderRecording, type CallerAudioEvent } from './audio/render.js'

/**
 * Rendered WAV bytes, least recently used first out, within a byte budget: a bot that downloads twice
 * (or with Range requests) does not pay for rendering twice, and memory stays bounded however many
 * recordings exist.
 */
export function createWavCache (deps: { fixtures: FixtureAudio, maxBytes: number }) {
  const cache = new Map<string, Buffer>()
  let bytes = 0

  return {
    get (recording: { id: string, durationMs: number, audio: CallerAudioEvent[] }): Buffer {
      const hit = cache.get(recording.id)
      if (hit) {
        cache.delete(recording.id)
        cache.set(recording.id, hit)
        return hit
      }
      const wav = renderRecording({ durationMs: recording.durationMs, events: recording.audio, seed: recording.id }, deps.fixtures)
      cache.set(recording.id, wav)
      bytes += wav.length
      for (const [id, buf] of cache) {
        if (bytes <= deps.maxBytes || id === recording.id) break
        cache.delete(id)
        bytes -= buf.length
      }
      return wav
    },
    clear (): void { cache.clear(); bytes = 0 }
  }
}
