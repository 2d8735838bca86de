/**
 * The DTMF keys and Graph's tone enum name for each (see docs/graph-behaviour.md, Notifications to the bot;
 * https://learn.microsoft.com/graph/api/resources/toneinfo): digits, star, pound and the four extended keys.
 * Every schema, script check, notification and recording takes the key set from here.
 */
export const TONE_NAMES = {
  0: 'tone0',
  1: 'tone1',
  2: 'tone2',
  3: 'tone3',
  4: 'tone4',
  5: 'tone5',
  6: 'tone6',
  7: 'tone7',
  8: 'tone8',
  9: 'tone9',
  '*': 'star',
  '#': 'pound',
  A: 'a',
  B: 'b',
  C: 'c',
  D: 'd'
} as const

/** A key as the engine keeps it: upper-case A-D. */
export type DtmfKey = `${keyof typeof TONE_NAMES}`

/** The keys in keypad-enum order: 0-9, *, #, A-D. */
export const DTMF_KEYS = Object.keys(TONE_NAMES) as DtmfKey[]
/** The keys as clients may send them: A-D in either case (Graph's tone enum spells them lower-case). */
export const DTMF_KEYS_ANY_CASE = [...DTMF_KEYS, ...DTMF_KEYS.filter((k) => /[A-D]/.test(k)).map((k) => k.toLowerCase())]
/** One key of DTMF_KEYS_ANY_CASE as a regex character class (test/engine/dtmf.test.ts checks they agree). */
export const DTMF_KEY_CLASS = '[0-9*#A-Da-d]'

/** The upper-case key for a key in either case; undefined for anything else. */
export function dtmfKey (key: string): DtmfKey | undefined {
  const upper = key.toUpperCase()
  return Object.hasOwn(TONE_NAMES, upper) ? upper as DtmfKey : undefined
}
