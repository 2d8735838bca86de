import type { RequestEntry, RequestJournalState, RequestsFilter } from '../schemas/control.js'
import { compileGlob } from './glob.js'
import { createLongPoll } from './long-poll.js'
import { redactHeaders, redactQuery, redactUrl } from './redaction.js'
import { firstAfterId, ScanBudget } from './journal-scan.js'

/** A long test run keeps only the newest entries, so the journal cannot grow without bound. */
export const REQUEST_JOURNAL_LIMIT = 10_000
/** Bytes the journal may hold (bodies kept, URLs and headers as sent): the newest entries that fit. */
export const REQUEST_JOURNAL_MAX_BYTES = 32 * 1024 * 1024
/** Largest body kept in an entry, in bytes of JSON as sent; a larger one is replaced by its size. */
export const REQUEST_BODY_KEEP_BYTES = 64 * 1024
/** What an entry costs beyond its URL, headers and body: its fields and their objects. */
const ENTRY_OVERHEAD_BYTES = 256

const CALL_ID = /\/(?:communications|app)\/calls\/([^/]+)/i

/** The call a Graph path is about: /communications/calls/{id}/... or the deprecated /app/calls/{id}/... */
export function callIdOfPath (path: string): string | null {
  const m = CALL_ID.exec(path)
  if (!m) return null
  try { return decodeURIComponent(m[1]) } catch { return m[1] }
}

/**
 * A request as the hook hands it over: the request's own headers object, not a copy, and the sizes the
 * journal counts (the body's as sent, from content-length; the URL's and headers'). What an entry derives
 * from it (the call id, the ISO time, the redactions) is worked out when the journal is read, which is
 * rare, instead of on every Graph request.
 */
export type RequestRecord = Omit<RequestEntry, 'id' | 'at' | 'callId' | 'headers' | 'bodyOmitted'> & {
  headers: Record<string, string | string[] | undefined>
  /** The request's URL and headers as sent, in bytes. */
  headBytes: number
}

type Stored = Omit<RequestRecord, 'headBytes'> & { id: number, callId?: string | null, bodyOmitted: boolean, bytes: number }
/** An entry as held; view() shows it. */
export type StoredRequest = Readonly<Pick<Stored, 'id'>>

const redactOptional = (text: string | null): string | null => text === null ? null : redactUrl(text)

export interface RequestJournalLimits { maxEntries: number, maxBytes: number, bodyKeepBytes: number }
const DEFAULT_LIMITS: RequestJournalLimits = { maxEntries: REQUEST_JOURNAL_LIMIT, maxBytes: REQUEST_JOURNAL_MAX_BYTES, bodyKeepBytes: REQUEST_BODY_KEEP_BYTES }

/** The JSON size of a body that came without content-length (chunked): rare, so measured by rendering it. */
export function measuredBodyBytes (body: unknown): number {
  if (body === null || body === undefined) return 0
  try { return Buffer.byteLength(JSON.stringify(body) ?? '') } catch { return Number.MAX_SAFE_INTEGER }
}

/**
 * The journal of Graph requests received (GET /_mock/requests), bounded by count and by bytes; it counts
 * what it drops and the bodies it does not keep, so the listing can say so. Engine-free; `isoAt` formats a
 * virtual time.
 */
