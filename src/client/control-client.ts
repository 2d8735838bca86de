import type { DeliveryAttempt } from '../notifications/delivery-journal.js'
import type { Fault, FaultBody, RequestEntry, RequestsFilter } from '../schemas/control.js'
import { ControlClientError } from './errors.js'
import type {
  CallScript, CallView, ClockView, DefaultScript, DefaultScriptSet, Health, NotificationFilter, NotificationPredicate, NotificationsPage, PageQuery,
  RequestPredicate, RequestsPage, RequestWaitOptions, ScriptInput, SimulatedCall, SimulateIncomingCallOptions, TokenOptions, WaitOptions
} from './types.js'

/** The server caps one long-poll at 60 s; longer waits take several. */
const MAX_POLL_MS = 60_000
const DEFAULT_WAIT_MS = 5000

export interface ControlClientOptions {
  /** Defaults to the global fetch (Node 20+). */
  fetch?: typeof fetch
}

type Query = Record<string, string | number | undefined>

function queryString (query: Query = {}): string {
  const pairs = Object.entries(query).filter((e): e is [string, string | number] => e[1] !== undefined).map(([k, v]): [string, string] => [k, String(v)])
  return pairs.length > 0 ? '?' + new URLSearchParams(pairs).toString() : ''
}

/**
 * A typed client of the mock's control API (see docs/control-api.md), so a bot's test drives the mock without
 * raw HTTP. Every method throws ControlClientError with the mock's error message on a non-2xx answer.
 */
