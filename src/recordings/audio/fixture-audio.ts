import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import wav from 'node-wav'
import { shippedFixturesRoot } from '../../config/fixtures-dir.js'
import { resampleLinear } from './resample.js'

/** All audio handed out by FixtureAudio is at this rate (the rate recordings are rendered at). */
const TARGET_RATE = 16000

/** The shipped fixtures/audio folder (FixtureAudio's default). */
export function defaultFixtureDir (): string {
  return join(shippedFixturesRoot(), 'audio')
}

/**
 * A bare file name only: no separators, no "." / "..", no drive letters or NULs, so a
 * client-supplied prompt name can never reach outside the fixtures folder.
 */
export function isSafeFixtureName (name: string): boolean {
  return (
    typeof name === 'string' &&
    name.length > 0 &&
    name.length <= 255 &&
    name !== '.' &&
    name !== '..' &&
    !/[/\\:]/.test(name) &&
    !name.includes('\u0000')
  )
}

/**
 * Largest fixture file read: decoding runs on the event loop at about 100 MB/s here, so 8 MiB keeps one
 * decode near 100 ms (4 minutes of 16 kHz 16-bit mono, 44 s of 48 kHz stereo). Larger files count as
 * unusable without being read.
 */
export const MAX_FIXTURE_FILE_BYTES = 8 * 1024 * 1024
/** Longest fixture used, so a file at an odd sample rate cannot resample into a huge buffer. */
export const MAX_FIXTURE_SECONDS = 300
/** Decoded audio kept, in bytes of 16 kHz float samples: 64 MiB is about 17 minutes of audio. */
export const DEFAULT_DECODED_CACHE_BYTES = 64 * 1024 * 1024

/** One file's decoded samples, or undefined when it cannot be used, for the file as it was then. */
interface Decoded { path: string, mtimeMs: number, size: number, samples: Float32Array | undefined }

/**
 * Loads WAV fixtures, down-mixed to mono and resampled to 16 kHz. The folders are searched in order and
 * the first holding the name wins (FIXTURES_DIR/audio before the shipped folder). Each file is decoded
 * once while it stays the same (same path, size and modification time), failures included, so a broken
 * or huge file is not re-read on every use but a fixed one is picked up. The cache is bounded by bytes,
 * least recently used first out.
 */
export class FixtureAudio {
  readonly dirs: readonly string[]
  private readonly cache = new Map<string, Decoded>()
  private cachedBytes = 0

  constructor (dirs: string | readonly string[] = defaultFixtureDir(), private readonly maxCacheBytes = DEFAULT_DECODED_CACHE_BYTES) {
    this.dirs = typeof dirs === 'string' ? [dirs] : dirs
  }

  /** true when `name` is a safe bare file name of a regular file in one of the folders. */
  has (name: string): boolean {
    return this.locate(name) !== undefined
  }

  /** Length in ms of the 16 kHz audio (exact, so round(ms * 16) gives the sample count back). */
  durationMs (name: string): number | undefined {
    const samples = this.load(name)
    return samples ? (samples.length * 1000) / TARGET_RATE : undefined
  }

  /** 16 kHz mono samples in [-1, 1] (a copy: callers may modify it), or undefined. */
  samples (name: string): Float32Array | undefined {
    return this.load(name)?.slice()
  }

  /** Forgets every decoded file (POST /_mock/reset). */
  clear (): void {
    this.cache.clear()
    this.cachedBytes = 0
  }

  /** Bytes of decoded samples held now. */
  cacheBytes (): number {
    return this.cachedBytes
  }

  private locate (name: string): { path: string, mtimeMs: number, size: number } | undefined {
    if (!isSafeFixtureName(name)) return undefined
    for (const dir of this.dirs) {
      const path = join(dir, name)
      const stat = statSync(path, { throwIfNoEntry: false })
      if (stat?.isFile()) return { path, mtimeMs: stat.mtimeMs, size: stat.size }
    }
    return undefined
  }

