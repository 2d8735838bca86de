import { randomUUID } from 'node:crypto'

/**
 * A copy of `s` as one flat string. V8 keeps a string built by concatenation as a tree of its pieces until
 * something flattens it: a randomUUID() is ~480 bytes that way instead of 56, and a store that keeps ten
 * thousand of them pays for the tree.
 */
export function flat (s: string): string {
  return JSON.parse(JSON.stringify(s)) as string
}

/** A random UUID (v4), kept flat. */
export function newId (): string {
  return flat(randomUUID())
}
