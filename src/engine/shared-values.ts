/**
 * Values every call carries and most calls share (the bot's callback URL, its mediaConfig, ['audio']):
 * kept once, frozen, instead of once per call as each request's parsed body has them. Bounded: once it
 * holds `max` values it forgets them all and starts again, so a mock fed many distinct values shares
 * less but never grows.
 */
export function createSharedValues (max = 256, maxJsonLength = 2048) {
  const strings = new Map<string, string>()
  const values = new Map<string, unknown>()

  function remember<T> (map: Map<string, T>, key: string, value: T): T {
    if (map.size >= max) map.clear()
    map.set(key, value)
    return value
  }

  return {
    string (s: string): string {
      return strings.get(s) ?? remember(strings, s, s)
    },
    /** A frozen value equal to `value` (plain JSON data); a large one, or one JSON cannot write, is kept as it is, not frozen. */
    json<T> (value: T): T {
      let key: string | undefined
      try { key = JSON.stringify(value) } catch { return value }
      if (key === undefined || key.length > maxJsonLength) return value
      return (values.get(key) ?? remember<unknown>(values, key, deepFreeze(value))) as T
    }
  }
}

export function deepFreeze<T> (value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v)
    Object.freeze(value)
  }
  return value
}