  private load (name: string): Float32Array | undefined {
    const file = this.locate(name)
    if (!file) return undefined
    const hit = this.cache.get(name)
    if (hit && hit.path === file.path && hit.mtimeMs === file.mtimeMs && hit.size === file.size) {
      // Most recently used last: the eviction below takes the oldest first.
      this.cache.delete(name)
      this.cache.set(name, hit)
      return hit.samples
    }
    if (hit) this.forget(name, hit)
    const samples = file.size <= MAX_FIXTURE_FILE_BYTES ? decodeWav(readFileSync(file.path)) : undefined
    this.remember(name, { ...file, samples })
    return samples
  }

  private remember (name: string, entry: Decoded): void {
    const bytes = entry.samples?.byteLength ?? 0
    if (bytes > this.maxCacheBytes) return
    this.cache.set(name, entry)
    this.cachedBytes += bytes
    for (const [oldName, old] of this.cache) {
      if (this.cachedBytes <= this.maxCacheBytes) break
      this.forget(oldName, old)
    }
  }

  private forget (name: string, entry: Decoded): void {
    this.cache.delete(name)
    this.cachedBytes -= entry.samples?.byteLength ?? 0
  }
}

/** Decodes any PCM/float WAV node-wav understands into 16 kHz mono; undefined when it cannot. */
export function decodeWav (file: Buffer): Float32Array | undefined {
  // node-wav mishandles Buffers that sit at an offset in a shared ArrayBuffer; give it its own copy.
  const own = new Uint8Array(file.length)
  own.set(file)
  let decoded: ReturnType<typeof wav.decode> | undefined
  try {
    decoded = wav.decode(Buffer.from(own.buffer))
  } catch {
    return undefined
  }
  if (!decoded || !(decoded.sampleRate > 0) || decoded.channelData.length === 0) return undefined
  if (decoded.channelData[0].length / decoded.sampleRate > MAX_FIXTURE_SECONDS) return undefined
  const mono = downmix(decoded.channelData)
  const out = decoded.sampleRate === TARGET_RATE ? mono : resampleLinear(mono, decoded.sampleRate, TARGET_RATE)
  // Float WAVs may hold values beyond full scale (or NaN); keep the [-1, 1] promise.
  for (let i = 0; i < out.length; i++) {
    const v = out[i]
    out[i] = Number.isNaN(v) ? 0 : v > 1 ? 1 : v < -1 ? -1 : v
  }
  return out
}

function downmix (channels: readonly Float32Array[]): Float32Array {
  if (channels.length === 1) return channels[0]
  const out = new Float32Array(channels[0].length)
  for (const channel of channels) {
    for (let i = 0; i < out.length; i++) out[i] += channel[i]
  }
  const scale = 1 / channels.length
  for (let i = 0; i < out.length; i++) out[i] *= scale
  return out
}

/**
 * The file name a prompt URI names: its last path segment, URL-decoded, without query or
 * fragment. undefined when there is none (e.g. "https://host/", "data:...") or it is not a
 * bare file name.
 */
export function fixtureNameFromUri (uri: string): string | undefined {
  if (typeof uri !== 'string') return undefined
  const trimmed = uri.trim()
  let path: string
  try {
    const url = new URL(trimmed)
    if (url.protocol === 'data:' || url.protocol === 'blob:') return undefined
    path = url.pathname
  } catch {
    // Not absolute: a relative reference such as "prompts/welcome.wav?v=2" or "welcome.wav".
    path = trimmed.split(/[?#]/, 1)[0]
  }
  const segment = path.split(/[/\\]/).pop() ?? ''
  let name: string
  try {
    name = decodeURIComponent(segment)
  } catch {
    name = segment // malformed %-escape: take the segment literally
  }
  return isSafeFixtureName(name) ? name : undefined
}
