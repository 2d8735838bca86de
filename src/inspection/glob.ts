/**
 * Path globs as faults and the request journal use them: `**` matches anything (slashes included), `*`
 * anything within one segment, `?` one character of a segment; the rest is literal; `/**∕x` also matches
 * `/x`. Case-insensitive, since Graph paths are. Matched by simulating the pattern's automaton over the
 * path, one set of states per character: O(pattern × path) whatever the pattern, where a backtracking
 * regular expression took seconds on `**c**c**c**c**c**c**Z` (docs/decisions/limits-listings.md).
 */

/** Longest glob accepted; a Graph path is far shorter, and the bound keeps each match cheap. */
export const MAX_GLOB_LENGTH = 128

/** What one state of the automaton does with the next character. */
const enum Kind {
  /** The character `char`, then the next state. */
  Literal,
  /** One character other than `/`. */
  One,
  /** Any run of characters other than `/`: loops, or moves on without consuming. */
  Star,
  /** Any run of characters: loops, or moves on without consuming. */
  GlobStar,
  /** The start of `**∕`, which may match nothing: moves on to the next state or skips past the group. */
  GroupStart,
  /** Inside `**∕`: loops on anything; a `/` may also end the group. */
  GroupBody
}

interface State { kind: Kind, char: string }

export interface Glob {
  readonly source: string
  test: (path: string) => boolean
}

function compile (glob: string): State[] {
  const states: State[] = []
  const lower = glob.toLowerCase()
  for (let i = 0; i < lower.length; i++) {
    const c = lower[i]
    if (c === '*' && lower[i + 1] === '*') {
      if (lower[i + 2] === '/') {
        states.push({ kind: Kind.GroupStart, char: '' }, { kind: Kind.GroupBody, char: '' })
        i += 2
      } else {
        states.push({ kind: Kind.GlobStar, char: '' })
        i += 1
      }
    } else if (c === '*') states.push({ kind: Kind.Star, char: '' })
    else if (c === '?') states.push({ kind: Kind.One, char: '' })
    else states.push({ kind: Kind.Literal, char: c })
  }
  return states
}

/**
 * Sets of the automaton's states met so far, kept per glob: a path is then matched with one map lookup per
 * character, however many states are live, and only a set not met before costs a pass over its states.
 * Beyond this many sets they are still computed, no longer kept, so memory stays bounded.
 */
export const MAX_CACHED_STATE_SETS = 1024

/** A set of live states: whether it accepts, and the set each character leads to (filled as met; null when not kept). */
interface StateSet { readonly states: Int32Array, readonly accepting: boolean, readonly next: Map<string, StateSet> | null }

/** A glob compiled once (a fault's, or a listing's filter) and tested against many paths. */
export function compileGlob (glob: string): Glob {
  const states = compile(glob)
  const accept = states.length
  const marks = new Int32Array(accept + 1)
  const scratch = new Int32Array(accept + 1)
  let generation = 0
  const known = new Map<string, StateSet>()

  /** Adds state s and those reachable from it without consuming a character. */
  function add (size: number, s: number): number {
    if (marks[s] === generation) return size
    marks[s] = generation
    scratch[size++] = s
    if (s === accept) return size
    const kind = states[s].kind
    if (kind === Kind.Star || kind === Kind.GlobStar) return add(size, s + 1)
    if (kind === Kind.GroupStart) return add(add(size, s + 1), s + 2)
    return size
  }

  /** The set held in scratch[0..size), as met before or new; once the cache is full, new and not kept. */
  function setOf (size: number): StateSet {
    if (known.size >= MAX_CACHED_STATE_SETS) return { states: scratch.slice(0, size), accepting: marks[accept] === generation, next: null }
    const sorted = scratch.slice(0, size).sort()
    const key = sorted.join(',')
    const found = known.get(key)
    if (found) return found
    const set: StateSet = { states: sorted, accepting: marks[accept] === generation, next: new Map() }
    known.set(key, set)
    return set
  }

  /** The set of states `from` leads to on character c: one pass over its states. */
  function step (from: StateSet, c: string): StateSet {
    generation++
    let size = 0
    for (const s of from.states) {
      if (s === accept) continue
      const { kind, char } = states[s]
      switch (kind) {
        case Kind.Literal: if (c === char) size = add(size, s + 1); break
        case Kind.One: if (c !== '/') size = add(size, s + 1); break
        case Kind.Star: if (c !== '/') size = add(size, s); break
        case Kind.GlobStar: size = add(size, s); break
        case Kind.GroupBody:
          size = add(size, s)
          if (c === '/') size = add(size, s + 1)
          break
      }
      // GroupStart consumes nothing: add() already moved past it.
    }
    const to = setOf(size)
    // Only between kept sets: a set made once the cache was full is not met again through a link.
    if (from.next !== null && to.next !== null) from.next.set(c, to)
    return to
  }

  generation++
  const start = setOf(add(0, 0))

  return {
    source: glob,
    test (path: string): boolean {
      const text = path.toLowerCase()
      let set = start
      for (let i = 0; i < text.length && set.states.length > 0; i++) {
        const c = text[i]
        set = set.next?.get(c) ?? step(set, c)
      }
      return set.accepting
    }
  }
}
