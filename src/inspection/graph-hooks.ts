import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Clock } from '../clock/clock.js'
import { GraphError, graphErrorForStatus } from '../errors/graph-error.js'
import type { Fault } from '../schemas/control.js'
import type { FaultStore } from './faults.js'
import { callIdOfPath, redactHeaders, type RequestJournal } from './request-journal.js'

interface Arrival { virtualMs: number, at: string, faultId: string | null }

export interface InspectionDeps { faults: FaultStore, requests: RequestJournal, clock: Clock }

function pathOf (url: string): string {
  const q = url.indexOf('?')
  return q === -1 ? url : url.slice(0, q)
}

/** The Graph error an injected fault answers with; Retry-After only where Graph sends it (429, 503). */
export function faultError (fault: Fault): GraphError {
  const base = graphErrorForStatus(fault.status ?? 500, fault.message ?? undefined)
  const headers = fault.retryAfterSeconds === null ? base.headers : { ...base.headers, 'Retry-After': String(fault.retryAfterSeconds) }
  // Some statuses have a fixed Graph message; the fault's own message still wins.
  return new GraphError(base.statusCode, base.code, fault.message ?? base.message, headers)
}

/**
 * Faults and the request journal for the Graph routes (contract section 6). Registered in a plugin that
 * wraps only the Graph routes, so /_mock, token and recording requests are neither faulted nor journaled,
 * and ahead of the Graph auth hook, so a fault answers even a request without a token.
 */
export function addInspectionHooks (app: FastifyInstance, deps: InspectionDeps): void {
  const arrivals = new WeakMap<FastifyRequest, Arrival>()

  app.addHook('onRequest', async (request) => {
    // Faults and the journal see the URL as the bot sent it, before Graph's spellings are normalised.
    const fault = deps.faults.take(request.method, pathOf(request.originalUrl))
    arrivals.set(request, { virtualMs: deps.clock.now(), at: deps.clock.isoAt(), faultId: fault?.id ?? null })
    if (!fault) return
    if (fault.delayMs > 0) await sleep(fault.delayMs)
    if (fault.status !== null) throw faultError(fault)
  })

  // onResponse: the status is final here, whichever hook or handler produced it.
  app.addHook('onResponse', async (request, reply) => {
    const arrival = arrivals.get(request) ?? { virtualMs: deps.clock.now(), at: deps.clock.isoAt(), faultId: null }
    const path = pathOf(request.originalUrl)
    deps.requests.add({
      at: arrival.at,
      virtualMs: arrival.virtualMs,
      method: request.method,
      path,
      route: request.routeOptions.url ?? null,
      query: (request.query ?? {}) as Record<string, string | string[]>,
      callId: callIdOfPath(path),
      headers: redactHeaders(request.headers),
      body: request.body ?? null,
      status: reply.statusCode,
      faultId: arrival.faultId,
      durationMs: Math.round(reply.elapsedTime * 1000) / 1000
    })
  })
}
