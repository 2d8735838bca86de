/**
 * Path globs as faults and the request journal use them: `**` matches anything (slashes included), `*`
 * anything within one segment, `?` one character of a segment; the rest is literal; `/**∕x` also matches
 * `/x`. Case-insensitive, since Graph paths are. Matched by simulating the pattern's automaton over the
 * path, one set of states per character: O(pattern × path) whatever the pattern, where a backtracking
 * regular expression took seconds on `**c**c**c**c**c**c**Z` (docs/decisions/limits-listings.md).
 */

/** Longest glob accepted; a Graph path is far shorter, and the bound keeps each match cheap. */
export const MAX_GLOB_LENGTH = 256

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

/** A glob compiled once (a fault's, or a listing's filter) and tested against many paths. */
export function compileGlob (glob: string): Glob {
  const states = compile(glob)
  const accept = states.length
  // Two generations of marks: `current` holds this character's states, `next` the following one's.
  let current = new Int32Array(accept + 1)
  let next = new Int32Array(accept + 1)
  let currentList = new Int32Array(accept + 1)
  let nextList = new Int32Array(accept + 1)
  let generation = 0

  /** Adds state s and those reachable from it without consuming a character. */
  function add (marks: Int32Array, list: Int32Array, size: number, s: number): number {
    if (marks[s] === generation) return size
    marks[s] = generation
    list[size++] = s
    if (s === accept) return size
    const kind = states[s].kind
    if (kind === Kind.Star || kind === Kind.GlobStar) return add(marks, list, size, s + 1)
    if (kind === Kind.GroupStart) {
      size = add(marks, list, size, s + 1)
      return add(marks, list, size, s + 2)
    }
    return size
  }

  return {
    source: glob,
    test (path: string): boolean {
      const text = path.toLowerCase()
      generation++
      let size = add(current, currentList, 0, 0)
      for (let i = 0; i < text.length && size > 0; i++) {
        const c = text[i]
        generation++
        let nextSize = 0
        for (let k = 0; k < size; k++) {
          const s = currentList[k]
          if (s === accept) continue
          const { kind, char } = states[s]
          switch (kind) {
            case Kind.Literal: if (c === char) nextSize = add(next, nextList, nextSize, s + 1); break
            case Kind.One: if (c !== '/') nextSize = add(next, nextList, nextSize, s + 1); break
            case Kind.Star: if (c !== '/') nextSize = add(next, nextList, nextSize, s); break
            case Kind.GlobStar: nextSize = add(next, nextList, nextSize, s); break
            case Kind.GroupBody:
              nextSize = add(next, nextList, nextSize, s)
              if (c === '/') nextSize = add(next, nextList, nextSize, s + 1)
              break
          }
          // GroupStart consumes nothing: add() already moved past it.
        }
        ;[current, next] = [next, current]
        ;[currentList, nextList] = [nextList, currentList]
        size = nextSize
      }
      for (let k = 0; k < size; k++) if (currentList[k] === accept) return true
      return false
    }
  }
}
