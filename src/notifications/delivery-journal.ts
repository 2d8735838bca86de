import { flat } from '../ids.js'
import { createLongPoll } from '../inspection/long-poll.js'
import { firstAfterId } from '../inspection/journal-scan.js'
import { listedBody, type Notification } from './notification.js'

/** One delivery attempt of one commsNotifications POST, as `GET /_mock/notifications` lists it. */
export interface DeliveryAttempt {
  /** Number of the attempt in the journal, from 1; never reused (a forgotten call's attempts leave gaps). */
  id: number
  /** The notification this attempt carries; retries share it. */
  notificationId: string
  callId: string
  /** Order of the notification among its call's notifications, from 1. */
  sequence: number
  attempt: number
  url: string
  /** Virtual time of the attempt, ISO and ms since the clock started. */
  at: string
  virtualMs: number
  outcome: 'delivered' | 'retrying' | 'failed'
  httpStatus: number | null
  error: string | null
  /** Real milliseconds the bot took to answer. */
  durationMs: number
  changeTypes: string[]
  resourceUrls: string[]
  body: unknown
}

/**
 * Attempts the journal holds at most, all calls together; beyond it the oldest is dropped and counted
 * (docs/decisions/limits-listings.md). Ended calls go sooner, with MAX_ENDED_CALLS; this bounds a live
 * call whose bot is sent notifications in a loop (key presses, say).
 */
export const MAX_DELIVERY_ATTEMPTS = 100_000

/** What add() takes: the attempt, with the notification it carries (changeTypes, resourceUrls and body come from it). */
export type NewDeliveryAttempt = Omit<DeliveryAttempt, 'id' | 'changeTypes' | 'resourceUrls' | 'body'> & { notification: Notification }

export interface JournalFilter { callId?: string, outcome?: DeliveryAttempt['outcome'], changeType?: string, resourceKind?: ResourceKind, resourceUrl?: string }

/** What a notification is about: the call itself, or one of its operations (…/operations/{id}). */
export type ResourceKind = 'call' | 'operation'
export function resourceKindOf (resourceUrl: string): ResourceKind {
  return /\/operations\//i.test(resourceUrl) ? 'operation' : 'call'
}

/**
 * One attempt as kept, every entry built by store() with the same fields in the same order (one shape for
 * all of them; a spread gave each entry its own hidden class, ~400 bytes). changeTypes, resourceUrls and
 * the body come from the notification when listed.
 */
type Stored = NewDeliveryAttempt & {
  id: number
  /** The same call's entry before this one: a call's entries are a chain, not an array each. */
  previousOfCall: Stored | undefined
  /** The same call's entry after this one, so dropping this one can cut the chain. */
  nextOfCall: Stored | undefined
  /** Its call was forgotten: no longer listed, and dropped from the array at the next compaction. */
  forgotten: boolean
}

function store (e: NewDeliveryAttempt, id: number, previousOfCall: Stored | undefined): Stored {
  return {
    // The dispatcher's ids are randomUUID()s, which V8 keeps as trees of pieces until flattened.
    notificationId: flat(e.notificationId),
    callId: e.callId,
    sequence: e.sequence,
    attempt: e.attempt,
    url: e.url,
    at: e.at,
    virtualMs: e.virtualMs,
    outcome: e.outcome,
    httpStatus: e.httpStatus,
    error: e.error,
    durationMs: e.durationMs,
    notification: e.notification,
    id,
    previousOfCall,
    nextOfCall: undefined,
    forgotten: false
  }
}

/** An attempt as held; the journal's view() shows it. */
export type JournalEntry = Readonly<Pick<DeliveryAttempt, 'id'>>

function view (e: Stored): DeliveryAttempt {
  const { previousOfCall, nextOfCall, forgotten, notification, id, ...attempt } = e
  // The fields in the order they have always been listed.
  return { ...attempt, body: listedBody(notification), id, changeTypes: [notification.changeType], resourceUrls: [notification.resourceUrl] }
}

function matches (a: Stored, f: JournalFilter): boolean {
  return !a.forgotten &&
    (f.callId === undefined || a.callId.toLowerCase() === f.callId.toLowerCase()) &&
    (f.outcome === undefined || a.outcome === f.outcome) &&
    (f.changeType === undefined || a.notification.changeType === f.changeType) &&
    (f.resourceKind === undefined || resourceKindOf(a.notification.resourceUrl) === f.resourceKind) &&
    (f.resourceUrl === undefined || a.notification.resourceUrl.toLowerCase().includes(f.resourceUrl.toLowerCase()))
}

