import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Clock } from '../clock/clock.js'
import { GraphError, graphErrorForStatus } from '../errors/graph-error.js'
import type { Fault } from '../schemas/control.js'
import type { FaultStore } from './faults.js'
import { measuredBodyBytes, type RequestJournal } from './request-journal.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** When a Graph request arrived (virtual ms) and the fault that applied to it, for the journal. */
    graphArrival: { virtualMs: number, faultId: string | null } | null
  }
}

export interface InspectionDeps { faults: FaultStore, requests: RequestJournal, clock: Clock }

/** Bytes of the request's head as sent, its URL and headers (rawHeaders is [name, value, name, value, …]). */
function headBytesOf (request: FastifyRequest): number {
  let n = request.originalUrl.length
  for (const h of request.raw.rawHeaders) n += h.length
  return n
}

/** Size of the body as sent: content-length when the bot gave one (almost always), else measured. */
function bodyBytesOf (request: FastifyRequest): number | null {
  const body = request.body
  if (body === undefined || body === null) return null
  const declared = Number(request.headers['content-length'])
  return Number.isSafeInteger(declared) && declared >= 0 ? declared : measuredBodyBytes(body)
}

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
 * Faults and the request journal for the Graph routes (see docs/control-api.md). Registered in a plugin that
 * wraps only the Graph routes, so /_mock, token and recording requests are neither faulted nor journaled,
 * and ahead of the Graph auth hook, so a fault answers even a request without a token. Both hooks run on
 * every Graph request, so they are callback-style (no promise each) and do the least they can: the journal
 * works out an entry's derived fields when it is read.
 */
export function addInspectionHooks (app: FastifyInstance, deps: InspectionDeps): void {
  app.decorateRequest('graphArrival', null)

  app.addHook('onRequest', (request, _reply, done) => {
    // Faults and the journal see the URL as the bot sent it, before Graph's spellings are normalised.
    const fault = deps.faults.take(request.method, pathOf(request.originalUrl))
    request.graphArrival = { virtualMs: deps.clock.now(), faultId: fault?.id ?? null }
    if (!fault) { done(); return }
    const error = fault.status !== null ? faultError(fault) : undefined
    if (fault.delayMs > 0) setTimeout(() => { done(error) }, fault.delayMs)
    else done(error)
  })

  // onResponse: the status is final here, whichever hook or handler produced it.
  app.addHook('onResponse', (request, reply, done) => {
    const arrival = request.graphArrival
    deps.requests.add({
      virtualMs: arrival?.virtualMs ?? deps.clock.now(),
      method: request.method,
      path: pathOf(request.originalUrl),
      route: request.routeOptions.url ?? null,
      query: (request.query ?? {}) as Record<string, string | string[]>,
      headers: request.headers,
      body: request.body ?? null,
      bodyBytes: bodyBytesOf(request),
      headBytes: headBytesOf(request),
      status: reply.statusCode,
      faultId: arrival?.faultId ?? null,
      durationMs: Math.round(reply.elapsedTime * 1000) / 1000
    })
    done()
  })
}
