import assert from 'node:assert/strict'
import type { LightMyRequestResponse } from 'fastify'
import wav from 'node-wav'
import type { BuiltMock } from '../../src/server.js'
import { JSON_HEADERS, journal } from '../helper.js'

/** A recordResponse without prompt or beep, so the recording window opens at once (R = start). */
export const NO_PROMPT = { playBeep: false }

/** POSTs recordResponse (beta, so completionReason shows); returns the operation id. */
export async function record (mock: BuiltMock, callId: string, body: Record<string, unknown> = {}): Promise<string> {
  const res = await mock.app.inject({ method: 'POST', url: `/beta/communications/calls/${callId}/recordResponse`, headers: JSON_HEADERS, payload: body })
  assert.equal(res.statusCode, 200, res.body)
  return (res.json() as { id: string }).id
}

export interface Completed {
  status: string
  completionReason: string
  recordingLocation: string | null
  recordingAccessToken: string | null
}

/** The operation as the bot heard it in its completion notification (first delivery attempt). */
export async function completion (mock: BuiltMock, callId: string, operationId: string): Promise<Completed> {
  const entries = await journal(mock, { callId })
  for (const e of entries) {
    for (const n of e.body?.value ?? []) {
      if (n.changeType === 'deleted' && n.resourceData?.id === operationId) return n.resourceData as Completed
    }
  }
  assert.fail(`no completion notification for operation ${operationId}`)
}

/** GET (or HEAD) a recordingLocation through inject; `token` null sends no Authorization. */
export async function download (mock: BuiltMock, location: string, token: string | null, extra: { method?: 'GET' | 'HEAD', headers?: Record<string, string> } = {}): Promise<LightMyRequestResponse> {
  const { pathname } = new URL(location)
  return await mock.app.inject({
    method: extra.method ?? 'GET',
    url: pathname,
    headers: { ...(token === null ? {} : { authorization: `Bearer ${token}` }), ...extra.headers }
  })
}

export interface DecodedWav {
  format: number
  channels: number
  sampleRate: number
  bitsPerSample: number
  dataBytes: number
  durationMs: number
  samples: Float32Array
}

/** Reads the RIFF header itself (node-wav does not report bit depth) and the samples with node-wav. */
export function decodeWav (bytes: Buffer): DecodedWav {
  assert.equal(bytes.toString('ascii', 0, 4), 'RIFF')
  assert.equal(bytes.toString('ascii', 8, 12), 'WAVE')
  let fmt: { format: number, channels: number, sampleRate: number, bitsPerSample: number } | undefined
  let dataBytes: number | undefined
  for (let at = 12; at + 8 <= bytes.length;) {
    const id = bytes.toString('ascii', at, at + 4)
    const size = bytes.readUInt32LE(at + 4)
    if (id === 'fmt ') fmt = { format: bytes.readUInt16LE(at + 8), channels: bytes.readUInt16LE(at + 10), sampleRate: bytes.readUInt32LE(at + 12), bitsPerSample: bytes.readUInt16LE(at + 22) }
    if (id === 'data') { dataBytes = size; break }
    at += 8 + size + (size % 2)
  }
  assert.ok(fmt, 'no fmt chunk')
  assert.ok(dataBytes !== undefined, 'no data chunk')
  // node-wav misreads Buffers that sit at an offset in a shared ArrayBuffer; give it its own copy.
  const own = Buffer.from(new Uint8Array(bytes))
  const decoded = wav.decode(own)
  assert.equal(decoded.sampleRate, fmt.sampleRate)
  assert.equal(decoded.channelData.length, fmt.channels)
  const frameBytes = fmt.channels * fmt.bitsPerSample / 8
  return { ...fmt, dataBytes, durationMs: dataBytes / frameBytes / fmt.sampleRate * 1000, samples: decoded.channelData[0] }
}

/** The call's recordings as GET /_mock/calls/{id} shows them. */
export async function recordingsOf (mock: BuiltMock, callId: string): Promise<any[]> {
  const res = await mock.app.inject({ method: 'GET', url: `/_mock/calls/${callId}` })
  assert.equal(res.statusCode, 200, res.body)
  return (res.json() as { recordings: any[] }).recordings
}

/** The id a recordingLocation names (its last path segment). */
export function recordingIdOf (location: string): string {
  return new URL(location).pathname.split('/').pop()!
}
