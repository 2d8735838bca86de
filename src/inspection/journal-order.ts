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
