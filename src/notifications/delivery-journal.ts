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

export interface JournalFilter { callId?: string, outcome?: DeliveryAttempt['outcome'], changeType?: string, resourceUrl?: string }

function matches (a: DeliveryAttempt, f: JournalFilter): boolean {
  return (f.callId === undefined || a.callId.toLowerCase() === f.callId.toLowerCase()) &&
    (f.outcome === undefined || a.outcome === f.outcome) &&
    (f.changeType === undefined || a.changeTypes.includes(f.changeType)) &&
    (f.resourceUrl === undefined || a.resourceUrls.some((u) => u.toLowerCase().includes(f.resourceUrl!.toLowerCase())))
}

/** The notification delivery journal, with a long-poll for tests that wait on it. */
export function createDeliveryJournal () {
  let entries: DeliveryAttempt[] = []
  let waiters = new Set<() => void>()

  return {
    add (entry: Omit<DeliveryAttempt, 'id'>): DeliveryAttempt {
      const full = { id: entries.length + 1, ...entry }
      entries.push(full)
      for (const wake of waiters) wake()
      return full
    },
    list (filter: JournalFilter = {}): DeliveryAttempt[] {
      return entries.filter((e) => matches(e, filter))
    },
    /** Resolves with the matching entries once there are at least minCount of them, or when waitMs (real) runs out. */
    async waitFor (filter: JournalFilter, minCount: number, waitMs: number): Promise<DeliveryAttempt[]> {
      let found = this.list(filter)
      if (found.length >= minCount || waitMs <= 0) return found
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, waitMs)
        function done (): void { clearTimeout(timer); waiters.delete(check); resolve() }
        function check (): void { if (entries.filter((e) => matches(e, filter)).length >= minCount) done() }
        waiters.add(check)
      })
      found = this.list(filter)
      return found
    },
    clear (): void {
      entries = []
      const old = waiters
      waiters = new Set()
      for (const wake of old) wake()
    }
  }
}

export type DeliveryJournal = ReturnType<typeof createDeliveryJournal>
