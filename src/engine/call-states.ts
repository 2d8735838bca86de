import { graphErrors } from '../errors/graph-error.js'
import type { Call, CallState } from './model.js'

interface Rule {
  from: CallState[]
  direction?: Call['direction']
  /** Why the action is refused in another state, when the general wording does not fit. */
  refusal?: (call: Call) => string
}

/** Actions on a call and the states they are allowed in (one place for every transition rule). */
const ALLOWED: Record<string, Rule> = {
  answer: { from: ['incoming'], direction: 'incoming' },
  reject: { from: ['incoming'], direction: 'incoming' },
  media: { from: ['established'] },
  hangUp: { from: ['incoming', 'establishing', 'established'] },
  // The simulated caller's keys (control API) reach the bot only over established media.
  pressTones: { from: ['established'], refusal: (call) => `The caller cannot press keys on call ${call.id} in state '${call.state}'; it must be established.` }
}

/** Throws a Graph error saying why `action` is not allowed on the call now. */
export function assertTransition (call: Call, action: keyof typeof ALLOWED, label = action): void {
  const rule = ALLOWED[action]
  if (rule.direction && call.direction !== rule.direction) {
    throw graphErrors.invalidState(`Cannot ${label} call ${call.id}: it is an ${call.direction} call; only ${rule.direction} calls can be ${label === 'answer' ? 'answered' : label + 'ed'}.`)
  }
  if (!rule.from.includes(call.state)) {
    if (rule.refusal) throw graphErrors.invalidState(rule.refusal(call))
    const why = action === 'answer' && call.state !== 'incoming' ? ' (it was already answered)' : ''
    throw graphErrors.invalidState(`Cannot ${label} call ${call.id} in state '${call.state}'${why}; this needs state ${rule.from.map((s) => `'${s}'`).join(' or ')}.`)
  }
}

export function isActive (call: Call): boolean {
  return call.state !== 'terminated'
}
