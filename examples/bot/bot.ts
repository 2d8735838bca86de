import { EventEmitter } from 'node:events'
import { mkdir, writeFile } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify'
import { createGraphClient, createTokenSource } from './graph.js'
import { createNotificationValidator, NotificationAuthError, type NotificationClaims } from './notification-auth.js'

export interface BotOptions {
  /** Graph's base URL without version: https://graph.microsoft.com, or the mock's URL. */
  graphBaseUrl: string
  /** Client-credentials token endpoint (https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token). */
  tokenUrl: string
  /** OIDC document whose keys sign notifications (https://api.aps.skype.com/v1/.well-known/OpenIdConfiguration). */
  openIdConfigUrl: string
  botAppId: string
  clientSecret: string
  /** Where Graph posts notifications; default http://{host}:{port}/api/calls once listening. */
  callbackUrl?: string
  recordingsDir: string
  /** Prompts are WAVs the service fetches over HTTPS; the mock plays fixtures/audio/{last path segment}. */
  promptBaseUrl?: string
  logger?: FastifyServerOptions['logger']
}

/** The endpoints of a graph-calling-mock at `mockUrl`, in place of Microsoft's. */
export function mockEndpoints (mockUrl: string, tenantId: string): Pick<BotOptions, 'graphBaseUrl' | 'tokenUrl' | 'openIdConfigUrl'> {
  const base = mockUrl.replace(/\/+$/, '')
  return {
    graphBaseUrl: base,
    tokenUrl: `${base}/${tenantId}/oauth2/v2.0/token`,
    openIdConfigUrl: `${base}/v1/.well-known/OpenIdConfiguration`
  }
}

interface ResultInfo { code: number, subcode: number, message: string }
export interface RecordOperation {
  id: string
  status: 'notStarted' | 'running' | 'completed' | 'failed'
  resultInfo: ResultInfo | null
  recordingLocation: string | null
  recordingAccessToken: string | null
  clientContext: string | null
}
interface CommsNotification {
  changeType: 'created' | 'updated' | 'deleted'
  resourceUrl: string
  resourceData: Record<string, any>
}

/** How a call went, once the bot is done with it. */
export interface CallOutcome {
  callId: string
  /** The saved WAV; null when nothing was recorded (operation failed, or the caller hung up first). */
  recordingPath: string | null
  bytes: number
  /** The final recordOperation from its `deleted` notification; null if the call ended before it. */
  operation: RecordOperation | null
}

export interface AcceptedNotification { callId: string, changeType: string, resourceUrl: string, issuer: string, audience: string, tenantId: string }

export interface Bot {
  app: FastifyInstance
  /** What the bot saw: for tests and curious readers. */
  state: { answered: string[], accepted: AcceptedNotification[], rejected: number }
  /** Emits 'finished' (callId, CallOutcome | Error) once per call. */
  events: EventEmitter
  /** Resolves when the bot has finished with the call (rejects if its flow failed). */
  done: (callId: string) => Promise<CallOutcome>
  /** Listens and returns the callback URL. */
  listen: (options: { port: number, host: string }) => Promise<string>
}

const prompt = (baseUrl: string, file: string): Record<string, unknown> => ({
  '@odata.type': '#microsoft.graph.mediaPrompt',
  mediaInfo: { uri: `${baseUrl}/${file}`, resourceId: file }
})

/**
 * The bot: answers incoming calls, plays a welcome prompt, records one answer ended by #, downloads
 * the recording and hangs up. Notifications are acknowledged with 202 at once and handled afterwards,
 * one call's notifications strictly in order.
 */