/**
 * The notification delivery journal, with a long-poll for tests that wait on it. Entries are also indexed
 * by call (its newest entry, which leads to the older ones), so asking for one call's notifications does
 * not scan every call's, and a waiting long-poll looks only at each new entry.
 */
export function createDeliveryJournal (maxAttempts = MAX_DELIVERY_ATTEMPTS) {
  let entries: Stored[] = []
  let nextId = 1
  // Attempts dropped for maxAttempts since the last clear, and where to look for the oldest one held.
  let dropped = 0
  let oldest = 0
  // Entries of forgotten calls still in `entries`: the array is compacted once they are half of it.
  let forgottenCount = 0
  let lastOfCall = new Map<string, Stored>()
  const poll = createLongPoll<Stored>()

  /** Matching attempts with an id above `afterId`, oldest first, found lazily: a page reads only its own. */
  function * matching (filter: JournalFilter, afterId = 0): Generator<Stored> {
    if (filter.callId === undefined) {
      for (let i = firstAfterId(entries, afterId); i < entries.length; i++) if (matches(entries[i], filter)) yield entries[i]
      return
    }
    const mine: Stored[] = []
    for (let e = lastOfCall.get(filter.callId.toLowerCase()); e && e.id > afterId; e = e.previousOfCall) mine.push(e)
    for (let i = mine.length - 1; i >= 0; i--) if (matches(mine[i], filter)) yield mine[i]
  }

  /** Forgets the oldest attempt held; its call's next attempt no longer leads to it, so it can be collected. */
  function dropOldest (): void {
    while (entries[oldest].forgotten) oldest++
    const e = entries[oldest]
    e.forgotten = true
    forgottenCount++
    dropped++
    if (e.nextOfCall) e.nextOfCall.previousOfCall = undefined
    else lastOfCall.delete(e.callId.toLowerCase())
    compactIfHalfForgotten()
  }

  // Compacting only when half the array is forgotten keeps forgetting O(1) per attempt, amortised.
  function compactIfHalfForgotten (): void {
    if (forgottenCount * 2 <= entries.length) return
    entries = entries.filter((e) => !e.forgotten)
    forgottenCount = 0
    oldest = 0
  }

  return {
    add (entry: NewDeliveryAttempt): void {
      const key = entry.callId.toLowerCase()
      const previous = lastOfCall.get(key)
      const stored = store(entry, nextId++, previous)
      if (previous) previous.nextOfCall = stored
      entries.push(stored)
      lastOfCall.set(key, stored)
      if (entries.length - forgottenCount > maxAttempts) dropOldest()
      poll.notify(stored)
    },
    /** What the journal holds and has let go, for the listing. */
    counts (): { attempts: number, maxAttempts: number, dropped: number } {
      return { attempts: entries.length - forgottenCount, maxAttempts, dropped }
    },
    /** Every matching attempt, oldest first. */
    list (filter: JournalFilter = {}): DeliveryAttempt[] {
      return Array.from(matching(filter), view)
    },
    /** Matching attempts after `afterId`, oldest first, lazily; view() shows one. */
    matching: matching as (filter: JournalFilter, afterId?: number) => Iterable<JournalEntry>,
    /** An attempt as GET /_mock/notifications shows it, its body rendered. */
    view: view as (entry: JournalEntry) => DeliveryAttempt,
    /** Resolves once `minCount` attempts after `afterId` match, or when waitMs (real) runs out. */
    async waitFor (filter: JournalFilter, minCount: number, waitMs: number, afterId = 0): Promise<void> {
      let count = 0
      const found = matching(filter, afterId)
      while (count < minCount && found.next().done !== true) count++
      await poll.wait(count, (e) => matches(e, filter), minCount, waitMs)
    },
    /** Drops a call's attempts (the engine forgot the call: MAX_ENDED_CALLS). */
    forgetCall (callId: string): void {
      const key = callId.toLowerCase()
      for (let e = lastOfCall.get(key); e; e = e.previousOfCall) {
        e.forgotten = true
        forgottenCount++
      }
      lastOfCall.delete(key)
      compactIfHalfForgotten()
    },
    /** Attempts held, a forgotten call's included until the next compaction: what a memory check counts. */
    heldCount (): number { return entries.length },
    clear (): void {
      entries = []
      nextId = 1
      forgottenCount = 0
      dropped = 0
      oldest = 0
      lastOfCall = new Map()
      poll.notify(undefined)
    }
  }
}

export type DeliveryJournal = ReturnType<typeof createDeliveryJournal>
