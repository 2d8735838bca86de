import { randomUUID } from 'node:crypto'
import { newId } from '../ids.js'
import type { Notification } from './notification.js'
import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type RequestOptions } from 'node:http'
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https'
import { rootCertificates } from 'node:tls'
import { urlToHttpOptions } from 'node:url'
import type { FastifyBaseLogger as Logger } from 'fastify'
import type { Clock, Timer } from '../clock/clock.js'
import type { NotificationTokens } from '../auth/notification-tokens.js'
import type { DeliveryJournal } from './delivery-journal.js'
import { SELF_CALLBACK_CODE, type SelfCallbackCheck } from './self-callback.js'

export const USER_AGENT = 'Microsoft-Skype/3.0,(Calling/1.0)'

/** A commsNotifications POST waiting for delivery. */
interface Pending {
  id: string
  sequence: number
  n: Notification
  attempt: number
}

interface CallQueue { items: Pending[], busy: boolean, retry?: Timer }

/** A bot URL as the POST needs it; `refused` says why it must not be posted to. */
interface Target { origin: string, secure: boolean, options: RequestOptions, refused?: string }

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
  /** Connections open at once to one bot (origin); further POSTs wait for a free one. */
  maxSockets?: number
  /** A CA trusted beside Node's roots: the HTTPS mock's own, so it can post to its own callback sink. */
  extraCa?: string
  /** Callback URLs that lead back to the mock itself, which is never posted to. */
  selfCallbacks?: SelfCallbackCheck
}

/**
 * One advance of the manual clock, as far as deliveries go: the bots (origins) that let an attempt time
 * out during it. The advance stops waiting for their attempts, so a hung bot costs each advance one
 * delivery timeout at most (docs/decisions/limits-scripts-and-clock.md).
 */
export interface AdvanceWait { hung: Set<string> }

/** Enough parallel connections for thousands of calls to one bot without opening one socket per call. */
export const MAX_SOCKETS_PER_BOT = 64

/** What the journal says went wrong: the socket error code (ECONNREFUSED, ...) or the message. */
function reasonOf (err: Error): string {
  return (err as NodeJS.ErrnoException).code ?? err.message
}

/** The message of anything thrown, which need not be an Error (nor have a usable toString). */
function messageOf (err: unknown): string {
  try { return err instanceof Error ? err.message : String(err) } catch { return 'an unprintable error' }
}

/** The JSON text a notification is posted as, or why it has none; such a notification is never sent. */
function serialise (n: Notification): { json: string } | { error: string } {
  try {
    const json: unknown = JSON.stringify(n.render())
    return typeof json === 'string' ? { json } : { error: 'cannot render the notification: it renders as nothing' }
  } catch (err) {
    return { error: `cannot render the notification: ${messageOf(err)}` }
  }
}

/**
 * Delivers notifications to bots (see docs/decisions.md, Notifications): strictly in order per call, never blocking the API
 * response that caused them, with retries on connection errors, timeouts, 429 and 5xx. Each call has its
 * own queue, so a slow or dead bot delays only its own calls.
 */
