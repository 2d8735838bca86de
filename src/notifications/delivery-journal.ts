/** One delivery attempt of one commsNotifications POST, as `GET /_mock/notifications` lists it. */
export interface DeliveryAttempt {
  /** Position in the journal, from 1. */
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

/** What add() takes: changeTypes and resourceUrls may be left out when the body is a commsNotifications body. */
export type NewDeliveryAttempt = Omit<DeliveryAttempt, 'id' | 'changeTypes' | 'resourceUrls'> & Partial<Pick<DeliveryAttempt, 'changeTypes' | 'resourceUrls'>>

export interface JournalFilter { callId?: string, outcome?: DeliveryAttempt['outcome'], changeType?: string, resourceUrl?: string }

type Notifications = Array<{ changeType?: unknown, resourceUrl?: unknown }>

function notificationsOf (body: unknown): Notifications | undefined {
  const value = (body as { value?: unknown } | null)?.value
  return Array.isArray(value) ? value as Notifications : undefined
}

const changeTypesOf = (body: unknown): string[] => notificationsOf(body)?.map((v) => String(v.changeType)) ?? []
const resourceUrlsOf = (body: unknown): string[] => notificationsOf(body)?.map((v) => String(v.resourceUrl)) ?? []

function sameStrings (a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}

/**
 * One attempt as kept: a class, so ten thousand calls' worth of entries share one compact layout, and
 * without the arrays list() derives from the body (kept only when the caller gave different ones).
 */
class Stored {
  constructor (
    readonly id: number,
    readonly notificationId: string,
    readonly callId: string,
    readonly sequence: number,
    readonly attempt: number,
    readonly url: string,
    readonly at: string,
    readonly virtualMs: number,
    readonly outcome: DeliveryAttempt['outcome'],
    readonly httpStatus: number | null,
    readonly error: string | null,
    readonly durationMs: number,
    readonly body: unknown,
    readonly ownChangeTypes: string[] | undefined,
    readonly ownResourceUrls: string[] | undefined
  ) {}

  get changeTypes (): string[] { return this.ownChangeTypes ?? changeTypesOf(this.body) }
  get resourceUrls (): string[] { return this.ownResourceUrls ?? resourceUrlsOf(this.body) }

  view (): DeliveryAttempt {
    return {
      id: this.id,
      notificationId: this.notificationId,
      callId: this.callId,
      sequence: this.sequence,
      attempt: this.attempt,
      url: this.url,
      at: this.at,
      virtualMs: this.virtualMs,
      outcome: this.outcome,
      httpStatus: this.httpStatus,
      error: this.error,
      durationMs: this.durationMs,
      changeTypes: this.changeTypes,
      resourceUrls: this.resourceUrls,
      body: this.body
    }
  }
}

function matches (a: Stored, f: JournalFilter): boolean {
  return (f.callId === undefined || a.callId.toLowerCase() === f.callId.toLowerCase()) &&
    (f.outcome === undefined || a.outcome === f.outcome) &&
    (f.changeType === undefined || a.changeTypes.includes(f.changeType)) &&
    (f.resourceUrl === undefined || a.resourceUrls.some((u) => u.toLowerCase().includes(f.resourceUrl!.toLowerCase())))
}

/**
 * The notification delivery journal, with a long-poll for tests that wait on it. Entries are also indexed
 * by call, so asking for one call's notifications does not scan every call's, and a waiting long-poll
 * looks only at each new entry.
 */
export function createDeliveryJournal () {
  let entries: Stored[] = []
  let byCall = new Map<string, Stored[]>()
  const waiters = new Set<(added: Stored | undefined) => void>()

  function candidates (filter: JournalFilter): Stored[] {
    return filter.callId === undefined ? entries : byCall.get(filter.callId.toLowerCase()) ?? []
  }

  function list (filter: JournalFilter = {}): DeliveryAttempt[] {
    const out: DeliveryAttempt[] = []
    for (const e of candidates(filter)) if (matches(e, filter)) out.push(e.view())
    return out
  }

  return {
    add (entry: NewDeliveryAttempt): DeliveryAttempt {
      const derivedTypes = entry.changeTypes && changeTypesOf(entry.body)
      const derivedUrls = entry.resourceUrls && resourceUrlsOf(entry.body)
      const stored = new Stored(
        entries.length + 1, entry.notificationId, entry.callId, entry.sequence, entry.attempt, entry.url, entry.at,
        entry.virtualMs, entry.outcome, entry.httpStatus, entry.error, entry.durationMs, entry.body,
        entry.changeTypes && !sameStrings(entry.changeTypes, derivedTypes!) ? entry.changeTypes : undefined,
        entry.resourceUrls && !sameStrings(entry.resourceUrls, derivedUrls!) ? entry.resourceUrls : undefined
      )
      entries.push(stored)
      const key = stored.callId.toLowerCase()
      let mine = byCall.get(key)
      if (!mine) { mine = []; byCall.set(key, mine) }
      mine.push(stored)
      for (const wake of waiters) wake(stored)
      return stored.view()
    },
    list,
    /** Resolves with the matching entries once there are at least minCount of them, or when waitMs (real) runs out. */
    async waitFor (filter: JournalFilter, minCount: number, waitMs: number): Promise<DeliveryAttempt[]> {
      let count = 0
      for (const e of candidates(filter)) if (matches(e, filter)) count++
      if (count >= minCount || waitMs <= 0) return list(filter)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, waitMs)
        function done (): void { clearTimeout(timer); waiters.delete(check); resolve() }
        // Called with each new entry, or undefined when the journal is cleared: the count starts again.
        function check (added: Stored | undefined): void {
          if (added === undefined) count = 0
          else if (matches(added, filter) && ++count >= minCount) done()
        }
        waiters.add(check)
      })
      return list(filter)
    },
    clear (): void {
      entries = []
      byCall = new Map()
      for (const wake of waiters) wake(undefined)
    }
  }
}

export type DeliveryJournal = ReturnType<typeof createDeliveryJournal>
