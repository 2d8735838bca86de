import { MAX_JSON_NESTING_DEPTH } from '../schemas/json-shape.js'

/** Deeper than any body the mock accepts plus the few levels its own responses wrap around one. */
const MAX_RENDER_DEPTH = MAX_JSON_NESTING_DEPTH + 20

type Container = Record<string, unknown> | unknown[]

/** A value's JSON form (its toJSON's result), or `undefined` when JSON has none; throws as toJSON throws. */
function jsonForm (value: unknown, key: string): unknown {
  const v = typeof value === 'object' && value !== null && typeof (value as { toJSON?: unknown }).toJSON === 'function'
    ? (value as { toJSON: (k: string) => unknown }).toJSON(key)
    : value
  if (typeof v === 'bigint') throw new TypeError('a BigInt')
  return typeof v === 'function' || typeof v === 'symbol' ? undefined : v
}

/**
 * A copy of `value` that JSON.stringify can always write: a part that cannot be rendered (a toJSON or
 * getter that throws, a BigInt, a second reference to an object, nesting past MAX_RENDER_DEPTH) becomes
 * null. Iterative, so no depth of input exhausts the stack. Only used once plain serialisation failed.
 */
export function renderable (value: unknown): unknown {
  const seen = new Set<object>()
  const root: { v?: unknown } = {}
  const stack: Array<{ from: Container, to: Container, depth: number }> = []
  // Puts the JSON-safe form of `v` at to[key], queueing objects and arrays to be filled in.
  const place = (to: Container, key: string, v: unknown, depth: number): void => {
    let out: unknown
    try { out = jsonForm(v, key) } catch { out = null }
    if (typeof out === 'object' && out !== null) {
      if (seen.has(out) || depth > MAX_RENDER_DEPTH) out = null
      else {
        seen.add(out)
        const copy: Container = Array.isArray(out) ? [] : {}
        stack.push({ from: out as Container, to: copy, depth })
        out = copy
      }
    }
    if (Array.isArray(to)) to.push(out === undefined ? null : out)
    // Defined, not assigned: a key named __proto__ stays a key.
    else if (out !== undefined) Object.defineProperty(to, key, { value: out, enumerable: true, writable: true, configurable: true })
  }
  place(root as Record<string, unknown>, 'v', value, 1)
  for (let frame = stack.pop(); frame; frame = stack.pop()) {
    const { from, to, depth } = frame
    let keys: string[]
    try { keys = Object.keys(from) } catch { keys = [] }
    for (const key of keys) {
      let v: unknown
      try { v = (from as Record<string, unknown>)[key] } catch { v = null }
      place(to, key, v, depth + 1)
    }
  }
  return root.v ?? null
}

/** JSON.stringify, falling back to the renderable copy of what it cannot write instead of failing the response. */
export function stringifySafely (value: unknown, stringify: (v: unknown) => string = JSON.stringify): string {
  try {
    return stringify(value)
  } catch {
    return stringify(renderable(value))
  }
}
