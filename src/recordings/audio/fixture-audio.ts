import { existsSync, readFileSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import wav from 'node-wav'
import { resampleLinear } from './resample.js'

/** All audio handed out by FixtureAudio is at this rate (the rate recordings are rendered at). */
const TARGET_RATE = 16000

/**
 * The project's fixtures/audio folder: the first ancestor of this module holding one. Searching
 * upwards works from src/ (tsx), from dist/ (built) and from an installed package alike.
 */
export function defaultFixtureDir (): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const candidate = join(dir, 'fixtures', 'audio')
    if (existsSync(candidate)) return candidate
    const parent = dirname(dir)
    if (parent === dir) return join(process.cwd(), 'fixtures', 'audio')
    dir = parent
  }
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

/** Loads WAV fixtures, down-mixed to mono and resampled to 16 kHz; decoded once per name. */
export class FixtureAudio {
  readonly dir: string
  private readonly cache = new Map<string, Float32Array>()

  constructor (dir: string = defaultFixtureDir()) {
    this.dir = dir
  }

  /** true when `name` is a safe bare file name of a regular file in the folder. */
  has (name: string): boolean {
    if (!isSafeFixtureName(name)) return false
    try {
      return statSync(join(this.dir, name)).isFile()
    } catch {
      return false
    }
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

  private load (name: string): Float32Array | undefined {
    const cached = this.cache.get(name)
    if (cached) return cached
    if (!this.has(name)) return undefined
    const decoded = decodeWav(readFileSync(join(this.dir, name)))
    // Only successes are cached: a missing or broken file may be fixed while the server runs.
    if (decoded) this.cache.set(name, decoded)
    return decoded
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