export function createBot (options: BotOptions): Bot {
  // Each notification gets one log line of its own, so Fastify's per-request lines are off.
  const app = Fastify({ logger: options.logger ?? true, logController: new LogController({ disableRequestLogging: true }) })
  const validate = createNotificationValidator({ openIdConfigUrl: options.openIdConfigUrl, botAppId: options.botAppId })
  const graph = createGraphClient(options.graphBaseUrl, createTokenSource({ tokenUrl: options.tokenUrl, clientId: options.botAppId, clientSecret: options.clientSecret }))
  const promptBaseUrl = options.promptBaseUrl ?? 'https://cdn.contoso.com/prompts'
  let callbackUrl = options.callbackUrl

  const state: Bot['state'] = { answered: [], accepted: [], rejected: 0 }
  const events = new EventEmitter()
  const results = new Map<string, CallOutcome | Error>()
  const mediaStarted = new Set<string>()
  const queues = new Map<string, Promise<void>>()

  function finish (callId: string, result: CallOutcome | Error): void {
    if (results.has(callId)) return
    results.set(callId, result)
    mediaStarted.delete(callId)
    events.emit('finished', callId, result)
  }

  const callPath = (callId: string): string => `/communications/calls/${callId}`

  async function answer (callId: string): Promise<void> {
    await graph.api(`${callPath(callId)}/answer`).post({
      callbackUri: callbackUrl,
      acceptedModalities: ['audio'],
      mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' }
    })
    state.answered.push(callId)
    app.log.info({ callId }, 'answered')
  }

  // Both go into the call's media queue at once: the service runs them one after the other.
  async function playAndRecord (callId: string): Promise<void> {
    await graph.api(`${callPath(callId)}/playPrompt`).post({ clientContext: callId, prompts: [prompt(promptBaseUrl, 'welcome.wav')] })
    const op = await graph.api(`${callPath(callId)}/recordResponse`).post({
      clientContext: callId,
      prompts: [prompt(promptBaseUrl, 'press-pound.wav')],
      playBeep: true,
      stopTones: ['#'],
      maxRecordDurationInSeconds: 10
    }) as RecordOperation
    app.log.info({ callId, operationId: op.id }, 'recording')
  }

  async function recordFinished (callId: string, op: RecordOperation): Promise<void> {
    app.log.info({ callId, status: op.status, resultInfo: op.resultInfo }, 'recording finished')
    let recordingPath: string | null = null
    let bytes = 0
    if (op.status === 'completed' && op.resultInfo?.code === 200 && op.recordingLocation) {
      // The recording has its own token; a Graph token would not open it.
      const res = await fetch(op.recordingLocation, { headers: { Authorization: `Bearer ${op.recordingAccessToken ?? ''}` } })
      if (!res.ok) throw new Error(`Unable to download the recording: HTTP ${res.status}`)
      const wav = Buffer.from(await res.arrayBuffer())
      await mkdir(options.recordingsDir, { recursive: true })
      recordingPath = join(options.recordingsDir, `${callId}-${op.id}.wav`)
      await writeFile(recordingPath, wav)
      bytes = wav.length
      app.log.info({ callId, recordingPath, bytes }, 'recording saved')
    }
    await graph.api(callPath(callId)).delete()
    app.log.info({ callId }, 'hung up')
    finish(callId, { callId, recordingPath, bytes, operation: op })
  }

  async function handle (callId: string, n: CommsNotification): Promise<void> {
    const data = n.resourceData ?? {}
    if (n.resourceUrl.includes('/operations/')) {
      // Operations are announced once, as `deleted`, when they have finished.
      if (n.changeType === 'deleted' && data['@odata.type'] === '#microsoft.graph.recordOperation') await recordFinished(callId, data as RecordOperation)
      return
    }
    if (n.changeType === 'created' && data.state === 'incoming') {
      await answer(callId)
    } else if (n.changeType === 'updated' && data.state === 'established' && data.mediaState?.audio === 'active' && !mediaStarted.has(callId) && !results.has(callId)) {
      // Graph may send `established` twice: start the media only once.
      mediaStarted.add(callId)
      await playAndRecord(callId)
    } else if (n.changeType === 'deleted') {
      app.log.info({ callId, resultInfo: data.resultInfo }, 'call ended')
      finish(callId, { callId, recordingPath: null, bytes: 0, operation: null })
      queues.delete(callId)
    }
  }

  function enqueue (callId: string, n: CommsNotification): void {
    const next = (queues.get(callId) ?? Promise.resolve())
      .then(async () => { await handle(callId, n) })
      .catch(async (err: Error) => {
        app.log.error({ callId, err }, 'call flow failed; hanging up')
        finish(callId, err)
        await graph.api(callPath(callId)).delete().catch(() => undefined)
      })
    queues.set(callId, next)
  }

  app.post('/api/calls', async (request, reply) => {
    let claims: NotificationClaims
    try {
      claims = await validate(request.headers.authorization)
    } catch (err) {
      state.rejected++
      request.log.warn({ reason: (err as Error).message }, 'notification rejected')
      return await reply.code(err instanceof NotificationAuthError ? 403 : 503).send()
    }
    const body = request.body as { value?: CommsNotification[] } | undefined
    if (!Array.isArray(body?.value)) return await reply.code(400).send()
    for (const n of body.value) {
      // resourceUrl is /communications/calls/{id}[/operations/{opId}]
      const callId = /\/calls\/([^/]+)/.exec(n.resourceUrl)?.[1]?.toLowerCase()
      if (!callId) continue
      state.accepted.push({ callId, changeType: n.changeType, resourceUrl: n.resourceUrl, issuer: String(claims.iss), audience: String(claims.aud), tenantId: claims.tenantId })
      request.log.info({ callId, changeType: n.changeType, state: n.resourceData?.state, status: n.resourceData?.status }, 'notification')
      enqueue(callId, n)
    }
    return await reply.code(202).send()
  })

  return {
    app,
    state,
    events,
    async done (callId) {
      const id = callId.toLowerCase()
      const settle = (r: CallOutcome | Error): CallOutcome => { if (r instanceof Error) throw r; return r }
      const known = results.get(id)
      if (known) return settle(known)
      return await new Promise<CallOutcome>((resolve, reject) => {
        const onFinished = (finished: string, r: CallOutcome | Error): void => {
          if (finished !== id) return
          events.off('finished', onFinished)
          try { resolve(settle(r)) } catch (err) { reject(err) }
        }
        events.on('finished', onFinished)
      })
    },
    async listen ({ port, host }) {
      await app.listen({ port, host })
      const bound = (app.server.address() as AddressInfo).port
      callbackUrl ??= `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${bound}/api/calls`
      return callbackUrl
    }
  }
}
