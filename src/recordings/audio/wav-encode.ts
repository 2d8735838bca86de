/** The canonical RIFF/WAVE header before 16-bit PCM: RIFF, fmt (16 bytes), data. */
const WAV_HEADER_BYTES = 44

/**
 * Mono 16-bit PCM WAV bytes, byte for byte what node-wav's encode writes (same header, same rounding:
 * clamp to [-1, 1], negatives scaled by 32768, positives by 32767, truncated toward zero; NaN is 0).
 * Written directly: node-wav's generic encoder took two to three times as long and called the deprecated
 * Buffer() constructor on every recording.
 */
export function encodeWavPcm16 (samples: Float32Array, sampleRate: number): Buffer {
  const dataBytes = samples.length * 2
  // An own ArrayBuffer (not the shared Buffer pool), so the Int16Array view below is always aligned.
  const buf = Buffer.from(new ArrayBuffer(WAV_HEADER_BYTES + dataBytes))
  buf.write('RIFF', 0, 'latin1')
  buf.writeUInt32LE(WAV_HEADER_BYTES - 8 + dataBytes, 4)
  buf.write('WAVEfmt ', 8, 'latin1')
  buf.writeUInt32LE(16, 16) // fmt chunk size
  buf.writeUInt16LE(1, 20) // PCM
  buf.writeUInt16LE(1, 22) // mono
  buf.writeUInt32LE(sampleRate, 24)
  buf.writeUInt32LE(sampleRate * 2, 28) // byte rate
  buf.writeUInt16LE(2, 32) // block align
  buf.writeUInt16LE(16, 34) // bits per sample
  buf.write('data', 36, 'latin1')
  buf.writeUInt32LE(dataBytes, 40)
  // Platform byte order, as node-wav writes it too: little-endian on x86 and ARM.
  const pcm = new Int16Array(buf.buffer, WAV_HEADER_BYTES, samples.length)
  for (let i = 0; i < samples.length; i++) {
    const x = samples[i]
    const v = x > 1 ? 1 : x < -1 ? -1 : x
    pcm[i] = (v < 0 ? v * 32768 : v * 32767) | 0
  }
  return buf
}
