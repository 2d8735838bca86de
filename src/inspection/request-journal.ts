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

/** The journal of Graph requests received (GET /_mock/requests). Engine-free. */
export function createRequestJournal (limit = REQUEST_JOURNAL_LIMIT) {
  let entries: RequestEntry[] = []
  let nextId = 1

  return {
    add (entry: Omit<RequestEntry, 'id'>): RequestEntry {
      const full = { id: nextId++, ...entry }
      entries.push(full)
      if (entries.length > limit) entries.shift()
      return full
    },
    list (filter: RequestsQuery = {}): RequestEntry[] {
      const callId = filter.callId?.toLowerCase()
      const method = filter.method?.toUpperCase()
      const path = filter.path !== undefined ? globToRegExp(filter.path) : undefined
      return entries.filter((e) =>
        (callId === undefined || e.callId?.toLowerCase() === callId) &&
        (method === undefined || e.method === method) &&
        (path === undefined || path.test(e.path)))
    },
    clear (): void {
      entries = []
      nextId = 1
    }
  }
}

export type RequestJournal = ReturnType<typeof createRequestJournal>
