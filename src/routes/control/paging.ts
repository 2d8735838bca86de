import type { FastifyReply, FastifyRequest } from 'fastify'
import { graphErrors } from '../../errors/graph-error.js'
import { stringifySafely } from '../safe-json.js'
import type { ScanBudget } from '../../inspection/journal-scan.js'
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type PageQuery } from '../../schemas/control.js'

/**
 * Bytes of entries one page holds at most (a page always holds at least one entry): a page of notifications
 * with big bodies is cut short rather than rendering megabytes in one go, and says so with a nextLink.
 */
export const PAGE_MAX_BYTES = 1024 * 1024

/** Query parameters a nextLink leaves out: its own position, and the long-poll, which the first page did. */
const NOT_CARRIED = new Set(['$skip', '$skiptoken', 'minCount', 'waitMs'])

export interface PagePosition {
  top: number
  /** Matching entries to pass over (`$skip`). */
  skip: number
  /** The last entry id already seen (`$skiptoken`); 0 from the start. */
  afterId: number
}

/** The page a query asks for; a 400 naming the limit when it asks for more than one page may hold. */
export function pagePosition (query: PageQuery): PagePosition {
  const top = query.$top === undefined ? DEFAULT_PAGE_SIZE : Number(query.$top)
  if (top < 1 || top > MAX_PAGE_SIZE) throw graphErrors.badRequest(`$top is ${query.$top}; it must be 1..${MAX_PAGE_SIZE} (MAX_PAGE_SIZE).`)
  return { top, skip: Number(query.$skip ?? 0), afterId: Number(query.$skiptoken ?? 0) }
}

function nextLink (request: FastifyRequest, position: Array<[string, string]>): string {
  const query = request.query as Record<string, string>
  const pairs = Object.entries(query).filter(([name]) => !NOT_CARRIED.has(name))
  pairs.push(...position)
  const path = request.url.split('?')[0]
  // `$` kept readable in names, as Graph writes them; values encoded.
  // A request without a Host header (HTTP/1.0) still gets a usable link.
  return `${request.protocol}://${request.host === '' || request.host === undefined ? 'localhost' : request.host}${path}?${pairs.map(([n, v]) => `${encodeURIComponent(n).replace(/^%24/, '$')}=${encodeURIComponent(v)}`).join('&')}`
}

export interface PageOptions<T> {
  /** The entry as the listing shows it; only the page's entries are rendered, not those passed over. */
  render: (entry: T) => unknown
  idOf?: (entry: T) => number
  /** The scan's budget, when `entries` stops early once it is spent: the page then links to the rest. */
  scan?: ScanBudget
  /** Properties of the answer beside `value`. */
  extra?: Record<string, unknown>
}

/**
 * Sends one page of a listing as Graph does: `{"value": [...], "@odata.nextLink": "..."}`, the link only
 * when more remain. `entries` yields the matching entries in order, from the cursor on, lazily: the page
 * renders at most `top` of them and PAGE_MAX_BYTES of JSON, plus one to know whether more remain. With
 * `idOf`, the next page starts after the last entry's id (`$skiptoken`, which entries dropped meanwhile
 * cannot shift); without, at an offset (`$skip`). A page whose scan ran out of budget may hold fewer than
 * `$top` entries, even none, and still link to the rest, as Graph's pages may.
 */
export async function sendPage<T> (request: FastifyRequest, reply: FastifyReply, entries: Iterable<T>, page: PagePosition, options: PageOptions<T>): Promise<FastifyReply> {
  const parts: string[] = []
  let bytes = 0
  let skipped = 0
  let lastId = page.afterId
  let more = false
  for (const entry of entries) {
    if (skipped < page.skip) { skipped++; continue }
    if (parts.length >= page.top || (parts.length > 0 && bytes >= PAGE_MAX_BYTES)) { more = true; break }
    // One entry that cannot be written (a bug, not an input: bodies are bounded) is written with nulls, not a 500.
    const json = stringifySafely(options.render(entry))
    parts.push(json)
    bytes += json.length
    if (options.idOf) lastId = options.idOf(entry)
  }
  let position: Array<[string, string]> | undefined
  if (more) position = options.idOf ? [['$skiptoken', String(lastId)]] : [['$skip', String(page.skip + parts.length)]]
  else if (options.scan?.exhausted === true) {
    // The scan stopped before the end: go on after the last entry it looked at, with what is left to skip.
    position = [['$skiptoken', String(Math.max(lastId, options.scan.lastScannedId))]]
    if (skipped < page.skip) position.push(['$skip', String(page.skip - skipped)])
  }
  let body = `{"value":[${parts.join(',')}]`
  if (position) body += `,"@odata.nextLink":${JSON.stringify(nextLink(request, position))}`
  for (const [name, value] of Object.entries(options.extra ?? {})) body += `,${JSON.stringify(name)}:${JSON.stringify(value)}`
  return await reply.type('application/json; charset=utf-8').send(body + '}')
}
