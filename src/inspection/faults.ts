import { randomUUID } from 'node:crypto'
import type { Fault, FaultBody } from '../schemas/control.js'
import { compileGlob, type Glob } from './glob.js'

/** Faults active at once: every Graph request is matched against each, so their number is bounded. */
export const MAX_ACTIVE_FAULTS = 20

interface ActiveFault { fault: Fault, pattern: Glob }

/** Why a fault cannot be added, as a sentence; undefined when it can. */
export function faultProblem (body: FaultBody, active: number): string | undefined {
  if (active >= MAX_ACTIVE_FAULTS) return `${active} faults are active, the most there may be (MAX_ACTIVE_FAULTS = ${MAX_ACTIVE_FAULTS}); delete some first.`
  if (body.status === undefined && body.delayMs === undefined) return 'A fault needs a status, a delayMs, or both; this one would do nothing.'
  if (body.retryAfterSeconds !== undefined && body.status !== 429 && body.status !== 503) {
    return `retryAfterSeconds goes with status 429 or 503, not ${String(body.status ?? 'no status')}.`
  }
  if (body.message !== undefined && body.status === undefined) return 'message is the error message of a status; add a status.'
  return undefined
}

/**
 * Injected faults (see docs/control-api.md), consumed in the order they were added: the first active one that
 * matches a request applies to it and counts down. Engine-free; the Graph routes' hook consults it.
 */
export function createFaultStore () {
  let active: ActiveFault[] = []

  return {
    /** Adds a fault; the caller has checked faultProblem(). */
    add (body: FaultBody): Fault {
      const times = body.times ?? 1
      const fault: Fault = {
        id: randomUUID(),
        method: (body.method ?? '*').toUpperCase(),
        path: body.path,
        times,
        remaining: times,
        status: body.status ?? null,
        retryAfterSeconds: body.retryAfterSeconds ?? null,
        delayMs: body.delayMs ?? 0,
        message: body.message ?? null
      }
      active.push({ fault, pattern: compileGlob(body.path) })
      return { ...fault }
    },
    size (): number { return active.length },
    list (): Fault[] {
      return active.map((a) => ({ ...a.fault }))
    },
    /** The fault that applies to this request, counted as used; undefined when none matches. */
    take (method: string, path: string): Fault | undefined {
      if (active.length === 0) return undefined // every Graph request asks; usually there is no fault
      const m = method.toUpperCase()
      const hit = active.find((a) => (a.fault.method === '*' || a.fault.method === m) && a.pattern.test(path))
      if (!hit) return undefined
      hit.fault.remaining -= 1
      if (hit.fault.remaining <= 0) active = active.filter((a) => a !== hit)
      return { ...hit.fault }
    },
    clear (): void {
      active = []
    }
  }
}

export type FaultStore = ReturnType<typeof createFaultStore>
