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

const changeTypesOf = (e: Stored): string[] => e.changeTypes ?? notificationsOf(e.body)?.map((v) => String(v.changeType)) ?? []
const resourceUrlsOf = (e: Stored): string[] => e.resourceUrls ?? notificationsOf(e.body)?.map((v) => String(v.resourceUrl)) ?? []

/** One attempt as kept: changeTypes and resourceUrls only when the caller gave its own (the dispatcher never
 * does); otherwise they are derived from the body when listed, so entries do not hold copies of them. */
type Stored = NewDeliveryAttempt & { id: number }

function view (e: Stored): DeliveryAttempt {
  return { ...e, changeTypes: changeTypesOf(e), resourceUrls: resourceUrlsOf(e) }
}

function matches (a: Stored, f: JournalFilter): boolean {
  return (f.callId === undefined || a.callId.toLowerCase() === f.callId.toLowerCase()) &&
    (f.outcome === undefined || a.outcome === f.outcome) &&
    (f.changeType === undefined || changeTypesOf(a).includes(f.changeType)) &&
    (f.resourceUrl === undefined || resourceUrlsOf(a).some((u) => u.toLowerCase().includes(f.resourceUrl!.toLowerCase())))
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
    for (const e of candidates(filter)) if (matches(e, filter)) out.push(view(e))
    return out
  }

  return {
    add (entry: NewDeliveryAttempt): DeliveryAttempt {
      const stored: Stored = { ...entry, id: entries.length + 1 }
      entries.push(stored)
      const key = stored.callId.toLowerCase()
      let mine = byCall.get(key)
      if (!mine) { mine = []; byCall.set(key, mine) }
      mine.push(stored)
      for (const wake of waiters) wake(stored)
      return view(stored)
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
