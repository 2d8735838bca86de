import { randomBytes, randomUUID, timingSafeEqual, createHash } from 'node:crypto'
import type { Clock } from '../clock/clock.js'
import type { RecordingSink } from '../engine/events.js'
import type { CallerAudioEvent } from './audio/render.js'

/** One recording as the control API shows it. */
export interface RecordingInfo {
  id: string
  callId: string
  operationId: string
  durationMs: number
  sizeBytes: number
  downloaded: boolean
  createdAt: string
  /** Null while the call is still up; retention starts when it ends. */
  expiresAt: string | null
}

interface Recording {
  id: string
  callId: string
  operationId: string
  durationMs: number
  audio: CallerAudioEvent[]
  tokenHash: Buffer
  createdAt: number
  expiresAt: number | null
  downloads: number
}

const WAV_HEADER_BYTES = 44

/**
 * Finished recordings (contract section 8). Only what the caller did is kept; the WAV bytes are rendered
 * when downloaded (and cached by the renderer with a bound), so thousands of calls cost kilobytes each.
 * Tokens are kept hashed and compared in constant time.
 */
export function createRecordingStore (deps: { clock: Clock, baseUrl: () => string, retentionMs: number }) {
  const { clock } = deps
  const byId = new Map<string, Recording>()
  const byCall = new Map<string, Set<string>>()
  const hash = (token: string): Buffer => createHash('sha256').update(token).digest()

  function remove (id: string): void {
    const r = byId.get(id)
    if (!r) return
    byId.delete(id)
    byCall.get(r.callId)?.delete(id)
  }

  const sink: RecordingSink = {
    create (spec) {
      const id = randomUUID()
      const token = randomBytes(32).toString('base64url')
      byId.set(id, { id, callId: spec.callId, operationId: spec.operationId, durationMs: spec.durationMs, audio: spec.audio, tokenHash: hash(token), createdAt: clock.now(), expiresAt: null, downloads: 0 })
      let set = byCall.get(spec.callId)
      if (!set) { set = new Set(); byCall.set(spec.callId, set) }
      set.add(id)
      return { location: `${deps.baseUrl()}/recordings/${id}`, token }
    },
    callEnded (callId) {
      const ids = byCall.get(callId)
      if (!ids || ids.size === 0) return
      const expiresAt = clock.now() + deps.retentionMs
      for (const id of ids) byId.get(id)!.expiresAt = expiresAt
      clock.setTimer(deps.retentionMs, () => {
        for (const id of [...ids]) remove(id)
        byCall.delete(callId)
      })
    }
  }

  function info (r: Recording): RecordingInfo {
    return {
      id: r.id,
      callId: r.callId,
      operationId: r.operationId,
      durationMs: r.durationMs,
      sizeBytes: WAV_HEADER_BYTES + Math.round(r.durationMs * 16) * 2,
      downloaded: r.downloads > 0,
      createdAt: clock.isoAt(r.createdAt),
      expiresAt: r.expiresAt === null ? null : clock.isoAt(r.expiresAt)
    }
  }

  return {
    sink,
    /**
     * The recording if `token` is its own. 'notFound' for unknown or expired ids, 'unauthorized' for any
     * other token: the same answer whether the token is missing, wrong or another recording's.
     */
    authorize (id: string, token: string | undefined): { recording: { id: string, durationMs: number, audio: CallerAudioEvent[] } } | 'notFound' | 'unauthorized' {
      const r = byId.get(id.toLowerCase())
      if (!r || (r.expiresAt !== null && clock.now() >= r.expiresAt)) return 'notFound'
      if (token === undefined || !timingSafeEqual(hash(token), r.tokenHash)) return 'unauthorized'
      return { recording: r }
    },
    markDownloaded (id: string): void {
      const r = byId.get(id.toLowerCase())
      if (r) r.downloads++
    },
    listForCall (callId: string): RecordingInfo[] {
      return [...(byCall.get(callId) ?? [])].map((id) => info(byId.get(id)!))
    },
    count (): number { return byId.size },
    reset (): void { byId.clear(); byCall.clear() }
  }
}

export type RecordingStore = ReturnType<typeof createRecordingStore>
