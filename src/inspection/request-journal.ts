import type { RequestEntry, RequestsQuery } from '../schemas/control.js'
import { globToRegExp } from './glob.js'

/** A long test run keeps only the newest entries, so the journal cannot grow without bound. */
export const REQUEST_JOURNAL_LIMIT = 10_000

const CALL_ID = /\/(?:communications|app)\/calls\/([^/]+)/i

/** The call a Graph path is about: /communications/calls/{id}/... or the deprecated /app/calls/{id}/... */
export function callIdOfPath (path: string): string | null {
  const m = CALL_ID.exec(path)
  if (!m) return null
  try { return decodeURIComponent(m[1]) } catch { return m[1] }
}

/** Request headers with credentials hidden: the scheme stays visible, the token does not. */
export function redactHeaders (headers: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue
    if (name.toLowerCase() === 'authorization') {
      const parts = String(value).trim().split(/\s+/).filter(Boolean)
      out[name] = parts.length === 0 ? '' : parts.length > 1 ? `${parts[0]} [redacted]` : '[redacted]'
    } else out[name] = value
  }
  return out
}

/**
 * A request as the hook hands it over: the request's own headers object, not a copy. What an entry derives
 * from it (the call id, the ISO time, the redacted headers) is worked out when the journal is read, which
 * is rare, instead of on every Graph request.
 */
export type RequestRecord = Omit<RequestEntry, 'id' | 'at' | 'callId' | 'headers'> & { headers: Record<string, string | string[] | undefined> }

type Stored = RequestRecord & { id: number, callId?: string | null }

/** The journal of Graph requests received (GET /_mock/requests). Engine-free; `isoAt` formats a virtual time. */
export function createRequestJournal (isoAt: (virtualMs: number) => string, limit = REQUEST_JOURNAL_LIMIT) {
  let entries: Stored[] = []
  let nextId = 1

  const callIdOf = (e: Stored): string | null => {
    if (e.callId === undefined) e.callId = callIdOfPath(e.path)
    return e.callId
  }

  return {
    add (r: RequestRecord): void {
      // Spelled out rather than spread: one object of one shape per request (callId is filled in when read).
      entries.push({ id: nextId++, virtualMs: r.virtualMs, method: r.method, path: r.path, route: r.route, query: r.query, headers: r.headers, body: r.body, status: r.status, faultId: r.faultId, durationMs: r.durationMs, callId: undefined })
      if (entries.length > limit) entries.shift()
    },
    list (filter: RequestsQuery = {}): RequestEntry[] {
      const callId = filter.callId?.toLowerCase()
      const method = filter.method?.toUpperCase()
      const path = filter.path !== undefined ? globToRegExp(filter.path) : undefined
      return entries
        .filter((e) =>
          (callId === undefined || callIdOf(e)?.toLowerCase() === callId) &&
          (method === undefined || e.method === method) &&
          (path === undefined || path.test(e.path)))
        .map((e) => ({
          id: e.id,
          at: isoAt(e.virtualMs),
          virtualMs: e.virtualMs,
          method: e.method,
          path: e.path,
          route: e.route,
          query: e.query,
          callId: callIdOf(e),
          headers: redactHeaders(e.headers),
          body: e.body,
          status: e.status,
          faultId: e.faultId,
          durationMs: e.durationMs
        }))
    },
    clear (): void {
      entries = []
      nextId = 1
    }
  }
}

export type RequestJournal = ReturnType<typeof createRequestJournal>