export function createDispatcher (options: DispatcherOptions) {
  const { clock, tokens, journal, log } = options
  const timeoutMs = options.timeoutMs ?? 5000
  const maxRetries = options.maxRetries ?? 5
  const backoffMs = options.backoffMs ?? 1000
  const maxSockets = options.maxSockets ?? MAX_SOCKETS_PER_BOT
  const { selfCallbacks } = options
  let queues = new Map<string, CallQueue>()
  // Per-call numbering outlives the queue, which is dropped whenever it runs empty.
  let sequences = new Map<string, number>()
  let inFlight = 0
  // Attempts in flight that have a bot to post to, per origin: from the wait for a socket slot to the answer.
  let postingTo = new Map<string, number>()
  // Woken whenever an attempt ends; each decides again whether to wait on.
  let waiters: Array<() => void> = []
  const advances = new Set<AdvanceWait>()
  let epoch = 0

  function queueOf (callId: string): CallQueue {
    let q = queues.get(callId)
    if (!q) { q = { items: [], busy: false }; queues.set(callId, q) }
    return q
  }

  // One delivery attempt is over (answered, failed or thrown): it leaves the in-flight count.
  function attemptEnded (attemptEpoch: number): void {
    // An attempt from before a reset was already taken off the count (reset()).
    if (attemptEpoch === epoch) inFlight--
    wake()
  }

  function wake (): void {
    if (waiters.length === 0) return
    const woken = waiters
    waiters = []
    for (const w of woken) w()
  }

  /** Attempts in flight that an advance no longer waits for: their bot let one time out during it. */
  function stragglers (wait: AdvanceWait | undefined): number {
    let count = 0
    for (const origin of wait?.hung ?? []) count += postingTo.get(origin) ?? 0
    return count
  }

  function timedOut (origin: string): void {
    for (const wait of advances) wait.hung.add(origin)
  }

  // node:http rather than fetch: a fraction of the CPU and memory per POST.
  const agents = {
    http: new HttpAgent({ keepAlive: true, maxSockets }),
    https: new HttpsAgent({ keepAlive: true, maxSockets, ...(options.extraCa ? { ca: [...rootCertificates, options.extraCa] } : {}) })
  }
  const inFlightRequests = new Set<ClientRequest>()

  // At most maxSockets POSTs at once per bot (origin). Attempts beyond that wait here as a callback,
  // not as a request object queued in the agent: ten thousand calls answered at once would otherwise
  // hold ten thousand requests with their buffers, and their timeouts would count the wait.
  const slots = new Map<string, { active: number, waiting: Array<() => void> }>()
  async function acquire (origin: string): Promise<void> {
    let s = slots.get(origin)
    if (!s) { s = { active: 0, waiting: [] }; slots.set(origin, s) }
    if (s.active < maxSockets) { s.active++; return }
    const slot = s
    await new Promise<void>((resolve) => slot.waiting.push(resolve))
  }
  function release (origin: string): void {
    const s = slots.get(origin)
    if (!s) return
    const next = s.waiting.shift()
    if (next) next() // the slot passes straight to the next attempt
    else if (--s.active === 0) slots.delete(origin)
  }

  /** `final`: trying again cannot help (the body cannot be rendered, the URL leads to the mock). */
  interface PostResult { status: number | null, error: string | null, retryAfterMs?: number, durationMs: number, final?: boolean }
  const finalFailure = (error: string): PostResult => ({ status: null, error, durationMs: 0, final: true })

  async function post (p: Pending, myEpoch: number): Promise<PostResult> {
    const target = targetOf(p.n.callbackUri)
    if (!target) return { status: null, error: `invalid callbackUri ${p.n.callbackUri}`, durationMs: 0 }
    if (target.refused) return finalFailure(`not sent: ${target.refused}`)
    let token: string
    try { token = await tokens.tokenFor(p.n.tenantId) } catch (err) { return { status: null, error: `cannot sign the notification: ${messageOf(err)}`, durationMs: 0 } }
    // The map of this epoch: a reset replaces it, and this attempt then counts only in the old one.
    const posting = postingTo
    posting.set(target.origin, (posting.get(target.origin) ?? 0) + 1)
    await acquire(target.origin)
    try {
      // Reset or shut down while this attempt waited for a slot: it is not sent (attempt() drops it).
      if (myEpoch !== epoch) return { status: null, error: 'dropped', durationMs: 0 }
      // Rendered only now, so attempts waiting for a slot hold no JSON text.
      const body = serialise(p.n)
      if ('error' in body) return finalFailure(body.error)
      return await send(p, target, token, body.json)
    } finally {
      release(target.origin)
      const n = posting.get(target.origin)! - 1
      if (n === 0) posting.delete(target.origin)
      else posting.set(target.origin, n)
    }
  }

  // The last callbackUri parsed: the calls of a run mostly share one bot, and parsing the URL and turning
  // it into request options for every POST was a measurable part of each delivery.
  let lastTarget: { uri: string, target: Target | undefined } | undefined
  function targetOf (uri: string): Target | undefined {
    if (lastTarget?.uri !== uri) {
      let target: Target | undefined
      try {
        const url = new URL(uri)
        const secure = url.protocol === 'https:'
        const options: RequestOptions = urlToHttpOptions(url)
        // A name that resolves to the mock is caught when its socket connects.
        if (selfCallbacks) options.lookup = selfCallbacks.lookupFor(url.port === '' ? (secure ? 443 : 80) : Number(url.port))
        target = { origin: url.origin, secure, options, refused: selfCallbacks?.reasonFor(uri) }
      } catch { /* not a URL: no target */ }
      lastTarget = { uri, target }
    }
    return lastTarget.target
  }

  /**
   * One POST; the timeout covers the bot's answer only (not key generation or the wait for a slot). The
   * JSON is serialised per attempt, not kept: the journal holds the body object, and a queued
   * notification should not hold a second copy of it as a string.
   */
  async function send (p: Pending, target: Target, token: string, json: string): Promise<PostResult> {
    const { secure } = target
    const started = performance.now()
    return await new Promise<PostResult>((resolve) => {
      let done = false
      const finish = (result: Omit<PostResult, 'durationMs'>): void => {
        if (done) return
        done = true
        clearTimeout(timer)
        inFlightRequests.delete(req)
        resolve({ ...result, durationMs: performance.now() - started })
      }
      const req = (secure ? httpsRequest : httpRequest)({
        ...target.options,
        method: 'POST',
        agent: secure ? agents.https : agents.http,
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          'content-length': Buffer.byteLength(json),
          authorization: `Bearer ${token}`,
          'user-agent': USER_AGENT,
          'x-microsoft-skype-chain-id': p.n.callChainId,
          'x-microsoft-skype-message-id': randomUUID(),
          'scenario-id': randomUUID(),
          'client-request-id': p.id
        }
      }, (res) => {
        // The bot's answer counts once its body has been read (3xx are answers too: not followed).
        res.on('error', (err) => finish({ status: null, error: reasonOf(err) }))
        res.on('close', () => finish({ status: null, error: 'the connection closed before the answer ended' }))
        res.on('end', () => {
          const retryAfter = Number(res.headers['retry-after'])
          finish({ status: res.statusCode ?? null, error: null, retryAfterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined })
        })
        res.resume()
      })
      const timer = setTimeout(() => { timedOut(target.origin); req.destroy(new Error(`timed out after ${timeoutMs} ms`)) }, timeoutMs)
      inFlightRequests.add(req)
      req.on('error', (err) => finish((err as NodeJS.ErrnoException).code === SELF_CALLBACK_CODE ? { status: null, error: `not sent: ${err.message}`, final: true } : { status: null, error: reasonOf(err) }))
      req.end(json)
    })
  }

  function pump (q: CallQueue): void {
    if (q.busy || q.items.length === 0) return
    q.busy = true
    run(q, q.items[0])
  }

  /** Starts an attempt in the background; attempt() handles its own failures, so this only logs a bug. */
  function run (q: CallQueue, p: Pending): void {
    attempt(q, p).catch((err: unknown) => { log.error({ err, callId: p.n.callId }, 'notification attempt crashed') })
  }

  async function attempt (q: CallQueue, p: Pending): Promise<void> {
    const myEpoch = epoch
    p.attempt++
    inFlight++
    try {
      const at = clock.now()
      // Whatever goes wrong, the attempt ends journaled and the queue moves on: a notification that
      // throws must not leave its call's queue busy and inFlight up (and the manual clock waiting) forever.
      const result = await post(p, myEpoch).catch((err: unknown) => finalFailure(`the attempt failed: ${messageOf(err)}`))
      if (myEpoch !== epoch) return
      const ok = result.status !== null && result.status >= 200 && result.status < 300
      const retryable = !result.final && (result.status === null || result.status === 429 || result.status >= 500)
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
        durationMs: Math.round(result.durationMs),
        notification: p.n
      })
      if (outcome === 'retrying') {
        const delay = result.retryAfterMs ?? backoffMs * 2 ** (p.attempt - 1)
        log.warn({ callId: p.n.callId, attempt: p.attempt, status: result.status, error: result.error, retryInMs: delay }, 'notification delivery failed; will retry')
        q.retry = clock.setTimer(delay, () => { q.retry = undefined; if (myEpoch === epoch) run(q, p) })
        return
      }
      if (outcome === 'failed') log.warn({ callId: p.n.callId, attempts: p.attempt, status: result.status, error: result.error }, 'notification delivery failed for good')
      q.items.shift()
      q.busy = false
      if (q.items.length === 0) queues.delete(p.n.callId)
      else pump(q)
    } finally {
      attemptEnded(myEpoch)
    }
  }

  return {
    /** Queues a notification behind the call's earlier ones. Never throws, never waits. */
    enqueue (n: Notification): void {
      const q = queueOf(n.callId)
      const sequence = (sequences.get(n.callId) ?? 0) + 1
      sequences.set(n.callId, sequence)
      const pending = { id: newId(), sequence, n, attempt: 0 }
      // Most calls have one notification waiting at a time: a push onto an empty array reserves 17 slots.
      if (q.items.length === 0) q.items = [pending]
      else q.items.push(pending)
      pump(q)
    },
    /**
     * Resolves once no attempt is in flight (queues may still wait on a retry timer). With an advance's
     * `wait`, attempts to a bot that has had its delivery timeout of that advance are not waited for: they
     * are journaled when they end, and their retries run on the virtual clock as usual.
     */
    async idle (wait?: AdvanceWait): Promise<void> {
      // A POST starts only after the token is ready; yield once so attempts just queued are counted.
      await new Promise<void>((resolve) => setImmediate(resolve))
      while (inFlight > stragglers(wait)) await new Promise<void>((resolve) => waiters.push(resolve))
    },
    /** An advance of the manual clock starts: pass the result to idle() until advanceEnded(). */
    advanceStarted (): AdvanceWait {
      const wait = { hung: new Set<string>() }
      advances.add(wait)
      return wait
    },
    advanceEnded (wait: AdvanceWait): void { advances.delete(wait) },
    /** Notifications not yet delivered or given up. */
    pending (): number {
      let n = 0
      for (const q of queues.values()) n += q.items.length
      return n
    },
    /** The call was forgotten (MAX_ENDED_CALLS): an ended call gets no more notifications to number. */
    forgetCall (callId: string): void {
      sequences.delete(callId)
    },
    /** Forgets every queued notification; attempts in flight finish unrecorded. */
    reset (): number {
      const dropped = this.pending()
      epoch++
      for (const q of queues.values()) q.retry?.cancel()
      queues = new Map()
      sequences = new Map()
      // Nobody waits for attempts still in flight: they finish unrecorded.
      inFlight = 0
      postingTo = new Map()
      wake()
      return dropped
    },
    /** Stops all delivery (shutdown) and says how many notifications were dropped. */
    close (): number {
      const dropped = this.reset()
      // Each destroyed request frees its slot for the next waiting attempt, which sees the new epoch and sends nothing.
      for (const req of inFlightRequests) req.destroy(new Error('mock shutting down'))
      agents.http.destroy()
      agents.https.destroy()
      return dropped
    }
  }
}

export type Dispatcher = ReturnType<typeof createDispatcher>
