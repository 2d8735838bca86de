import { randomBytes, timingSafeEqual, createHash } from 'node:crypto'
import type { Clock } from '../clock/clock.js'
import type { RecordingSink } from '../engine/events.js'
import type { RecordingInfo } from '../schemas/control-views.js'
import { MAX_OPERATIONS_PER_CALL } from '../engine/media/media-engine.js'
import { flat, newId } from '../ids.js'
import type { FixtureAudio } from './audio/fixture-audio.js'
import { renderRecording, SAMPLE_RATE, type CallerAudioEvent } from './audio/render.js'
import { createWavCache } from './wav-cache.js'
import { WAV_HEADER_BYTES } from './wav-encode.js'

/** What a download needs; handed out by authorize(). */
export interface RecordingHandle {
  id: string
  durationMs: number
  sizeBytes: number
}

interface Recording extends RecordingHandle {
  callId: string
  operationId: string
  /** What the caller did in the window; null once expired. */
  audio: CallerAudioEvent[] | null
  /** SHA-256 of the token as a latin1 string: 48 bytes, where a Buffer costs ~400 with its ArrayBuffer. */
  tokenHash: string
  createdAt: number
  expiresAt: number | null
  downloads: number
}

export const DEFAULT_WAV_CACHE_BYTES = 64 * 1024 * 1024

/** The exact size of the WAV renderRecording() produces for a window, known without rendering it. */
export function wavSizeOf (durationMs: number): number {
  return WAV_HEADER_BYTES + Math.round(durationMs * SAMPLE_RATE / 1000) * 2
}

/**
 * Finished recordings (see docs/decisions/recordings.md). Only what the caller did is kept; the WAV bytes are rendered
 * when downloaded and kept only in a bounded LRU cache, so thousands of calls cost kilobytes each.
 * Tokens are kept hashed and compared in constant time.
 */
export function createRecordingStore (deps: { clock: Clock, baseUrl: () => string, retentionMs: number, fixtures: FixtureAudio, cacheBytes?: number }) {
  const { clock } = deps
  const byId = new Map<string, Recording>()
  // Most calls have one recording: an array of exactly one, where a Set would be a hash table.
  const byCall = new Map<string, Recording[]>()
  const wavs = createWavCache({ maxBytes: deps.cacheBytes ?? DEFAULT_WAV_CACHE_BYTES })
  const hash = (token: string): Buffer => createHash('sha256').update(token).digest()

  const isExpired = (r: Recording): boolean => r.audio === null || (r.expiresAt !== null && clock.now() >= r.expiresAt)

  /** Frees the audio and cached bytes; the summary stays for the control API. */
  function expire (r: Recording): void {
    if (r.audio !== null) wavs.delete(cacheKeyOf(r, r.audio))
    r.audio = null
  }

  /**
   * The seed comes from the content, not the random ids, so the same script gives the same bytes in
   * every run (snapshot tests can compare recordings).
   */
  function seedOf (r: Recording): string {
    return createHash('sha256').update(JSON.stringify([r.durationMs, r.audio])).digest('hex').slice(0, 32)
  }

  /**
   * Recordings with the same content share one cached WAV (a suite running one script a thousand times
   * renders it once). One that mixes a fixture file is cached on its own: the file may change between
   * recordings.
   */
  function cacheKeyOf (r: Recording, audio: CallerAudioEvent[]): string {
    return audio.some((e) => e.kind === 'speech' && e.audio !== undefined) ? `recording:${r.id}` : `content:${seedOf(r)}`
  }

  const sink: RecordingSink = {
    create (spec) {
      const id = newId()
      const token = randomBytes(32).toString('base64url')
      const recording: Recording = {
        id,
        callId: spec.callId,
        operationId: spec.operationId,
        durationMs: spec.durationMs,
        sizeBytes: wavSizeOf(spec.durationMs),
        audio: spec.audio,
        tokenHash: hash(token).toString('latin1'),
        createdAt: clock.now(),
        expiresAt: null,
        downloads: 0
      }
      byId.set(id, recording)
      const mine = byCall.get(spec.callId)
      if (mine) mine.push(recording)
      else byCall.set(spec.callId, [recording])
      // A call keeps as many recordings as it keeps operations: beyond it, the oldest goes (404 from then on).
      if (mine && mine.length > MAX_OPERATIONS_PER_CALL) {
        const oldest = mine.shift()!
        expire(oldest)
        byId.delete(oldest.id)
      }
      return { location: flat(`${deps.baseUrl()}/recordings/${id}`), token }
    },
    callEnded (callId) {
      const mine = byCall.get(callId)
      if (!mine) return
      const expiresAt = clock.now() + deps.retentionMs
      const ended = mine.filter((r) => r.expiresAt === null)
      for (const r of ended) r.expiresAt = expiresAt
      clock.setTimer(deps.retentionMs, () => { for (const r of ended) expire(r) })
    }
  }

  function info (r: Recording): RecordingInfo {
    return {
      id: r.id,
      callId: r.callId,
      operationId: r.operationId,
      durationMs: r.durationMs,
      sizeBytes: r.sizeBytes,
      downloaded: r.downloads > 0,
      createdAt: clock.isoAt(r.createdAt),
      expiresAt: r.expiresAt === null ? null : clock.isoAt(r.expiresAt),
      expired: isExpired(r)
    }
  }

  return {
    sink,
    /**
     * The recording if `token` is its own. 'notFound' for unknown or expired ids, 'unauthorized' for any
     * other token: the same answer whether the token is missing, wrong or another recording's.
     */
    authorize (id: string, token: string | undefined): { recording: RecordingHandle } | 'notFound' | 'unauthorized' {
      const r = byId.get(id.toLowerCase())
      if (!r || isExpired(r)) return 'notFound'
      // Both sides are SHA-256 digests, so the comparison is constant-time whatever the token's length.
      if (token === undefined || !timingSafeEqual(hash(token), Buffer.from(r.tokenHash, 'latin1'))) return 'unauthorized'
      return { recording: r }
    },
    /** The WAV bytes of an authorized recording: rendered on first use, then from the bounded cache. */
    wav (handle: RecordingHandle): Buffer {
      const r = byId.get(handle.id)
      if (!r || r.audio === null) throw new Error(`recording ${handle.id} has expired`)
      const audio = r.audio
      return wavs.get(cacheKeyOf(r, audio), () => renderRecording({ durationMs: r.durationMs, events: audio, seed: seedOf(r) }, deps.fixtures))
    },
    markDownloaded (id: string): void {
      const r = byId.get(id.toLowerCase())
      if (r) r.downloads++
    },
    listForCall (callId: string): RecordingInfo[] {
      return (byCall.get(callId) ?? []).map(info)
    },
    /** Recordings that can still be downloaded. */
    count (): number { return [...byId.values()].filter((r) => !isExpired(r)).length },
    /** The rendered-bytes cache, to see that memory stays bounded. */
    cacheStats (): ReturnType<typeof wavs.stats> { return wavs.stats() },
    /** Drops a call's recordings, summaries and all (the engine forgot the call: MAX_ENDED_CALLS). */
    forgetCall (callId: string): void {
      for (const r of byCall.get(callId) ?? []) {
        byId.delete(r.id)
        expire(r)
      }
      byCall.delete(callId)
    },
    reset (): void { byId.clear(); byCall.clear(); wavs.clear() }
  }
}

export type RecordingStore = ReturnType<typeof createRecordingStore>
