/** Size of the canonical RIFF/WAVE header written before 16-bit PCM samples. */
export const WAV_HEADER_BYTES = 44

/**
 * 16-bit mono PCM WAV bytes, byte for byte what node-wav's `encode([samples], { sampleRate, bitDepth: 16 })`
 * writes (the same header and the same rounding: negative values scale by 32768, positive by 32767, then
 * truncate). node-wav's encode ends in the deprecated `Buffer()` constructor (DEP0005), which Node warns
 * about once the code is bundled outside node_modules, as in the CLI; node-wav still decodes fixtures.
 */
export function encodeWav16Mono (samples: Float32Array, sampleRate: number): Buffer {
  const dataBytes = samples.length * 2
  // Never from the shared pool: the samples view needs an even byte offset.
  const out = Buffer.allocUnsafeSlow(WAV_HEADER_BYTES + dataBytes)
  out.write('RIFF', 0, 'latin1')
  out.writeUInt32LE(out.length - 8, 4)
  out.write('WAVEfmt ', 8, 'latin1')
  out.writeUInt32LE(16, 16) // fmt chunk size
  out.writeUInt16LE(1, 20) // PCM
  out.writeUInt16LE(1, 22) // one channel
  out.writeUInt32LE(sampleRate, 24)
  out.writeUInt32LE(sampleRate * 2, 28) // bytes per second
  out.writeUInt16LE(2, 32) // bytes per frame
  out.writeUInt16LE(16, 34) // bits per sample
  out.write('data', 36, 'latin1')
  out.writeUInt32LE(dataBytes, 40)
  const pcm = new Int16Array(out.buffer, out.byteOffset + WAV_HEADER_BYTES, samples.length)
  for (let i = 0; i < samples.length; i++) {
    const v = Math.max(-1, Math.min(samples[i], 1))
    pcm[i] = (v < 0 ? v * 32768 : v * 32767) | 0
  }
  return out
}
