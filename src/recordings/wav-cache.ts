/**
 * Rendered WAV bytes, least recently used first out, within a byte budget: a bot that downloads twice
 * (or with Range requests) does not pay for rendering twice, and memory stays bounded however many
 * recordings exist. Each mock's recording store owns one, so expiry and reset free the bytes too.
 */
export function createWavCache (deps: { maxBytes: number }) {
  const cache = new Map<string, Buffer>()
  let bytes = 0

  function drop (id: string): void {
    const buf = cache.get(id)
    if (!buf) return
    cache.delete(id)
    bytes -= buf.length
  }

  return {
    /** The bytes for `id`, from the cache or from `render` (then cached, evicting the oldest). */
    get (id: string, render: () => Buffer): Buffer {
      const hit = cache.get(id)
      if (hit) {
        // Map order is insertion order: re-inserting makes it the most recently used.
        cache.delete(id)
        cache.set(id, hit)
        return hit
      }
      const wav = render()
      cache.set(id, wav)
      bytes += wav.length
      // The newest entry stays even when it alone exceeds the budget: it is being served right now.
      for (const oldest of cache.keys()) {
        if (bytes <= deps.maxBytes || oldest === id) break
        drop(oldest)
      }
      return wav
    },
    delete (id: string): void { drop(id) },
    stats (): { entries: number, bytes: number, maxBytes: number } { return { entries: cache.size, bytes, maxBytes: deps.maxBytes } },
    clear (): void { cache.clear(); bytes = 0 }
  }
}

export type WavCache = ReturnType<typeof createWavCache>
