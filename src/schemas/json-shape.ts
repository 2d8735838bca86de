/**
 * How deep a request body's objects and arrays may nest. Graph's OData reader refuses bodies nested deeper
 * than its MaxNestingDepth, 100 by default
 * (https://learn.microsoft.com/dotnet/api/microsoft.odata.odatamessagequotas.maxnestingdepth); the mock
 * uses the same number. The body itself is level 1: `{"a":{"b":[]}}` is nested 3 deep.
 * See docs/decisions/limits-bodies.md.
 */
export const MAX_JSON_NESTING_DEPTH = 100

/**
 * Properties of one object, or items of one array, in a request body. No Graph request comes near it; an
 * object with hundreds of thousands of keys (which fits in 4 MB) takes V8 a second or more to parse and
 * as long again each time it is written.
 */
export const MAX_JSON_MEMBERS = 10_000

const QUOTE = 0x22
const BACKSLASH = 0x5c
const OPEN_BRACE = 0x7b
const CLOSE_BRACE = 0x7d
const OPEN_BRACKET = 0x5b
const CLOSE_BRACKET = 0x5d
const COMMA = 0x2c

/** Where the string opened at `start` ends: the next quote not escaped by an odd run of backslashes. */
function closingQuote (text: string, start: number): number {
  let end = start
  for (;;) {
    end = text.indexOf('"', end + 1)
    if (end < 0) return text.length
    // Each backslash is counted once, for the quote it precedes: linear overall.
    let backslashes = 0
    while (text.charCodeAt(end - 1 - backslashes) === BACKSLASH) backslashes++
    if (backslashes % 2 === 0) return end
  }
}

/**
 * What is wrong with the shape of JSON text, checked before it is parsed, in one pass without recursion:
 * objects and arrays nested more than `maxDepth` deep, or one with more than `maxMembers` members.
 * Brackets and commas inside strings (escapes included) do not count. Text that is not JSON gets an
 * answer too; the parser refuses it afterwards.
 */
export function jsonShapeProblem (text: string, maxDepth = MAX_JSON_NESTING_DEPTH, maxMembers = MAX_JSON_MEMBERS): string | undefined {
  // Each level and each member takes at least one character: shorter text cannot break either limit.
  if (text.length <= Math.min(maxDepth, maxMembers)) return undefined
  // Commas seen so far in the open object or array at each level.
  const commas = new Uint32Array(maxDepth + 1)
  let depth = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === QUOTE) {
      i = closingQuote(text, i)
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > maxDepth) return `The request body nests objects and arrays more than ${maxDepth} levels deep; the limit is ${maxDepth}.`
      commas[depth] = 0
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--
    } else if (c === COMMA && depth > 0 && ++commas[depth] >= maxMembers) {
      return `The request body has an object or array with more than ${maxMembers} members; the limit is ${maxMembers}.`
    }
  }
  return undefined
}