export function createControlClient (baseUrl: string, options: ControlClientOptions = {}) {
  const root = baseUrl.replace(/\/+$/, '')
  const doFetch = options.fetch ?? fetch

  async function send<T> (method: string, path: string, body?: unknown, query?: Query): Promise<T> {
    const url = root + path + queryString(query)
    const res = await doFetch(url, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body)
    })
    const text = await res.text()
    let data: unknown = text
    try { data = text === '' ? undefined : JSON.parse(text) } catch { /* not JSON: keep the text for the error */ }
    if (!res.ok) throw new ControlClientError(method, path, res.status, data)
    return data as T
  }

  const id = (callId: string): string => encodeURIComponent(callId)

  /** Every entry of a listing: its first page, then each @odata.nextLink's, on this client's base URL. */
  async function all<T> (path: string, query: Query = {}): Promise<T[]> {
    const out: T[] = []
    let page = await send<{ value: T[], '@odata.nextLink'?: string }>('GET', path, undefined, query)
    for (;;) {
      out.push(...page.value)
      const next = page['@odata.nextLink']
      if (next === undefined) return out
      const url = new URL(next)
      page = await send('GET', url.pathname + url.search)
    }
  }

  /**
   * The first journal entry (already there or still to come) that matches, waiting on the listing's
   * long-poll: each round asks for the entries after the last one seen, so it wakes as soon as one arrives,
   * never sleeps, and reads each entry once whatever the page size.
   */
  async function waitForEntry<T extends { id: number }> (method: string, path: string, match: Query | ((entry: T) => boolean), filter: Query, wait: { timeoutMs?: number, afterId?: number }): Promise<T> {
    const timeoutMs = wait.timeoutMs ?? DEFAULT_WAIT_MS
    const predicate = typeof match === 'function' ? match : () => true
    const deadline = Date.now() + timeoutMs
    let afterId = wait.afterId ?? 0
    let seen = 0
    for (;;) {
      const waitMs = Math.max(0, Math.min(deadline - Date.now(), MAX_POLL_MS))
      const page = await send<{ value: T[], '@odata.nextLink'?: string }>('GET', path, undefined, { ...filter, $skiptoken: afterId, minCount: 1, waitMs })
      const found = page.value.find(predicate)
      if (found) return found
      seen += page.value.length
      if (page.value.length > 0) afterId = page.value[page.value.length - 1].id
      const next = page['@odata.nextLink']
      // A page cut short by the server's scan budget may hold nothing: its link says where to go on.
      if (next !== undefined) afterId = Math.max(afterId, Number(new URL(next).searchParams.get('$skiptoken') ?? afterId))
      // More pages already there are read at once, whatever the time.
      if (next === undefined && Date.now() >= deadline) {
        const what = typeof match === 'function' ? `the predicate${Object.keys(filter).length > 0 ? ` with filter ${JSON.stringify(filter)}` : ''}` : `filter ${JSON.stringify(filter)}`
        throw new Error(`${method}: no ${method === 'waitForRequest' ? 'request' : 'delivery attempt'} matched ${what} within ${timeoutMs} ms (${seen} ${method === 'waitForRequest' ? 'requests' : 'attempts'} matched the server-side filter).`)
      }
    }
  }

  const client = {
    /** The base URL of the mock this client talks to. */
    url: root,

    /** GET /_mock/health */
    health: async (): Promise<Health> => await send('GET', '/_mock/health'),

    /** POST /_mock/reset: forget calls, notifications, requests, faults and scripts; the clock restarts. */
    reset: async (): Promise<void> => { await send('POST', '/_mock/reset') },

    /** POST /_mock/calls: a caller rings the bot; the `created` notification goes to the callback. */
    simulateIncomingCall: async (call: SimulateIncomingCallOptions = {}): Promise<SimulatedCall> => await send('POST', '/_mock/calls', call),

    /** GET /_mock/calls */
    listCalls: async (): Promise<CallView[]> => await all('/_mock/calls'),

    /** GET /_mock/calls/{id}, with operations and recordings. */
    getCall: async (callId: string): Promise<CallView> => await send('GET', `/_mock/calls/${id(callId)}`),

    /** PUT /_mock/calls/{id}/script: what this call's caller does from now on. */
    setCallScript: async (callId: string, script: ScriptInput): Promise<CallScript> => await send('PUT', `/_mock/calls/${id(callId)}/script`, script),

    /** PUT /_mock/script: the script of calls without their own. */
    setDefaultScript: async (script: ScriptInput): Promise<DefaultScriptSet> => await send('PUT', '/_mock/script', script),

    /** GET /_mock/script: the default script (null when none) and the scenario files available. */
    getDefaultScript: async (): Promise<DefaultScript> => await send('GET', '/_mock/script'),

    /** DELETE /_mock/script: back to the built-in default caller. */
    clearDefaultScript: async (): Promise<void> => { await send('DELETE', '/_mock/script') },

    /** POST /_mock/calls/{id}/tones: the caller presses keys now (the call must be established). */
    pressTones: async (callId: string, tones: string): Promise<CallView> => await send('POST', `/_mock/calls/${id(callId)}/tones`, { tones }),

    /** POST /_mock/calls/{id}/hangup: the caller hangs up now. */
    hangUp: async (callId: string): Promise<CallView> => await send('POST', `/_mock/calls/${id(callId)}/hangup`),

    /** GET /_mock/clock */
    getClock: async (): Promise<ClockView> => await send('GET', '/_mock/clock'),

    /** POST /_mock/clock/advance (manual clock): runs what is due; resolves after the first delivery attempts. Rejects with status 409 when a reset overtakes it. */
    advanceClock: async (ms: number): Promise<ClockView> => await send('POST', '/_mock/clock/advance', { ms }),

    /** GET /_mock/notifications: every delivery attempt so far, optionally filtered (every page of it). */
    notifications: async (filter: NotificationFilter = {}): Promise<DeliveryAttempt[]> => await all('/_mock/notifications', { ...filter }),

    /** GET /_mock/notifications, one page: `$top`, `$skip` or the `$skiptoken` of the last page's nextLink. */
    notificationsPage: async (query: NotificationFilter & PageQuery = {}): Promise<NotificationsPage> => await send('GET', '/_mock/notifications', undefined, { ...query }),

    /**
     * The first delivery attempt (already in the journal or still to come) that matches, waiting on the
     * journal's long-poll; rejects after `timeoutMs` (real time) naming what it waited for.
     */
    async waitForNotification (match: NotificationFilter | NotificationPredicate, wait: WaitOptions = {}): Promise<DeliveryAttempt> {
      const filter = typeof match === 'function' ? (wait.filter ?? {}) : match
      return await waitForEntry('waitForNotification', '/_mock/notifications', match, { ...filter }, wait)
    },

    /** GET /_mock/requests: the Graph requests the bot sent, with what the mock answered (every page). */
    requests: async (filter: RequestsFilter = {}): Promise<RequestEntry[]> => await all('/_mock/requests', { ...filter }),

    /** GET /_mock/requests, one page, with what the journal holds and dropped (`journal`). */
    requestsPage: async (query: RequestsFilter & PageQuery = {}): Promise<RequestsPage> => await send('GET', '/_mock/requests', undefined, { ...query }),

    /**
     * The first Graph request (already journaled or still to come) that matches, e.g. the bot's answer
     * before a manual-clock test advances time; rejects after `timeoutMs` (real time).
     */
    async waitForRequest (match: RequestsFilter | RequestPredicate, wait: RequestWaitOptions = {}): Promise<RequestEntry> {
      const filter = typeof match === 'function' ? (wait.filter ?? {}) : match
      return await waitForEntry('waitForRequest', '/_mock/requests', match, { ...filter }, wait)
    },

    /** DELETE /_mock/requests */
    clearRequests: async (): Promise<void> => { await send('DELETE', '/_mock/requests') },

    /** POST /_mock/faults: the next `times` matching Graph requests fail with `status` and/or wait `delayMs`. */
    addFault: async (fault: FaultBody): Promise<Fault> => await send('POST', '/_mock/faults', fault),

    /** GET /_mock/faults: faults still active, with what remains of them. */
    listFaults: async (): Promise<Fault[]> => await all('/_mock/faults'),

    /** DELETE /_mock/faults */
    clearFaults: async (): Promise<void> => { await send('DELETE', '/_mock/faults') },

    /**
     * An app token from the mock's POST /{tenant}/oauth2/v2.0/token (client_credentials), valid under
     * every AUTH mode, for tests that call Graph routes themselves.
     */
    async token (tenant = 'common', opts: TokenOptions = {}): Promise<string> {
      const form = new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: opts.clientId ?? 'graph-calling-mock-test',
        client_secret: opts.clientSecret ?? 'secret',
        scope: opts.scope ?? 'https://graph.microsoft.com/.default'
      })
      if (opts.roles) form.set('roles', opts.roles.join(' '))
      const path = `/${encodeURIComponent(tenant)}/oauth2/v2.0/token`
      const res = await doFetch(root + path, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() })
      const body = await res.json().catch(() => undefined) as { access_token?: string } | undefined
      if (!res.ok || typeof body?.access_token !== 'string') throw new ControlClientError('POST', path, res.status, body)
      return body.access_token
    }
  }
  return client
}

export type ControlClient = ReturnType<typeof createControlClient>
