/**
 * How deep a request body's objects and arrays may nest. Graph's OData reader refuses bodies nested deeper
 * than its MaxNestingDepth, 100 by default
 * (https://learn.microsoft.com/dotnet/api/microsoft.odata.odatamessagequotas.maxnestingdepth); the mock
 * uses the same number. The body itself is level 1: `{"a":{"b":[]}}` is nested 3 deep.
 * See docs/decisions/limits-bodies.md.
 */
export const MAX_JSON_NESTING_DEPTH = 100

const QUOTE = 0x22
const BACKSLASH = 0x5c
const OPEN_BRACE = 0x7b
const CLOSE_BRACE = 0x7d
const OPEN_BRACKET = 0x5b
const CLOSE_BRACKET = 0x5d

/**
 * Whether JSON text opens more than `max` objects or arrays inside one another, checked on the text before
 * it is parsed, in one pass without recursion: brackets inside strings (escapes included) do not count.
 * Text that is not JSON gets an answer too; the parser refuses it afterwards.
 */
export function nestsDeeperThan (text: string, max: number): boolean {
  // Each level takes one character: shorter text cannot be too deep.
  if (text.length <= max) return false
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === BACKSLASH) i++
      else if (c === QUOTE) inString = false
    } else if (c === QUOTE) {
      inString = true
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > max) return true
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--
    }
  }
  return false
}
