/**
 * The long-poll of a journal listing (`?minCount=&waitMs=`): a request waits until enough matching
 * entries exist, and looks only at each new entry meanwhile, never rescanning the journal.
 */
export function createLongPoll<E> () {
  const waiters = new Set<(added: E | undefined) => void>()

  return {
    /** Tells the waiting requests of a new entry, or of the journal being cleared (undefined). */
    notify (added: E | undefined): void {
      for (const wake of waiters) wake(added)
    },
    /**
     * Resolves once `minCount` matching entries exist (`already` of them do now), or after `waitMs` real
     * ms. A clear starts the count again.
     */
    async wait (already: number, matches: (e: E) => boolean, minCount: number, waitMs: number): Promise<void> {
      if (already >= minCount || waitMs <= 0) return
      let count = already
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, waitMs)
        function done (): void { clearTimeout(timer); waiters.delete(check); resolve() }
        function check (added: E | undefined): void {
          if (added === undefined) count = 0
          else if (matches(added) && ++count >= minCount) done()
        }
        waiters.add(check)
      })
    }
  }
}
