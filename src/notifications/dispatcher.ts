import { randomUUID } from 'node:crypto'
import type { FastifyBaseLogger as Logger } from 'fastify'
import type { Clock, Timer } from '../clock/clock.js'
import type { NotificationTokens } from '../auth/notification-tokens.js'
import type { DeliveryJournal } from './delivery-journal.js'

export const USER_AGENT = 'Microsoft-Skype/3.0,(Calling/1.0)'

/** A commsNotifications POST waiting for delivery. */
export interface OutgoingNotification {
  callId: string
  callbackUri: string
  tenantId: string
  callChainId: string
  body: { value: Array<{ changeType: string, resourceUrl: string }> }
}

interface Pending {
  id: string
  sequence: number
  n: OutgoingNotification
  json: string
  attempt: number
}

interface CallQueue { items: Pending[], busy: boolean, retry?: Timer }

export interface DispatcherOptions {
  clock: Clock
  tokens: NotificationTokens
  journal: DeliveryJournal
  log: Logger
  /** Real milliseconds before an attempt counts as timed out. */
  timeoutMs?: number
  maxRetries?: number
  /** Virtual milliseconds before the first retry; doubles each time. */
  backoffMs?: number
}

/**
 * Delivers notifications to bots (contract section 7): strictly in order per call, never blocking the API
 * response that caused them, with retries on connection errors, timeouts, 429 and 5xx. Each call has its
 * own queue, so a slow or dead bot delays only its own calls.
 */
export function createDispatcher (options: DispatcherOptions) {
  const { clock, tokens, journal, log } = options
  const timeoutMs = options.timeoutMs ?? 5000
  const maxRetries = options.maxRetries ?? 5
  const backoffMs = options.backoffMs ?? 1000
  let queues = new Map<string, CallQueue>()
  // Per-call numbering outlives the queue, which is dropped whenever it runs empty.
  let sequences = new Map<string, number>()
  let inFlight = 0
  let idleWaiters: Array<() => void> = []
  const controllers = new Set<AbortController>()
  let epoch = 0

  function queueOf (callId: string): CallQueue {
    let q = queues.get(callId)
    if (!q) { q = { items: [], busy: false }; queues.set(callId, q) }
    return q
  }

  function settle (): void {
    inFlight--
    if (inFlight === 0) {
      const waiters = idleWaiters
      idleWaiters = []
      for (const w of waiters) w()
    }
  }

  async function post (p: Pending): Promise<{ status: number | null, error: string | null, retryAfterMs?: number }> {
    let token: string
    try { token = await tokens.tokenFor(p.n.tenantId) } catch (err) { return { status: null, error: `cannot sign the notification: ${(err as Error).message}` } }
    // The timeout covers the bot's answer only, not the one-off key generation before the first signature.
    const controller = new AbortController()
    controllers.add(controller)
    const timer = setTimeout(() => controller.abort(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs)
    try {
      const res = await fetch(p.n.callbackUri, {
        method: 'POST',
        redirect: 'manual',
        signal: controller.signal,
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          authorization: `Bearer ${token}`,
          'user-agent': USER_AGENT,
          'x-microsoft-skype-chain-id': p.n.callChainId,
          'x-microsoft-skype-message-id': randomUUID(),
          'scenario-id': randomUUID(),
          'client-request-id': p.id
        },
        body: p.json
      })
      await res.arrayBuffer().catch(() => undefined)
      const retryAfter = Number(res.headers.get('retry-after'))
      return { status: res.status, error: null, retryAfterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined }
    } catch (err) {
      const e = err as Error & { cause?: { code?: string, message?: string } }
      const reason = controller.signal.aborted ? String((controller.signal.reason as Error)?.message ?? 'aborted') : (e.cause?.code ?? e.cause?.message ?? e.message)
      return { status: null, error: reason }
    } finally {
      clearTimeout(timer)
      controllers.delete(controller)
    }
  }

  function pump (q: CallQueue): void {
    if (q.busy || q.items.length === 0) return
    q.busy = true
    void attempt(q, q.items[0])
  }

  async function attempt (q: CallQueue, p: Pending): Promise<void> {
    const myEpoch = epoch
    p.attempt++
    inFlight++
    const started = performance.now()
    const at = clock.now()
    const result = await post(p)
    try {
      if (myEpoch !== epoch) return
      const ok = result.status !== null && result.status >= 200 && result.status < 300
      const retryable = result.status === null || result.status === 429 || result.status >= 500
      const outcome = ok ? 'delivered' : retryable && p.attempt <= maxRetries ? 'retrying' : 'failed'
      journal.add({
        notificationId: p.id,
        callId: p.n.callId,
        sequence: p.sequence,
        attempt: p.attempt,
        url: p.n.callbackUri,
        at: clock.isoAt(at),
        virtualMs: at,
        outcome,
        httpStatus: result.status,
        error: result.error,
        durationMs: Math.round(performance.now() - started),
        changeTypes: p.n.body.value.map((v) => v.changeType),
        resourceUrls: p.n.body.value.map((v) => v.resourceUrl),
        body: p.n.body
      })
      if (outcome === 'retrying') {
        const delay = result.retryAfterMs ?? backoffMs * 2 ** (p.attempt - 1)
        log.warn({ callId: p.n.callId, attempt: p.attempt, status: result.status, error: result.error, retryInMs: delay }, 'notification delivery failed; will retry')
        q.retry = clock.setTimer(delay, () => { q.retry = undefined; if (myEpoch === epoch) void attempt(q, p) })
        return
      }
      if (outcome === 'failed') log.warn({ callId: p.n.callId, attempts: p.attempt, status: result.status, error: result.error }, 'notification delivery failed for good')
      q.items.shift()
      q.busy = false
      if (q.items.length === 0) queues.delete(p.n.callId)
      else pump(q)
    } finally {
      settle()
    }
  }

  return {
    /** Queues a notification behind the call's earlier ones. Never throws, never waits. */
    enqueue (n: OutgoingNotification): void {
      const q = queueOf(n.callId)
      const sequence = (sequences.get(n.callId) ?? 0) + 1
      sequences.set(n.callId, sequence)
      q.items.push({ id: randomUUID(), sequence, n, json: JSON.stringify(n.body), attempt: 0 })
      pump(q)
    },
    /** Resolves once no attempt is in flight (queues may still wait on a retry timer). */
    async idle (): Promise<void> {
      // A fetch starts only after the token is ready; yield once so attempts just queued are counted.
      await new Promise<void>((resolve) => setImmediate(resolve))
      if (inFlight === 0) return
      await new Promise<void>((resolve) => idleWaiters.push(resolve))
    },
    /** Notifications not yet delivered or given up. */
    pending (): number {
      let n = 0
      for (const q of queues.values()) n += q.items.length
      return n
    },
    /** Forgets every queued notification; attempts in flight finish unrecorded. */
    reset (): number {
      const dropped = this.pending()
      epoch++
      for (const q of queues.values()) q.retry?.cancel()
      queues = new Map()
      sequences = new Map()
      return dropped
    },
    /** Stops all delivery (shutdown) and says how many notifications were dropped. */
    close (): number {
      const dropped = this.reset()
      for (const c of controllers) c.abort(new Error('mock shutting down'))
      return dropped
    }
  }
}

export type Dispatcher = ReturnType<typeof createDispatcher>