export function createRequestJournal (isoAt: (virtualMs: number) => string, limits: Partial<RequestJournalLimits> = {}) {
  const { maxEntries, maxBytes, bodyKeepBytes } = { ...DEFAULT_LIMITS, ...limits }
  let entries: Stored[] = []
  // Entries before `head` are dropped; the array is compacted once they are half of it, so dropping the
  // oldest is O(1) amortised rather than a shift() of 10,000 entries per request.
  let head = 0
  let nextId = 1
  let bytes = 0
  let droppedForCount = 0
  let droppedForBytes = 0
  let omittedBodies = 0
  const poll = createLongPoll<Stored>()

  const callIdOf = (e: Stored): string | null => {
    if (e.callId === undefined) e.callId = callIdOfPath(e.path)
    return e.callId
  }

  const held = (): number => entries.length - head

  function dropOldest (): void {
    bytes -= entries[head].bytes
    entries[head] = undefined as unknown as Stored
    head++
    if (head * 2 > entries.length) { entries = entries.slice(head); head = 0 }
  }

  function matcher (filter: RequestsFilter): (e: Stored) => boolean {
    const callId = filter.callId?.toLowerCase()
    const method = filter.method?.toUpperCase()
    const path = filter.path !== undefined ? compileGlob(filter.path) : undefined
    return (e) =>
      (callId === undefined || callIdOf(e)?.toLowerCase() === callId) &&
      (method === undefined || e.method === method) &&
      (path === undefined || path.test(e.path))
  }

  function view (held: StoredRequest): RequestEntry {
    const e = held as Stored
    return {
      id: e.id,
      at: isoAt(e.virtualMs),
      virtualMs: e.virtualMs,
      method: e.method,
      path: redactUrl(e.path),
      route: e.route,
      query: redactQuery(e.query),
      callId: redactOptional(callIdOf(e)),
      headers: redactHeaders(e.headers),
      body: e.body,
      bodyBytes: e.bodyBytes,
      bodyOmitted: e.bodyOmitted,
      status: e.status,
      faultId: e.faultId,
      durationMs: e.durationMs
    }
  }

  /**
   * Matching entries with an id above `afterId`, oldest first, found lazily: a page reads only its own.
   * With a budget, the scan stops when it is spent (the budget says where).
   */
  function * matching (filter: RequestsFilter, afterId = 0, budget?: ScanBudget): Generator<StoredRequest> {
    const match = matcher(filter)
    let looked = 0
    for (let i = firstAfterId(entries, afterId, head); i < entries.length; i++) {
      const e = entries[i]
      if (match(e)) yield e
      if (budget && !budget.goOn(e.id, looked++)) return
    }
  }

  return {
    add (r: RequestRecord): void {
      const size = r.bodyBytes ?? 0
      const keep = size <= bodyKeepBytes
      if (!keep) omittedBodies++
      // Counted as sent; what is held in memory (the parsed query and body) is of the same order.
      const entryBytes = ENTRY_OVERHEAD_BYTES + r.headBytes + (keep ? size : 0)
      // Spelled out rather than spread: one object of one shape per request (callId is filled in when read).
      const stored: Stored = { id: nextId++, virtualMs: r.virtualMs, method: r.method, path: r.path, route: r.route, query: r.query, headers: r.headers, body: keep ? r.body : null, bodyBytes: r.bodyBytes, bodyOmitted: !keep, status: r.status, faultId: r.faultId, durationMs: r.durationMs, callId: undefined, bytes: entryBytes }
      entries.push(stored)
      bytes += entryBytes
      while (held() > maxEntries) { dropOldest(); droppedForCount++ }
      while (bytes > maxBytes && held() > 1) { dropOldest(); droppedForBytes++ }
      poll.notify(stored)
    },
    /** Every matching entry, oldest first. */
    list (filter: RequestsFilter = {}): RequestEntry[] {
      return Array.from(matching(filter), view)
    },
    matching,
    view,
    /**
     * Resolves once `minCount` entries after `afterId` match, or after `waitMs` real ms; at once when the
     * budget runs out counting (the page then links to the rest).
     */
    async waitFor (filter: RequestsFilter, minCount: number, waitMs: number, afterId = 0, budget = new ScanBudget()): Promise<void> {
      let count = 0
      const found = matching(filter, afterId, budget)
      while (count < minCount && found.next().done !== true) count++
      if (budget.exhausted) return
      await poll.wait(count, matcher(filter), minCount, waitMs)
    },
    /** What the journal holds and what it let go, for the listing. */
    state (): RequestJournalState {
      return { entries: held(), bytes, maxEntries, maxBytes, bodyKeepBytes, droppedForCount, droppedForBytes, omittedBodies }
    },
    clear (): void {
      entries = []
      head = 0
      nextId = 1
      bytes = 0
      droppedForCount = 0
      droppedForBytes = 0
      omittedBodies = 0
      poll.notify(undefined)
    }
  }
}

export type RequestJournal = ReturnType<typeof createRequestJournal>
