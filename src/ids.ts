import { randomUUID } from 'node:crypto'

/**
 * `s` as one flat string. V8 keeps a string built by concatenation as a tree of its pieces until something
 * flattens it: a randomUUID() is ~480 bytes that way instead of ~65, and a store that keeps ten thousand of
 * them pays for the tree. Reading a character flattens it in place (the next GC drops the pieces), at
 * about half the cost of a JSON round trip, which made a copy.
 */
export function flat (s: string): string {
  s.charCodeAt(0)
  return s
}

/** A random UUID (v4), kept flat. */
export function newId (): string {
  return flat(randomUUID())
}
