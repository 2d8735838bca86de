/**
 * The first index at or after `from` whose entry's id is above `afterId`, by binary search: a journal's
 * ids increase along its array, so a `$skiptoken` page starts without scanning what came before.
 */
export function firstAfterId (entries: ReadonlyArray<{ id: number }>, afterId: number, from = 0): number {
  let lo = from
  let hi = entries.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (entries[mid].id <= afterId) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** Real ms one listing request may spend looking through a journal before it answers with what it has. */
export const SCAN_BUDGET_MS = 50

/**
 * A bound on one request's scan of a journal: filters with globs cost up to pattern × path per entry, so
 * a page stops looking once the budget is spent and links to the rest (after `lastScannedId`) instead of
 * holding the event loop.
 */
export class ScanBudget {
  private readonly deadline: number
  /** The scan stopped early; entries after lastScannedId were not looked at. */
  exhausted = false
  lastScannedId = 0

  constructor (ms = SCAN_BUDGET_MS) { this.deadline = performance.now() + ms }

  /** Whether the scan may look at the entry after `id`; checks the time every 64 entries. */
  goOn (id: number, looked: number): boolean {
    if ((looked & 63) !== 63 || performance.now() < this.deadline) return true
    this.exhausted = true
    this.lastScannedId = id
    return false
  }
}
